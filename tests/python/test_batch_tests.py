"""dbt's data tests run in one batch (orchestration/quality/batch_tests.py) end as dbt ends them:
each rule of dbt's test materialization on a table of five calls whose counts are plain to see."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import batch_tests
from orchestration.quality.batch_tests import CompiledTest

CALLS = "select * from memory.main.calls where wait_s > 60"  # 2 of the 5 calls below


def _test(name: str, sql: str = CALLS, **config: object) -> CompiledTest:
    fields = {
        "unique_id": f"test.callmart.{name}.0",
        "name": name,
        "asset_key": ("marts", "calls"),
        "check_name": name,
        "sql": sql,
        "severity": "error",
        "fail_calc": "count(*)",
        "warn_if": "!= 0",
        "error_if": "!= 0",
        "limit": None,
        "store_failures_as": None,
        "database": "memory",
        "schema": "dbt_test__audit",
        "alias": name,
    }
    return CompiledTest(**{**fields, **config})  # type: ignore[arg-type]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table calls as select * from (values (1, 10), (2, 75), (3, 20), (4, 90), (5, 5)) t(id, wait_s)"
    )
    return con


def _outcomes(con: duckdb.DuckDBPyConnection, *tests: CompiledTest) -> dict[str, tuple[str, int]]:
    return {o.test.name: (o.status, o.failures) for o in batch_tests.run(con, tests)}


def test_status_follows_dbts_rules(con: duckdb.DuckDBPyConnection) -> None:
    outcomes = _outcomes(
        con,
        _test("no_rows", "select * from memory.main.calls where wait_s > 100"),
        _test("two_rows"),
        _test("two_rows_warn_severity", severity="warn"),
        _test("errors_above_two", error_if="> 2"),  # 2 rows: warns (warn_if != 0), does not fail
        _test("thresholds_above_two", error_if="> 2", warn_if="> 2"),
        _test("sum_of_waits", fail_calc="coalesce(sum(wait_s), 0)", error_if="> 100"),  # 165
        _test("limited", limit=1),
        _test("broken", "select * from memory.main.no_such_table"),
    )
    assert outcomes == {
        "no_rows": ("pass", 0),
        "two_rows": ("fail", 2),
        "two_rows_warn_severity": ("warn", 2),
        "errors_above_two": ("warn", 2),
        "thresholds_above_two": ("pass", 2),
        "sum_of_waits": ("fail", 165),
        "limited": ("fail", 1),
        "broken": ("error", 0),  # a test whose query fails is a failure, never a pass
    }


def test_failures_are_stored_where_dbt_stores_them(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema dbt_test__audit")
    con.execute(
        "create view dbt_test__audit.slow_calls as select 1 as stale"
    )  # a view left by an earlier run
    (outcome,) = batch_tests.run(con, [_test("slow_calls", store_failures_as="table")])
    assert (outcome.status, outcome.failures) == ("fail", 2)
    assert con.execute("select id from dbt_test__audit.slow_calls order by id").fetchall() == [(2,), (4,)]
    (outcome,) = batch_tests.run(
        con,
        [
            _test(
                "slow_calls", "select * from memory.main.calls where wait_s > 100", store_failures_as="table"
            )
        ],
    )
    assert outcome.status == "pass"
    assert con.execute("select count(*) from dbt_test__audit.slow_calls").fetchone() == (0,)


def test_run_beside_hands_over_every_outcome_and_raises_what_the_thread_raised(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as setup:
        setup.execute("create table calls as select * from (values (1, 61), (2, 75)) t(id, wait_s)")
    tests = [
        replace(_test("two_rows"), database="wh", sql=CALLS.replace("memory", "wh")),
        _test("broken", "select 1/0 from wh.main.nope"),
    ]
    outcomes = list(batch_tests.run_beside(lambda: duckdb.connect(str(path)), tests))
    assert [(o.test.name, o.status, o.failures) for o in outcomes] == [
        ("two_rows", "fail", 2),
        ("broken", "error", 0),
    ]

    def no_warehouse() -> duckdb.DuckDBPyConnection:
        raise duckdb.IOException("the warehouse is gone")

    with pytest.raises(duckdb.IOException, match="gone"):
        list(batch_tests.run_beside(no_warehouse, tests))


def test_the_record_is_read_back_only_under_its_key(tmp_path: Path) -> None:
    path = tmp_path / "compiled_tests.json"
    key = batch_tests.record_key("project-1", {"as_of": "data"}, "duckdb", tmp_path / "wh.duckdb")
    batch_tests.record(path, key, {"test.callmart.a.0": _test("a")})
    batch_tests.record(path, key, {"test.callmart.b.0": _test("b", severity="warn")})  # added
    assert sorted(t.name for t in batch_tests.recorded(path, key).values()) == ["a", "b"]
    assert batch_tests.recorded(path, key)[(("marts", "calls"), "b")].severity == "warn"
    other_vars = batch_tests.record_key("project-1", {"as_of": None}, "duckdb", tmp_path / "wh.duckdb")
    other_code = batch_tests.record_key("project-2", {"as_of": "data"}, "duckdb", tmp_path / "wh.duckdb")
    assert batch_tests.recorded(path, other_vars) == {} and batch_tests.recorded(path, other_code) == {}
    batch_tests.record(path, other_code, {"test.callmart.c.0": _test("c")})  # replaces the record
    assert [t.name for t in batch_tests.recorded(path, other_code).values()] == ["c"]
    assert batch_tests.recorded(path, key) == {}


def _node(name: str, compiled: str | None = "select 1 where false", **config: object) -> dict[str, object]:
    base = {"severity": "ERROR", "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0"}
    return {
        "resource_type": "test",
        "name": name,
        "compiled_code": compiled,
        "config": {**base, **config},
        "database": "wh",
        "schema": "main_dbt_test__audit" if config.get("store_failures") else "main",
        "alias": name,
    }


def test_a_manifests_compiled_tests_and_what_stops_a_batch() -> None:
    manifest = {
        "nodes": {
            "test.callmart.not_null_calls_id.1": _node("not_null_calls_id"),
            "test.callmart.slow_calls.2": _node("slow_calls", severity="warn", store_failures=True),
            "test.callmart.not_run.3": _node("not_run", compiled=None),  # not compiled in this build
            "model.callmart.calls": {"resource_type": "model", "name": "calls"},
        }
    }

    def check_key(unique_id: str) -> tuple[tuple[str, ...], str] | None:
        return (("marts", "calls"), unique_id.split(".")[2])

    tests = batch_tests.compiled_tests(manifest, check_key)
    assert tests is not None and sorted(tests) == [
        "test.callmart.not_null_calls_id.1",
        "test.callmart.slow_calls.2",
    ]
    slow = tests["test.callmart.slow_calls.2"]
    assert (slow.severity, slow.store_failures_as, slow.relation) == (
        "warn",
        "table",
        '"wh"."main_dbt_test__audit"."slow_calls"',
    )
    assert tests["test.callmart.not_null_calls_id.1"].store_failures_as is None
    # a test that is no Dagster check, or one this runner cannot run as dbt would: no batch at all
    assert batch_tests.compiled_tests(manifest, lambda unique_id: None) is None
    manifest["nodes"]["test.callmart.odd.4"] = _node(
        "odd", store_failures=True, store_failures_as="ephemeral"
    )
    assert batch_tests.compiled_tests(manifest, check_key) is None
