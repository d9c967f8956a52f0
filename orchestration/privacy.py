"""The installation's secret salt for hashing phone numbers (kpis.md, Privacy).

A known salt makes the hashes reversible (10-digit numbers, the last 4 published beside them), so
callmart ships none: `pii_salt` from --vars when given, else a random 256-bit salt generated on the
first run into `W.duckdb.salt` (mode 0600) beside the warehouse and reused by every later run. The
salt reaches SQL only as a row of the table raw.pii_salt (never as a dbt var, so never in compiled
SQL, logs or command lines), and a run whose salt differs from the one the warehouse was built with
is refused: hashes would silently stop matching (repeat calls and FCR need one salt).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import duckdb

SALT_TABLE = "raw.pii_salt"


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only (0600 from the moment it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def salt_file(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".salt")


def resolve_salt(warehouse: Path, explicit: object = None) -> str:
    """--vars pii_salt when given, else the warehouse's salt file, created (0600) on first use."""
    if explicit:
        return str(explicit)
    path = salt_file(warehouse)
    if path.exists():
        return path.read_text().strip()
    salt = secrets.token_hex(32)
    write_private(path, salt + "\n")
    return salt


def built_with(warehouse: Path) -> str | None:
    """The salt an existing warehouse was built with (None: a new warehouse)."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'pii_salt'"
        ).fetchone()[0]
        if not found:
            return None
        row = con.execute(f"select salt from {SALT_TABLE}").fetchone()
        return str(row[0]) if row else None


def write_salt(con: duckdb.DuckDBPyConnection, salt: str) -> None:
    con.execute("create schema if not exists raw")
    con.execute(f"create or replace table {SALT_TABLE} (salt varchar)")
    con.execute(f"insert into {SALT_TABLE} values (?)", [salt])
