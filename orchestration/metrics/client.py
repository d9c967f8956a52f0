"""A MetricFlow SQL client over a DuckDB file opened read-only (the published marts).

MetricFlow's own client goes through a dbt adapter, which opens the warehouse for writing; BI readers
get the published copy instead, attached under the catalog name the dbt manifest gives the relations.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.sql.render.sql_plan_renderer import SqlPlanRenderer
from metricflow_semantics.sql.sql_bind_parameters import SqlBindParameterSet

NO_PARAMETERS = SqlBindParameterSet()


class ReadOnlyDuckDbClient:
    """MetricFlow's SqlClient protocol on one read-only DuckDB file."""

    def __init__(self, database_file: Path, catalog: str):
        self._con = duckdb.connect()
        self._con.execute("set TimeZone = 'UTC'")
        path = str(database_file).replace("'", "''")
        self._con.execute(f"attach '{path}' as \"{catalog}\" (read_only)")
        self._con.execute(f'use "{catalog}"')
        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> SqlPlanRenderer:
        return self._renderer

    def query(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> MetricFlowDataTable:
        names, rows = self.rows(stmt, sql_bind_parameter_set)
        return MetricFlowDataTable.create_from_rows(column_names=names, rows=rows)

    def execute(self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS) -> None:
        self._con.execute(stmt, dict(sql_bind_parameter_set.param_dict) or None)

    def dry_run(self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS) -> None:
        self._con.execute(f"explain {stmt}", dict(sql_bind_parameter_set.param_dict) or None)

    def close(self) -> None:
        self._con.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def rows(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> tuple[list[str], list[tuple]]:
        """Column names and rows of a query, values as DuckDB returns them (no conversion)."""
        cursor = self._con.execute(stmt, dict(sql_bind_parameter_set.param_dict) or None)
        return [d[0] for d in cursor.description or []], cursor.fetchall()
