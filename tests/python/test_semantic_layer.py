"""The semantic layer: every metric, asked for by name through `callmart metrics`, equals its mart.

Each metric names its mart in `meta` (models/marts/*/_*__semantic.yml). At the mart's own grain a
metric equals the mart's column row for row; rolled up (by month, by client) it equals the mart's
columns aggregated the same way: sums summed, rates re-divided from the sums of their numerator and
denominator, never averaged. Lead counts (distinct over a period) equal the whole-campaign mart.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.cli import main
from orchestration.dbt_assets import dbt_manifest
from orchestration.generate import generate
from orchestration.metrics import MetricsQuery, run_query
from orchestration.metrics.query import semantic_manifest_file
from orchestration.settings import StatePaths

from .conftest import TEST_SALT_VARS

# the grain of each mart, as `--by` items, and the mart column each item is
GRAIN = {
    "kpi_inbound_daily": ("day", "client", "queue"),
    "kpi_calls_daily": ("day", "client"),
    "kpi_agent_daily": ("day", "agent"),
    "kpi_outbound_daily": ("day", "campaign"),
    "kpi_outbound_agent_daily": ("day", "agent", "campaign"),
    "kpi_sales_daily": ("day", "client", "campaign"),
    "kpi_plan_fulfilment": ("plan",),
    "kpi_quality_daily": ("day", "client", "channel"),
    "kpi_satisfaction_daily": ("day", "client", "channel"),
    "kpi_esat_monthly": ("month", "esat_team"),
}
TIME_COLUMN = {"kpi_plan_fulfilment": "period_start", "kpi_esat_monthly": "month"}
KEY_COLUMN = {
    "client": "client_id",
    "queue": "queue",
    "agent": "agent_id",
    "campaign": "campaign_id",
    "channel": "channel",
    "plan": "plan_row",
    "esat_team": "team",
}

# Every KPI of docs/kpis.md, by the metric that answers it.
KPIS = [
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_sl",
    "abandoned_within_sl",
    "sl_answered",
    "sl_offered",
    "sl_offered_excl_short",
    "sl_inclusive",
    "service_level",
    "abandon_rate",
    "asa_s",
    "avg_abandon_wait_s",
    "max_wait_s",
    "talk_s",
    "acw_s",
    "handled",
    "aht_s",
    "transferred",
    "routing_accuracy",
    "repeat_calls",
    "repeat_call_rate",
    "call_offered",
    "call_answered",
    "call_abandoned",
    "call_short_abandoned",
    "call_answered_within_sl",
    "call_service_level",
    "call_abandon_rate",
    "call_asa_s",
    "logged_in_s",
    "paused_s",
    "paused_acw_s",
    "paused_break_s",
    "paused_lunch_s",
    "paused_training_s",
    "paused_meeting_s",
    "paused_other_s",
    "agent_acw_s",
    "agent_talk_s",
    "available_s",
    "idle_s",
    "calls_handled",
    "missed_rings",
    "occupancy",
    "utilization",
    "calls_per_hour",
    "agent_aht_s",
    "adherence",
    "adherent_s",
    "scheduled_s",
    "records_total",
    "records_processed",
    "attempts",
    "connected",
    "human",
    "decision_maker",
    "purpose_discussed",
    "result",
    "sales",
    "k1_connect_rate",
    "k2_human_rate",
    "k3_decision_maker_rate",
    "k4_full_contact_rate",
    "k5_result_rate",
    "completion_rate",
    "completion_rate_processed",
    "reachability",
    "records_reached",
    "closure_rate",
    "outbound_talk_s",
    "revenue",
    "profit",
    "orders",
    "items",
    "avg_check",
    "avg_items_per_check",
    "refunded_orders",
    "refunded_amount",
    "plan_fulfilment",
    "fcr_rate",
    "cases",
    "fcr_cases",
    "resolution_rate",
    "inbound_contacts",
    "resolved_contacts",
    "csat_pct",
    "csat_avg",
    "csat_answers",
    "csat_score_sum",
    "nps",
    "nps_answers",
    "promoters",
    "detractors",
    "esat_pct",
    "esat_avg",
    "esat_answers",
    "esat_score_sum",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo warehouse over a month boundary (so that months roll up more than one day)."""
    root = tmp_path_factory.mktemp("semantic")
    landing = root / "landing"
    generate(landing, days=4, agents=12, seed=5, start=date(2026, 10, 30))
    warehouse = root / "wh.duckdb"
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "data"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*args, "--vars", TEST_SALT_VARS]) == 0
    return warehouse


@pytest.fixture(scope="module")
def published(warehouse: Path) -> Path:
    return StatePaths(warehouse).published


@pytest.fixture(scope="module")
def metrics() -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in json.loads(semantic_manifest_file().read_text())["metrics"]}


def _meta(metric: dict[str, Any]) -> dict[str, Any]:
    return metric.get("config", {}).get("meta") or metric.get("meta") or {}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _same(a: Any, b: Any) -> bool:
    a, b = _value(a), _value(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _key_sql(mart: str, item: str) -> str:
    time_column = TIME_COLUMN.get(mart, "date_local")
    if item == "day":
        return f"cast({time_column} as date)"
    if item == "month":
        return f"cast(date_trunc('month', {time_column}) as date)"
    return KEY_COLUMN[item]


def _column(metric: dict[str, Any]) -> str:
    column = _meta(metric).get("column")
    return metric["name"] if column is None else column


def _rollup_sql(metric: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> str:
    """The metric over a group of mart rows, aggregated as the semantic layer must."""
    meta = _meta(metric)
    if "rollup" in meta:
        return meta["rollup"]
    if metric["type"] == "ratio":
        numerator = metrics[metric["type_params"]["numerator"]["name"]]
        denominator = metrics[metric["type_params"]["denominator"]["name"]]
        return f"cast({_rollup_sql(numerator, metrics)} as double) / nullif({_rollup_sql(denominator, metrics)}, 0)"
    return f"{meta.get('agg', 'sum')}({_column(metric)})"


def _by_key(columns: list[str], rows: list[tuple], keys: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
    positions = [columns.index(k) for k in keys]
    return {tuple(_value(row[p]) for p in positions): dict(zip(columns, row, strict=True)) for row in rows}


def _compare(
    published: Path,
    mart: str,
    names: list[str],
    by: tuple[str, ...],
    expected_sql: dict[str, str],
    rolled_up: bool = True,
) -> list[str]:
    """Differences between `callmart metrics` and the mart for these metrics at this grain (the mart's
    rows aggregated by it, or as they are at the mart's own grain)."""
    result = run_query(published, MetricsQuery(tuple(names), by))
    got = _by_key(result.columns, result.rows, by)
    keys = ", ".join(f"{_key_sql(mart, b)} as {b}" for b in by)
    selected = ", ".join(f"{sql} as {name}" for name, sql in expected_sql.items())
    group = f" group by {', '.join(_key_sql(mart, b) for b in by)}" if by and rolled_up else ""
    sql = f"select {keys + ', ' if keys else ''}{selected} from marts.{mart}{group}"
    with duckdb.connect(str(published), read_only=True) as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        expected = _by_key(columns, cursor.fetchall(), by)
    assert expected, f"{mart}: no rows to compare by {by}"
    problems = []
    for key, row in expected.items():
        if key not in got:
            problems.append(f"{mart} by {by}: no row for {key}")
            continue
        for name in expected_sql:
            if not _same(got[key][name], row[name]):
                problems.append(f"{name} by {by} at {key}: metrics {got[key][name]!r}, mart {row[name]!r}")
    return problems


def test_every_kpi_of_the_spec_has_a_metric(metrics: dict[str, dict[str, Any]]) -> None:
    assert sorted(set(KPIS) - set(metrics)) == []
    assert [m for m in metrics.values() if _meta(m).get("mart") not in GRAIN] == []


def test_every_metric_equals_its_mart_at_the_marts_grain(
    published: Path, metrics: dict[str, dict[str, Any]]
) -> None:
    problems: list[str] = []
    for mart, grain in GRAIN.items():
        mine = [m for m in metrics.values() if _meta(m)["mart"] == mart and _column(m) != ""]
        expected = {m["name"]: _column(m) for m in mine}
        problems += _compare(published, mart, list(expected), grain, expected, rolled_up=False)
    assert problems == []


def test_every_metric_rolls_up_by_month_and_by_client_as_its_sums_do(
    published: Path, metrics: dict[str, dict[str, Any]]
) -> None:
    problems: list[str] = []
    compared = 0
    for mart, grain in GRAIN.items():
        mine = [m for m in metrics.values() if _meta(m)["mart"] == mart and not _meta(m).get("distinct")]
        expected = {m["name"]: _rollup_sql(m, metrics) for m in mine}
        rollups = [("month",)] + ([("client",)] if "client" in grain or mart == "kpi_outbound_daily" else [])
        for by in rollups:
            problems += _compare(published, mart, list(expected), by, expected)
            compared += len(expected)
    assert problems == []
    assert compared > 2 * 100


def test_lead_counts_over_a_whole_campaign_equal_the_campaign_mart(
    published: Path, metrics: dict[str, dict[str, Any]]
) -> None:
    """Distinct leads are never sums of days: over all time they are the campaign mart's figures."""
    distinct = [name for name, m in metrics.items() if _meta(m).get("distinct")]
    assert sorted(distinct) == [
        "completion_rate",
        "completion_rate_processed",
        "reachability",
        "records_processed",
        "records_reached",
        "records_total",
    ]
    expected = {name: name for name in distinct}
    assert (
        _compare(published, "kpi_outbound_campaign", distinct, ("campaign",), expected, rolled_up=False) == []
    )


def test_callmart_metrics_prints_the_numbers(
    warehouse: Path, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "service_level,offered", "--by", "month,client", "--warehouse", str(warehouse)]
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    sql = (
        "select client_id, cast(date_trunc('month', date_local) as date) as month, sum(offered), "
        "cast(sum(sl_numerator) as double) / nullif(sum(sl_denominator), 0) from marts.kpi_inbound_daily "
        "group by all"
    )
    with duckdb.connect(str(published), read_only=True) as con:
        expected = {(c, m.isoformat()): (o, sl) for c, m, o, sl in con.execute(sql).fetchall()}
    assert {
        (r["client"], r["month"]): (int(r["offered"]), float(r["service_level"])) for r in rows
    } == expected
    assert len(expected) >= 2

    assert (
        main([*args[:2], "--by", "month", "--where", "client = 'acme'", "--warehouse", str(warehouse)]) == 0
    )
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["month", "service_level", "offered"] and len(table) >= 3

    assert main(["metrics", "servce_level", "--by", "month", "--warehouse", str(warehouse)]) == 2
    assert "service_level" in capsys.readouterr().err  # MetricFlow's suggestion

    assert main(["metrics", "--saved-query", "monthly_service_level", "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:3] == ["month", "client", "service_level"]


def test_exposures_name_what_each_dashboard_reads() -> None:
    """`dbt ls --select +exposure:<name>` must show what feeds a dashboard: the exposures' marts are the
    marts the dashboards' datasets read."""
    import re

    from orchestration.bi.bundle import DASHBOARDS, DATASETS

    manifest = json.loads(dbt_manifest().read_text())
    exposures = {
        e["url"].rstrip("/").rsplit("/", 1)[-1]: {n.split(".")[-1] for n in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
        if e.get("url")
    }
    for dashboard in DASHBOARDS:
        marts: set[str] = set()
        for name in {chart.dataset for chart in dashboard.charts}:
            dataset = DATASETS[name]
            marts |= set(re.findall(r"marts\.(\w+)", dataset.sql)) if dataset.sql else {name}
        assert exposures.get(dashboard.slug) == marts, dashboard.slug


def test_every_run_generates_the_docs_site_with_every_model_and_column_described(warehouse: Path) -> None:
    from orchestration.quality.docs_coverage import undocumented

    target = StatePaths(warehouse).dbt_target
    assert (target / "index.html").is_file()
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 60 and len(catalog["nodes"]) >= 60
    assert undocumented(manifest, catalog) == []
    # what the docs check reports on a run that finds the site current (docs_assets.py)
    assert json.loads((target / "docs_undocumented.json").read_text()) == []
    # a KPI column's description is its definition's doc block, rendered
    inbound = manifest["nodes"]["model.callmart.kpi_inbound_daily"]["columns"]
    assert (
        inbound["abandon_rate"]["description"]
        == "(abandoned - short_abandoned) / (offered - short_abandoned)."
    )


def test_the_docs_check_names_a_model_or_column_without_a_description() -> None:
    from orchestration.quality.docs_coverage import undocumented

    manifest = {
        "nodes": {
            "model.callmart.kpi_x": {
                "resource_type": "model",
                "package_name": "callmart",
                "name": "kpi_x",
                "description": "Grain: x.",
                "columns": {"a": {"description": "A."}, "b": {"description": " "}},
            },
            "model.callmart.int_y": {
                "resource_type": "model",
                "package_name": "callmart",
                "name": "int_y",
                "description": "",
                "columns": {},
            },
        }
    }
    catalog = {"nodes": {"model.callmart.kpi_x": {"columns": {"a": {}, "B": {}, "c": {}}}}}
    assert undocumented(manifest, catalog) == ["model int_y", "column kpi_x.B", "column kpi_x.c"]


def test_renaming_a_public_mart_column_fails_the_build(warehouse: Path, tmp_path: Path) -> None:
    """The marts are under an enforced dbt contract (names and types): a model that renames a column
    its YAML promises does not build, so a breaking change never reaches dashboards silently."""
    import shutil
    import subprocess

    from orchestration.dbt_assets import dbt_executable, write_profile
    from orchestration.settings import PROJECT_DIR

    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds", "tests"):
        source = PROJECT_DIR / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, project / name)
    copied = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, copied)
    profiles = write_profile(StatePaths(copied))

    def build() -> subprocess.CompletedProcess[str]:
        command = [dbt_executable(), "run", "--select", "kpi_sales_daily", "--project-dir", str(project)]
        command += ["--profiles-dir", str(profiles), "--target-path", str(tmp_path / "target")]
        command += ["--log-path", str(tmp_path / "logs"), "--vars", TEST_SALT_VARS]
        return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)

    assert build().returncode == 0
    model = project / "models" / "marts" / "sales" / "kpi_sales_daily.sql"
    sql = model.read_text()
    assert sql.rstrip().endswith("select * from final")
    model.write_text(
        sql.rstrip().removesuffix("select * from final")
        + "select * rename (orders as order_count) from final\n"
    )
    renamed = build()
    assert renamed.returncode != 0
    assert "contract" in renamed.stdout.lower() and "order_count" in renamed.stdout, renamed.stdout
