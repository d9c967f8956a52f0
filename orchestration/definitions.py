"""The one Dagster ``Definitions`` of callmart: configuration and load assets upstream of the dbt
assets, quality checks on them, and the publish asset downstream of every mart.

`build_definitions(callmart)` makes them for one run's settings (`callmart run` passes its own
resource); `defs` is the lazy entry point for `dagster dev` and other Dagster tools, which read the
settings from CALLMART_* environment variables. Nothing is built or parsed at import.
"""

from __future__ import annotations

from dagster import Definitions, definitions, in_process_executor

from .bi_assets import SupersetResource, superset_dashboards
from .checks import build_checks
from .config_assets import configuration_tables
from .dbt_assets import build_dbt_assets, dbt_resource
from .docs_assets import build_docs_asset
from .jobs import live_job, main_job
from .load_assets import LOAD_ASSETS
from .publish_assets import build_publish_asset
from .report_jobs import email_reports_job
from .resources import CallmartResource
from .schedules import email_reports_schedule, nightly_full_build
from .sensors import landing_sensor


def build_definitions(callmart: CallmartResource | None = None) -> Definitions:
    callmart = callmart or CallmartResource.from_env()
    dbt_models = build_dbt_assets()
    known = {*dbt_models.keys, *configuration_tables.keys, *(key for a in LOAD_ASSETS for key in a.keys)}
    # Publication waits for every loaded and built asset, so any blocking (error) check stops it.
    publish_marts = build_publish_asset(
        sorted((k for k in known if k.path[0] != "config"), key=lambda k: k.path)
    )
    docs = build_docs_asset(sorted(dbt_models.keys, key=lambda k: k.path))
    return Definitions(
        assets=[configuration_tables, *LOAD_ASSETS, dbt_models, docs, publish_marts, superset_dashboards],
        asset_checks=build_checks(lambda key: key in known, callmart.target),
        jobs=[main_job, live_job, email_reports_job],
        schedules=[email_reports_schedule, nightly_full_build],
        sensors=[landing_sensor],
        resources={
            "callmart": callmart,
            "dbt": dbt_resource(callmart.target),
            "superset": SupersetResource.from_env(),
        },
        executor=in_process_executor,
    )


@definitions
def defs() -> Definitions:
    return build_definitions()
