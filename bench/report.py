"""Render the measured figures as bench/RESULTS.md.

The hand-written analysis between the `<!-- notes -->` markers of an existing
RESULTS.md is kept, so re-running `make bench` refreshes the numbers only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTES_START = "<!-- notes -->"
NOTES_END = "<!-- /notes -->"
DB_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = []
    for db, out in results["databases"].items():
        label = DB_LABEL.get(db, db)
        create = out["create"]
        c = create["create"]
        table.append(
            (
                f"API create lead, 8 clients ({label})",
                f"{c['rps']:.0f} req/s, p50 {c['p50_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms; "
                f"server CPU {c['server_cpu_ms_per_request']:.2f} ms/req",
                f"bare GET /api/health {create['health_rps']:.0f} req/s; "
                f"server CPU {create['health_cpu_ms']:.2f} ms/req",
                f"{create['ratio']:.2f} (CPU: {create['cpu_ratio']:.2f})",
                "≥ 0.4 of bare",
                _met(create["ratio"] >= 0.4),
            )
        )
        listing = out["list"]
        health_p50 = listing["health"]["p50_ms"]
        for page in ("first", "deep"):
            m = listing[page]
            counted = listing["counted"][page]
            ok = m["p95_ms"] < 50 and counted["queries"] <= 3
            table.append(
                (
                    f"List 50 open leads of one owner, {page} page ({label})",
                    f"p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms, "
                    f"{counted['queries']} SQL queries (+{counted['transaction_control']} "
                    f"transaction control, {counted['checkouts']} pool checkouts)",
                    f"bare GET /api/health p50 {health_p50:.2f} ms",
                    f"{m['p50_ms'] / health_p50:.1f}x bare; server CPU "
                    f"{m['server_cpu_ms_per_request']:.1f} ms/req",
                    "p95 < 50 ms, ≤ 3 statements",
                    _met(ok),
                )
            )
        q = out["qualify"]
        table.append(
            (
                f"Qualify, in-process, one committed transaction each ({label})",
                f"{q['qualify_per_s']:.0f} qualifies/s "
                f"({q['statements_per_qualify']:.0f} statements, "
                f"{q['qualify_cpu_ms']:.1f} ms CPU each)",
                f"create-lead service {q['create_lead_per_s']:.0f}/s "
                f"({q['create_lead_cpu_ms']:.1f} ms CPU); "
                f"bare commit {q['bare_commit_per_s']:.0f}/s",
                f"{q['ratio_to_create']:.2f} of create-lead",
                "≥ 200/s",
                _met(q["qualify_per_s"] >= 200),
            )
        )
        s = out["seed"]
        figure = f"{s['rows_per_s']:.0f} rows/s ({s['leads']:,} in {s['seconds']:.0f} s)"
        ratio = f"{s['rows_per_s'] / s['floor']['rows_per_s']:.2f}"
        if not s["seeded_now"]:
            figure += f"; seeded {s['seeded_at']}, reused by this run"
        table.append(
            (
                f"Seed leads ({label}): {s['method']}",
                figure,
                f"raw DB-API executemany into an index-free table "
                f"{s['floor']['rows_per_s']:.0f} rows/s",
                ratio,
                "bulk, not per-row ORM",
                "-",
            )
        )
    return table


def summary_table(results: dict[str, Any]) -> str:
    lines = [
        "| figure | measured | floor (same run) | ratio | target | status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows(results)]
    return "\n".join(lines)


def _details(db: str, out: dict[str, Any]) -> list[str]:
    label = DB_LABEL.get(db, db)
    listing = out["list"]
    counted = listing["counted"]
    lines = [f"### {label}", ""]
    create = out["create"]
    lines.append(
        "API create lead: "
        f"{create['create']['requests']} requests in {create['create']['elapsed_s']:.1f} s; "
        f"health before {create['health_before']['rps']:.0f} req/s "
        f"(p50 {create['health_before']['p50_ms']:.1f} ms), after "
        f"{create['health_after']['rps']:.0f} req/s; statuses {create['create']['statuses']}."
    )
    lines.append("")
    lines.append(
        f"List: owner has {listing['owner_open_leads']:,} open leads; the deep page starts "
        f"after row {listing['deep_offset']:,} (90 % down). Over HTTP, 1 client, "
        f"{listing['first']['requests']} requests per case. Following `next_cursor` "
        f"in-process for {counted['walk']['pages']} pages ({counted['walk']['rows']:,} rows): "
        f"p50 {counted['walk']['p50_ms']:.1f} ms, p95 {counted['walk']['p95_ms']:.1f} ms, "
        f"{counted['walk']['cpu_ms_per_page']:.1f} ms CPU per page (app and client), "
        f"queries per later page {counted['walk']['queries_per_later_page']}."
    )
    lines.append("")
    first_use = counted["first_request_of_token"]
    lines.append(
        f"First request with a fresh token: {first_use['queries']} queries "
        "(the extra one is the throttled `last_used_at` UPDATE, at most every 5 minutes "
        "per token)."
    )
    lines.append("")
    for page in ("first", "deep"):
        c = counted[page]
        lines.append(f"Statements of one {page}-page request (every cursor execute, in order):")
        lines.append("")
        lines.append("```")
        lines += [s if len(s) < 300 else s[:297] + "..." for s in c["statements"]]
        lines.append("```")
        lines.append("")
        for plan in c["plans"]:
            kind = "count" if plan["sql"].startswith("SELECT count") else "page"
            lines.append(f"EXPLAIN of the {page}-page {kind} query:")
            lines.append("")
            lines.append("```")
            lines += plan["plan"]
            lines.append("```")
            lines.append("")
    return lines


def write(results: dict[str, Any], path: Path) -> None:
    notes = f"{NOTES_START}\n(no notes yet)\n{NOTES_END}"
    if path.exists():
        old = path.read_text()
        if NOTES_START in old and NOTES_END in old:
            start = old.index(NOTES_START)
            notes = old[start : old.index(NOTES_END) + len(NOTES_END)]
    machine = results["machine"]
    settings = results["settings"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run_all.py`); raw figures in `bench/results.json`.",
        "The section between the notes markers is hand-written and kept across runs.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {v} |" for k, v in machine.items()]
    lines += [
        "",
        f"Run: {settings['leads']:,} seeded leads, {settings['requests']} create requests, "
        f"{settings['qualify']} qualifies, databases {', '.join(settings['dbs'])}. "
        "uvicorn runs one worker process (asyncio loop, h11; no uvloop/httptools installed); "
        "the load generator is a second process on loopback.",
        "",
        "## Summary",
        "",
        summary_table(results),
        "",
        "## Analysis",
        "",
        notes,
        "",
        "## Details",
        "",
    ]
    for db, out in results["databases"].items():
        lines += _details(db, out)
    path.write_text("\n".join(lines).rstrip() + "\n")
