"""Unattended-operation benchmark: an incremental run after one new hour, and append-to-wallboard latency.

    uv run python benchmarks/unattended.py                 # both, on a 90-day demo warehouse
    uv run python benchmarks/unattended.py --days 91 --agents 40 --keep /srv/bench-unattended

1. Incremental run. Generates a demo landing folder of `--days` days, holds back its last two
   hours (queue_log lines, CRM contacts and surveys) and builds the warehouse with `callmart run`.
   Releases the first of those hours and times a live run and the main run after it: the first
   incremental builds of this code, which dbt builds and records (orchestration/recorded_builds.py).
   Releases the last hour (the queue_log grows, the CRM files of the hour arrive) and times
   `callmart run --live` (the wallboard refresh the sensor starts) and then `callmart run` (the main
   job, incremental), stage by stage: as every run after the first of its job, they send the
   recorded statements again. Then
   `callmart run --full-refresh` on the same data, for comparison.
   Target: the incremental run under 10 s on the 2-core reference machine. `--hour busy` holds
   back the last day's busiest hour instead (what comes after it is left out): the last hour of the
   demo falls at night and holds a handful of lines.
2. Latency. Starts `callmart serve` on that warehouse (Dagster daemon with the landing sensor),
   waits for the main run its first tick starts, appends one ENTERQUEUE line to the queue_log
   (a live run) and polls the published copy until
   kpi_live_queue shows the new caller waiting: the seconds from append to published figure. The
   Wallboard dashboard reloads its charts every WALLBOARD_REFRESH_S seconds on top of that. Target:
   under 60 s.

3. Replay (`--snapshots` with `--keep`, then `--replay live|main`). `--snapshots` copies the
   warehouse, its state and the landing folder as they were before the live run and before the main
   run into KEEP/snapshots/. `--replay main --times 5` puts that copy back in KEEP and times the main
   run on it again, five times: wall and CPU time, stage by stage, then the medians. The runs of this
   VM vary by a fifth, so compare two versions of the code by replaying the same snapshot from each
   checkout in turn (`cd <checkout> && python benchmarks/unattended.py --keep KEEP --replay main`):
   the command runs the callmart of the folder it is started from.

Results go to benchmarks/results/ with the machine they came from (not for a replay). A benchmark,
not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import RESULTS, machine, unused_name  # noqa: E402

HOUR_S = 3600
SALT = ["--vars", "{pii_salt: benchmark-salt}"]


def _callmart(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def _timed_run(landing: Path, warehouse: Path, *extra: str) -> tuple[float, dict[str, float], int]:
    """`callmart run`: (seconds, seconds from the start at which each stage's line was printed, exit)."""
    started = time.monotonic()
    process = subprocess.Popen(
        _callmart(
            "run", "--landing", str(landing), "--warehouse", str(warehouse), *SALT, "--as-of", "data", *extra
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    marks: dict[str, float] = {}
    assert process.stderr is not None
    for line in process.stderr:
        word = line.split(" ", 1)[0]
        if word in ("config", "dagster", "load", "dbt", "publish", "quality", "checks"):
            marks[word] = time.monotonic() - started  # the last line of each stage
    process.wait()
    return time.monotonic() - started, marks, process.returncode


def _split_csv(path: Path, column: str, cutoff: str, end: str | None, moved: Path) -> None:
    """Move the rows from `cutoff` on (ISO; before `end` if given) from path into `moved`; rows at or
    after `end` are dropped."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    for target, keep in ((path, lambda r: r[column] < cutoff), (moved, None)):
        chosen = [
            r for r in rows if (keep(r) if keep else cutoff <= r[column] and (end is None or r[column] < end))
        ]
        with target.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(chosen)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _hour(epochs: list[float], which: str) -> tuple[float, float | None]:
    """(start, end) of the hour to hold back: the data's last hour (no end: everything after its start
    comes with it), or the last day's busiest one."""
    last = epochs[-1]
    if which == "last":
        return last - HOUR_S, None
    day_start = last - 24 * HOUR_S
    counts = [0] * 24
    for epoch in epochs:
        if epoch >= day_start:
            counts[min(23, int((epoch - day_start) // HOUR_S))] += 1
    start = day_start + counts.index(max(counts)) * HOUR_S
    return start, start + HOUR_S


SNAPSHOT_PARTS = ("held", "wh.duckdb", "wh.duckdb.state", "wh_published.duckdb")


def _copy_run_start(source: Path, target: Path) -> None:
    """Replace what a run starts from in `target` (the landing folder as it is, the warehouse, its
    state and the published copy) with `source`'s."""
    target.mkdir(parents=True, exist_ok=True)
    for part in SNAPSHOT_PARTS:
        destination = target / part
        shutil.rmtree(destination) if destination.is_dir() else destination.unlink(missing_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, destination)
        elif (source / part).exists():
            shutil.copy2(source / part, destination)


def replay(root: Path, name: str, times: int) -> None:
    """Put root/snapshots/name back in root (the load manifest holds its paths) and time the run that
    followed it, `times` times: wall and CPU seconds, the stage ends, then the medians."""
    snapshot = root / "snapshots" / name
    if not snapshot.is_dir():
        raise SystemExit(f"no snapshot {snapshot}: make one with --keep {root} --snapshots first")
    walls, cpus = [], []
    for attempt in range(1, times + 1):
        _copy_run_start(snapshot, root)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, marks, code = _timed_run(
            root / "held", root / "wh.duckdb", *(["--live"] if name == "live" else [])
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        walls.append(wall)
        cpus.append(cpu)
        stages = ", ".join(f"{stage} {end:.1f}" for stage, end in marks.items())
        print(
            f"{name} run {attempt}/{times}: {wall:5.1f} s, CPU {cpu:5.1f} s (exit {code}); stage ends: {stages}",
            flush=True,
        )
    print(
        f"{name} run, median of {times}: {statistics.median(walls):.1f} s, CPU {statistics.median(cpus):.1f} s"
    )


def incremental(
    root: Path, days: int, agents: int, which: str = "last", snapshots: bool = False
) -> dict[str, object]:
    landing, held = root / "landing", root / "held"
    if not landing.exists():
        subprocess.run(_callmart("generate", "--out", str(landing), "--days", str(days), "--agents", str(agents)),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    shutil.rmtree(held, ignore_errors=True)
    shutil.copytree(landing, held)
    queue_log = (landing / "asterisk" / "queue_log").read_bytes().splitlines(keepends=True)
    epochs = [float(line.split(b"|", 1)[0]) for line in queue_log]
    start, end = _hour(epochs, which)
    before = start - HOUR_S  # the hour before it: a main run whose dbt build is recorded
    cut = next(i for i, epoch in enumerate(epochs) if epoch >= start)
    cut_before = next(i for i, epoch in enumerate(epochs) if epoch >= before)
    if end is not None:  # a busy hour: what comes after it never arrives here
        queue_log = queue_log[: next((i for i, epoch in enumerate(epochs) if epoch >= end), len(epochs))]
    (held / "asterisk" / "queue_log").write_bytes(b"".join(queue_log[:cut_before]))
    crm_new, crm_before = held / "crm_new", held / "crm_before"
    crm_new.mkdir()
    crm_before.mkdir()
    for name, column in (("contacts.csv", "contact_ts"), ("surveys.csv", "response_ts")):
        stem = Path(name).stem
        _split_csv(
            held / "crm" / name, column, _iso(start), _iso(end) if end else None, crm_new / f"{stem}_3.csv"
        )
        _split_csv(held / "crm" / name, column, _iso(before), _iso(start), crm_before / f"{stem}_2.csv")
    warehouse = root / "wh.duckdb"
    for stale in root.glob("wh*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    print(
        f"{days} days x {agents} agents: {len(queue_log):,} queue_log lines, the {which} hour ({_iso(start)}) "
        f"{len(queue_log) - cut:,}, the hour before it {cut - cut_before:,}"
    )

    def release(lines: int, crm: Path) -> None:
        """The queue_log grows to its first `lines` lines, the CRM files in `crm` arrive."""
        (held / "asterisk" / "queue_log").write_bytes(b"".join(queue_log[:lines]))
        for new in crm.iterdir():
            new.rename(held / "crm" / new.name)

    first_s, _, code = _timed_run(held, warehouse)
    print(f"first build (all before those hours): {first_s:6.1f} s (exit {code})", flush=True)
    # the hour before: the first incremental build of this code, by dbt, which records its statements
    release(cut, crm_before)
    before_live_s, _, code = _timed_run(held, warehouse, "--live")
    print(f"live run after the hour before:     {before_live_s:6.1f} s (exit {code}), dbt builds and records")
    before_s, before_marks, code = _timed_run(held, warehouse)
    print(
        f"main run after the hour before:     {before_s:6.1f} s (exit {code}), dbt builds and records, "
        f"stage ends {before_marks}",
        flush=True,
    )
    release(len(queue_log), crm_new)
    if snapshots:
        _copy_run_start(root, root / "snapshots" / "live")
    live_s, live_marks, code = _timed_run(held, warehouse, "--live")
    print(
        f"live run after one new hour:        {live_s:6.1f} s (exit {code}), stage ends {live_marks}",
        flush=True,
    )
    if snapshots:
        _copy_run_start(root, root / "snapshots" / "main")
    incremental_s, marks, code = _timed_run(held, warehouse)
    print(
        f"main run after it (incremental):    {incremental_s:6.1f} s (exit {code}), stage ends {marks}",
        flush=True,
    )
    full_s, _, code = _timed_run(held, warehouse, "--full-refresh")
    print(f"full refresh on the same data:      {full_s:6.1f} s (exit {code})", flush=True)
    return {
        "days": days, "agents": agents, "queue_log_lines": len(queue_log), "hour": which,
        "hour_start": _iso(start), "hour_lines": len(queue_log) - cut,
        "first_build_s": round(first_s, 1), "hour_before_live_s": round(before_live_s, 1),
        "hour_before_main_s": round(before_s, 1),
        "hour_before_stage_ends_s": {k: round(v, 1) for k, v in before_marks.items()}, "live_s": round(live_s, 1),
        "live_stage_ends_s": {k: round(v, 1) for k, v in live_marks.items()}, "incremental_s": round(incremental_s, 1),
        "incremental_stage_ends_s": {k: round(v, 1) for k, v in marks.items()}, "full_refresh_s": round(full_s, 1),
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _waiting(published: Path) -> int:
    import duckdb

    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return int(
                con.execute("select coalesce(sum(calls_waiting), 0) from marts.kpi_live_queue").fetchone()[0]
            )  # type: ignore[index]
    except duckdb.Error:
        return -1  # being replaced: try again


def latency(root: Path, timeout_s: float = 300) -> dict[str, object]:
    landing, warehouse = root / "held", root / "wh.duckdb"
    published = warehouse.with_name(warehouse.stem + "_published.duckdb")
    queue_log = landing / "asterisk" / "queue_log"
    env = {
        **os.environ,
        "CALLMART_DBT_VARS": json.dumps({"pii_salt": "benchmark-salt"}),
        "CALLMART_AS_OF": "data",
    }
    serve = subprocess.Popen(
        _callmart("serve", "--landing", str(landing), "--warehouse", str(warehouse), "--port", str(_free_port())),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        # the daemon's first sensor tick sees every file as new: a main run (incremental, nothing new
        # to load) that publishes; appends after it start live runs (sensors.py)
        before_mtime = published.stat().st_mtime if published.exists() else 0.0
        deadline = time.monotonic() + timeout_s
        while (
            time.monotonic() < deadline
            and (published.stat().st_mtime if published.exists() else 0.0) == before_mtime
        ):
            time.sleep(1)
        time.sleep(5)
        before = _waiting(published)
        last_line = queue_log.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        now = float(last_line.split(b"|", 1)[0]) + 1
        queue = last_line.split(b"|")[2].decode()
        queue = queue if queue != "NONE" else "support"
        appended = time.monotonic()
        with queue_log.open("a") as handle:
            handle.write(f"{now:.0f}|bench-{int(now)}|{queue}|NONE|ENTERQUEUE||0600000000|1\n")
        shown = None
        while time.monotonic() - appended < timeout_s:
            if _waiting(published) > before >= 0:
                shown = time.monotonic() - appended
                break
            time.sleep(0.5)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)
    print(
        f"append to published wallboard figure: {shown if shown is None else round(shown, 1)} s", flush=True
    )
    return {"append_to_published_s": None if shown is None else round(shown, 1), "timeout_s": timeout_s}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=91, help="days of demo traffic (default 91)")
    parser.add_argument("--agents", type=int, default=40, help="inbound agents (default 40, the demo's)")
    parser.add_argument("--keep", help="folder for the landing data and warehouse (default: a temporary one)")
    parser.add_argument("--skip-latency", action="store_true", help="only the incremental-run figure")
    parser.add_argument(
        "--hour",
        choices=("last", "busy"),
        default="last",
        help="the hour held back: the data's last (default) or the last day's busiest",
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="with --keep: only the latency, on the warehouse built before",
    )
    parser.add_argument(
        "--snapshots",
        action="store_true",
        help="with --keep: keep what the live and the main run start from, for --replay",
    )
    parser.add_argument(
        "--replay",
        choices=("live", "main"),
        help="with --keep: time that run again on its snapshot (nothing is written to results/)",
    )
    parser.add_argument("--times", type=int, default=5, help="with --replay: how many runs (default 5)")
    args = parser.parse_args()
    if (args.snapshots or args.replay) and not args.keep:
        parser.error("--snapshots and --replay need --keep")
    if args.replay:
        replay(Path(args.keep), args.replay, args.times)
        return
    host = machine()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        result: dict[str, object] = {"machine": host}
        if not args.latency_only:
            result["incremental"] = incremental(root, args.days, args.agents, args.hour, args.snapshots)
        if not args.skip_latency:
            result["latency"] = latency(root)
    RESULTS.mkdir(exist_ok=True)
    name = f"{host['date']}-{host['host']}-unattended" + ("-latency" if args.latency_only else "")
    name = unused_name(name, (".json",))
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {RESULTS / name}.json")


if __name__ == "__main__":
    main()
