"""`make bench`: run every benchmark module `bench/bench_*.py` (each has a `main()`)."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def main() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("bench_"):
            print(f"== {module}")
            importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
