"""One Dagster asset per landing source: loads its files into ``raw.<source>`` (see loading/loader.py)."""

import time

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from .loading.contract import SOURCES, Source
from .loading.loader import Loader
from .resources import CallmartResource
from .warehouse import connect, hold


def build_load_asset(source: Source) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", source.name]),
        group_name="raw",
        description=f"{source.description} Files: {source.folder}/{' '.join(source.patterns)}.",
        kinds={"duckdb", "python"},
    )
    def _load(context: AssetExecutionContext, callmart: CallmartResource) -> MaterializeResult:
        callmart.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        hold(callmart.warehouse_path)  # the loads follow each other: the file is opened once
        with connect(callmart.warehouse_path) as con:
            result = Loader(con, callmart.landing_path, callmart.out.detail).load_source(source)
        seconds = time.monotonic() - started
        if not result.found:
            context.log.warning(f"no files for {source.name} in {callmart.landing_path / source.folder}")
        else:
            rate = f", {result.rows_loaded / seconds:,.0f} rows/s" if result.rows_loaded else ""
            callmart.out.line(
                f"load     {source.name:<16} {len(result.files)} file(s), {result.rows_loaded:,} rows new, "
                f"{result.rows_rejected:,} rejected in {seconds:.1f} s{rate}"
            )
        for f in result.files:
            if f.rows_rejected:
                context.log.warning(f"{f.path}: {f.rows_rejected} rejected lines (see raw.rejects)")
        return MaterializeResult(
            metadata={
                "found": result.found,
                "files": len(result.files),
                "files_changed": sum(f.status in ("loaded", "appended") for f in result.files),
                "rows_loaded": result.rows_loaded,
                "rows_rejected": result.rows_rejected,
                "rejects_per_file": {f.path: f.rows_rejected for f in result.files},
            }
        )

    return _load


LOAD_ASSETS = [build_load_asset(s) for s in SOURCES]
