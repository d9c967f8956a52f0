"""Scale benchmark: `callmart run` on generated landing data, stage by stage, against the floor.

    uv run python benchmarks/scale.py --stints 1000000
    uv run python benchmarks/scale.py --stints 1000000 --stints 10000000 --keep /srv/bench

For each size it generates a landing folder (agents scaled to the stints up to the roster of a
1,000-seat center, 2,222 agents or 40 M stints a year, then more days: 1 M stints are 30 days of
667 agents, 10 M are 90 days of 2,222; with the proportional dialer, CRM, WFM and HR data the
generator writes), runs `callmart run` in a child
process and prints the wall time and peak memory (RSS summed over the whole process tree, sampled
every 0.2 s) of each stage: generation, configuration, loading per source, dbt build, quality
checks, publication; rows per second; and the floor: one hand-written DuckDB query reading the same
raw queue_log once and computing kpi_inbound_daily's counts, timed in the same run, with the ratio
pipeline / floor. Results go to benchmarks/results/ with the machine they came from. A benchmark,
not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
STINTS_PER_AGENT_DAY = 50  # what the generator's default traffic gives (1.44 M stints: 30 d x 952 agents)
DAYS = 30  # at least
MAX_AGENTS = 2222  # a 1,000-seat center's roster in the generator (about 110 k stints a day)


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, bytes (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            pid = int(entry.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


class Sampler(threading.Thread):
    """Peak tree RSS of a process, overall and since the last `mark`."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.window_peak, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            value = _tree_rss(self.pid)
            self.peak, self.window_peak = max(self.peak, value), max(self.window_peak, value)
            time.sleep(0.2)

    def mark(self) -> int:
        value, self.window_peak = self.window_peak, 0
        return value


@dataclass
class Stage:
    name: str
    seconds: float
    peak_mb: float
    rows: int | None = None


@dataclass
class Result:
    stints: int
    queue_log_lines: int
    raw_rows: int
    stages: list[Stage] = field(default_factory=list)
    run_seconds: float = 0.0
    run_peak_mb: float = 0.0
    floor_seconds: float = 0.0
    floor_peak_mb: float = 0.0

    @property
    def ratio(self) -> float:
        return self.run_seconds / self.floor_seconds if self.floor_seconds else float("nan")


def _measured(command: list[str], on_line=None) -> tuple[int, float, float, list[str]]:  # type: ignore[no-untyped-def]
    """Run a command; (exit code, seconds, peak tree MB, its stderr lines)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid)
    sampler.start()
    lines = []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append(line.rstrip())
        if on_line:
            on_line(line.rstrip(), time.monotonic() - started, sampler)
    process.wait()
    sampler.running = False
    return process.returncode, time.monotonic() - started, sampler.peak / 2**20, lines


FLOOR = """
with lines as (
    select string_split(line, '|') as f
    from read_csv('{queue_log}', columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '', escape = '',
                  header = false, auto_detect = false)
),
events as (
    select try_cast(f[1] as double) as t, f[2] as callid, f[3] as queue, f[5] as event from lines
),
stints as (
    select callid, queue,
           min(t) filter (where event = 'ENTERQUEUE') as entered,
           arg_min(event, t) filter (where event in ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITWITHKEY',
                                                     'EXITEMPTY', 'WITHDRAW', 'SYSCOMPAT')) as outcome
    from events where queue <> 'NONE' group by callid, queue
)
select queue, cast(to_timestamp(entered) as date) as day, count(*) as offered,
       count(*) filter (where outcome = 'CONNECT') as answered,
       count(*) filter (where outcome = 'ABANDON') as abandoned
from stints where entered is not null and outcome is not null group by all
"""


class StatePathsLike:
    """What a run leaves beside its warehouse (orchestration.settings.StatePaths), removed before a run."""

    def __init__(self, warehouse: Path):
        self.state = warehouse.with_name(warehouse.name + ".state")
        self.published = warehouse.with_name(warehouse.stem + "_published.duckdb")


def floor(queue_log: Path) -> tuple[float, float]:
    code = (
        "import duckdb, sys; con = duckdb.connect(); "
        f"print(len(con.execute({FLOOR.format(queue_log=queue_log)!r}).fetchall()), file=sys.stderr)"
    )
    status, seconds, peak, _ = _measured([sys.executable, "-c", code])
    if status:
        raise RuntimeError("the floor query failed")
    return seconds, peak


def bench(stints: int, root: Path, reuse: bool = False) -> Result:
    days = max(DAYS, math.ceil(stints / (MAX_AGENTS * STINTS_PER_AGENT_DAY)))
    agents = max(10, round(stints / (days * STINTS_PER_AGENT_DAY)))
    landing, warehouse = root / "landing", root / "wh.duckdb"
    print(f"\n== {stints:,} stints: {days} days x {agents} agents", flush=True)
    callmart = [sys.executable, "-m", "orchestration.cli"]
    gen = [*callmart, "generate", "--out", str(landing), "--days", str(days), "--agents", str(agents)]
    previous_generate = root / "generate.json"
    if reuse and previous_generate.is_file():  # the same landing folder: its generation as measured then
        seconds, peak = json.loads(previous_generate.read_text())
        print("generate   reusing the landing folder generated before", flush=True)
    else:
        code, seconds, peak, lines = _measured(gen)
        if code:
            raise RuntimeError("\n".join(lines[-20:]))
        previous_generate.write_text(json.dumps([seconds, peak]))
    for stale in (warehouse, StatePathsLike(warehouse).state, StatePathsLike(warehouse).published):
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    stint_count = lines_count = 0
    with open(landing / "asterisk" / "queue_log", "rb") as handle:
        for line in handle:
            lines_count += 1
            stint_count += b"|ENTERQUEUE|" in line
    result = Result(stint_count, lines_count, 0, [Stage("generate", seconds, peak)])
    print(f"generate   {seconds:7.1f} s  {peak:7.0f} MB  ({lines_count:,} queue_log lines)", flush=True)

    marks: list[tuple[str, float, float, int | None]] = []

    def on_line(line: str, at: float, sampler: Sampler) -> None:
        for prefix in ("config", "dagster", "load", "dbt", "publish"):
            if line.startswith(prefix + " "):
                rows = re.search(r"([\d,]+) rows new", line)
                marks.append(
                    (
                        line[:40],
                        at,
                        sampler.mark() / 2**20,
                        int(rows.group(1).replace(",", "")) if rows else None,
                    )
                )

    run = [*callmart, "run", "--landing", str(landing), "--warehouse", str(warehouse)]
    run += ["--vars", "{pii_salt: benchmark-salt}", "--as-of", "data"]
    code, seconds, peak, lines = _measured(run, on_line)
    if code:
        print("\n".join(lines[-30:]))
    result.run_seconds, result.run_peak_mb = seconds, peak
    previous = 0.0
    for label, at, stage_peak, rows in marks:
        name = label.split()[0] if not label.startswith("load") else "load " + label.split()[1]
        if name == "dbt" and "models" not in label:  # dbt's first line: the raw checks ran before it
            result.stages.append(Stage("raw checks", at - previous, stage_peak))
        elif name == "publish":  # what ran between dbt and publish is the quality checks
            result.stages.append(Stage("checks + publish", at - previous, stage_peak))
        else:
            result.stages.append(Stage(name, at - previous, stage_peak, rows))
        previous = at
        result.raw_rows += rows or 0
    result.stages.append(Stage("summary", seconds - previous, 0.0))
    result.floor_seconds, result.floor_peak_mb = floor(landing / "asterisk" / "queue_log")
    return result


def unused_name(name: str, suffixes: tuple[str, ...]) -> str:
    """`name`, or `name-2`, `name-3`...: the first with no results file yet, so that a second run on
    the same day (another machine under the same host name, another build) keeps the first's."""
    candidate, n = name, 1
    while any((RESULTS / f"{candidate}{suffix}").exists() for suffix in suffixes):
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    import duckdb

    return {
        "host": platform.node(), "cpu": model, "cores": str(os.cpu_count()),
        "memory_gib": f"{int(memory) / 2**20:.1f}", "python": platform.python_version(),
        "duckdb": duckdb.__version__, "date": date.today().isoformat(),
        "duckdb_memory_limit": os.environ.get("CALLMART_DUCKDB_MEMORY_LIMIT") or "none",
    }  # fmt: skip


def report(results: list[Result], host: dict[str, str]) -> str:
    out = [
        f"# callmart scale benchmark, {host['date']}",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in host.items()),
        "",
    ]
    for r in results:
        out += [
            f"## {r.stints:,} queue stints ({r.queue_log_lines:,} queue_log lines, {r.raw_rows:,} raw rows)", "",
            "| stage | seconds | peak MB (process tree) | rows | rows/s |", "|---|---:|---:|---:|---:|",
        ]  # fmt: skip
        for s in r.stages:
            rate = f"{s.rows / s.seconds:,.0f}" if s.rows and s.seconds else ""
            out.append(f"| {s.name} | {s.seconds:.1f} | {s.peak_mb:,.0f} | {s.rows or ''} | {rate} |")
        out += [
            "",
            f"`callmart run`: {r.run_seconds:.1f} s, peak {r.run_peak_mb:,.0f} MB, "
            f"{r.raw_rows / r.run_seconds:,.0f} raw rows/s end to end.",
            f"Floor (one DuckDB query over the raw queue_log): {r.floor_seconds:.1f} s, peak {r.floor_peak_mb:,.0f} MB. "
            f"Pipeline / floor: **{r.ratio:.0f}x**.",
            "",
        ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stints", type=int, action="append", help="queue stints (repeatable); default 1 M")
    parser.add_argument(
        "--keep", help="folder for the landing data and warehouses (default: a temporary one)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: reuse a landing folder generated by an earlier run (its generation figures too)",
    )
    args = parser.parse_args()
    host = machine()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        for stints in args.stints or [1_000_000]:
            results.append(bench(stints, base / f"s{stints}", args.reuse))
    text = report(results, host)
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    name = f"{host['date']}-{host['host']}-{'-'.join(str(r.stints) for r in results)}"
    if host["duckdb_memory_limit"] != "none":
        name += f"-memory-limit-{host['duckdb_memory_limit']}"
    name = unused_name(name, (".md", ".json"))
    (RESULTS / f"{name}.md").write_text(text + "\n")
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"machine": host, "results": [asdict(r) | {"ratio": r.ratio} for r in results]}, indent=2)
        + "\n"
    )
    print(f"results: {RESULTS / name}.md")


if __name__ == "__main__":
    main()
