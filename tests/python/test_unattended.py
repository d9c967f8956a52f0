"""Unattended operation: the landing sensor starts a run when the live queue_log grows (the live job
once a main run is recent), and that run changes the wallboard marts; the e-mail schedule skips
without SMTP settings; `callmart serve` brings up Dagster with the sensor and schedules."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from orchestration.resources import CallmartResource
from orchestration.runner import run_pipeline
from orchestration.sensors import MAIN_EVERY_S, choose_job, landing_sensor
from orchestration.settings import LIVE_JOB, MAIN_JOB, StatePaths

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "live"
T0 = 1792400000


def _tick(callmart: CallmartResource, cursor: str | None) -> tuple[object, str | None]:
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(cursor=cursor, resources={"callmart": callmart}, instance=instance)
        result = landing_sensor(context)
    return result, context.cursor


def _live_queue(warehouse: Path) -> tuple:
    with duckdb.connect(str(StatePaths(warehouse).published), read_only=True) as con:
        return con.execute(
            "select calls_waiting, longest_wait_s, agents_available, agents_paused, agents_on_call, offered, "
            "epoch(as_of_utc) from marts.kpi_live_queue where queue = 'support'"
        ).fetchone()


def test_appended_lines_start_a_run_that_changes_the_live_marts(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE / "landing", landing)
    warehouse = tmp_path / "wh.duckdb"
    callmart = CallmartResource.for_run(landing=landing, warehouse=warehouse, as_of="data")

    first, cursor = _tick(callmart, None)
    assert isinstance(first, RunRequest)  # everything is new
    assert run_pipeline(callmart).success
    assert _live_queue(warehouse) == (2, 60, 2, 1, 1, 2, T0 + 160)  # tests/fixtures/live/README.md
    quiet, same = _tick(callmart, cursor)
    assert isinstance(quiet, SkipReason) and same == cursor

    with (landing / "asterisk" / "queue_log").open("a") as handle:
        handle.write(f"{T0 + 170}|c3|support|PJSIP/carol|CONNECT|70|c3.1|1\n")
        handle.write(f"{T0 + 175}|c5|support|NONE|ENTERQUEUE||0655555555|2\n")
    grown, new_cursor = _tick(callmart, cursor)
    assert isinstance(grown, RunRequest) and new_cursor != cursor
    assert "queue_log" in grown.tags["callmart/changed"]
    assert grown.job_name == MAIN_JOB  # this sensor's instance has seen no main run
    before, changed = json.loads(cursor or "{}"), [str(landing / "asterisk" / "queue_log")]
    assert choose_job(callmart, before, changed, time.time() - 60) == LIVE_JOB
    assert choose_job(callmart, before, changed, time.time() - MAIN_EVERY_S - 1) == MAIN_JOB
    assert choose_job(callmart, {}, changed, time.time() - 60) == MAIN_JOB  # a new file
    with duckdb.connect(str(StatePaths(warehouse).published), read_only=True) as con:
        calls_before = con.execute("select * from marts.kpi_calls_daily order by all").fetchall()
    # a mart the live job does not build, as a main run whose checks failed could have left it in
    # the warehouse: the live run must not publish it
    planted = "(select * replace (date '1999-01-01' as date_local) from marts.kpi_calls_daily limit 1)"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"insert into marts.kpi_calls_daily select * from {planted}")
    live = run_pipeline(callmart, LIVE_JOB)
    assert live.success
    # its models' dbt tests ran; the Great Expectations suites are the main run's (docs/decisions.md)
    assert live.dbt_checks_passed >= 100 and not live.dbt_checks_failed
    assert not {"raw_queue_log_schema", "staging_queue_log_types"} & {c.name for c in live.checks}
    # c3 answered by carol; c4 (t0+130) and c5 (t0+175) wait; dave is the one available agent left
    assert _live_queue(warehouse) == (2, 45, 1, 1, 2, 3, T0 + 175)
    with duckdb.connect(str(StatePaths(warehouse).published), read_only=True) as con:  # not in the live job
        assert con.execute("select * from marts.kpi_calls_daily order by all").fetchall() == calls_before
        assert con.execute("select count(*) from marts.kpi_live_queue").fetchone()[0] > 0
        marts = "select count(*) from information_schema.tables where table_schema = 'marts'"
        assert con.execute(marts).fetchone()[0] >= 25  # the marts it did not build are still there
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.kpi_calls_daily where date_local = date '1999-01-01'")
    assert run_pipeline(callmart).success  # the main run after live runs: incremental, every mart


def test_the_email_schedule_skips_without_smtp_settings(monkeypatch) -> None:
    from orchestration.schedules import email_reports_schedule

    monkeypatch.delenv("CALLMART_SMTP_HOST", raising=False)
    with DagsterInstance.ephemeral() as instance:
        skipped = email_reports_schedule(build_schedule_context(instance=instance))
        assert isinstance(skipped, SkipReason) and "CALLMART_SMTP_HOST" in (skipped.skip_message or "")
        monkeypatch.setenv("CALLMART_SMTP_HOST", "127.0.0.1")
        assert isinstance(email_reports_schedule(build_schedule_context(instance=instance)), RunRequest)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_starts_dagster_with_the_sensor_and_schedules(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE / "landing", landing)
    warehouse = tmp_path / "wh.duckdb"
    port = _free_port()
    # serve's output, and that of the processes it starts (the webserver, the daemon, the runs the
    # sensor launches), goes to a file: a pipe nobody reads while they run fills up (64 KB) and
    # blocks every process writing to it, the webserver included
    log = tmp_path / "serve.log"
    with log.open("w") as output_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "serve", "--landing", str(landing),
             "--warehouse", str(warehouse), "--port", str(port)],
            stdout=output_file, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        query = (
            b'{"query": "{ sensorsOrError(repositorySelector: {repositoryName: \\"__repository__\\", '
            b'repositoryLocationName: \\"orchestration.definitions\\"}) { ... on Sensors { results { name '
            b'sensorState { status } } } } }"}'
        )
        deadline, answer = time.monotonic() + 180, ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                answer = urllib.request.urlopen(request, timeout=5).read().decode()
                if "landing_sensor" in answer:
                    break
            except OSError:
                pass
            time.sleep(2)
        # the exit status says whether serve died or its webserver never answered
        assert "landing_sensor" in answer and "RUNNING" in answer, (answer, process.poll())
        assert (StatePaths(warehouse).state_dir / "serve" / "dagster.yaml").is_file()
    finally:
        process.terminate()
        process.wait(timeout=60)
        output = log.read_text()
        print(output)  # shown by pytest when the test fails
    assert "http://127.0.0.1:" in output
