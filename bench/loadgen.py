"""A bounded HTTP load generator: N client threads on keep-alive connections, loopback only.

Runs in its own process (so its CPU is not the server's), stops after `--requests`
requests or `--seconds`, whichever comes first, and prints one JSON summary.
A `{n}` in `--body` is replaced by the request number, so each body is unique.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--token")
    parser.add_argument("--body")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--expect", type=int, default=200)
    args = parser.parse_args()

    headers = {"Accept": "application/json"}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    if args.body:
        headers["Content-Type"] = "application/json"
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    errors = 0
    started = time.perf_counter()
    deadline = started + args.seconds

    def client() -> None:
        nonlocal issued, errors
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        mine: list[float] = []
        seen: Counter[int | str] = Counter()
        failed = 0
        while True:
            with lock:
                if issued >= args.requests or time.perf_counter() > deadline:
                    break
                issued += 1
                n = issued
            body = args.body.replace("{n}", str(n)).encode() if args.body else None
            t0 = time.perf_counter()
            try:
                conn.request(args.method, args.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                failed += 1
                seen[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                continue
            mine.append(time.perf_counter() - t0)
            seen[response.status] += 1
            if response.status != args.expect:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": errors,
                "statuses": {str(k): v for k, v in statuses.items()},
                "elapsed_s": elapsed,
                "rps": len(latencies) / elapsed if elapsed else 0.0,
                "p50_ms": percentile(latencies, 50) * 1000,
                "p95_ms": percentile(latencies, 95) * 1000,
                "max_ms": max(latencies) * 1000 if latencies else 0.0,
                "clients": args.clients,
                "latencies_ms": [round(x * 1000, 3) for x in latencies],
            }
        )
    )


if __name__ == "__main__":
    main()
