"""`callmart run` end to end through Dagster, on a small generated landing folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.generate import generate
from orchestration.loading.contract import SOURCES
from orchestration.settings import StatePaths
from tests.python.conftest import TEST_SALT_VARS

STAGING = [
    "stg_asterisk__queue_log",
    "stg_asterisk__cdr",
    "stg_vicidial__leads",
    "stg_vicidial__attempts",
    "stg_crm__contacts",
    "stg_crm__cases",
    "stg_crm__orders",
    "stg_crm__surveys",
    "stg_wfm__schedules",
    "stg_hr__esat",
    "stg_config__clients",
]


@pytest.fixture(scope="module")
def run_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int, str]:
    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    generate(landing, days=3, agents=12, seed=3, start=date(2026, 10, 24))
    warehouse = root / "wh.duckdb"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "run",
                "--landing",
                str(landing),
                "--warehouse",
                str(warehouse),
                "--as-of",
                "data",
                "--vars",
                TEST_SALT_VARS,
            ]
        )
    return landing, warehouse, code, out.getvalue()


def test_run_fills_every_raw_and_staging_table(run_once: tuple[Path, Path, int, str]) -> None:
    _, warehouse, code, output = run_once
    assert code == 0, output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source in SOURCES:
            assert con.execute(f"select count(*) from {source.table}").fetchone()[0] > 0, source.name
        for model in STAGING:
            assert con.execute(f"select count(*) from staging.{model}").fetchone()[0] > 0, model
        assert con.execute("select count(*) from raw.rejects").fetchone()[0] == 0
        # the demo's configuration replaced the shipped seeds
        assert con.execute("select count(*) from staging.stg_config__queues").fetchone()[0] == 4
        # phone numbers never reach staging in clear
        assert (
            con.execute(
                "select count(*) from staging.stg_asterisk__queue_log "
                "where length(caller_number_hash) <> 64 and caller_number_hash is not null"
            ).fetchone()[0]
            == 0
        )
    assert "callmart run succeeded" in output
    assert "10 found" in output
    # generated demo data passes every quality check, warnings included, and is published
    (checks,) = [line for line in output.splitlines() if line.startswith("quality checks: ")]
    passed = int(checks.split()[2])
    # the 11 Great Expectations suites (raw schemas, staged types); dbt's tests count when they fail
    assert passed >= 11 and checks.endswith(
        "passed, 0 warnings, 0 failed (`callmart check` prints every one)"
    )
    assert "marts published for BI" in output


def test_second_run_loads_nothing_new(run_once: tuple[Path, Path, int, str], capsys) -> None:
    landing, warehouse, _, _ = run_once
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("select count(*) from raw.queue_log").fetchone()[0]
    catalog = StatePaths(warehouse).dbt_target / "catalog.json"
    generated = catalog.stat().st_mtime_ns
    assert (
        main(["run", "--landing", str(landing), "--warehouse", str(warehouse), "--vars", TEST_SALT_VARS]) == 0
    )
    captured = capsys.readouterr()
    output = captured.out
    assert "0 loaded, 0 rejected" in output
    # the same models, vars and configuration: the docs site is not generated again
    assert "unchanged (same models, vars and configuration)" in captured.out + captured.err
    assert catalog.stat().st_mtime_ns == generated
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.queue_log").fetchone()[0] == before


def test_missing_sources_are_reported(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    (landing / "asterisk").mkdir(parents=True)
    src = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk-22" / "queue_log"
    (landing / "asterisk" / "queue_log").write_bytes(src.read_bytes())
    assert main(["run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh.duckdb")]) == 0
    output = capsys.readouterr().out
    (line,) = [x for x in output.splitlines() if x.startswith("  sources ")]
    assert line.split("not found: ")[1].split(", ") == sorted(
        s.name for s in SOURCES if s.name != "queue_log"
    )
    assert "222 loaded" in output


def test_the_same_landing_built_twice_gives_identical_marts(
    run_once: tuple[Path, Path, int, str], tmp_path: Path
) -> None:
    """Results never depend on luck: a second warehouse built from the same files, table by table."""
    from tests.python.conftest import mart_differences, mart_row_count

    landing, warehouse, _, _ = run_once
    again = tmp_path / "again.duckdb"
    args = [
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(again),
        "--as-of",
        "data",
        "--vars",
        TEST_SALT_VARS,
    ]
    assert main(args) == 0
    assert mart_row_count(again) > 1000
    assert mart_differences(warehouse, again) == {}


def test_dbt_unit_tests_pass_through_callmart_check(run_once: tuple[Path, Path, int, str], capsys) -> None:
    """Production runs skip dbt's unit tests; `callmart check --unit` runs them."""
    _, warehouse, _, _ = run_once
    capsys.readouterr()
    assert main(["check", "--warehouse", str(warehouse), "--as-of", "data", "--skip-dbt", "--unit"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert int(summary.split("(")[1].split()[0]) >= 20, summary
