"""The dashboards as code: datasets with metrics, charts and dashboards, written deterministically
into Superset's import bundle (a ZIP of YAML), with stable UUIDs (uuid5 of a name).

Every ratio is a metric of sums of the marts' numerators and denominators, never an average of
rates, so any filter or roll-up re-divides sums. Column descriptions come from the dbt docs.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ..settings import pause_categories

NAMESPACE = uuid.UUID("6b1f7f4e-3c0a-4f55-9d0c-2f6f1f0c9a11")
DATABASE_NAME = "callmart"
ROOT = "callmart_bundle"


def stable_uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"callmart/{kind}/{name}"))


def ratio(numerator: str, denominator: str) -> str:
    return f"sum({numerator}) / nullif(sum({denominator}), 0)"


PCT = ".1%"
SECONDS = ",.1f"
NUMBER = ",d"

INBOUND_METRICS = {
    "offered": ("sum(offered)", NUMBER, "Stints with a terminal event."),
    "answered": ("sum(answered)", NUMBER, "Answered stints."),
    "abandoned": ("sum(abandoned)", NUMBER, "Abandoned stints."),
    # each queue's own formula (sl_formula), rolled up by re-dividing the marts' numerator and denominator
    "service_level": (
        ratio("sl_numerator", "sl_denominator"),
        PCT,
        "Service level by each queue's sl_formula.",
    ),
    "sl_answered": (ratio("answered_within_sl", "answered"), PCT, "answered_within_sl / answered."),
    "sl_offered_excl_short": (
        ratio("answered_within_sl", "offered - short_abandoned"),
        PCT,
        "answered_within_sl / (offered - short_abandoned).",
    ),
    "sl_target": ("max(sl_target)", PCT, "The queue's target service level."),
    "abandon_rate": (ratio("abandoned - short_abandoned", "offered - short_abandoned"), PCT, "Abandon rate."),
    "asa_s": (ratio("wait_answered_s", "answered"), SECONDS, "Average speed of answer, seconds."),
    "max_wait_s": ("max(max_wait_s)", SECONDS, "Longest wait of any offered stint, seconds."),
    "aht_s": (ratio("handle_s", "handled"), SECONDS, "Average handling time (talk + ACW), seconds."),
}


@dataclass(frozen=True)
class Dataset:
    name: str  # the mart, or a virtual dataset's name
    metrics: dict[str, tuple[str, str, str]]
    time_column: str | None = "date_local"
    sql: str | None = None  # a virtual dataset
    computed: dict[str, str] = field(default_factory=dict)  # extra columns as SQL expressions

    @property
    def uuid(self) -> str:
        return stable_uuid("dataset", self.name)


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("kpi_inbound_daily", INBOUND_METRICS),
        Dataset(
            "kpi_inbound_interval",
            INBOUND_METRICS,
            time_column="interval_start",
            computed={
                "weekday": "strftime(date_local, '%u %a')",
                "time_of_day": "strftime(interval_start, '%H:%M')",
            },
        ),
        Dataset(
            "kpi_agent_daily",
            {
                "occupancy": (ratio("handle_s", "available_s"), PCT, "(talk + ACW) / available."),
                "utilization": (ratio("handle_s", "logged_in_s"), PCT, "(talk + ACW) / logged in."),
                "adherence": (ratio("adherent_s", "scheduled_s"), PCT, "Adherent / scheduled seconds."),
                "aht_s": (ratio("handle_s", "calls_handled"), SECONDS, "(talk + ACW) / calls handled."),
                "calls_per_hour": (
                    "sum(calls_handled) / nullif(sum(logged_in_s) / 3600.0, 0)",
                    ",.2f",
                    "Calls handled per logged-in hour.",
                ),
                "calls_handled": ("sum(calls_handled)", NUMBER, "Handled stints."),
                **{
                    f"paused_{c}_h": (f"sum(paused_{c}_s) / 3600.0", ",.1f", f"Hours paused for {c}.")
                    for c in pause_categories()
                },
            },
            sql="select daily.*, agent.agent_name, agent.team from marts.kpi_agent_daily daily "
            "left join marts.dim_agent agent on agent.agent_id = daily.agent_id",
        ),
        Dataset(
            "kpi_outbound_daily",
            {
                "attempts": ("sum(attempts)", NUMBER, "Dial attempts."),
                "k1_connect_rate": (ratio("connected", "attempts"), PCT, "connected / attempts."),
                "k2_human_rate": (ratio("human", "connected"), PCT, "human / connected."),
                "k3_decision_maker_rate": (ratio("decision_maker", "human"), PCT, "decision_maker / human."),
                "k4_full_contact_rate": (
                    ratio("purpose_discussed", "decision_maker"),
                    PCT,
                    "purpose_discussed / decision_maker.",
                ),
                "k5_result_rate": (ratio("result", "purpose_discussed"), PCT, "result / purpose_discussed."),
                "closure_rate": (ratio("sales", "human"), PCT, "sales / human."),
                **{
                    step: (f"sum({step})", NUMBER, f"Attempts flagged {step}.")
                    for step in (
                        "connected",
                        "human",
                        "decision_maker",
                        "purpose_discussed",
                        "result",
                        "sales",
                    )
                },
            },
        ),
        Dataset(
            "kpi_outbound_campaign",
            {
                "completion_rate": (
                    ratio("attempts", "records_total"),
                    ",.2f",
                    "Attempts per database record.",
                ),
                "completion_rate_processed": (
                    ratio("attempts", "records_processed"),
                    ",.2f",
                    "Attempts per processed record.",
                ),
                "reachability": (
                    ratio("records_reached", "records_processed"),
                    PCT,
                    "Reached / processed leads.",
                ),
                "processing_plan_fulfilment": (
                    ratio("records_processed", "records_processed_plan"),
                    PCT,
                    "Processed records / plan.",
                ),
            },
            time_column=None,
        ),
        Dataset(
            "kpi_sales_daily",
            {
                "revenue": ("sum(revenue)", ",.2f", "Paid orders in the reporting currency."),
                "orders": ("sum(orders)", NUMBER, "Paid orders."),
                "avg_check": (ratio("revenue", "orders"), ",.2f", "revenue / orders."),
                "avg_items_per_check": (ratio("items", "orders"), ",.2f", "items / orders."),
            },
        ),
        Dataset(
            "kpi_plan_fulfilment",
            {"plan_fulfilment": (ratio("actual", "plan_value"), PCT, "actual / plan_value.")},
            time_column="period_start",
        ),
        Dataset(
            "kpi_quality_daily",
            {
                "fcr_rate": (ratio("fcr_cases", "cases"), PCT, "fcr_cases / cases."),
                "resolution_rate": (
                    ratio("resolved_contacts", "inbound_contacts"),
                    PCT,
                    "Resolved / inbound contacts.",
                ),
                "cases": ("sum(cases)", NUMBER, "Cases by their first inbound contact."),
            },
        ),
        Dataset(
            "kpi_satisfaction_daily",
            {
                "csat_pct": (ratio("csat_good", "csat_answers"), PCT, "CSAT answers 4-5 / answers."),
                "csat_avg": (ratio("csat_score_sum", "csat_answers"), ",.2f", "Mean CSAT score."),
                "nps": (
                    "100.0 * " + ratio("promoters - detractors", "nps_answers"),
                    ",.1f",
                    "Net promoter score.",
                ),
            },
        ),
        Dataset(
            "kpi_esat_monthly",
            {
                "esat_pct": (ratio("esat_good", "esat_answers"), PCT, "ESAT answers 4-5 / answers."),
                "esat_avg": (ratio("esat_score_sum", "esat_answers"), ",.2f", "Mean ESAT score."),
            },
            time_column="month",
        ),
    ]
}
# The wallboard's marts: one row per queue or agent, now (no time column: the row is the present).
DATASETS["kpi_live_queue"] = Dataset(
    "kpi_live_queue",
    {
        "calls_waiting": ("sum(calls_waiting)", NUMBER, "Calls waiting now."),
        "longest_wait_s": ("max(longest_wait_s)", SECONDS, "Longest current wait, seconds."),
        "offered_today": ("sum(offered)", NUMBER, "Today's offered stints so far."),
        "queue_service_level": ("max(service_level)", PCT, "The queue's service level today so far."),
        "queue_abandon_rate": ("max(abandon_rate)", PCT, "The queue's abandon rate today so far."),
        "queue_asa_s": ("max(asa_s)", SECONDS, "The queue's ASA today so far, seconds."),
        "agents_available": ("sum(agents_available)", NUMBER, "Available agents serving the queue."),
        "agents_on_call": ("sum(agents_on_call)", NUMBER, "Agents serving the queue on a call."),
        "agents_paused": ("sum(agents_paused)", NUMBER, "Paused agents serving the queue."),
    },
    time_column=None,
)
DATASETS["kpi_live_agents"] = Dataset(
    "kpi_live_agents",
    {
        "agents_available": (
            "sum(case when state = 'available' then 1 else 0 end)",
            NUMBER,
            "Agents available now.",
        ),
        "agents_on_call": (
            "sum(case when state = 'on_call' then 1 else 0 end)",
            NUMBER,
            "Agents on a call now.",
        ),
        "agents_paused": ("sum(case when state = 'paused' then 1 else 0 end)", NUMBER, "Agents paused now."),
        "seconds_in_state": ("max(seconds_in_state)", SECONDS, "Seconds in the current state."),
        "calls_handled_today": ("sum(calls_handled)", NUMBER, "Today's handled calls so far."),
        "agent_aht_s": ("max(aht_s)", SECONDS, "The agent's AHT today so far, seconds."),
    },
    time_column=None,
)
WALLBOARD_REFRESH_S = 10

# kpi_live_agents has no client (an agent serves several): managers only, like the agent marts.
CLIENT_DATASETS = [n for n in DATASETS if n not in ("kpi_agent_daily", "kpi_esat_monthly", "kpi_live_agents")]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    viz_type: str
    dataset: str
    params: dict[str, Any]
    width: int = 4
    height: int = 50

    @property
    def uuid(self) -> str:
        return stable_uuid("chart", self.key)


def big_number(key: str, title: str, dataset: str, metric: str, fmt: str, width: int = 3) -> Chart:
    params = {"metric": metric, "y_axis_format": fmt, "header_font_size": 0.3, "subheader_font_size": 0.15}
    return Chart(key, title, "big_number_total", dataset, params, width=width, height=25)


def timeseries(key: str, title: str, dataset: str, metrics: list[str], x_axis: str, grain: str | None,
               kind: str = "line", fmt: str = "SMART_NUMBER", width: int = 6) -> Chart:  # fmt: skip
    params = {
        "x_axis": x_axis, "time_grain_sqla": grain, "metrics": metrics, "groupby": [],
        "row_limit": 10000, "y_axis_format": fmt, "show_legend": True, "rich_tooltip": True,
        "x_axis_sort_asc": True, "truncate_metric": True, "seriesType": kind,
    }  # fmt: skip
    viz = "echarts_timeseries_bar" if kind == "bar" else "echarts_timeseries_line"
    return Chart(key, title, viz, dataset, params, width=width)


def table(
    key: str, title: str, dataset: str, groupby: list[str], metrics: list[str], width: int = 12
) -> Chart:
    params = {
        "query_mode": "aggregate", "groupby": groupby, "metrics": metrics, "all_columns": [],
        "order_by_cols": [], "row_limit": 1000, "server_page_length": 20, "order_desc": True,
        "table_timestamp_format": "smart_date", "show_cell_bars": False,
    }  # fmt: skip
    return Chart(key, title, "table", dataset, params, width=width)


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    rows: list[list[Chart]]
    filters: list[tuple[str, str]]  # (label, column); a date range filter is always added
    refresh_s: int = 0

    @property
    def uuid(self) -> str:
        return stable_uuid("dashboard", self.slug)

    @property
    def charts(self) -> list[Chart]:
        return [c for row in self.rows for c in row]


DASHBOARDS: list[Dashboard] = [
    Dashboard(
        "callmart-service",
        "Service",
        [
            [
                big_number("svc_sl", "Service level", "kpi_inbound_daily", "service_level", PCT),
                big_number("svc_abandon", "Abandon rate", "kpi_inbound_daily", "abandon_rate", PCT),
                big_number("svc_asa", "ASA (s)", "kpi_inbound_daily", "asa_s", SECONDS),
                big_number("svc_max_wait", "Longest wait (s)", "kpi_inbound_daily", "max_wait_s", SECONDS),
            ],
            [
                timeseries(
                    "svc_sl_interval",
                    "Service level vs target by interval",
                    "kpi_inbound_interval",
                    ["service_level", "sl_target"],
                    "interval_start",
                    None,
                    fmt=PCT,
                ),
                timeseries(
                    "svc_sl_day",
                    "Service level vs target by day",
                    "kpi_inbound_daily",
                    ["service_level", "sl_target"],
                    "date_local",
                    "P1D",
                    fmt=PCT,
                ),
            ],  # fmt: skip
            [
                timeseries(
                    "svc_volume",
                    "Offered, answered, abandoned",
                    "kpi_inbound_daily",
                    ["offered", "answered", "abandoned"],
                    "date_local",
                    "P1D",
                    kind="bar",
                ),
                Chart(
                    "svc_heatmap",
                    "Service level by weekday and interval",
                    "heatmap_v2",
                    "kpi_inbound_interval",
                    {
                        "x_axis": "time_of_day",
                        "groupby": "weekday",
                        "metric": "service_level",
                        "row_limit": 10000,
                        "sort_x_axis": "alpha_asc",
                        "sort_y_axis": "alpha_asc",
                        "normalize_across": "heatmap",
                        "legend_type": "continuous",
                        "linear_color_scheme": "superset_seq_1",
                        "y_axis_format": PCT,
                        "show_legend": True,
                        "show_values": False,
                        "xscale_interval": -1,
                        "yscale_interval": -1,
                        "left_margin": "auto",
                        "bottom_margin": "auto",
                        "value_bounds": [None, None],
                    },
                    width=6,
                ),
            ],  # fmt: skip
        ],
        [("Client", "client_id"), ("Queue", "queue")],
    ),
    Dashboard(
        "callmart-agents",
        "Agents",
        [
            [
                big_number("agt_occupancy", "Occupancy", "kpi_agent_daily", "occupancy", PCT, width=2),
                big_number("agt_utilization", "Utilization", "kpi_agent_daily", "utilization", PCT, width=2),
                big_number("agt_adherence", "Adherence", "kpi_agent_daily", "adherence", PCT, width=2),
                big_number("agt_aht", "AHT (s)", "kpi_agent_daily", "aht_s", SECONDS, width=3),
                big_number("agt_cph", "Calls per hour", "kpi_agent_daily", "calls_per_hour", ",.2f", width=3),
            ],
            [
                table(
                    "agt_by_agent",
                    "By agent",
                    "kpi_agent_daily",
                    ["team", "agent_id"],
                    ["calls_handled", "occupancy", "utilization", "adherence", "aht_s", "calls_per_hour"],
                    width=7,
                ),
                timeseries(
                    "agt_pauses",
                    "Pause time by category (hours)",
                    "kpi_agent_daily",
                    [f"paused_{c}_h" for c in pause_categories()],
                    "date_local",
                    "P1D",
                    kind="bar",
                    width=5,
                ),
            ],  # fmt: skip
        ],
        [("Team", "team"), ("Agent", "agent_id")],
    ),
    Dashboard(
        "callmart-outbound",
        "Outbound",
        [
            [
                big_number(
                    "out_completion", "Completion rate", "kpi_outbound_campaign", "completion_rate", ",.2f"
                ),
                big_number(
                    "out_completion_processed",
                    "Completion rate (processed)",
                    "kpi_outbound_campaign",
                    "completion_rate_processed",
                    ",.2f",
                ),
                big_number("out_reachability", "Reachability", "kpi_outbound_campaign", "reachability", PCT),
                big_number("out_closure", "Closure rate", "kpi_outbound_daily", "closure_rate", PCT),
            ],  # fmt: skip
            [
                table(
                    "out_funnel_counts",
                    "Funnel: attempts at each step",
                    "kpi_outbound_daily",
                    ["campaign_id"],
                    [
                        "attempts",
                        "connected",
                        "human",
                        "decision_maker",
                        "purpose_discussed",
                        "result",
                        "sales",
                    ],
                ),
            ],  # fmt: skip
            [
                table(
                    "out_funnel_rates",
                    "K1-K5 by campaign",
                    "kpi_outbound_daily",
                    ["campaign_id"],
                    [
                        "k1_connect_rate",
                        "k2_human_rate",
                        "k3_decision_maker_rate",
                        "k4_full_contact_rate",
                        "k5_result_rate",
                        "closure_rate",
                    ],
                    width=8,
                ),
                table(
                    "out_plan",
                    "Processing plan fulfilment",
                    "kpi_outbound_campaign",
                    ["campaign_id"],
                    ["processing_plan_fulfilment"],
                    width=4,
                ),
            ],  # fmt: skip
        ],
        [("Client", "client_id"), ("Campaign", "campaign_id")],
    ),
    Dashboard(
        "callmart-sales",
        "Sales",
        [
            [
                big_number(
                    "sal_revenue", "Revenue (Completion Success)", "kpi_sales_daily", "revenue", ",.2f", 4
                ),
                big_number("sal_avg_check", "Average check", "kpi_sales_daily", "avg_check", ",.2f", 4),
                big_number(
                    "sal_items", "Items per check", "kpi_sales_daily", "avg_items_per_check", ",.2f", 4
                ),
            ],
            [
                timeseries(
                    "sal_revenue_day",
                    "Revenue by day",
                    "kpi_sales_daily",
                    ["revenue"],
                    "date_local",
                    "P1D",
                    kind="bar",
                    width=6,
                ),
                table(
                    "sal_plans",
                    "Plan fulfilment",
                    "kpi_plan_fulfilment",
                    ["client_id", "campaign_id", "metric", "period_start", "status"],
                    ["plan_fulfilment"],
                    width=6,
                ),
            ],  # fmt: skip
        ],
        [("Client", "client_id"), ("Campaign", "campaign_id")],
    ),
    Dashboard(
        "callmart-wallboard",
        "Wallboard",
        [
            [
                big_number("wall_waiting", "Calls waiting", "kpi_live_queue", "calls_waiting", NUMBER),
                big_number("wall_longest", "Longest wait (s)", "kpi_live_queue", "longest_wait_s", SECONDS),
                big_number(
                    "wall_available", "Agents available", "kpi_live_agents", "agents_available", NUMBER
                ),
                big_number("wall_on_call", "Agents on a call", "kpi_live_agents", "agents_on_call", NUMBER),
            ],
            [
                table(
                    "wall_queues",
                    "Queues now (today so far)",
                    "kpi_live_queue",
                    ["client_id", "queue", "as_of_utc"],
                    [
                        "calls_waiting",
                        "longest_wait_s",
                        "agents_available",
                        "agents_on_call",
                        "agents_paused",
                        "offered_today",
                        "queue_service_level",
                        "queue_abandon_rate",
                        "queue_asa_s",
                    ],
                ),
            ],  # fmt: skip
            [
                table(
                    "wall_agents",
                    "Agents now",
                    "kpi_live_agents",
                    ["agent_id", "state", "pause_category"],
                    ["seconds_in_state", "calls_handled_today", "agent_aht_s"],
                ),
            ],
        ],
        [("Client", "client_id"), ("Queue", "queue")],
        refresh_s=WALLBOARD_REFRESH_S,
    ),
    Dashboard(
        "callmart-quality",
        "Quality",
        [
            [
                big_number("qua_fcr", "First contact resolution", "kpi_quality_daily", "fcr_rate", PCT),
                big_number("qua_resolution", "Resolution rate", "kpi_quality_daily", "resolution_rate", PCT),
                big_number("qua_csat", "CSAT (top-2-box)", "kpi_satisfaction_daily", "csat_pct", PCT),
                big_number("qua_nps", "NPS", "kpi_satisfaction_daily", "nps", ",.1f"),
            ],
            [
                table(
                    "qua_fcr_channel",
                    "FCR by channel",
                    "kpi_quality_daily",
                    ["channel"],
                    ["cases", "fcr_rate", "resolution_rate"],
                    width=6,
                ),
                table(
                    "qua_esat",
                    "ESAT by team and month",
                    "kpi_esat_monthly",
                    ["team", "month"],
                    ["esat_pct", "esat_avg"],
                    width=6,
                ),
            ],  # fmt: skip
        ],
        [("Client", "client_id"), ("Channel", "channel")],
    ),
]


# -- the bundle ------------------------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> list[tuple[str, str]]:
    sql = dataset.sql or f"select * from marts.{dataset.name}"
    cursor = con.execute(f"select * from ({sql}) limit 0")
    return [(d[0], str(d[1]).upper()) for d in cursor.description]


def _descriptions(manifest: Path | None) -> dict[str, dict[str, str]]:
    """Column descriptions of every mart, from the dbt manifest."""
    if manifest is None or not manifest.exists():
        return {}
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {
        n["name"]: {c: v.get("description", "") for c, v in n.get("columns", {}).items()}
        for n in nodes
        if n.get("resource_type") == "model"
    }


def _dataset_yaml(
    dataset: Dataset, columns_found: list[tuple[str, str]], descriptions: dict[str, dict[str, str]]
) -> dict[str, Any]:
    described = {**descriptions.get(dataset.name, {}), **descriptions.get("dim_agent", {})} if dataset.sql else (
        descriptions.get(dataset.name, {})
    )  # fmt: skip
    columns = [
        {
            "column_name": name,
            "verbose_name": None,
            "is_dttm": kind in ("DATE", "TIMESTAMP"),
            "is_active": True,
            "type": kind,
            "groupby": True,
            "filterable": True,
            "expression": None,
            "description": described.get(name) or None,
            "python_date_format": None,
        }  # fmt: skip
        for name, kind in columns_found
    ]
    columns += [
        {
            "column_name": name,
            "verbose_name": None,
            "is_dttm": False,
            "is_active": True,
            "type": "VARCHAR",
            "groupby": True,
            "filterable": True,
            "expression": expression,
            "description": None,
            "python_date_format": None,
        }  # fmt: skip
        for name, expression in dataset.computed.items()
    ]
    metrics = [
        {
            "metric_name": name,
            "verbose_name": name,
            "metric_type": None,
            "expression": expression,
            "description": description,
            "d3format": fmt if fmt != NUMBER else ",d",
            "extra": None,
            "warning_text": None,
        }  # fmt: skip
        for name, (expression, fmt, description) in dataset.metrics.items()
    ]
    return {
        "table_name": dataset.name, "main_dttm_col": dataset.time_column, "description": None,
        "default_endpoint": None, "offset": 0, "cache_timeout": None, "schema": "marts",
        "sql": dataset.sql, "params": None, "template_params": None, "filter_select_enabled": True,
        "fetch_values_predicate": None, "extra": None, "normalize_columns": False,
        "always_filter_main_dttm": False, "uuid": dataset.uuid, "metrics": metrics, "columns": columns,
        "version": "1.0.0", "database_uuid": stable_uuid("database", DATABASE_NAME),
    }  # fmt: skip


def _chart_yaml(chart: Chart) -> dict[str, Any]:
    params = {"viz_type": chart.viz_type, "adhoc_filters": [], "time_range": "No filter", **chart.params}
    return {
        "slice_name": chart.title, "description": None, "certified_by": None, "certification_details": None,
        "viz_type": chart.viz_type, "params": params, "query_context": None, "cache_timeout": None,
        "uuid": chart.uuid, "version": "1.0.0", "dataset_uuid": DATASETS[chart.dataset].uuid,
    }  # fmt: skip


def _dashboard_yaml(dashboard: Dashboard, columns: dict[str, set[str]]) -> dict[str, Any]:
    """`columns`: each dataset's column names, for the datasets a filter can target."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": dashboard.title}},
        "GRID_ID": {"id": "GRID_ID", "type": "GRID", "parents": ["ROOT_ID"], "children": []},
    }
    for number, row in enumerate(dashboard.rows):
        row_id = f"ROW-{number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "id": row_id, "type": "ROW", "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"}, "children": [],
        }  # fmt: skip
        for chart in row:
            chart_id = f"CHART-{chart.key}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "id": chart_id, "type": "CHART", "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {"uuid": chart.uuid, "chartId": 0, "width": chart.width, "height": chart.height,
                         "sliceName": chart.title},
            }  # fmt: skip
    filters: list[dict[str, Any]] = [
        {
            "id": f"NATIVE_FILTER-{dashboard.slug}-date",
            "name": "Date range",
            "filterType": "filter_time",
            "targets": [{}],
            "defaultDataMask": {"filterState": {"value": "No filter"}, "extraFormData": {}},
            "controlValues": {"enableEmptyFilter": False},
            "cascadeParentIds": [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
            "type": "NATIVE_FILTER",
            "description": "",
            "chartsInScope": [],
            "tabsInScope": [],
        }  # fmt: skip
    ]
    for label, column in dashboard.filters:
        # a filter targets the first of the dashboard's datasets that has its column
        dataset = next(DATASETS[c.dataset] for c in dashboard.charts if column in columns[c.dataset])
        filters.append(
            {
                "id": f"NATIVE_FILTER-{dashboard.slug}-{column}",
                "name": label,
                "filterType": "filter_select",
                "targets": [{"column": {"name": column}, "datasetUuid": dataset.uuid}],
                "defaultDataMask": {"filterState": {"value": None}, "extraFormData": {}},
                "controlValues": {
                    "enableEmptyFilter": False,
                    "defaultToFirstItem": False,
                    "multiSelect": True,
                    "searchAllOptions": False,
                    "inverseSelection": False,
                },
                "cascadeParentIds": [],
                "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                "type": "NATIVE_FILTER",
                "description": "",
                "chartsInScope": [],
                "tabsInScope": [],
            }  # fmt: skip
        )
    return {
        "dashboard_title": dashboard.title, "description": None, "css": "", "slug": dashboard.slug,
        "uuid": dashboard.uuid, "position": position, "published": True, "version": "1.0.0",
        "metadata": {
            "timed_refresh_immune_slices": [], "expanded_slices": {}, "refresh_frequency": dashboard.refresh_s,
            "color_scheme": "supersetColors", "label_colors": {}, "shared_label_colors": [],
            "cross_filters_enabled": False, "native_filter_configuration": filters, "show_native_filters": True,
        },
    }  # fmt: skip


def database_yaml(published: Path) -> dict[str, Any]:
    """Superset's connection: the published copy, read-only, no access to files outside it."""
    extra = {
        "engine_params": {"connect_args": {"read_only": True, "config": {"enable_external_access": False}}},
        "allows_virtual_table_explore": True,
    }
    return {
        "database_name": DATABASE_NAME, "sqlalchemy_uri": f"duckdb:///{published}", "cache_timeout": None,
        "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": False, "allow_cvas": False,
        "allow_dml": False, "allow_file_upload": False, "extra": extra,
        "uuid": stable_uuid("database", DATABASE_NAME), "version": "1.0.0",
    }  # fmt: skip


def build_bundle(published: Path, manifest: Path | None = None) -> bytes:
    """The import bundle (a ZIP): the same bytes for the same marts and definitions."""
    descriptions = _descriptions(manifest)
    files: dict[str, dict[str, Any]] = {
        "metadata.yaml": {"version": "1.0.0", "type": "assets", "timestamp": "2026-01-01T00:00:00+00:00"},
        f"databases/{DATABASE_NAME}.yaml": database_yaml(published),
    }
    with duckdb.connect(str(published), read_only=True) as con:
        found = {name: _columns(con, dataset) for name, dataset in DATASETS.items()}
    for name, dataset in DATASETS.items():
        files[f"datasets/{DATABASE_NAME}/{name}.yaml"] = _dataset_yaml(dataset, found[name], descriptions)
    columns = {name: {column for column, _ in found[name]} for name in found}
    for dashboard in DASHBOARDS:
        for chart in dashboard.charts:
            files[f"charts/{chart.key}.yaml"] = _chart_yaml(chart)
        files[f"dashboards/{dashboard.slug}.yaml"] = _dashboard_yaml(dashboard, columns)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{ROOT}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, yaml.safe_dump(files[name], sort_keys=False, allow_unicode=True))
    return buffer.getvalue()
