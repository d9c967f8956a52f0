"""Incremental builds: a landing folder that arrives in three loads, with stints whose terminal event,
ACW pauses, repeat contacts and case resolutions come in later loads (and a queue_log line cut in
half), gives the same marts, value for value, as one full build of the final folder."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.generate import generate
from orchestration.settings import StatePaths

from .conftest import TEST_SALT_VARS

# incremental warehouse, full build, rebuild window of each load, landing folder, full parse per load,
# dbt's log of each load's build
Builds = tuple[Path, Path, list[str], Path, list[bool], list[str]]


def _split_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue())


def _case_at(case: dict[str, str], cutoff: str) -> dict[str, str]:
    """The case as an export at `cutoff` shows it: open until it closes."""
    if case["closed_ts"] and case["closed_ts"] >= cutoff:
        return {**case, "closed_ts": "", "status": "open"}
    return case


class ThreeLoads:
    """The generated folder's files, released in three steps into a live landing folder."""

    def __init__(self, source: Path, live: Path):
        self.source, self.live = source, live
        shutil.copytree(
            source,
            live,
            ignore=shutil.ignore_patterns(
                "queue_log", "Master.csv", "contacts.csv", "cases.csv", "surveys.csv"
            ),
        )
        self.queue_log = (source / "asterisk" / "queue_log").read_bytes().splitlines(keepends=True)
        n = len(self.queue_log)
        self.cuts = [int(n * 0.45), int(n * 0.75), n]
        self.cdr = (source / "asterisk" / "Master.csv").read_bytes().splitlines(keepends=True)
        self.contacts = _split_csv(source / "crm" / "contacts.csv")
        self.cases = _split_csv(source / "crm" / "cases.csv")
        self.surveys = _split_csv(source / "crm" / "surveys.csv")
        self.exported: dict[str, dict[str, str]] = {}

    def cutoff(self, step: int) -> str:
        """The ISO time of the last queue_log line of a step ('~' after everything at the last)."""
        if step == 2:
            return "~"
        return _iso(float(self.queue_log[self.cuts[step] - 1].split(b"|", 1)[0]))

    def release(self, step: int) -> None:
        cutoff, before = self.cutoff(step), self.cutoff(step - 1) if step else ""
        lines = self.queue_log[: self.cuts[step]]
        text = b"".join(lines)
        if step == 0:  # the last line is still being written: half of the next one, no newline
            text += self.queue_log[self.cuts[0]][:12]
        (self.live / "asterisk" / "queue_log").write_bytes(text)
        records = len(self.cdr) * (step + 1) // 3  # the CDR grows too, a record at a time
        (self.live / "asterisk" / "Master.csv").write_bytes(b"".join(self.cdr[:records]))
        suffix = "" if step == 0 else f"_{step + 1}"
        crm = self.live / "crm"
        header, rows = self.contacts
        _write_csv(
            crm / f"contacts{suffix}.csv", header, [r for r in rows if before <= r["contact_ts"] < cutoff]
        )
        header, rows = self.surveys
        _write_csv(
            crm / f"surveys{suffix}.csv", header, [r for r in rows if before <= r["response_ts"] < cutoff]
        )
        header, rows = self.cases
        changed = []
        for case in rows:
            if case["opened_ts"] >= cutoff:
                continue
            state = _case_at(case, cutoff)
            if self.exported.get(case["case_id"]) != state:
                self.exported[case["case_id"]] = state
                changed.append(state)
        _write_csv(crm / f"cases{suffix}.csv", header, changed)


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PUBLISH_LINES: list[str] = []  # each run's publish line, in order


def _run(landing: Path, warehouse: Path, *extra: str) -> None:
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--vars", TEST_SALT_VARS]
    progress = io.StringIO()
    with contextlib.redirect_stderr(progress):
        code = main([*args, "--as-of", "data", *extra])
    assert code in (0, 1)  # marts are built even when a check fails
    PUBLISH_LINES.extend(line for line in progress.getvalue().splitlines() if line.startswith("publish "))


def _normalised(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    # attempt_id is the loader's file number and line: files are numbered in the order a warehouse
    # first saw them, which differs when they arrive in three loads (the attempts are the same)
    return ", ".join(
        f"round({name}, 9) as {name}" if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL") else name
        for name, kind in columns
        if name != "attempt_id"
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("incremental")
    generate(root / "generated", days=4, agents=10, seed=11, start=date(2026, 10, 19))
    loads = ThreeLoads(root / "generated", root / "live")
    incremental = root / "incremental.duckdb"
    windows, full_parses, logs = [], [], []
    for step in range(3):
        loads.release(step)
        if step == 1:  # the wallboard's refresh first: it builds the live marts' models only
            _run(loads.live, incremental, "--live")
        # the second load's run with dbt's file log at debug (every statement sent): the test of
        # the build plan reads it
        _run(loads.live, incremental, *(["--verbose"] if step == 1 else []))
        with duckdb.connect(str(incremental), read_only=True) as con:
            windows.append(
                str(con.execute("select rebuild_from_date from staging.int_rebuild_window").fetchone()[0])
            )
        # dbt's log of this run's build (each run starts a new one)
        logs.append(StatePaths(incremental).dbt_log_file.read_text())
        full_parses.append("Unable to do partial parsing" in logs[-1])
    full = root / "full.duckdb"
    _run(loads.live, full)
    return incremental, full, windows, loads.live, full_parses, logs


def test_three_loads_give_the_marts_of_one_full_build(builds: Builds) -> None:
    incremental, full, windows, _, _, _ = builds
    assert windows[0] == "1900-01-01"  # the first build: everything
    # later ones are incremental: from the first new event's day, less the FCR window and the margins
    assert "1900-01-01" < windows[1] <= windows[2] < "9999-12-31"
    with duckdb.connect(str(incremental), read_only=True) as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        tables = _marts(con)
        assert len(tables) >= 25
        different = {
            table: counts
            for table in tables
            if (
                counts := _one_sided_rows(
                    con, f"select {_normalised(con, table)} from {{}}marts.{table}", "full_build."
                )
            )
            != (0, 0)
        }
        assert different == {}
        rows = con.execute("select count(*) from marts.fct_queue_stints").fetchone()[0]
        assert rows > 1000
        # the CDR staging is incremental by record (the heuristic tests read it, no mart does), the
        # CRM's contacts and cases by key (the newest loaded row wins: cases are updated)
        for model in ("stg_asterisk__cdr", "stg_crm__contacts", "stg_crm__cases"):
            rows_sql = f"select * exclude (file_id) from {{}}staging.{model}"
            assert _one_sided_rows(con, rows_sql, "full_build.") == (0, 0), model
            assert con.execute(f"select count(*) from staging.{model}").fetchone()[0] > 100
        assert con.execute("select count(*) from staging.stg_asterisk__cdr").fetchone()[0] > 1000


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The incremental warehouse's marts."""
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'incremental' "
            "and table_schema = 'marts' order by 1"
        ).fetchall()
    ]


def _one_sided_rows(con: duckdb.DuckDBPyConnection, rows_sql: str, other: str) -> tuple[int, int]:
    """(rows only in this warehouse, rows only in the attached `other` catalog) of the query
    `rows_sql`, whose `{}` is the catalog prefix: counted with EXCEPT ALL both ways."""
    return tuple(  # type: ignore[return-value]
        con.execute(
            f"select count(*) from ({rows_sql.format(left)} except all {rows_sql.format(right)})"
        ).fetchone()[0]
        for left, right in (("", other), (other, ""))
    )


def test_the_published_copy_after_three_loads_holds_the_warehouse_s_marts(builds: Builds) -> None:
    """The later runs publish the marts rebuilt by day by replacing their days (publish_assets.py):
    the copy BI reads holds exactly the warehouse's rows all the same."""
    incremental = builds[0]
    published = StatePaths(incremental).published
    # the first run copies every mart; the live run and the later runs replace the rebuilt days
    assert "by day" not in PUBLISH_LINES[0]
    assert all(" by day from " in line for line in PUBLISH_LINES[1:4]), PUBLISH_LINES
    with duckdb.connect(str(incremental), read_only=True) as con:
        con.execute(f"attach '{published}' as published (read_only)")
        tables = _marts(con)
        different = {
            table: counts
            for table in tables
            if (counts := _one_sided_rows(con, f"select * from {{}}marts.{table}", "published.")) != (0, 0)
        }
        assert len(tables) >= 25 and different == {}


def test_late_events_in_later_loads_were_exercised(builds: Builds) -> None:
    """The split is not trivial: cases resolved after the first load, stints cut by the first cut."""
    _, full, _, live, _, _ = builds
    _, first_cases = _split_csv(live / "crm" / "cases.csv")
    later_cases = [c for name in ("cases_2.csv", "cases_3.csv") for c in _split_csv(live / "crm" / name)[1]]
    first_ids = {c["case_id"] for c in first_cases if c["status"] == "open"}
    # open in load 1, resolved in a later one (16 of them with this seed)
    assert sum(c["case_id"] in first_ids and c["status"] != "open" for c in later_cases) > 5
    assert (live / "crm" / "contacts_2.csv").stat().st_size > 1000


def test_later_builds_parse_the_project_partially(builds: Builds) -> None:
    """The docs site of the first run is generated with the build's vars: a change of vars would
    make dbt parse the whole project again at the next build (about 8 s of a 90-day hourly run)."""
    *_, full_parses, _ = builds
    assert full_parses == [True, False, False]


def test_later_builds_rebuild_only_what_the_new_data_reaches(builds: Builds) -> None:
    """The later loads bring queue_log lines, CDR records and CRM files; the dialer, orders, WFM and HR
    files stay as they were: their models are left as built, and the marts still equal a full build's
    (test above)."""
    logs = builds[5]
    built = [
        {
            m
            for m in (
                "stg_asterisk__queue_log",
                "kpi_live_queue",
                "stg_vicidial__leads",
                "kpi_outbound_daily",
                "stg_wfm__schedules",
            )
            if f"model {_schema(m)}.{m} " in log
        }
        for log in logs
    ]
    assert built[0] == {
        "stg_asterisk__queue_log",
        "kpi_live_queue",
        "stg_vicidial__leads",
        "kpi_outbound_daily",
        "stg_wfm__schedules",
    }
    assert built[1] == built[2] == {"stg_asterisk__queue_log", "kpi_live_queue"}
    # the watermark moved all the same: the models left unchanged count as built
    assert "watermark not moved" not in logs[0] + logs[1] + logs[2]
    assert "callmart_build_plan" in logs[1]  # the run was --verbose: its log has the statements
    # the second load's build is dbt's, recorded; the third sends those statements again
    # (recorded_builds.py), and its marts still equal a full build's (test above)
    assert "OK replayed" not in logs[1] and "SQL status" in logs[1]
    assert "OK replayed incremental model staging.stg_asterisk__queue_log " in logs[2]
    assert "SQL status" not in logs[2] and "dbt=" not in logs[2]  # dbt did not run


def _schema(model: str) -> str:
    return "marts" if model.startswith(("kpi_", "fct_", "dim_")) else "staging"


def test_a_dropped_model_is_built_again_though_nothing_changed(builds: Builds) -> None:
    """A model is left as the last build wrote it only where it is: a table dropped by hand (or a
    warehouse removed by --rebuild, whose state folder stays) is built again, as it was."""
    incremental, _, _, live, _, _ = builds
    tables = ("marts.kpi_outbound_daily", "staging.stg_vicidial__leads")
    with duckdb.connect(str(incremental)) as con:
        before = {table: con.execute(f"select * from {table} order by all").fetchall() for table in tables}
        for table in tables:
            con.execute(f"drop table {table}")
    _run(live, incremental)
    log = StatePaths(incremental).dbt_log_file.read_text()
    assert "model staging.stg_vicidial__leads " in log and "model marts.kpi_outbound_daily " in log
    assert "model staging.stg_asterisk__queue_log " not in log  # the rest is left as it was
    with duckdb.connect(str(incremental), read_only=True) as con:
        for table in tables:
            assert (
                before[table]
                and con.execute(f"select * from {table} order by all").fetchall() == before[table]
            )


def test_a_replay_that_fails_on_a_model_leaves_it_and_the_rest_to_dbt(builds: Builds) -> None:
    """A recorded statement that no longer runs (here: damaged by hand) stops the replay at its model;
    dbt builds that model and the rest, records them again, and the watermark moves: the new line
    is in the marts."""
    incremental, _, _, live, _, _ = builds
    record = StatePaths(incremental).dbt_recorded_models
    _run(live, incremental)  # nothing new: dbt has nothing to build, and the record keeps its hooks
    stored = json.loads(record.read_text())
    assert "model.callmart.fct_calls" in stored["models"]
    # the main job's end hooks still move the watermark (the live job's never do)
    assert any(
        any("callmart_build_watermark" in sql for sql in hooks["end"]) for hooks in stored["hooks"].values()
    )
    stored["models"]["model.callmart.fct_calls"].insert(0, "select * from no_such_table")
    record.write_text(json.dumps(stored))
    queue_log = live / "asterisk" / "queue_log"
    epoch = int(float(queue_log.read_text().splitlines()[-1].split("|")[0])) + 60
    with queue_log.open("a") as handle:  # a call abandoned after 45 s on the demo's support queue
        handle.write(f"{epoch}|replay-1|support|NONE|ENTERQUEUE||0600000001|1\n")
        handle.write(f"{epoch + 45}|replay-1|support|NONE|ABANDON|1|1|45\n")
    output = io.StringIO()
    args = ["run", "--landing", str(live), "--warehouse", str(incremental), "--vars", TEST_SALT_VARS]
    with contextlib.redirect_stderr(output):
        code = main([*args, "--as-of", "data"])
    assert code == 0, output.getvalue()
    assert "dbt      replay stopped at fct_calls (" in output.getvalue()
    log = StatePaths(incremental).dbt_log_file.read_text()
    assert "replay of model.callmart.fct_calls failed" in log
    assert "OK replayed incremental model staging.stg_asterisk__queue_log " in log  # before it
    assert "model marts.fct_calls " in log and "watermark not moved" not in log  # dbt built it
    repaired = json.loads(record.read_text())["models"]["model.callmart.fct_calls"]
    assert not any("no_such_table" in sql for sql in repaired)
    with duckdb.connect(str(incremental), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fct_calls where callid = 'replay-1' and outcome = 'abandoned'"
        ).fetchone() == (1,)
