"""What BI and finance read: a published copy of the `marts` schema in its own DuckDB file.

DuckDB allows one writer or many readers, never both: readers (Superset, notebooks) open the
published copy, never the warehouse the pipeline writes. The copy is written to a temporary file and
renamed into place, so a reader never sees half of it; it is only made when every blocking (error)
check upstream passed. A run that builds some of the marts (the live job) publishes those and keeps
the others as the last publication had them: the warehouse's may come from a run whose checks
failed (docs/decisions.md, "The live job").
"""

import shutil
import time

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from .resources import CallmartResource
from .warehouse import connect

PUBLISH_KEY = AssetKey(["publish", "marts"])


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
        if not every_mart and target.exists():
            shutil.copyfile(target, partial)  # the last publication, its marts replaced below
        with connect(partial) as con:
            con.execute(f"attach '{callmart.warehouse_path}' as warehouse (read_only)")
            con.execute("create schema if not exists marts")
            last = set(_marts(con, partial.stem))  # none when the copy starts afresh
            republished = [table for table in _marts(con, "warehouse") if every_mart or table in built]
            for table in republished:
                con.execute(
                    f'create or replace table marts."{table}" as select * from warehouse.marts."{table}"'
                )
            con.execute("detach warehouse")
        partial.replace(target)
        kept = last - set(republished)
        missing = sorted(project_marts - built - last)
        notes = "" if every_mart else f", {len(kept)} kept from the last publication"
        notes += f", not yet published: {', '.join(missing)}" if missing else ""
        context.log.info(f"published {len(republished)} marts to {target}{notes}")
        callmart.out.line(
            f"publish  {len(republished)} marts -> {target}{notes} in {time.monotonic() - started:.1f} s"
        )
        return MaterializeResult(metadata={"path": str(target), "tables": len(republished) + len(kept)})

    return publish_marts


def _marts(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = 'marts' order by 1",
            [catalog],
        ).fetchall()
    ]
