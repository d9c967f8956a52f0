"""dbt's data tests run in one batch on DuckDB, from the SQL dbt itself compiled for them.

dbt runs each data test as a node of its own, and on this project its own work per node (rendering,
compiling, writing the compiled file, logging, the run result) outweighs the query: 329 tests take
4.9 s of an incremental build's 10.6 s on the reference machine, while their queries together take
about 0.4 s. A test's compiled SQL depends only on the project's code, the dbt vars, the target and
the warehouse it was compiled for, never on the data. So a dbt build that ran the tests records
each one's compiled SQL and configuration under that key (`record`); a later build with the same key
builds the models with dbt and runs the recorded tests here (`run`), the way dbt's test
materialization does: failures stored in `dbt_test__audit` when the test says so, `limit`,
`fail_calc`, `warn_if`, `error_if` and `severity` applied as dbt applies them. A test whose query
errors is a failure. docs/decisions.md, "dbt's tests in one batch".
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..handover import handed_over
from ..settings import replace_file

FORMAT = 1  # of the record file: a record of another format is not read


@dataclass(frozen=True)
class CompiledTest:
    unique_id: str
    name: str
    asset_key: tuple[str, ...]  # the Dagster asset check's asset (dagster-dbt's attachment)
    check_name: str
    sql: str  # dbt's compiled_code
    severity: str  # error | warn
    fail_calc: str
    warn_if: str
    error_if: str
    limit: int | None
    store_failures_as: str | None  # table | view, None when the failures are not stored
    database: str
    schema: str
    alias: str

    @property
    def relation(self) -> str:
        return ".".join(_quote(part) for part in (self.database, self.schema, self.alias))


@dataclass(frozen=True)
class TestOutcome:
    test: CompiledTest
    status: str  # pass | warn | fail | error, as dbt reports it
    failures: int
    message: str
    seconds: float

    @property
    def blocking(self) -> bool:
        """A failure that stops the build, as a failed dbt `error` test stops `dbt build`."""
        return self.status in ("fail", "error")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def record_key(project_fingerprint: str, dbt_vars: Mapping[str, Any], target: str, warehouse: Path) -> str:
    """What a test's compiled SQL depends on: the project's files (and the dbt that compiles them),
    the vars, the target, the warehouse (its file name is the database name in every relation)."""
    text = json.dumps(
        [project_fingerprint, dict(dbt_vars), target, str(warehouse)], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def compiled_tests(
    manifest: Mapping[str, Any], check_key: Callable[[str], tuple[tuple[str, ...], str] | None]
) -> dict[str, CompiledTest] | None:
    """The data tests dbt compiled in the run that wrote `manifest` (target/manifest.json), with
    their Dagster check keys (`check_key`: unique id -> (asset key, check name)). None when one of
    them is not a Dagster check or uses what this runner does not do (a batch would then skip it)."""
    tests: dict[str, CompiledTest] = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "test" or not node.get("compiled_code"):
            continue
        config = node["config"]
        key = check_key(unique_id)
        store_as = (config.get("store_failures_as") or "table") if config.get("store_failures") else None
        if key is None or store_as not in (None, "table", "view") or config.get("sql_header"):
            return None
        tests[unique_id] = CompiledTest(
            unique_id=unique_id,
            name=node["name"],
            asset_key=key[0],
            check_name=key[1],
            sql=node["compiled_code"],
            severity=str(config["severity"]).lower(),
            fail_calc=config["fail_calc"],
            warn_if=config["warn_if"],
            error_if=config["error_if"],
            limit=config.get("limit"),
            store_failures_as=store_as,
            database=node["database"],
            schema=node["schema"],
            alias=node["alias"],
        )
    return tests


def _stored(path: Path, key: str) -> dict[str, Any]:
    """The record's tests by unique id, as stored, when it was made under `key` in this format; else
    none (no record, a damaged one, another key)."""
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stored["tests"] if stored.get("format") == FORMAT and stored.get("key") == key else {}


def record(path: Path, key: str, tests: Mapping[str, CompiledTest]) -> None:
    """Add `tests` to the record at `path` (replacing it when it was made under another key)."""
    kept = _stored(path, key) | {unique_id: asdict(test) for unique_id, test in tests.items()}
    replace_file(path, json.dumps({"format": FORMAT, "key": key, "tests": kept}))


def recorded(path: Path, key: str) -> dict[tuple[tuple[str, ...], str], CompiledTest]:
    """The recorded tests by Dagster check key, when they were recorded under `key`; else none."""
    tests = (
        CompiledTest(**{**fields, "asset_key": tuple(fields["asset_key"])})
        for fields in _stored(path, key).values()
    )
    return {(test.asset_key, test.check_name): test for test in tests}


def run(con: duckdb.DuckDBPyConnection, tests: Iterable[CompiledTest]) -> Iterator[TestOutcome]:
    """Run the tests one after the other on `con`, as dbt's test materialization runs each."""
    for test in tests:
        started = time.monotonic()
        try:
            failures, should_warn, should_error = _execute(con, test)
        except duckdb.Error as error:
            yield TestOutcome(
                test, "error", 0, f"the test's query failed: {error}", time.monotonic() - started
            )
            continue
        if test.severity == "error" and should_error:
            status, condition = "fail", test.error_if
        elif should_warn:
            status, condition = "warn", test.warn_if
        else:
            status, condition = "pass", ""
        message = f"Got {failures} result(s), configured to {status} if {condition}" if condition else ""
        yield TestOutcome(test, status, failures, message, time.monotonic() - started)


def run_beside(
    connect: Callable[[], duckdb.DuckDBPyConnection], tests: list[CompiledTest]
) -> Iterator[TestOutcome]:
    """`run` in a thread of its own on a connection `connect` opens, each outcome handed over as it
    comes (handover.py)."""

    def work(hand_over: Callable[[TestOutcome], None]) -> None:
        with connect() as con:
            for outcome in run(con, tests):
                hand_over(outcome)

    return handed_over(work, "callmart-batch-tests")


def _execute(con: duckdb.DuckDBPyConnection, test: CompiledTest) -> tuple[int, bool, bool]:
    main_sql = test.sql + (f"\nlimit {int(test.limit)}" if test.limit is not None else "")
    if test.store_failures_as:
        existing = con.execute(
            "select table_type from information_schema.tables "
            "where table_catalog = ? and table_schema = ? and table_name = ?",
            [test.database, test.schema, test.alias],
        ).fetchone()
        if existing:
            con.execute(f"drop {'view' if existing[0] == 'VIEW' else 'table'} {test.relation}")
        con.execute(f"create schema if not exists {_quote(test.database)}.{_quote(test.schema)}")
        con.execute(f"create {test.store_failures_as} {test.relation} as (\n{main_sql}\n)")
        main_sql = f"select * from {test.relation}"
    row = con.execute(
        f"select {test.fail_calc} as failures, {test.fail_calc} {test.warn_if} as should_warn, "
        f"{test.fail_calc} {test.error_if} as should_error from (\n{main_sql}\n) dbt_internal_test"
    ).fetchone()
    assert row is not None  # an aggregate returns one row
    return int(row[0] or 0), bool(row[1]), bool(row[2])
