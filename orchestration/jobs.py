"""The asset jobs: the main job (`callmart run`, the nightly build, new landing files) and the live
job (the wallboard refresh the landing sensor starts when the live queue_log grows)."""

from dagster import AssetCheckKey, AssetKey, AssetSelection, define_asset_job

from .config_assets import configuration_tables
from .publish_assets import PUBLISH_KEY
from .quality.gx_suites import load_suites
from .settings import LIVE_JOB, LIVE_MARTS, MAIN_JOB

# DuckDB has one writer at a time: every step of a run executes in one process, in order
# (the Definitions' in-process executor).
main_job = define_asset_job(
    MAIN_JOB,
    selection="*",
    description="Validate and write the configuration, load the landing folder, build and test "
    "every model, check, publish.",
)


def live_selection() -> AssetSelection:
    """The live marts and everything upstream (the configuration as a whole: one step writes it),
    the publish asset, and every dbt test on them; not the Great Expectations suites, which check
    the raw files' schemas and the staged types on samples: the loader has rejected every line that
    breaks the contract, and GX's import alone would take a fifth of the run. The next main run (at
    most an hour later) validates them, and a failing suite stops its publication of everything
    (docs/decisions.md, 'The live job')."""
    upstream = AssetSelection.assets(*(AssetKey(["marts", name]) for name in LIVE_MARTS)).upstream()
    selected = (
        upstream | AssetSelection.assets(*configuration_tables.keys) | AssetSelection.assets(PUBLISH_KEY)
    )
    suites = [AssetCheckKey(AssetKey(list(suite.asset)), suite.name) for suite in load_suites()]
    return selected - AssetSelection.checks(*suites)


live_job = define_asset_job(
    LIVE_JOB,
    selection=live_selection(),
    description="The wallboard refresh: load what is new, build and check the models the live marts "
    "read (incremental), publish. The other marts wait for the next main run (docs/decisions.md, "
    "'The live job').",
)
