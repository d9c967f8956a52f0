"""A client's figures for a period, read from the published marts (what passed the blocking checks).

Each KPI of a report is the period's roll-up of a daily mart: sums re-divided, never rates averaged
(kpis.md: every KPI mart carries its numerator and denominator). Inbound figures are call level
(`kpi_calls_daily`), as a client-wide dashboard shows them; AHT comes from the queue stints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import duckdb

from .periods import Period

Kind = Literal["count", "rate", "seconds", "money", "score"]


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    mart: str
    expression: str  # over the mart's rows of the client and period
    kind: Kind
    higher_is_better: bool = True


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("offered", "Calls offered", "kpi_calls_daily", "coalesce(sum(offered), 0)", "count"),
        Kpi("answered", "Calls answered", "kpi_calls_daily", "coalesce(sum(answered), 0)", "count"),
        Kpi("abandoned", "Calls abandoned", "kpi_calls_daily", "coalesce(sum(abandoned), 0)", "count", False),
        Kpi(
            "service_level",
            "Service level",
            "kpi_calls_daily",
            "sum(answered_within_sl) / nullif(sum(offered) - sum(short_abandoned), 0)",
            "rate",
        ),
        Kpi(
            "abandon_rate",
            "Abandon rate",
            "kpi_calls_daily",
            "(sum(abandoned) - sum(short_abandoned)) / nullif(sum(offered) - sum(short_abandoned), 0)",
            "rate",
            False,
        ),
        Kpi(
            "asa_s",
            "ASA (s)",
            "kpi_calls_daily",
            "sum(wait_answered_s) / nullif(sum(answered), 0)",
            "seconds",
            False,
        ),
        Kpi(
            "aht_s",
            "AHT (s)",
            "kpi_inbound_daily",
            "sum(handle_s) / nullif(sum(handled), 0)",
            "seconds",
            False,
        ),
        Kpi("attempts", "Dial attempts", "kpi_outbound_daily", "coalesce(sum(attempts), 0)", "count"),
        Kpi("human", "Live contacts", "kpi_outbound_daily", "coalesce(sum(human), 0)", "count"),
        Kpi("sales", "Sales", "kpi_outbound_daily", "coalesce(sum(sales), 0)", "count"),
        Kpi(
            "closure_rate", "Closure rate", "kpi_outbound_daily", "sum(sales) / nullif(sum(human), 0)", "rate"
        ),
        Kpi("revenue", "Revenue", "kpi_sales_daily", "coalesce(sum(revenue), 0)", "money"),
        Kpi("orders", "Orders", "kpi_sales_daily", "coalesce(sum(orders), 0)", "count"),
        Kpi(
            "fcr_rate",
            "First contact resolution",
            "kpi_quality_daily",
            "sum(fcr_cases) / nullif(sum(cases), 0)",
            "rate",
        ),
        Kpi(
            "csat_pct",
            "CSAT (share 4-5)",
            "kpi_satisfaction_daily",
            "sum(csat_good) / nullif(sum(csat_answers), 0)",
            "rate",
        ),
        Kpi(
            "nps",
            "NPS",
            "kpi_satisfaction_daily",
            "100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(nps_answers), 0)",
            "score",
        ),
    )
}
DEFAULT_KPIS = ("offered", "service_level", "abandon_rate", "asa_s", "aht_s", "closure_rate", "revenue")

# The CSV attachments: (file name, table, what the rows are): the marts of the period and the rows
# behind them, for clients who audit.
ATTACHMENTS = (
    ("kpi_calls_daily", "kpi_calls_daily", "date_local"),
    ("kpi_inbound_daily", "kpi_inbound_daily", "date_local"),
    ("kpi_outbound_daily", "kpi_outbound_daily", "date_local"),
    ("kpi_sales_daily", "kpi_sales_daily", "date_local"),
    ("fct_queue_stints", "fct_queue_stints", "date_local"),
    ("fct_dial_attempts", "fct_dial_attempts", "date_local"),
)


@dataclass(frozen=True)
class Figure:
    kpi: Kpi
    value: float | None
    previous: float | None
    target: float | None
    target_note: str = ""  # "prorated", "per queue" ...


def _value(con: duckdb.DuckDBPyConnection, kpi: Kpi, client: str, period: Period) -> float | None:
    row = con.execute(
        f"select {kpi.expression} from marts.{kpi.mart} where client_id = ? and date_local >= ? and date_local < ?",
        [client, period.start, period.end],
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def _target(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, client: str, period: Period
) -> tuple[float | None, str]:
    """The plan for this KPI (kpi_plan_fulfilment, every campaign of the client summed): a rate's
    plan as it is when its period holds the report's; a count's or an amount's prorated by the days
    the report shares with the plan's period. For service level without a plan, the client's
    queues' sl_target when they share one."""
    plans = con.execute(
        "select period_start, period_end, sum(plan_value) from marts.kpi_plan_fulfilment "
        "where client_id = ? and metric = ? and period_start < ? and period_end >= ? "
        "group by period_start, period_end order by period_start",
        [client, kpi.name, period.end, period.start],
    ).fetchall()
    if kpi.kind in ("rate", "score", "seconds"):
        for start, end, value in plans:
            if start <= period.start and (end - period.end).days >= -1:
                return float(value), ""
        if kpi.name == "service_level":
            targets = con.execute(
                "select distinct sl_target from marts.dim_queue where client_id = ? and sl_target is not null",
                [client],
            ).fetchall()
            if len(targets) == 1:
                return float(targets[0][0]), "queues' target"
        return None, ""
    total, prorated = 0.0, False
    for start, end, value in plans:
        share = _plan_share(start, end, period)
        prorated = prorated or 0 < share < 1
        total += float(value) * share
    return (total, "prorated" if prorated else "") if plans else (None, "")


def _plan_share(start: date, end: date, period: Period) -> float:
    """The part of a plan (its days start..end, inclusive) that falls in the period, by days."""
    shared = (min(end, period.end - timedelta(days=1)) - max(start, period.start)).days + 1
    return max(shared, 0) / ((end - start).days + 1)


def figures(
    con: duckdb.DuckDBPyConnection, client: str, period: Period, kpis: tuple[str, ...]
) -> list[Figure]:
    out = []
    for name in kpis:
        kpi = KPIS[name]
        target, note = _target(con, kpi, client, period)
        out.append(
            Figure(
                kpi,
                _value(con, kpi, client, period),
                _value(con, kpi, client, period.previous()),
                target,
                note,
            )
        )
    return out


def sl_by_interval(
    con: duckdb.DuckDBPyConnection, client: str, period: Period
) -> list[tuple[str, str, float | None]]:
    """(queue, label, service level) per interval for a day, per day for a week or a month: each the
    mart's own figure under the queue's configured formula."""
    if period.frequency == "daily":
        sql = (
            "select queue, strftime(interval_start, '%H:%M'), service_level from marts.kpi_inbound_interval "
            "where client_id = ? and date_local >= ? and date_local < ? order by queue, interval_start_utc"
        )
    else:
        sql = (
            "select queue, strftime(date_local, '%m-%d'), service_level from marts.kpi_inbound_daily "
            "where client_id = ? and date_local >= ? and date_local < ? order by queue, date_local"
        )
    return [
        (str(q), str(label), None if v is None else float(v))
        for q, label, v in con.execute(sql, [client, period.start, period.end]).fetchall()
    ]


FUNNEL = ("attempts", "connected", "human", "decision_maker", "purpose_discussed", "result", "sales")


def funnel(con: duckdb.DuckDBPyConnection, client: str, period: Period) -> list[tuple[str, int]]:
    row = con.execute(
        f"select {', '.join(f'coalesce(sum({c}), 0)' for c in FUNNEL)} from marts.kpi_outbound_daily "
        "where client_id = ? and date_local >= ? and date_local < ?",
        [client, period.start, period.end],
    ).fetchone()
    return list(zip(FUNNEL, (int(v) for v in row or [0] * len(FUNNEL)), strict=True))


def revenue_by_campaign(
    con: duckdb.DuckDBPyConnection, client: str, period: Period
) -> list[tuple[str, float, float | None]]:
    """(campaign, revenue, plan for the period, prorated) of each campaign with sales or a plan."""
    rows = con.execute(
        "select campaign_id, coalesce(sum(revenue), 0) from marts.kpi_sales_daily "
        "where client_id = ? and date_local >= ? and date_local < ? group by 1 order by 1",
        [client, period.start, period.end],
    ).fetchall()
    plans = con.execute(
        "select campaign_id, period_start, period_end, plan_value from marts.kpi_plan_fulfilment "
        "where client_id = ? and metric = 'revenue' and period_start < ? and period_end >= ?",
        [client, period.end, period.start],
    ).fetchall()
    planned: dict[str, float] = {}
    for campaign, start, end, value in plans:
        planned[campaign] = planned.get(campaign, 0.0) + float(value) * _plan_share(start, end, period)
    actual = {str(c): float(v) for c, v in rows}
    return [(c, actual.get(c, 0.0), planned.get(c)) for c in sorted(set(actual) | set(planned))]


def data_through(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest queue entry in the published marts (UTC, ISO)."""
    row = con.execute("select max(entered_at_utc) from marts.fct_queue_stints").fetchone()
    return None if row is None or row[0] is None else row[0].isoformat()


def client_zone(con: duckdb.DuckDBPyConnection, client: str) -> tuple[str, str, str] | None:
    """(name, time zone, reporting currency) of a client, None when the marts do not know it."""
    row = con.execute(
        "select client_name, timezone, reporting_currency from marts.dim_client where client_id = ?", [client]
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))
