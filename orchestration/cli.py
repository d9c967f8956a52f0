"""The ``callmart`` command: generate demo data, run the pipeline."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import sys
import threading
import time
import warnings
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import yaml

from .settings import data_dir, default_warehouse

if TYPE_CHECKING:
    from .configuration import EffectiveConfig
    from .settings import StatePaths


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _as_of(value: str) -> str:
    from .configuration.settings_schema import as_of_time

    try:
        return as_of_time(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class UsageError(Exception):
    """The command was used wrongly or its configuration is invalid: exit 2, nothing written."""


def _parse_vars(text: str | None) -> tuple[dict[str, object], str, dict[str, int]]:
    """--vars: a YAML/JSON mapping, inline or in a file: (values, where from, line of each key)."""
    if not text:
        return {}, "--vars", {}
    path = Path(text)
    origin = "--vars"
    if path.is_file():
        origin, text = str(path), path.read_text()
    try:
        node = yaml.compose(text)
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(value, dict):
        raise UsageError(f"{origin}: must be a mapping such as '{{interval_minutes: 30}}', got {text!r}")
    lines: dict[str, int] = {}
    if origin != "--vars" and isinstance(node, yaml.MappingNode):
        lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return value, origin, lines


def _checked_vars(text: str | None) -> dict[str, object]:
    """--vars parsed and validated; unknown names are warned about and passed on."""
    from .configuration import validate_vars

    values, origin, lines = _parse_vars(text)
    for warning in validate_vars(values, origin, lines):
        _say(f"warning: {warning}")
    if values.get("as_of") is not None:  # valid: one spelling for the SQL it goes into
        from .configuration.settings_schema import as_of_time

        values["as_of"] = as_of_time(values["as_of"])  # type: ignore[arg-type]
    return values


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
    from .quality import gx_process
    from .settings import StatePaths

    started = time.monotonic()
    if args.live and not args.landing:
        raise UsageError("--live refreshes an existing warehouse from a landing folder: give --landing")
    landing = Path(args.landing) if args.landing else data_dir() / "demo"
    if args.landing and not landing.is_dir():
        raise UsageError(f"landing folder not found: {landing}")
    warehouse = Path(args.warehouse).resolve()
    paths = StatePaths(warehouse)
    # GX imports on the other core while this process imports Dagster and dbt and the run starts, for
    # the suites whose batch changed (the live job has none): started before those imports
    with gx_process.started(paths.gx) if not args.live else contextlib.nullcontext():
        return _run(args, started, landing, warehouse, paths)


def _run(args: argparse.Namespace, started: float, landing: Path, warehouse: Path, paths: StatePaths) -> int:
    from .engines import require_adapter
    from .lock import warehouse_lock
    from .resources import CallmartResource
    from .runner import run_pipeline
    from .settings import LIVE_JOB, MAIN_JOB, SHIPPED_SEEDS

    try:  # a target whose adapter is not installed: a usage error before anything runs
        require_adapter(args.target)
    except RuntimeError as exc:
        raise UsageError(str(exc)) from exc
    dbt_vars = _checked_vars(args.vars)
    config_dir = Path(args.config).resolve() if args.config else None
    if args.landing:  # the demo writes its own configuration: checked once it exists
        config, config_path = _checked_config(config_dir, landing)
    with warehouse_lock(paths.lock, _say, "run"):
        salt = _checked_salt(warehouse, dbt_vars.get("pii_salt"), rebuild=args.rebuild)
        if not args.landing:
            from .generate import generate

            _say(f"callmart run: no --landing given, generating demo data in {landing}")
            generate(landing, progress=_say)
            config, config_path = _checked_config(config_dir, landing)
        callmart = CallmartResource.for_run(
            landing=landing.resolve(),
            warehouse=warehouse,
            config_dir=config_dir,
            dbt_vars=dbt_vars,
            # a demo is a replay of past days: check freshness as of its own newest event
            as_of=args.as_of or ("data" if not args.landing else None),
            progress=True,
            verbose=args.verbose,
            pii_salt=salt,
            target=args.target,
            full_refresh=args.full_refresh,
        )
        own = ", ".join(config.user_files) or "none"
        _say(f"callmart run: landing {callmart.landing_path} -> warehouse {warehouse}")
        _say(f"config   {config_path or SHIPPED_SEEDS}: {own} of {len(config.tables)} files given, all valid")
        summary = run_pipeline(callmart, LIVE_JOB if args.live else MAIN_JOB)
    summary.print(time.monotonic() - started)
    return 0 if summary.success else 1


def _checked_salt(warehouse: Path, explicit: object, rebuild: bool) -> str:
    """The run's salt; refuses (exit 2) a salt other than the one the warehouse was built with."""
    from .privacy import built_with, resolve_salt, salt_file

    salt = resolve_salt(warehouse, explicit)
    if rebuild:
        for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            path.unlink(missing_ok=True)
        _say(f"callmart run: --rebuild: {warehouse} removed, building it from scratch")
    elif built_with(warehouse) not in (None, salt):
        where = "--vars pii_salt" if explicit else f"the salt file {salt_file(warehouse)}"
        raise UsageError(
            f"{warehouse} was built with another pii_salt than {where}: phone hashes would stop matching "
            "(repeat calls and FCR need one salt). Use the salt it was built with, or rebuild it from "
            "scratch with the new one: callmart run --rebuild ..."
        )
    return salt


def _checked_config(config_dir: Path | None, landing: Path) -> tuple[EffectiveConfig, Path | None]:
    """The configuration a run will use (--config, else the landing's config/), validated."""
    from .configuration import load_config
    from .reports.config import ReportsConfigError, load_reports
    from .resources import effective_config_dir
    from .settings import SHIPPED_SEEDS

    path = effective_config_dir(config_dir, landing)
    config = load_config(path, SHIPPED_SEEDS)
    try:
        load_reports(path)
    except ReportsConfigError as exc:
        raise UsageError(f"invalid reports configuration; nothing was written:\n{exc}") from exc
    return config, path


def cmd_check(args: argparse.Namespace) -> int:
    from .lock import warehouse_lock
    from .quality.dbt_tests import run_dbt_tests
    from .quality.gx_suites import data_docs_index
    from .quality.model import table
    from .quality.runner import run_all_checks
    from .reports.gate import record_run
    from .settings import StatePaths

    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        raise UsageError(f"no warehouse at {warehouse}: run `callmart run` first")
    dbt_vars = _checked_vars(args.vars)
    if args.as_of:  # the freshness test's as-of time
        dbt_vars = {**dbt_vars, "as_of": args.as_of}
    paths = StatePaths(warehouse)
    _say(f"callmart check: {warehouse}")
    with warehouse_lock(paths.lock, _say, "check"):
        results = run_all_checks(warehouse, dbt_vars)
        passed_dbt = 0
        if not args.skip_dbt:
            _say("  running dbt's data tests ...")
            failed_dbt, passed_dbt = run_dbt_tests(warehouse, dbt_vars)
            results += failed_dbt
        if args.unit:
            _say("  running dbt's unit tests ...")
            failed_unit, passed_unit = run_dbt_tests(warehouse, dbt_vars, unit=True)
            results += failed_unit
            passed_dbt += passed_unit
    print(table(results))
    errors = [r for r in results if not r.passed and r.severity == "error"]
    record_run(warehouse, [f"{'.'.join(r.asset)}: {r.name}" for r in errors])
    warnings = [r for r in results if not r.passed and r.severity == "warn"]
    print(
        f"\n{sum(r.passed for r in results) + passed_dbt} passed ({passed_dbt} dbt tests), "
        f"{len(errors)} failed, {len(warnings)} warnings; Data Docs: {data_docs_index(paths.gx)}"
    )
    return 1 if errors else 0


def cmd_bi(args: argparse.Namespace) -> int:
    from .bi import server
    from .bi.publish import publish_to
    from .bi.settings import ADMIN_USER, BiSettings
    from .settings import StatePaths

    settings = BiSettings.from_env()
    if args.action == "down":
        server.stop(settings, _say)
        return 0
    started = time.monotonic()
    published = StatePaths(Path(args.warehouse).resolve()).published
    if not published.exists():
        _say(f"callmart bi: no published marts at {published}; running the demo pipeline first")
        code = main(["run", "--warehouse", args.warehouse])
        if code != 0:
            return code
    server.ensure_venv(settings, _say)
    server.initialise(settings, _say)
    server.start(settings, _say)
    publish_to(settings, published, _say)
    settings.served_file.write_text(str(published.resolve()))
    print(
        f"Superset is up at {settings.url} in {time.monotonic() - started:.0f} s: user {ADMIN_USER}, password "
        f"in {settings.secrets_file} (or CALLMART_BI_ADMIN_PASSWORD); `callmart bi down` stops it"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .reports.config import FILE_NAME, ReportsConfigError, load_reports
    from .reports.gate import last_run
    from .reports.periods import parse_period
    from .reports.service import send_report

    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        raise UsageError(f"no warehouse at {warehouse}: run `callmart run` first")
    try:
        period = parse_period(args.period)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    recorded = last_run(warehouse).get("config_dir")
    config_dir = Path(args.config) if args.config else Path(str(recorded)) if recorded else None
    try:
        reports = {r.client_id: r for r in load_reports(config_dir)}
    except ReportsConfigError as exc:
        raise UsageError(f"invalid reports configuration:\n{exc}") from exc
    if args.client not in reports:
        where = config_dir / FILE_NAME if config_dir else f"{FILE_NAME} (no configuration folder known)"
        raise UsageError(
            f"client {args.client} has no report in {where}; configured: {', '.join(reports) or 'none'}"
        )
    try:
        outcome = send_report(
            warehouse,
            reports[args.client],
            period,
            dry_run=args.dry_run,
            out_dir=args.out,
            resend=args.resend,
        )
    except ValueError as exc:  # SMTP settings missing
        raise UsageError(str(exc)) from exc
    print(outcome)
    return 1 if outcome.status == "refused" else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    landing = Path(args.landing).resolve() if args.landing else data_dir() / "demo"
    if not landing.is_dir():
        raise UsageError(
            f"landing folder not found: {landing} (give --landing, or `callmart run` for the demo)"
        )
    config_dir = Path(args.config).resolve() if args.config else None
    _checked_config(config_dir, landing)
    return serve(landing, Path(args.warehouse).resolve(), config_dir, args.port, _say)


def cmd_metrics(args: argparse.Namespace) -> int:
    from .metrics import MetricsQuery, UnknownName, available_metrics, run_query, saved_queries
    from .metrics.render import as_csv, as_table
    from .settings import StatePaths

    if args.list:
        for metric in available_metrics():
            print(f"{metric['name']:<28} {metric['type']:<10} {metric['description'] or ''}")
        print("\nsaved queries (--saved-query NAME):")
        for saved in saved_queries():
            print(f"{saved['name']:<28} {saved['description'] or ''}")
        return 0
    if bool(args.metrics) == bool(args.saved_query):
        raise UsageError(
            "name the metrics, or --saved-query, but not both (`callmart metrics --list` lists them)"
        )
    published = StatePaths(Path(args.warehouse).resolve()).published
    if not published.exists():
        raise UsageError(f"no published marts at {published}: run `callmart run` first")
    split = lambda text: tuple(p.strip() for p in (text or "").split(",") if p.strip())  # noqa: E731
    query = MetricsQuery(
        split(args.metrics),
        split(args.by),
        tuple(args.where or ()),
        split(args.order),
        args.limit,
        args.saved_query,
    )
    try:
        result = run_query(published, query)
    except UnknownName as exc:
        raise UsageError(str(exc)) from exc
    if args.sql:
        _say(result.sql)
    print(
        as_csv(result.columns, result.rows)
        if args.format == "csv"
        else as_table(result.columns, result.rows),
        end="",
    )
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    import subprocess

    from .dbt_assets import dbt_executable
    from .settings import PROJECT_DIR, StatePaths

    paths = StatePaths(Path(args.warehouse).resolve())
    target = paths.dbt_target
    if not (target / "index.html").exists() or not (target / "catalog.json").exists():
        raise UsageError(f"no docs site in {target}: `callmart run` generates it")
    _say(f"callmart docs: serving {target} on http://127.0.0.1:{args.port} (Ctrl-C stops)")
    command = [dbt_executable(), "docs", "serve", "--project-dir", str(PROJECT_DIR), "--profiles-dir"]
    command += [str(paths.dbt_profiles), "--target-path", str(target), "--host", "127.0.0.1"]
    command += ["--port", str(args.port), "--no-browser"]
    try:
        return subprocess.run(command, cwd=PROJECT_DIR, check=False).returncode
    except KeyboardInterrupt:
        return 0


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
        type=_as_of,
        help="freshness checks as of this UTC time ('data' = the newest queue_log event); "
        "default now (the demo: 'data')",
    )
    run.add_argument(
        "--target",
        choices=["duckdb", "postgres", "spark"],
        default="duckdb",
        help="where dbt builds the models: duckdb (the warehouse file, default), postgres "
        "(CALLMART_PG_HOST/_PORT/_USER/_DB/_PASSWORD) or spark (a local session beside the warehouse); "
        "loading, checks and the published copy stay in the DuckDB warehouse",
    )
    run.add_argument("--verbose", action="store_true", help="stream dbt's full log to the terminal too")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every incremental model from all the data loaded (the default rebuilds only the "
        "days new data can change; a changed configuration, vars or model code rebuilds all by itself)",
    )
    run.add_argument(
        "--live",
        action="store_true",
        help="the wallboard refresh the landing sensor starts when the live queue_log grows: load, build "
        "and check only what the live marts read, publish (the other marts wait for the next run)",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="remove the warehouse and build it again from the landing folder (needed to change pii_salt)",
    )
    run.set_defaults(func=cmd_run)
    check = sub.add_parser(
        "check", help="run every data-quality check on the current warehouse and print a table"
    )
    check.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    check.add_argument("--vars", help="dbt vars and check thresholds as YAML/JSON (queue_timeout_s, ...)")
    check.add_argument(
        "--as-of", type=_as_of, help="freshness as of this UTC time ('data' = the newest queue_log event)"
    )
    check.add_argument(
        "--skip-dbt",
        action="store_true",
        help="only the Great Expectations suites (no dbt test, so none of the heuristic tests)",
    )
    check.add_argument(
        "--unit", action="store_true", help="also run dbt's unit tests (fixtures, not the data)"
    )
    check.set_defaults(func=cmd_check)
    bi = sub.add_parser("bi", help="start (with the dashboards published) or stop the local Superset")
    bi.add_argument("action", choices=["up", "down"])
    bi.add_argument(
        "--warehouse",
        default=str(default_warehouse()),
        help="the warehouse whose published copy Superset reads (default: data/callmart.duckdb)",
    )
    bi.set_defaults(func=cmd_bi)
    report = sub.add_parser(
        "report",
        help="e-mail (or, with --dry-run, write as .eml) a client's report for a day, ISO week or month",
        description="Builds a client's report from the published marts (a KPI table with the previous "
        "period and the target, PNG charts, the period's rows as CSV) and sends it over SMTP "
        "(CALLMART_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM; STARTTLS when offered). Nothing goes out "
        "while the last run's blocking checks failed or before the period is complete; a delivery is "
        "recorded, so a report is never sent twice.",
    )
    report.add_argument("--client", required=True, help="client_id with an entry in reports.yml")
    report.add_argument(
        "--period", required=True, help="a day 2026-10-20, an ISO week 2026-W43 or a month 2026-10"
    )
    report.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    report.add_argument(
        "--config", help="folder holding reports.yml (default: the configuration folder of the last run)"
    )
    report.add_argument(
        "--dry-run", action="store_true", help="write the message as an .eml file, send nothing"
    )
    report.add_argument(
        "--out", type=Path, help="folder for the .eml of --dry-run (default: beside the warehouse)"
    )
    report.add_argument(
        "--resend", action="store_true", help="send even when the ledger says it went out (or may have)"
    )
    report.set_defaults(func=cmd_report)
    serve = sub.add_parser(
        "serve",
        help="run unattended: Dagster webserver and daemon on 127.0.0.1 with the landing sensor and schedules",
    )
    serve.add_argument(
        "--landing", help="landing folder to watch (default: the demo's under the data folder)"
    )
    serve.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    serve.add_argument("--config", help="configuration folder (default: the landing's config/)")
    serve.add_argument("--port", type=int, default=3000, help="the webserver's port (default 3000)")
    serve.set_defaults(func=cmd_serve)
    metrics = sub.add_parser(
        "metrics",
        help="any KPI by name at any grain, from the semantic layer",
        description="Asks the semantic layer (dbt-metricflow metrics over the marts) for metrics by name, "
        "grouped by time grains (day, week, month, quarter, year: the metric's local day), entities "
        "(client, queue, agent, campaign, channel) and dimensions (agent__team, client__client_name). "
        "Rates are re-divided from their numerators and denominators at the grain asked for. Reads the "
        "published marts of the warehouse.",
        epilog="examples:  callmart metrics service_level --by month,client\n"
        "           callmart metrics occupancy,adherence --by week,agent__team --format csv\n"
        "           callmart metrics abandon_rate --by day,queue --where \"client = 'acme'\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    metrics.add_argument("metrics", nargs="?", help="METRIC[,METRIC...] (see --list)")
    metrics.add_argument(
        "--by", help="GRAIN[,DIMENSION...]: day|week|month|quarter|year, entities, dimensions"
    )
    metrics.add_argument(
        "--where",
        action="append",
        help="a filter: NAME OP VALUE (\"client = 'acme'\", \"month >= '2026-10-01'\") or MetricFlow's "
        "{{ Dimension('...') }} syntax; repeatable (all must hold)",
    )
    metrics.add_argument("--order", help="columns to sort by (a leading - sorts descending; default: --by)")
    metrics.add_argument("--limit", type=int, help="at most this many rows")
    metrics.add_argument("--format", choices=["table", "csv"], default="table", help="output (default table)")
    metrics.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    metrics.add_argument("--saved-query", help="a saved query's metrics and grain (see --list)")
    metrics.add_argument("--list", action="store_true", help="list every metric and saved query")
    metrics.add_argument("--sql", action="store_true", help="print the SQL MetricFlow wrote (to stderr)")
    metrics.set_defaults(func=cmd_metrics)
    docs = sub.add_parser(
        "docs",
        help="serve the docs site (every model, column and KPI definition, lineage) of the last run",
    )
    docs.add_argument("--warehouse", default=str(default_warehouse()), help="DuckDB warehouse file")
    docs.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    docs.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .configuration import ConfigError

    args = build_parser().parse_args(argv)
    # Dagster's notes about its own beta parameters are not the user's business
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    try:
        return int(args.func(args))
    except ConfigError as exc:
        count = len(exc.problems)
        _say(
            f"callmart {args.command}: invalid configuration ({count} problem{'s' if count > 1 else ''}); nothing was written"
        )
        for problem in exc.problems:
            _say(f"  {problem}")
        return 2
    except UsageError as exc:
        _say(f"callmart {args.command}: {exc}")
        return 2


def entry() -> NoReturn:
    """The console script: `main` with fewer cyclic garbage collections, then an exit that skips
    tearing down the interpreter's heap.

    A run holds millions of long-lived objects (dbt's manifest, Dagster's definitions and events).
    With Python's default thresholds the collector walked all of them 8 times in a main run after
    one new hour (1.2 s; 1.6 s with the younger generations); these thresholds collect the young
    objects every 10,000 allocations instead of 700, and everything 3 times (0.5 s in all). At exit,
    freeing the heap one object at a time took 1.6 s of a 14 s live run. Everything a command writes
    is closed by then; the exit waits for any thread still working, runs the exit handlers (logging's
    flush, multiprocessing's children) and flushes the standard streams, as a normal exit does.
    """
    gc.set_threshold(10_000, 20, 20)
    code = main()
    main_thread = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main_thread and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
