"""Benchmarks: generator throughput and loader speed. Prints figures; asserts nothing.

    uv run python benchmarks/bench.py                    # 1 M stints: ~30 days x 900 agents
    uv run python benchmarks/bench.py --agents 200 --days 7   # a quick look

Targets (2-core machine): 1 million queue stints generated in under a minute; the
queue_log they make loaded in seconds.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from orchestration.generate import generate
from orchestration.loading.loader import load_landing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--agents", type=int, default=900)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write here and keep the files (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp) / "landing"
        print(f"generating {args.days} days x {args.agents} agents ...", flush=True)
        summary = generate(out, days=args.days, agents=args.agents, seed=args.seed, start=date(2026, 10, 19))
        size = (out / "asterisk" / "queue_log").stat().st_size
        print(
            f"generate: {summary.stints:,} queue stints, {summary.queue_log_lines:,} queue_log lines "
            f"({size / 1e6:,.0f} MB) in {summary.seconds:.1f} s "
            f"= {summary.stints / summary.seconds:,.0f} stints/s"
        )
        warehouse = Path(tmp) / "bench.duckdb"
        started = time.monotonic()
        results = load_landing(warehouse, out, sources=["queue_log"])
        seconds = time.monotonic() - started
        rows = sum(r.rows_loaded for r in results)
        print(
            f"load queue_log: {rows:,} lines in {seconds:.1f} s = {rows / seconds:,.0f} lines/s "
            f"({size / 1e6 / seconds:,.0f} MB/s)"
        )
        started = time.monotonic()
        results = load_landing(warehouse, out, sources=["queue_log"])
        print(
            f"reload (unchanged file): {time.monotonic() - started:.2f} s, "
            f"{sum(r.rows_loaded for r in results)} rows"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
