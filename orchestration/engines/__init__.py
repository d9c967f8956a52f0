"""Where dbt builds the models: DuckDB (the warehouse file itself), PostgreSQL or Spark.

Loading is the same whatever the engine: the loader and the configuration asset write `raw.*` and
the configuration tables into the DuckDB warehouse, which stays the landing store (rejects, load
manifest, salt). For another engine, `ingest` copies what dbt reads into it before dbt builds
(PostgreSQL: COPY; Spark: Parquet files written by DuckDB under external tables), and `mirror`
brings the built marts back into the warehouse's `marts` schema afterwards, so the quality checks,
the published copy and the dashboards read them exactly as they do on DuckDB. The models are the
same on every engine; they differ only through the dispatch macros in macros/.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb

from ..configuration.schema import SEEDS
from ..loading.contract import SOURCES
from ..privacy import SALT_TABLE
from ..settings import StatePaths

TARGETS = ("duckdb", "postgres", "spark")
INSTALL_HINT = {
    "postgres": "python3 -m uv sync --frozen --extra postgres",
    "spark": "python3 -m uv sync --frozen --extra spark",
}


@dataclass(frozen=True)
class InputTable:
    """A table dbt reads that callmart writes (raw source, configuration, salt): name and DuckDB columns."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type)

    @property
    def select(self) -> str:
        columns = ", ".join(f'"{column}"' for column, _ in self.columns)
        return f'select {columns} from {self.schema}."{self.name}"'


def input_tables(con: duckdb.DuckDBPyConnection) -> list[InputTable]:
    """What dbt's sources and configuration models read, as the warehouse holds it now. Of the
    loader's bookkeeping, only each file's id, source and first-line hash (the log-order key of
    int_queue_log_events); the rejects and line hashes stay in DuckDB: no model reads them."""
    wanted = [tuple(s.table.split(".")) for s in SOURCES]
    wanted += [tuple(SALT_TABLE.split("."))]
    wanted += [("staging", s.name) for s in SEEDS]
    wanted += [("raw", "load_manifest")]
    tables = []
    for schema, name in wanted:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? and column_name <> '_line_hash' order by ordinal_position",
            [schema, name],
        ).fetchall()
        if name == "load_manifest":
            columns = [c for c in columns if c[0] in ("file_id", "source", "first_line_hash")]
        if columns:
            tables.append(InputTable(schema, name, tuple((c, t) for c, t in columns)))
    return tables


class Engine(Protocol):
    name: str

    def profile_output(self) -> dict[str, Any]:
        """This run's dbt output (profiles.yml) for the engine."""
        ...

    def dbt_vars(self, tables: list[InputTable]) -> dict[str, Any]:
        """dbt vars the engine's hooks need (Spark: where the input Parquet lies)."""
        ...

    def ingest(self, con: duckdb.DuckDBPyConnection, tables: list[InputTable]) -> int:
        """Copy the input tables into the engine (replacing what it held); returns the rows copied."""
        ...

    def mirror(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
        """Replace the warehouse's marts.<table> with the engine's; returns the rows copied."""
        ...


def require_adapter(target: str) -> None:
    """Raise RuntimeError (saying how to install it) when the target's dbt adapter is missing."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: one of {', '.join(TARGETS)}")
    needed = {
        "duckdb": ["duckdb", "dbt.adapters.duckdb"],
        "postgres": ["psycopg2", "dbt.adapters.postgres"],
        "spark": ["pyspark", "dbt.adapters.spark"],
    }
    # found, not imported: dbt imports the adapter in its own process (pyspark is slow and noisy)
    missing = [name for name in needed[target] if not _installed(name)]
    if missing:
        raise RuntimeError(f"--target {target} needs {', '.join(missing)}: {INSTALL_HINT.get(target, '')}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def engine_for(target: str, paths: StatePaths, settings: dict[str, str]) -> Engine | None:
    """The engine of a `--target`; None for DuckDB, which builds in the warehouse file itself."""
    require_adapter(target)
    if target == "duckdb":
        return None
    if target == "postgres":
        from .postgres import PostgresEngine

        return PostgresEngine.from_settings(settings)
    from .spark import SparkEngine

    return SparkEngine(paths)
