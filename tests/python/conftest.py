"""Shared helpers: write landing folders from hand-written lines, load them, query the warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.loading.loader import Loader

REPO = Path(__file__).resolve().parents[2]
# Builds whose marts are compared share one salt (without one, each warehouse gets its own secret).
TEST_SALT_VARS = "{pii_salt: callmart-tests-only-salt}"
FIXTURES = REPO / "tests" / "fixtures"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Warehouse:
    """A DuckDB warehouse file and a landing folder in a temporary directory."""

    def __init__(self, root: Path):
        self.landing = root / "landing"
        self.landing.mkdir()
        self.path = root / "warehouse.duckdb"

    def load(self, sources: list[str] | None = None) -> dict[str, tuple[int, int]]:
        """Load; returns {source: (rows loaded, rows rejected)} for sources with files."""
        from orchestration.loading.contract import SOURCES

        with duckdb.connect(str(self.path)) as con:
            loader = Loader(con, self.landing)
            out = {}
            for source in SOURCES:
                if sources is None or source.name in sources:
                    result = loader.load_source(source)
                    if result.found:
                        out[source.name] = (result.rows_loaded, result.rows_rejected)
            return out

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


@pytest.fixture
def lines_to_file() -> Iterator[Callable[[Path, list[str]], Path]]:
    def _write(path: Path, lines: list[str]) -> Path:
        return write(path, "\n".join(lines) + "\n")

    yield _write


def build_warehouse(tmp_path_factory: pytest.TempPathFactory, name: str, landing: Path, config: Path) -> Path:
    """`callmart run` a fixture landing folder with its configuration into a fresh warehouse."""
    from orchestration.cli import main

    warehouse = tmp_path_factory.mktemp(name) / "wh.duckdb"
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--config", str(config)]
    assert main(args) == 0
    return warehouse


def query_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    """Rows of a query as dicts."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def mart_differences(
    first: Path, second: Path, ignore: tuple[str, ...] = (), across_engines: bool = False
) -> dict[str, str]:
    """Tables of schema `marts` that differ between two warehouses, value for value (EXCEPT ALL both
    ways), with what differs; `ignore` names columns left out of the comparison. `across_engines`
    compares builds of different engines: the same column names, integers as bigint, numbers rounded
    to 6 decimals (a sum of doubles may differ in its last bits), timestamps without a zone."""
    differences: dict[str, str] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")

        def tables(db: str) -> set[str]:
            sql = f"select table_name from information_schema.tables where table_catalog = '{db}' and table_schema = 'marts'"
            return {r[0] for r in con.execute(sql).fetchall()}

        def columns(db: str, name: str) -> list[tuple[str, str]]:
            rows = con.execute(
                "select column_name, data_type from information_schema.columns where table_catalog = ? "
                "and table_schema = 'marts' and table_name = ? order by ordinal_position",
                [db, name],
            ).fetchall()
            return [(c, t) for c, t in rows if c not in ignore]

        def selected(cols: list[tuple[str, str]]) -> str:
            return ", ".join(_normalised(c, t) if across_engines else f'"{c}"' for c, t in cols)

        names_a, names_b = tables("a"), tables("b")
        for missing in names_a ^ names_b:
            differences[missing] = "only in one warehouse"
        for name in sorted(names_a & names_b):
            columns_a = columns("a", name)
            columns_b = columns_a  # one build: the first warehouse's columns, from both
            if across_engines:  # each engine's own types, the same names
                columns_b = columns("b", name)
                if [c for c, _ in columns_a] != [c for c, _ in columns_b]:
                    differences[name] = "columns differ"
                    continue
            listed_a, listed_b = selected(columns_a), selected(columns_b)
            only_a = con.execute(
                f'select count(*) from (select {listed_a} from a.marts."{name}" except all select {listed_b} from b.marts."{name}")'
            ).fetchone()[0]
            only_b = con.execute(
                f'select count(*) from (select {listed_b} from b.marts."{name}" except all select {listed_a} from a.marts."{name}")'
            ).fetchone()[0]
            if only_a or only_b:
                differences[name] = f"{only_a} rows only in the first, {only_b} only in the second"
    return differences


def _normalised(column: str, data_type: str) -> str:
    quoted = f'"{column}"'
    if data_type.startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
        return f"round(cast({quoted} as double), 6) as {quoted}"
    if data_type in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return f"cast({quoted} as bigint) as {quoted}"
    if data_type.startswith("TIMESTAMP"):
        return f"cast({quoted} as timestamp) as {quoted}"
    return quoted


def mart_row_count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return sum(con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in tables)
