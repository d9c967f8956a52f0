"""The one Dagster Definitions loads, with configuration and load assets upstream of the dbt assets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, Definitions

from orchestration.resources import CallmartResource


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    from orchestration.definitions import build_definitions

    root = tmp_path_factory.mktemp("defs")
    return build_definitions(CallmartResource.for_run(landing=root / "landing", warehouse=root / "wh.duckdb"))


def test_definitions_load_with_every_source_upstream_of_staging(defs: Definitions) -> None:
    from orchestration.configuration.schema import SEEDS
    from orchestration.loading.contract import SOURCES

    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for source in SOURCES:
        assert AssetKey(["raw", source.name]) in keys
    staging = graph.get(AssetKey(["staging", "stg_asterisk__queue_log"]))
    assert AssetKey(["raw", "queue_log"]) in staging.parent_keys
    assert AssetKey(["raw", "crm_orders"]) in graph.get(AssetKey(["staging", "stg_crm__orders"])).parent_keys
    for seed in SEEDS:  # every seed is written by the configuration asset and read by its staging model
        parents = graph.get(AssetKey(["staging", f"stg_config__{seed.name}"])).parent_keys
        assert parents == {AssetKey(["config", seed.name])}, seed.name
        assert not graph.get(AssetKey(["config", seed.name])).parent_keys
    assert defs.resolve_job_def("callmart_main") is not None


def test_the_live_job_builds_what_the_wallboard_reads_and_publishes(defs: Definitions) -> None:
    live = defs.resolve_job_def("callmart_live")
    selected = live.asset_layer.selected_asset_keys
    for key in (["marts", "kpi_live_queue"], ["marts", "kpi_live_agents"], ["marts", "kpi_inbound_daily"],
                ["raw", "queue_log"], ["config", "queues"], ["publish", "marts"]):  # fmt: skip
        assert AssetKey(key) in selected, key
    for key in (["marts", "kpi_calls_daily"], ["marts", "kpi_outbound_daily"], ["bi", "superset"]):
        assert AssetKey(key) not in selected, key
    # its dbt tests, not the Great Expectations suites (the main run's: docs/decisions.md)
    checks = {key.name for key in live.asset_layer.asset_graph.asset_check_keys}
    assert {"queue_log_connect_never_completed", "unique_kpi_live_agents_agent_id"} <= checks
    assert not checks & {"raw_queue_log_schema", "staging_queue_log_types"}


def test_every_suite_and_dbt_test_is_an_asset_check_and_publish_waits_for_all(defs: Definitions) -> None:
    """A heuristic dbt test reading several models is a check on the one it is about (its meta)."""
    from orchestration.quality.gx_suites import load_suites

    graph = defs.resolve_asset_graph()
    check_keys = set(graph.asset_check_keys)
    heuristics = Path(__file__).parents[1] / "dbt" / "heuristics"
    attached = {
        "queue_log_connect_never_completed": ["staging", "stg_asterisk__queue_log"],
        "queue_log_stint_never_ended": ["marts", "fct_queue_stints"],
        "cdr_billsec_over_duration": ["staging", "stg_asterisk__cdr"],
        "dialer_attempts_for_unknown_leads": ["staging", "stg_vicidial__attempts"],
        "inbound_volume_drop": ["marts", "kpi_inbound_interval"],
        "sources_fresh": ["staging", "stg_asterisk__queue_log"],
    }
    names = {path.stem for path in heuristics.glob("*.sql")}
    assert set(attached) <= names and len(names) == 9
    for name, key in attached.items():
        assert AssetCheckKey(AssetKey(key), name) in check_keys, name
    for suite in load_suites():
        assert AssetCheckKey(AssetKey(list(suite.asset)), suite.name) in check_keys
    publish = graph.get(AssetKey(["publish", "marts"]))
    assert AssetKey(["staging", "stg_asterisk__cdr"]) in publish.parent_keys
    assert AssetKey(["marts", "kpi_inbound_daily"]) in publish.parent_keys


def test_importing_the_definitions_module_is_light() -> None:
    """No dbt parse, no Definitions built, no environment change at import (dagster loads `defs` lazily)."""
    code = (
        "import os, sys; before = dict(os.environ); import orchestration.definitions as d; "
        "assert dict(os.environ) == before; assert 'dbt.cli.main' not in sys.modules; "
        "assert not isinstance(d.defs, __import__('dagster').Definitions); print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent
    )
    assert done.stdout.strip() == "ok", done.stderr
