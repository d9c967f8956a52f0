"""The one Dagster Definitions loads, with load assets upstream of the dbt assets."""

from __future__ import annotations

from dagster import AssetKey


def test_definitions_load_with_every_source_upstream_of_staging() -> None:
    from orchestration.definitions import defs
    from orchestration.loading.contract import SOURCES

    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for source in SOURCES:
        assert AssetKey(["raw", source.name]) in keys
    staging = graph.get(AssetKey(["staging", "stg_asterisk__queue_log"]))
    assert AssetKey(["raw", "queue_log"]) in staging.parent_keys
    assert AssetKey(["raw", "crm_orders"]) in graph.get(AssetKey(["staging", "stg_crm__orders"])).parent_keys
    assert (
        AssetKey(["config", "clients"]) in graph.get(AssetKey(["staging", "stg_config__clients"])).parent_keys
    )
    assert defs.resolve_job_def("callmart_main") is not None


def test_every_suite_and_sql_check_is_an_asset_check_and_publish_waits_for_all() -> None:
    from dagster import AssetCheckKey

    from orchestration.definitions import defs
    from orchestration.quality.gx_suites import load_suites
    from orchestration.quality.sql_checks import SQL_CHECKS

    graph = defs.resolve_asset_graph()
    check_keys = set(graph.asset_check_keys)
    for check in SQL_CHECKS:
        assert AssetCheckKey(AssetKey(list(check.asset)), check.name) in check_keys
    for suite in load_suites():
        assert AssetCheckKey(AssetKey(list(suite.asset)), suite.name) in check_keys
    publish = graph.get(AssetKey(["publish", "marts"]))
    assert AssetKey(["staging", "stg_asterisk__cdr"]) in publish.parent_keys
    assert AssetKey(["marts", "kpi_inbound_daily"]) in publish.parent_keys
