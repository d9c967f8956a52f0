"""The dbt project as Dagster assets (dagster-dbt), downstream of the load assets."""

import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from .resources import CallmartResource
from .seeds import prepare_seed_dir
from .settings import PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def _put_dbt_on_path() -> None:
    """dbt is installed beside this interpreter; find it even when the virtualenv is not activated."""
    bin_dir = str(Path(sys.executable).parent)
    if shutil.which("dbt") is None and (Path(bin_dir) / "dbt").exists():
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


_put_dbt_on_path()


def _project_changed_since(stamp: float) -> bool:
    """Has any file dbt parses changed after `stamp` (a manifest's mtime)?"""
    roots = [PROJECT_DIR / d for d in ("models", "macros", "tests/dbt", "seeds")]
    files = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    files += [p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > stamp for p in files)


def ensure_manifest() -> None:
    """Parse the dbt project when there is no manifest yet (a fresh clone), when a model, macro,
    test or seed changed since it was written (a stale one names models that no longer match), or
    under `dagster dev`."""
    DBT_PROJECT.prepare_if_dev()
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists() or _project_changed_since(manifest.stat().st_mtime):
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)


class CallmartTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the load assets write; models are keyed by schema and name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        if dbt_resource_props["resource_type"] == "seed":
            return AssetKey(["config", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


ensure_manifest()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=CallmartTranslator()
)
def callmart_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, callmart: CallmartResource
) -> Iterator[Any]:
    """Seeds (shipped defaults overlaid by the user's configuration), staging, marts and their tests."""
    seed_dir, used = prepare_seed_dir(callmart.config_path)
    if used:
        context.log.info(f"configuration from {callmart.config_path}: {', '.join(used)}")
    os.environ["CALLMART_SEED_DIR"] = str(seed_dir)
    os.environ["CALLMART_WAREHOUSE"] = str(callmart.warehouse_path)
    args = ["build"]
    if callmart.dbt_vars:
        args += ["--vars", json.dumps(callmart.dbt_vars)]
    yield from dbt.cli(args, context=context).stream()
