"""What an incremental build rebuilds (orchestration/rebuild_plan.py): the models downstream of the raw
tables whose load-manifest rows changed since the last complete build, plus the models the build
watermark needs; on the project's own graph and on a load manifest of three files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration import rebuild_plan
from orchestration.dbt_assets import dbt_manifest


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(dbt_manifest().read_text())


def _names(manifest: dict, unique_ids: set[str]) -> set[str]:
    return {manifest["nodes"][uid]["name"] for uid in unique_ids}


def _always(manifest: dict) -> set[str]:
    """What any change rebuilds: what the build watermark needs (the rejects table, which no model
    reads, changed)."""
    return _names(manifest, rebuild_plan.models_to_rebuild(manifest, ["rejects"]))


def test_nothing_changed_rebuilds_nothing(manifest: dict) -> None:
    assert rebuild_plan.models_to_rebuild(manifest, []) == set()
    assert rebuild_plan.models_to_rebuild(manifest, ["no_such_source"]) == set()


def test_any_change_rebuilds_the_rebuild_window(manifest: dict) -> None:
    # the first day the new data touches; an incremental model whose inputs did not change is left
    assert _always(manifest) == {"int_rebuild_window"}


def test_new_orders_rebuild_what_reads_orders_only(manifest: dict) -> None:
    rebuilt = _names(manifest, rebuild_plan.models_to_rebuild(manifest, ["crm_orders"])) - _always(manifest)
    # dim_agent and int_campaigns read the orders (agents and campaigns that sold)
    assert {"stg_crm__orders", "fct_orders", "kpi_sales_daily", "dim_agent", "fct_dial_attempts"} <= rebuilt
    assert not rebuilt & {
        "stg_vicidial__attempts",
        "stg_wfm__schedules",
        "stg_config__queues",
        "kpi_inbound_daily",
    }


def test_new_queue_log_lines_rebuild_the_live_marts(manifest: dict) -> None:
    rebuilt = _names(manifest, rebuild_plan.models_to_rebuild(manifest, ["queue_log"]))
    assert {"kpi_live_queue", "kpi_live_agents", "kpi_inbound_daily", "fct_agent_states"} <= rebuilt
    assert "kpi_outbound_daily" not in rebuilt


def test_a_changed_loader_table_rebuilds_what_reads_it(manifest: dict) -> None:
    # int_queue_log_events reads the load manifest (log order): a change to any source's files counts
    rebuilt = _names(manifest, rebuild_plan.models_to_rebuild(manifest, ["load_manifest"]))
    assert {"int_queue_stints", "fct_queue_stints"} <= rebuilt


def test_a_view_is_never_rebuilt_but_what_reads_it_is(manifest: dict) -> None:
    # int_queue_log_events is a view over the queue_log staging: its query does not change with the data
    assert manifest["nodes"]["model.callmart.int_queue_log_events"]["config"]["materialized"] == "view"
    rebuilt = _names(manifest, rebuild_plan.models_to_rebuild(manifest, ["queue_log"]))
    assert "int_queue_log_events" not in rebuilt and "int_queue_stints" in rebuilt
    views = {n["name"] for n in manifest["nodes"].values() if n["config"].get("materialized") == "view"}
    assert len(views) >= 3 and not rebuilt & views


def test_no_model_reads_the_clock(manifest: dict) -> None:
    """A model's output is a function of its inputs (its 'now' is its newest event): the rule that
    lets an unchanged model stay as built. The plan would rebuild a clock reader every time."""
    readers = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and rebuild_plan.CLOCK.search(node["raw_code"])
    ]
    assert readers == []


def test_graph_order_puts_parents_first(manifest: dict) -> None:
    models = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"]
    order = rebuild_plan.graph_order(manifest, reversed(models))
    assert sorted(order) == sorted(models)
    position = {uid: i for i, uid in enumerate(order)}
    upstream = rebuild_plan.upstream_of(manifest)
    for uid in models:
        assert all(position[parent] < position[uid] for parent in upstream(uid) if parent in position)


def _loader_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema raw")
    con.execute(
        """create table raw.load_manifest as select * from (values
             (1, 'queue_log', 'queue_log', 100, 'h1', 'f1', 100, 4, false, 4, 0),
             (2, 'crm_orders', 'crm/orders.csv', 50, 'h2', 'f2', 50, 3, false, 2, 1),
             (3, 'crm_orders', 'crm/orders_2.csv', 20, 'h3', 'f3', 20, 1, false, 1, 0)
           ) t(file_id, source, path, size_bytes, content_hash, first_line_hash, byte_offset,
               lines_loaded, partial_line, rows_loaded, rows_rejected)"""
    )
    con.execute("create table raw.pii_salt as select 'salt-1' as salt")


def test_signatures_change_with_their_sources_rows(tmp_path: Path) -> None:
    con = duckdb.connect()
    _loader_tables(con)
    sources = ["queue_log", "crm_orders", "cdr", "load_manifest", "rejects", "pii_salt"]
    before = rebuild_plan.source_signatures(con, sources)
    assert before == rebuild_plan.source_signatures(con, sources)  # a function of the content
    con.execute("update raw.load_manifest set byte_offset = 140, lines_loaded = 6 where file_id = 1")  # grew
    after = rebuild_plan.source_signatures(con, sources)
    changed = {name for name in sources if before[name] != after[name]}
    assert changed == {"queue_log", "load_manifest", "rejects"}
    con.execute("update raw.pii_salt set salt = 'salt-2'")
    assert rebuild_plan.source_signatures(con, sources)["pii_salt"] != after["pii_salt"]
    # recorded per build fingerprint: another fingerprint has none on record
    path = tmp_path / "source_signatures.json"
    rebuild_plan.record(path, "fingerprint-1", after)
    assert rebuild_plan.recorded(path, "fingerprint-1") == after
    assert rebuild_plan.recorded(path, "fingerprint-2") is None
    path.write_text("{damaged")
    assert rebuild_plan.recorded(path, "fingerprint-1") is None
