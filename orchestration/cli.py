"""The ``callmart`` command: generate demo data, run the pipeline."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from .settings import RunSettings, data_dir, default_warehouse


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse_vars(text: str | None) -> dict[str, object]:
    """--vars: a YAML/JSON mapping, inline or in a file."""
    if not text:
        return {}
    path = Path(text)
    if path.is_file():
        text = path.read_text()
    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise SystemExit(f"--vars must be a mapping, got: {text!r}")
    return value


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate import generate

    _say(f"callmart generate: {args.days} days, {args.agents} agents, seed {args.seed}, from {args.start}")
    summary = generate(
        Path(args.out),
        days=args.days,
        agents=args.agents,
        seed=args.seed,
        start=date.fromisoformat(args.start),
        progress=_say,
    )
    for name, rows in summary.files.items():
        print(f"  {name:32} {rows:>10,} rows")
    print(
        f"wrote {summary.out} in {summary.seconds:.1f} s: {summary.stints:,} queue stints, "
        f"{summary.queue_log_lines:,} queue_log lines"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    landing = Path(args.landing) if args.landing else data_dir() / "demo"
    if not args.landing:
        from .generate import generate

        _say(f"callmart run: no --landing given, generating demo data in {landing}")
        generate(landing, progress=_say)
    if not landing.is_dir():
        raise SystemExit(f"landing folder not found: {landing}")
    settings = RunSettings(
        landing=landing.resolve(),
        warehouse=Path(args.warehouse).resolve(),
        config_dir=Path(args.config).resolve() if args.config else None,
        dbt_vars=_parse_vars(args.vars),
    )
    os.environ.update(settings.to_env())
    os.environ["CALLMART_PROGRESS"] = "1"
    # a demo is a replay of past days: check freshness as of its own newest event
    os.environ["CALLMART_AS_OF"] = args.as_of or ("data" if not args.landing else "")
    _say(f"callmart run: landing {settings.landing} -> warehouse {settings.warehouse}")

    from .runner import run_pipeline

    summary = run_pipeline()
    summary.print(time.monotonic() - started)
    return 0 if summary.success else 1


def cmd_check(args: argparse.Namespace) -> int:
    from .quality.dbt_tests import run_dbt_tests
    from .quality.gx_suites import data_docs_index
    from .quality.model import table
    from .quality.runner import run_all_checks

    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        raise SystemExit(f"no warehouse at {warehouse}: run `callmart run` first")
    dbt_vars = _parse_vars(args.vars)
    _say(f"callmart check: {warehouse}")
    results = run_all_checks(warehouse, dbt_vars, args.as_of)
    passed_dbt = 0
    if not args.skip_dbt:
        _say("  running dbt's data tests ...")
        failed_dbt, passed_dbt = run_dbt_tests(
            warehouse, dbt_vars, Path(args.config) if args.config else None
        )
        results += failed_dbt
    print(table(results))
    errors = [r for r in results if not r.passed and r.severity == "error"]
    warnings = [r for r in results if not r.passed and r.severity == "warn"]
    print(
        f"\n{sum(r.passed for r in results) + passed_dbt} passed ({passed_dbt} dbt tests), "
        f"{len(errors)} failed, {len(warnings)} warnings; Data Docs: {data_docs_index()}"
    )
    return 1 if errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callmart",
        description="Contact-center metrics warehouse: Asterisk, VICIdial and CRM files into tested KPI marts.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser(
        "generate", help="write a realistic demo landing folder (every source of the contract)"
    )
    gen.add_argument("--out", required=True, help="folder to write (created if missing)")
    gen.add_argument("--days", type=int, default=14, help="days of traffic (default 14)")
    gen.add_argument("--agents", type=int, default=40, help="inbound agents (default 40)")
    gen.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
    gen.add_argument("--start", default="2026-10-19", help="first day, YYYY-MM-DD (default 2026-10-19)")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="load the landing folder, build and test every mart, print a summary")
    run.add_argument("--landing", help="landing folder (default: generate demo data under the data folder)")
    run.add_argument(
        "--warehouse",
        default=str(default_warehouse()),
        help="DuckDB warehouse file (default: data/callmart.duckdb)",
    )
    run.add_argument(
        "--config",
        help="folder of CSVs named like the seeds (queues.csv, agents.csv, ...) "
        "that replace the shipped defaults; default: the landing's config/",
    )
    run.add_argument(
        "--vars",
        help="dbt vars as YAML/JSON, inline or a file (interval_minutes, fcr_window_days, pbx_timezone, ...)",
    )
    run.add_argument(
        "--as-of",
        help="freshness checks as of this UTC time ('data' = the newest queue_log event); "
        "default now (the demo: 'data')",
    )
    run.set_defaults(func=cmd_run)
    check = sub.add_parser(
        "check", help="run every data-quality check on the current warehouse and print a table"
    )
    check.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    check.add_argument("--vars", help="dbt vars and check thresholds as YAML/JSON (queue_timeout_s, ...)")
    check.add_argument("--config", help="the configuration folder the warehouse was built with")
    check.add_argument("--as-of", help="freshness as of this UTC time ('data' = the newest queue_log event)")
    check.add_argument(
        "--skip-dbt", action="store_true", help="only the Great Expectations suites and SQL checks"
    )
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
