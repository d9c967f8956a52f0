"""Row-level checks pushed down to the warehouse as SQL (raw tables are too big for pandas).

Each check's SQL returns the failing rows; none means it passes. Thresholds come from dbt vars
(`--vars`): queue_log_open_hours (4), max_talk_hours (4), queue_timeout_s (1800),
volume_drop_pct (50), volume_min_calls (20), freshness_max_age_hours (72).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .model import CheckResult


@dataclass(frozen=True)
class SqlCheck:
    name: str
    asset: tuple[str, ...]  # the table it reads: also the Dagster asset it is attached to
    severity: str
    description: str
    sql: str  # may use {vars}; returns failing rows

    def run(self, con: duckdb.DuckDBPyConnection, settings: dict[str, object]) -> CheckResult:
        sql = self.sql.format(**settings)
        try:
            count = con.execute(f"select count(*) from ({sql})").fetchone()[0]
            cursor = con.execute(f"select * from ({sql}) limit 5")
            columns = [d[0] for d in cursor.description]
            sample = [
                ", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True)) for row in cursor.fetchall()
            ]
        except duckdb.Error as exc:  # a check that cannot run is a failure, never a pass
            return CheckResult(self.name, self.asset, self.severity, False, 0, f"check could not run: {exc}")
        message = self.description if count else "ok"
        return CheckResult(self.name, self.asset, self.severity, count == 0, count, message, sample)


DEFAULTS: dict[str, object] = {
    "queue_log_open_hours": 4,
    "max_talk_hours": 4,
    "queue_timeout_s": 1800,
    "volume_drop_pct": 50,
    "volume_min_calls": 20,  # below this a same-weekday mean is too small to call a drop
    "freshness_max_age_hours": 72,  # a weekday-only dialer is 2.5 days old on Monday morning
    "as_of": None,
}

_NEWEST = "(select max(event_epoch) from staging.stg_asterisk__queue_log)"

SQL_CHECKS: tuple[SqlCheck, ...] = (
    SqlCheck(
        "queue_log_connect_never_completed",
        ("staging", "stg_asterisk__queue_log"),
        "warn",
        "a CONNECT has no COMPLETECALLER/COMPLETEAGENT/*TRANSFER within queue_log_open_hours: a lost end "
        "event leaves the stint answered but never handled (no talk, no AHT)",
        f"""select c.callid, c.queue, c.agent, c.event_ts_utc as connected_at_utc
            from staging.stg_asterisk__queue_log c
            where c.event = 'CONNECT' and c.event_epoch < {_NEWEST} - {{queue_log_open_hours}} * 3600
              and not exists (
                select 1 from staging.stg_asterisk__queue_log e
                where e.callid = c.callid and e.queue = c.queue and e.event_epoch >= c.event_epoch
                  and e.event_epoch <= c.event_epoch + {{queue_log_open_hours}} * 3600
                  and e.event in ('COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER',
                                  'ATTENDEDTRANSFER'))""",
    ),
    SqlCheck(
        "queue_log_stint_never_ended",
        ("marts", "fct_queue_stints"),
        "warn",
        "an ENTERQUEUE older than queue_log_open_hours has no terminal event: the stint stays in progress "
        "and is never offered (a lost line, or a log that stopped mid-call)",
        f"""select s.callid, s.queue, s.entered_at_utc
            from marts.fct_queue_stints s
            where s.outcome = 'in_progress' and s.entered_epoch < {_NEWEST} - {{queue_log_open_hours}} * 3600""",
    ),
    SqlCheck(
        "queue_log_talk_over_max",
        ("staging", "stg_asterisk__queue_log"),
        "warn",
        "talk time above max_talk_hours: a stuck channel or a clock jump inflates talk and AHT",
        """select callid, queue, agent, event, talk_s from staging.stg_asterisk__queue_log
           where talk_s > {max_talk_hours} * 3600""",
    ),
    SqlCheck(
        "queue_log_wait_over_timeout",
        ("staging", "stg_asterisk__queue_log"),
        "warn",
        "a wait above queue_timeout_s: check the queue's timeout or the log's clock",
        """select callid, queue, event, wait_s from staging.stg_asterisk__queue_log
           where wait_s > {queue_timeout_s}""",
    ),
    SqlCheck(
        "queue_log_ring_time_in_seconds",
        ("staging", "stg_asterisk__queue_log"),
        "warn",
        "RINGNOANSWER/RINGCANCELED ring times are milliseconds; values under 1000 look like seconds "
        "(a dialplan or an old Asterisk writing seconds)",
        """select callid, queue, agent, event, ring_ms from staging.stg_asterisk__queue_log
           where event in ('RINGNOANSWER', 'RINGCANCELED') and ring_ms > 0 and ring_ms < 1000""",
    ),
    SqlCheck(
        "cdr_billsec_over_duration",
        ("staging", "stg_asterisk__cdr"),
        "error",
        "billsec is larger than duration: the CDR is corrupt (answer before start?)",
        """select uniqueid, start_ts_utc, duration_s, billsec_s from staging.stg_asterisk__cdr
           where billsec_s > duration_s""",
    ),
    SqlCheck(
        "dialer_attempts_for_unknown_leads",
        ("staging", "stg_vicidial__attempts"),
        "warn",
        "dial attempts for leads missing from the leads export: records_total undercounts",
        """select a.lead_id, count(*) as attempts from staging.stg_vicidial__attempts a
           where exists (select 1 from staging.stg_vicidial__leads)
             and a.lead_id not in (select lead_id from staging.stg_vicidial__leads)
           group by a.lead_id""",
    ),
    SqlCheck(
        "orders_with_unknown_currency",
        ("marts", "fct_orders"),
        "error",
        "an order currency with no fx_rates row at all to its client's reporting currency: revenue "
        "cannot be converted (add the rates to fx_rates.csv)",
        """select o.currency, o.reporting_currency, count(*) as orders from marts.fct_orders o
           where o.currency <> o.reporting_currency
             and not exists (select 1 from staging.fx_rates r
                             where upper(r.currency) = o.currency and upper(r.reporting_currency) = o.reporting_currency)
           group by o.currency, o.reporting_currency""",
    ),
    SqlCheck(
        "inbound_volume_drop",
        ("marts", "kpi_inbound_interval"),
        "warn",
        "the latest day's offered calls in a queue, up to its latest interval, are more than volume_drop_pct % "
        "below the mean of the same weekday over the previous four weeks up to the same time of day",
        """with intervals as (
             select queue, date_local, offered, interval_start - cast(date_local as timestamp) as time_of_day
             from marts.kpi_inbound_interval),
           latest as (select queue, max(date_local) as d from intervals group by queue),
           cutoff as (
             select i.queue, l.d, max(i.time_of_day) as t
             from intervals i join latest l on l.queue = i.queue and i.date_local = l.d group by i.queue, l.d),
           today as (
             select i.queue, sum(i.offered) as offered
             from intervals i join latest l on l.queue = i.queue and i.date_local = l.d group by i.queue),
           history as (
             select i.queue, sum(i.offered) * 1.0 / count(distinct i.date_local) as usual,
                    count(distinct i.date_local) as days
             from intervals i join cutoff c on c.queue = i.queue
             where i.date_local < c.d and i.date_local >= c.d - 28
               and extract(isodow from i.date_local) = extract(isodow from c.d) and i.time_of_day <= c.t
             group by i.queue)
           select h.queue, coalesce(t.offered, 0) as offered_latest_day, round(h.usual, 1) as usual_same_weekday,
                  h.days as weekdays_compared
           from history h left join today t on t.queue = h.queue
           where h.usual >= {volume_min_calls}
             and coalesce(t.offered, 0) < h.usual * (1 - {volume_drop_pct} / 100.0)""",
    ),
    SqlCheck(
        "sources_fresh",
        ("staging", "stg_asterisk__queue_log"),
        "warn",
        "a source's newest event is older than freshness_max_age_hours before the check's as-of time "
        "(now; for a demo replay, the newest queue_log event)",
        """with newest as (
             select 'queue_log' as source, max(event_ts_utc) as newest from staging.stg_asterisk__queue_log
             union all select 'cdr', max(end_ts_utc) from staging.stg_asterisk__cdr
             union all select 'vicidial_log', max(start_ts_utc) from staging.stg_vicidial__attempts
             union all select 'crm_contacts', max(contact_ts_utc) from staging.stg_crm__contacts
             union all select 'crm_orders', max(order_ts_utc) from staging.stg_crm__orders)
           select source, newest from newest
           where newest is not null
             and newest < coalesce(cast({as_of_sql} as timestamp), now()::timestamp) - to_hours({freshness_max_age_hours})""",
    ),
)
