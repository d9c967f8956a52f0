"""The one Dagster ``Definitions`` of callmart: load assets upstream of the dbt assets."""

from __future__ import annotations

from dagster import Definitions, define_asset_job, in_process_executor
from dagster_dbt import DbtCliResource

from .dbt_assets import DBT_PROJECT, callmart_dbt_assets
from .load_assets import LOAD_ASSETS
from .resources import callmart_resource_from_env

# DuckDB has one writer at a time: every step of a run executes in one process, in order.
main_job = define_asset_job(
    "callmart_main", selection="*", description="Load the landing folder, build and test every model."
)

defs = Definitions(
    assets=[*LOAD_ASSETS, callmart_dbt_assets],
    jobs=[main_job],
    resources={
        "callmart": callmart_resource_from_env(),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir)),
    },
    executor=in_process_executor,
)
