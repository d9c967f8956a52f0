"""Spark through dbt-spark's `session` method (a local PySpark in dbt's own process).

Input tables are Parquet files written by DuckDB under the warehouse's state folder; dbt's
on-run-start hook (macros/external_tables.sql) registers each as an external table, so nothing is
copied through the JVM. Spark's warehouse and its Derby metastore sit beside the DuckDB warehouse
too (one JVM per metastore at a time, and the warehouse's lock already serialises runs). The marts
come back by DuckDB reading the Parquet files Spark wrote.

For a cluster, a `thrift` or Databricks output in profiles.yml replaces the session: the Parquet
input then has to be where the cluster can read it (README, "Moving to another engine").
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..settings import StatePaths
from . import InputTable


@dataclass(frozen=True)
class SparkEngine:
    paths: StatePaths
    name: str = "spark"

    @property
    def root(self) -> Path:
        return self.paths.spark

    @property
    def input_dir(self) -> Path:
        return self.root / "input"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    def profile_output(self) -> dict[str, Any]:
        metastore = self.root / "metastore_db"
        return {
            "type": "spark",
            "method": "session",
            "host": "localhost",
            "schema": "main",
            "threads": 1,  # one session; dbt-spark's session cursor is not shared across threads
            "server_side_parameters": {
                "spark.master": "local[2]",
                "spark.app.name": "callmart",
                "spark.sql.warehouse.dir": str(self.warehouse_dir),
                "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore};create=true",
                "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.root}",
                "spark.sql.session.timeZone": "UTC",
                "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
                "spark.sql.shuffle.partitions": "4",
                "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "false",
                "spark.driver.memory": "2g",
            },
        }

    def dbt_vars(self, tables: list[InputTable]) -> dict[str, Any]:
        return {
            "callmart_external_root": str(self.input_dir),
            "callmart_external_tables": [f"{t.schema}.{t.name}" for t in tables],
        }

    def ingest(self, con: duckdb.DuckDBPyConnection, tables: list[InputTable]) -> int:
        """Write every input table as `input/<schema>/<table>/data.parquet`, into a fresh folder that
        replaces the previous one whole (the hook re-registers the tables each run)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fresh = self.root / "input.partial"
        shutil.rmtree(fresh, ignore_errors=True)
        rows = 0
        for table in tables:
            folder = fresh / table.schema / table.name
            folder.mkdir(parents=True)
            con.execute(f"copy ({table.select}) to '{folder / 'data.parquet'}' (format parquet)")
            rows += con.execute(f'select count(*) from {table.schema}."{table.name}"').fetchone()[0]  # type: ignore[index]
        fresh.chmod(0o700)  # the salt is one of these tables
        old = self.root / "input.old"
        shutil.rmtree(old, ignore_errors=True)
        if self.input_dir.exists():
            self.input_dir.rename(old)
        fresh.rename(self.input_dir)
        shutil.rmtree(old, ignore_errors=True)
        return rows

    def mirror(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
        rows = 0
        con.execute("create schema if not exists marts")
        for table in tables:
            files = self.warehouse_dir / "marts.db" / table
            if not any(files.rglob("*.parquet")):
                raise RuntimeError(f"Spark wrote no Parquet for marts.{table} under {files}")
            # an incremental mart's files lie in its _rebuild_day partitions (macros/incremental.sql):
            # read them all, without the partition copy
            pattern = f"{files}/**/*.parquet" if any(files.glob("_rebuild_day=*")) else f"{files}/*.parquet"
            con.execute(
                f'create or replace table marts."{table}" as select * from '
                f"read_parquet('{pattern}', hive_partitioning = false)"
            )
            # Spark's timestamps are instants (UTC in this session): back to naive UTC timestamps
            zoned = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? and data_type = 'TIMESTAMP WITH TIME ZONE'",
                    [table],
                ).fetchall()
            ]
            for column in zoned:
                con.execute(
                    f'alter table marts."{table}" alter "{column}" type timestamp '
                    f"using timezone('UTC', \"{column}\")"
                )
            rows += con.execute(f'select count(*) from marts."{table}"').fetchone()[0]  # type: ignore[index]
        return rows
