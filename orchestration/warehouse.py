"""Connections to a DuckDB warehouse, with the settings every query of callmart relies on."""

from __future__ import annotations

from pathlib import Path

import duckdb

# DuckDB 2.0's top_n_window_elimination can return a different row for `row_number() ... = 1`
# from one connection to the next when an order key holds a NULL (../shared/notes/engines.md).
# profiles.yml sets the same for dbt.
SETTINGS = {"TimeZone": "UTC", "disabled_optimizers": "top_n_window_elimination"}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    for name, value in SETTINGS.items():
        con.execute(f"set {name} = '{value}'")
    return con
