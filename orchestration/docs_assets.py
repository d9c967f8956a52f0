"""The docs site: `dbt docs generate` after a main build whose models, vars or configuration changed
(the site describes the project and the tables' columns, not their rows), beside the warehouse, and a
check that every model and column has a description. `callmart docs` serves it."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from .dbt_assets import run_dbt_on_warehouse
from .quality.docs_coverage import undocumented
from .resources import CallmartResource
from .settings import replace_file

DOCS_KEY = AssetKey(["docs", "dbt"])
DESCRIBED_CHECK = "every_model_and_column_described"
UNDOCUMENTED = "docs_undocumented.json"  # beside the site: what the check reports


def build_docs_asset(upstream: list[AssetKey]):  # type: ignore[no-untyped-def]
    @asset(
        key=DOCS_KEY,
        deps=upstream,
        group_name="docs",
        description="dbt's docs site (lineage, every model and column, the KPI definitions) for "
        "`callmart docs`; generated on the DuckDB warehouse.",
        check_specs=[
            AssetCheckSpec(
                DESCRIBED_CHECK,
                asset=DOCS_KEY,
                description="Lists any model or column without a description (warn: it never stops "
                "publication).",
            )
        ],
    )
    def dbt_docs(context: AssetExecutionContext, callmart: CallmartResource) -> Iterator[object]:
        paths = callmart.paths
        if callmart.target != "duckdb":  # the marts are mirrored back; the site describes the project
            yield MaterializeResult(metadata={"skipped": f"generated on duckdb runs, not {callmart.target}"})
            yield AssetCheckResult(
                check_name=DESCRIBED_CHECK, passed=True, description="not checked on this target"
            )
            return
        started = time.monotonic()
        stamp = paths.dbt_target / "docs_fingerprint"
        # what the dbt step recorded for this complete build (none after an incomplete one)
        built = paths.build_fingerprint(callmart.target)
        fingerprint = built.read_text() if built.is_file() else ""
        site = [
            paths.dbt_target / name for name in ("index.html", "catalog.json", "manifest.json", stamp.name)
        ]
        current = (
            bool(fingerprint) and all(path.is_file() for path in site) and stamp.read_text() == fingerprint
        )
        if not current:
            stamp.unlink(missing_ok=True)
            # the catalog and lineage; compiling every model again would double the time
            args = ["docs", "generate", "--no-compile"]
            done = run_dbt_on_warehouse(args, paths, paths.dbt_target, callmart.build_vars)
            if done.returncode != 0:
                raise RuntimeError(f"dbt docs generate failed:\n{done.stdout}\n{done.stderr}")
            _record_undocumented(paths.dbt_target)  # before the stamp: a stamped site has its list
            stamp.write_text(fingerprint)
        missing = _undocumented(paths.dbt_target)
        state = "unchanged (same models, vars and configuration)" if current else "generated"
        callmart.out.line(
            f"docs     {paths.dbt_target / 'index.html'} {state} in {time.monotonic() - started:.0f} s"
            + (f", {len(missing)} models or columns undocumented" if missing else "")
        )
        yield MaterializeResult(
            metadata={"site": str(paths.dbt_target / "index.html"), "regenerated": not current}
        )
        yield AssetCheckResult(
            check_name=DESCRIBED_CHECK,
            passed=not missing,
            severity=AssetCheckSeverity.WARN,
            description=f"{len(missing)} undocumented: {', '.join(missing[:10])}" if missing else None,
            metadata={"undocumented": MetadataValue.json(missing)},
        )

    return dbt_docs


def _record_undocumented(target: Path) -> list[str]:
    """The site's undocumented models and columns, from its manifest and catalog (megabytes of JSON),
    kept beside them."""
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    missing = undocumented(manifest, catalog)
    replace_file(target / UNDOCUMENTED, json.dumps(missing))
    return missing


def _undocumented(target: Path) -> list[str]:
    """The list `_record_undocumented` kept (a site generated before it kept one: made now)."""
    kept = target / UNDOCUMENTED
    return list(json.loads(kept.read_text())) if kept.is_file() else _record_undocumented(target)
