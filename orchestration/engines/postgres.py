"""PostgreSQL: input tables go in with COPY FROM STDIN (DuckDB writes the CSV), marts come back with
COPY TO STDOUT read by DuckDB with the column types PostgreSQL reports.

The server is the user's (CALLMART_PG_HOST, _PORT, _USER, _DB; the password only ever from
CALLMART_PG_PASSWORD, never written to the run's profile). Each input table is dropped and
re-created in one transaction, so a failed copy leaves the previous load in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg2

from . import InputTable

# DuckDB type -> PostgreSQL type, for the input tables (text, counters and the loader's line numbers).
TO_POSTGRES = {"VARCHAR": "text", "INTEGER": "integer", "BIGINT": "bigint", "BOOLEAN": "boolean"}
# PostgreSQL's information_schema type -> DuckDB type, for the marts brought back.
TO_DUCKDB = {
    "text": "varchar",
    "character varying": "varchar",
    "integer": "integer",
    "bigint": "bigint",
    "smallint": "smallint",
    "boolean": "boolean",
    "double precision": "double",
    "real": "float",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
}


@dataclass(frozen=True)
class PostgresEngine:
    host: str
    port: int
    user: str
    dbname: str
    name: str = "postgres"

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> PostgresEngine:
        return cls(
            host=settings.get("pg_host") or "localhost",
            port=int(settings.get("pg_port") or 5432),
            user=settings.get("pg_user") or "postgres",
            dbname=settings.get("pg_db") or "callmart",
        )

    def connect(self):  # type: ignore[no-untyped-def]
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=self.dbname,
            password=os.environ.get("CALLMART_PG_PASSWORD", ""),
        )

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[tuple[Any, Any]]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                yield connection, cursor
        finally:
            connection.close()

    def profile_output(self) -> dict[str, Any]:
        return {
            "type": "postgres",
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": "{{ env_var('CALLMART_PG_PASSWORD', '') }}",
            "dbname": self.dbname,
            "schema": "public",
            "threads": 2,
        }

    def dbt_vars(self, tables: list[InputTable]) -> dict[str, Any]:
        return {}

    def ingest(self, con: duckdb.DuckDBPyConnection, tables: list[InputTable]) -> int:
        rows = 0
        with tempfile.TemporaryDirectory(prefix="callmart-pg-") as scratch, self._cursor() as (pg, cursor):
            for table in tables:
                csv = Path(scratch) / f"{table.schema}.{table.name}.csv"
                con.execute(f"copy ({table.select}) to '{csv}' (format csv, header)")
                columns = ", ".join(f'"{c}" {TO_POSTGRES.get(t, "text")}' for c, t in table.columns)
                cursor.execute(f"create schema if not exists {table.schema}")
                cursor.execute(f'drop table if exists {table.schema}."{table.name}" cascade')
                cursor.execute(f'create table {table.schema}."{table.name}" ({columns})')
                with csv.open() as data:
                    cursor.copy_expert(
                        f'copy {table.schema}."{table.name}" from stdin with (format csv, header)', data
                    )
                rows += cursor.rowcount
                csv.unlink()
            pg.commit()
        return rows

    def mirror(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
        rows = 0
        with tempfile.TemporaryDirectory(prefix="callmart-pg-") as scratch, self._cursor() as (_, cursor):
            con.execute("create schema if not exists marts")
            for table in tables:
                cursor.execute(
                    "select column_name, data_type, numeric_precision, numeric_scale "
                    "from information_schema.columns where table_schema = 'marts' and table_name = %s "
                    "order by ordinal_position",
                    [table],
                )
                columns = {name: _duckdb_type(*rest) for name, *rest in cursor.fetchall()}
                csv = Path(scratch) / f"{table}.csv"
                with csv.open("w") as data:
                    cursor.copy_expert(
                        f'copy (select * from marts."{table}") to stdout with (format csv, header)', data
                    )
                spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
                con.execute(
                    f'create or replace table marts."{table}" as select * from read_csv('
                    f"'{csv}', header = true, columns = {spec}, allow_quoted_nulls = false)"
                )
                rows += con.execute(f'select count(*) from marts."{table}"').fetchone()[0]  # type: ignore[index]
        return rows


def _duckdb_type(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        return f"decimal({min(precision or 38, 38)}, {scale or 0})" if precision else "double"
    return TO_DUCKDB.get(data_type, "varchar")
