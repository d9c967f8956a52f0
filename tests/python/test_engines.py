"""The same models on DuckDB, PostgreSQL and Spark: one small landing folder built by
`callmart run --target duckdb|postgres|spark` gives the same marts, value for value.

PostgreSQL is a throwaway server from Debian's packages (pg_server.py), Spark a local session
beside the warehouse. A missing server or adapter fails these tests: they never skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest

from orchestration.checks import reads_staging_models
from orchestration.generate import generate
from orchestration.quality.gx_suites import load_suites

from .conftest import FIXTURES, REPO, TEST_SALT_VARS, mart_differences
from .pg_server import PostgresServer, postgres_server

# Every public KPI mart of marts.md and the facts and dimensions beside them.
KPI_MARTS = (
    "kpi_inbound_interval",
    "kpi_inbound_daily",
    "kpi_calls_daily",
    "kpi_agent_daily",
    "kpi_outbound_daily",
    "kpi_outbound_campaign",
    "kpi_outbound_agent_daily",
    "kpi_sales_daily",
    "kpi_plan_fulfilment",
    "kpi_quality_daily",
    "kpi_satisfaction_daily",
    "kpi_esat_monthly",
)


def _run(
    landing: Path, warehouse: Path, target: str, config: Path | None, env: dict[str, str] | None = None
) -> str:
    command = [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing)]
    command += ["--warehouse", str(warehouse), "--target", target, "--vars", TEST_SALT_VARS]
    command += ["--as-of", "data"] + (["--config", str(config)] if config else [])
    done = subprocess.run(
        command, cwd=REPO, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"--target {target} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def _landing(root: Path, kind: str) -> tuple[Path, Path | None]:
    """demo: 2 generated days of every source; handwritten: the hand-written inbound and business
    fixtures (in-progress stints, transfers, late ACW, refunds, ...) with a configuration that has
    exactly the contract's columns."""
    landing = root / "landing"
    if kind == "demo":
        generate(landing, days=2, agents=8, seed=7)
        return landing, None
    shutil.copytree(FIXTURES / "handwritten" / "landing", landing)
    shutil.copytree(FIXTURES / "handwritten_business" / "landing", landing, dirs_exist_ok=True)
    return landing, FIXTURES / "contract_config"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module", params=["demo", "handwritten"])
def builds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer
) -> dict[str, Path]:
    """One landing folder built on each engine into its own warehouse."""
    root = tmp_path_factory.mktemp(f"engines-{request.param}")
    landing, config = _landing(root, request.param)
    warehouses = {target: root / target / "wh.duckdb" for target in ("duckdb", "postgres", "spark")}
    _run(landing, warehouses["duckdb"], "duckdb", config)
    output = _run(landing, warehouses["postgres"], "postgres", config, postgres.env())
    assert "engine   postgres: 21 input tables" in output  # 10 sources, the salt, 9 seeds, the load manifest
    # what the engine itself holds, read from PostgreSQL (not the copy brought back)
    pg = psycopg2.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname=postgres.dbname)
    with pg, pg.cursor() as cursor:
        cursor.execute("select sum(offered), sum(answered) from marts.kpi_inbound_daily")
        in_postgres = cursor.fetchone()
    pg.close()
    with duckdb.connect(str(warehouses["duckdb"]), read_only=True) as con:
        in_duckdb = con.execute("select sum(offered), sum(answered) from marts.kpi_inbound_daily").fetchone()
    assert in_duckdb is not None and in_duckdb[0] > 0
    assert tuple(int(v) for v in in_postgres) == tuple(int(v) for v in in_duckdb)
    _run(landing, warehouses["spark"], "spark", config)
    return warehouses


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_every_mart_equals_the_duckdb_build(builds: dict[str, Path], engine: str) -> None:
    differences = mart_differences(builds["duckdb"], builds[engine], across_engines=True)
    assert differences == {}
    with duckdb.connect(str(builds[engine]), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        assert set(KPI_MARTS) <= tables
        filled = sum(
            con.execute(f"select count(*) > 0 from marts.{mart}").fetchone()[0] for mart in KPI_MARTS
        )
    assert filled >= 9  # a comparison of empty tables would prove nothing


def test_spark_marts_are_spark_s_own_parquet(builds: dict[str, Path]) -> None:
    """The Spark build's marts are the Parquet files Spark wrote, read directly."""
    files = (
        builds["spark"].with_name("wh.duckdb.state")
        / "spark"
        / "warehouse"
        / "marts.db"
        / "kpi_inbound_daily"
    )
    assert list(files.glob("_rebuild_day=*/*.parquet"))  # incremental: one partition a day
    with duckdb.connect() as con:
        direct = con.execute(
            f"select sum(offered), sum(handled) from read_parquet('{files}/**/*.parquet')"
        ).fetchone()
    with duckdb.connect(str(builds["duckdb"]), read_only=True) as con:
        built = con.execute("select sum(offered), sum(handled) from marts.kpi_inbound_daily").fetchone()
    assert direct == built


def test_published_copy_of_another_engine_serves_the_dashboards(builds: dict[str, Path]) -> None:
    published = builds["postgres"].with_name("wh_published.duckdb")
    assert (
        mart_differences(builds["duckdb"].with_name("wh_published.duckdb"), published, across_engines=True)
        == {}
    )


def test_checks_on_staging_models_are_left_to_duckdb_builds() -> None:
    """The warehouse of a PostgreSQL or Spark build holds no staging models: the checks that read
    them run on DuckDB builds only, every other check runs whatever the engine."""
    on_models = {s.name for s in load_suites() if reads_staging_models(s.query)}
    assert "staging_queue_log_types" in on_models
    assert "raw_queue_log_schema" not in on_models
    assert not reads_staging_models("select * from staging.fx_rates")
    assert reads_staging_models("select * from staging.int_queue_stints")


def test_a_target_without_its_adapter_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import orchestration.engines as engines
    from orchestration.cli import main

    monkeypatch.setattr(engines, "_installed", lambda module: module != "pyspark")
    warehouse = tmp_path / "wh.duckdb"
    code = main(["run", "--landing", str(tmp_path), "--warehouse", str(warehouse), "--target", "spark"])
    assert code == 2
    assert "uv sync --frozen --extra spark" in capsys.readouterr().err
    assert not warehouse.exists() and not warehouse.with_name("wh.duckdb.state").exists()
