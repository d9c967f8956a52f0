"""What BI and finance read: a published copy of the `marts` schema in its own DuckDB file.

DuckDB allows one writer or many readers, never both: readers (Superset, notebooks) open the
published copy, never the warehouse the pipeline writes. The copy is written to a temporary file and
renamed into place, so a reader never sees half of it; it is only made when every blocking (error)
check upstream passed.
"""

import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from .resources import CallmartResource
from .warehouse import connect

PUBLISH_KEY = AssetKey(["publish", "marts"])


def build_publish_asset(upstream: list[AssetKey]):  # type: ignore[no-untyped-def]
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
        with connect(partial) as con:
            con.execute(f"attach '{callmart.warehouse_path}' as warehouse (read_only)")
            con.execute("create schema marts")
            tables = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = 'warehouse' and table_schema = 'marts' order by 1"
                ).fetchall()
            ]
            for table in tables:
                con.execute(f'create table marts."{table}" as select * from warehouse.marts."{table}"')
            con.execute("detach warehouse")
        partial.replace(target)
        context.log.info(f"published {len(tables)} marts to {target}")
        callmart.out.line(f"publish  {len(tables)} marts -> {target} in {time.monotonic() - started:.1f} s")
        return MaterializeResult(metadata={"path": str(target), "tables": len(tables)})

    return publish_marts
