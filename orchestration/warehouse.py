"""Connections to a DuckDB warehouse, with the settings every query of callmart relies on."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# DuckDB 2.0's top_n_window_elimination can return a different row for `row_number() ... = 1`
# from one connection to the next when an order key holds a NULL (../shared/notes/engines.md).
# profiles.yml sets the same for dbt.
SETTINGS = {"TimeZone": "UTC", "disabled_optimizers": "top_n_window_elimination"}
# How much memory DuckDB may use before it spills to disk (beside the warehouse): DuckDB's default
# is 80% of the machine; CALLMART_DUCKDB_MEMORY_LIMIT (e.g. 3GB) caps every connection of a run,
# dbt's included.
MEMORY_LIMIT = os.environ.get("CALLMART_DUCKDB_MEMORY_LIMIT", "")


def duckdb_settings() -> dict[str, str]:
    return {**SETTINGS, **({"memory_limit": MEMORY_LIMIT} if MEMORY_LIMIT else {})}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    for name, value in duckdb_settings().items():
        con.execute(f"set {name} = '{value}'")
    return con
