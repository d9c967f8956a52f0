"""What BI and finance read: a published copy of the `marts` schema in its own DuckDB file.

DuckDB allows one writer or many readers, never both: readers (Superset, notebooks) open the
published copy, never the warehouse the pipeline writes. The copy is written to a temporary file and
renamed into place, so a reader never sees half of it; it is only made when every blocking (error)
check upstream passed. A run that builds some of the marts (the live job) publishes those and keeps
the others as the last publication had them: the warehouse's may come from a run whose checks
failed (docs/decisions.md, "The live job").

A mart with a day (`date_local`, the day incremental marts are rebuilt by) is not copied whole
when the last publication holds it with the same columns and, before the first day this build
rebuilt, the same rows (a count and an order-free sum of row hashes, computed by DuckDB on both
sides): its days from that one on are replaced. Whatever the warehouse's history, the copy then
holds exactly the warehouse's rows (docs/decisions.md, "The main run's fixed costs").
"""

import datetime as dt
import shutil
import time
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from .resources import CallmartResource
from .warehouse import connect

PUBLISH_KEY = AssetKey(["publish", "marts"])
DAY = "date_local"  # the day incremental marts are rebuilt by (macros/incremental.sql, day_window)
# what a mart's rows are published by day on: the column (name, type) and the day it gives. Its day
# for the incremental marts; the local start of a span for fct_agent_states, a table rebuilt whole
# whose spans before the window stay the same (the rows before that day are compared either way)
DAY_COLUMNS = ((DAY, "DATE", DAY), ("start_at_local", "TIMESTAMP", "cast(start_at_local as date)"))
EVERYTHING = dt.date(1900, 1, 1)  # int_rebuild_window's first day of a full build


def build_publish_asset(upstream: list[AssetKey]):  # type: ignore[no-untyped-def]
    project_marts = {key.path[1] for key in upstream if key.path[0] == "marts"}

    @asset(
        key=PUBLISH_KEY,
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        description="A copy of every mart for BI readers, made only when the blocking checks pass.",
    )
    def publish_marts(context: AssetExecutionContext, callmart: CallmartResource) -> MaterializeResult:
        started = time.monotonic()
        target = callmart.paths.published
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        selected = context.op_execution_context.job_def.asset_layer.selected_asset_keys
        built = {key.path[1] for key in selected if key.path[0] == "marts"}
        every_mart = project_marts <= built
        since = _rebuilt_from(callmart.warehouse_path)
        if target.exists() and (not every_mart or (since is not None and since > EVERYTHING)):
            shutil.copyfile(target, partial)  # the last publication, its marts replaced below
        with connect(partial) as con:
            con.execute(f"attach '{callmart.warehouse_path}' as warehouse (read_only)")
            con.execute("create schema if not exists marts")
            columns = _columns(con, [partial.stem, "warehouse"])
            last = {table for catalog, table in columns if catalog == partial.stem}  # none when afresh
            in_warehouse = sorted(table for catalog, table in columns if catalog == "warehouse")
            republished = [table for table in in_warehouse if every_mart or table in built]
            by_day: list[str] = []
            for table in republished:
                if table in last and _replace_days(con, table, since, partial.stem, columns):
                    by_day.append(table)
                else:
                    con.execute(
                        f'create or replace table marts."{table}" as select * from warehouse.marts."{table}"'
                    )
            if every_mart:  # a mart the project no longer has is not published
                for table in last - set(in_warehouse):
                    con.execute(f'drop table marts."{table}"')
            con.execute("detach warehouse")
        partial.replace(target)
        kept = set() if every_mart else last - set(republished)
        missing = sorted(project_marts - built - last)
        notes = "" if every_mart else f", {len(kept)} kept from the last publication"
        notes += f", {len(by_day)} of them by day from {since}" if by_day else ""
        notes += f", not yet published: {', '.join(missing)}" if missing else ""
        context.log.info(f"published {len(republished)} marts to {target}{notes}")
        callmart.out.line(
            f"publish  {len(republished)} marts -> {target}{notes} in {time.monotonic() - started:.1f} s"
        )
        return MaterializeResult(metadata={"path": str(target), "tables": len(republished) + len(kept)})

    return publish_marts


def _rebuilt_from(warehouse: Path) -> dt.date | None:
    """The first day the last dbt build rebuilt (int_rebuild_window); None when there is none."""
    try:
        with connect(warehouse, read_only=True) as con:
            row = con.execute("select rebuild_from_date from staging.int_rebuild_window").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row and isinstance(row[0], dt.date) else None


def _columns(
    con: duckdb.DuckDBPyConnection, catalogs: list[str]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Each mart's columns (name, type, in order) by (catalog, table): one query for all of them
    (one per mart took 6 ms each)."""
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for catalog, table, name, data_type in con.execute(
        "select table_catalog, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog in (select unnest(?::varchar[])) and table_schema = 'marts' "
        "order by table_catalog, table_name, ordinal_position",
        [catalogs],
    ).fetchall():
        columns.setdefault((catalog, table), []).append((name, data_type))
    return columns


def _replace_days(
    con: duckdb.DuckDBPyConnection,
    table: str,
    since: dt.date | None,
    catalog: str,
    columns: dict[tuple[str, str], list[tuple[str, str]]],
) -> bool:
    """Replace the days from `since` on (and rows without a day) of the published `table` (in
    `catalog`, `con`'s own) with the warehouse's, when the two have the same columns (`_columns` of
    both catalogs) and the same rows before `since`; False (nothing done) otherwise, and for a mart
    without a day (DAY_COLUMNS)."""
    if since is None:
        return False
    published = columns.get((catalog, table), [])
    day = next((day for name, kind, day in DAY_COLUMNS if (name, kind) in published), None)
    if day is None or published != columns.get(("warehouse", table)):
        return False
    before = "select count(*), sum(hash(mart_row)::hugeint) from {} mart_row where " + day + " < ?"
    if (
        con.execute(before.format(f'marts."{table}"'), [since]).fetchone()
        != con.execute(before.format(f'warehouse.marts."{table}"'), [since]).fetchone()
    ):
        return False
    changed = f"{day} >= ? or {day} is null"
    con.execute(f'delete from marts."{table}" where {changed}', [since])
    con.execute(
        f'insert into marts."{table}" select * from warehouse.marts."{table}" where {changed}', [since]
    )
    return True
