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


# warehouses this process keeps open (hold): path -> (read_only, the connection that keeps it open)
_held: dict[str, tuple[bool, duckdb.DuckDBPyConnection]] = {}


def hold(path: Path, read_only: bool = False) -> None:
    """Keep the warehouse open in this process, in this mode, until `release` or a `connect` in the
    other mode. Opening a DuckDB file reads its catalog: 15-25 ms for a quarter's warehouse, paid by
    each of a run's loads and checks on the raw tables, one connection each. While it is held, a
    connection in the same mode joins the open database instead (DuckDB keeps one instance per file
    and process), in well under a millisecond.

    Held read-write, the file is this process's alone: no other process may open it, and neither may
    this one in another mode or with other settings (dbt's connection). A run's steps hold it while
    they follow each other (the loads, then the checks on the raw tables, read-only, beside the GX
    process's readers); the dbt step releases it before dbt starts, and `run_pipeline` once the job
    is over, whatever happened (a run under `callmart serve` has a process of its own, which ends
    with the run)."""
    key = str(path)
    held = _held.get(key)
    if held is not None and held[0] == read_only:
        return
    release(path)
    _held[key] = (read_only, duckdb.connect(key, read_only=read_only))


def release(path: Path | None = None) -> None:
    """Stop holding `path` (every held warehouse when None); open connections stay usable."""
    for key in [str(path)] if path is not None else list(_held):
        held = _held.pop(key, None)
        if held is not None:
            held[1].close()


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    held = _held.get(str(path))
    if held is not None and held[0] != read_only:  # a database is open in one mode at a time
        release(path)
    con = duckdb.connect(str(path), read_only=read_only)
    for name, value in duckdb_settings().items():
        con.execute(f"set {name} = '{value}'")
    return con
