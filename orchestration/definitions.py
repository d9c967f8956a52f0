"""The one Dagster ``Definitions`` of callmart: load assets upstream of the dbt assets, quality checks
on both, and the publish asset downstream of every mart."""

from dagster import Definitions, define_asset_job, in_process_executor
from dagster_dbt import DbtCliResource

from .checks import build_checks
from .dbt_assets import DBT_PROJECT, callmart_dbt_assets
from .load_assets import LOAD_ASSETS
from .publish_assets import build_publish_asset
from .resources import callmart_resource_from_env

_dbt_keys = set(callmart_dbt_assets.keys)
_known = {*_dbt_keys, *(key for a in LOAD_ASSETS for key in a.keys)}
# Publication waits for every loaded and built asset, so any blocking (error) check stops it.
publish_marts = build_publish_asset(
    sorted((k for k in _known if k.path[0] != "config"), key=lambda k: k.path)
)
quality_checks = build_checks(lambda key: key in _known)

# DuckDB has one writer at a time: every step of a run executes in one process, in order.
main_job = define_asset_job(
    "callmart_main",
    selection="*",
    description="Load the landing folder, build and test every model, check, publish.",
)

defs = Definitions(
    assets=[*LOAD_ASSETS, callmart_dbt_assets, publish_marts],
    asset_checks=quality_checks,
    jobs=[main_job],
    resources={
        "callmart": callmart_resource_from_env(),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir)),
    },
    executor=in_process_executor,
)
