"""Outbound, sales, quality and satisfaction marts end to end on tests/fixtures/handwritten_business.

Worked on paper (acme reports in EUR, Europe/Berlin; dialer in UTC):
- Leads 1-4 are in campaign CAMP by 11-02 (lead 4 through dialer_lists: list 102), lead 5 from 11-04.
  On 11-02 (Berlin) the dialer makes 5 attempts: lead 1 NA then SALE, lead 2 AA, lead 3 NI, lead 4
  CALLBK; connected 4, human 3 (SALE, NI, CALLBK), decision maker 3, purpose discussed 3 (CALLBK
  heard the offer), result 2 (SALE, NI), sales 1; 4 records, 4 processed, 3 reached. On 11-03 lead 2 is sold. The campaign:
  6 attempts, 5 records, 4 distinct processed (not 4 + 1), 4 reached, 2 sales of 4 human.
- Orders on 11-02: paid 100 EUR (cost 40, 2 items) and 50 USD x 0.9 = 45 (1 item), a refund of 30,
  a cancellation without campaign; 23:30 UTC is 00:30 on 11-03 in Berlin (10 EUR paid).
- C1 resolves X1 by chat on 11-02 and writes again about X2 on 11-05: X1 is not FCR; Y1 (phone) is.
- CSAT 4 and 3 on the chat contact; NPS 9, 6, 10 on the phone contact: 100 * (2 - 1) / 3.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.python.conftest import build_warehouse, query_rows

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten_business"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    wh = build_warehouse(tmp_path_factory, "business", FIXTURE / "landing", FIXTURE / "config")
    with duckdb.connect(str(wh), read_only=True) as connection:
        yield connection


rows = query_rows


def test_outbound_daily(con) -> None:
    day1, day2 = rows(con, "select * from marts.kpi_outbound_daily order by date_local")
    assert (day1["client_id"], day1["campaign_id"], str(day1["date_local"])) == ("acme", "CAMP", "2026-11-02")
    counts = ("attempts", "connected", "human", "decision_maker", "purpose_discussed", "result", "sales")
    assert tuple(day1[c] for c in counts) == (5, 4, 3, 3, 3, 2, 1)
    assert (day1["records_total"], day1["records_processed"], day1["records_reached"]) == (4, 4, 3)
    assert (day1["k1_connect_rate"], day1["k2_human_rate"], day1["k3_decision_maker_rate"]) == (
        0.8,
        0.75,
        1.0,
    )
    assert day1["k4_full_contact_rate"] == 1.0 and day1["k5_result_rate"] == pytest.approx(2 / 3)
    assert (day1["completion_rate"], day1["completion_rate_processed"], day1["reachability"]) == (
        1.25,
        1.25,
        0.75,
    )
    assert day1["closure_rate"] == pytest.approx(1 / 3)
    assert (day2["attempts"], day2["records_total"], day2["records_processed"], day2["completion_rate"]) == (
        1,
        4,
        1,
        0.25,
    )


def test_outbound_campaign_counts_distinct_leads(con) -> None:
    (c,) = rows(con, "select * from marts.kpi_outbound_campaign where campaign_id = 'CAMP'")
    assert (c["attempts"], c["records_total"], c["records_processed"], c["records_reached"]) == (6, 5, 4, 4)
    assert (c["human"], c["sales"], c["closure_rate"], c["completion_rate"]) == (4, 2, 0.5, 1.2)
    assert (c["completion_rate_processed"], c["reachability"], c["processing_plan_fulfilment"]) == (
        1.5,
        1.0,
        0.5,
    )


def test_outbound_agent_daily(con) -> None:
    got = {
        (r["agent_id"], str(r["date_local"])): r
        for r in rows(con, "select * from marts.kpi_outbound_agent_daily")
    }
    assert set(got) == {("a1", "2026-11-02"), ("a1", "2026-11-03"), ("vd2", "2026-11-02")}
    a1 = got[("a1", "2026-11-02")]
    assert (a1["attempts"], a1["human"], a1["sales"], a1["closure_rate"], a1["talk_s"]) == (3, 1, 1, 1.0, 300)
    vd2 = got[("vd2", "2026-11-02")]
    assert (vd2["attempts"], vd2["human"], vd2["sales"], vd2["closure_rate"], vd2["talk_s"]) == (
        2,
        2,
        0,
        0.0,
        180,
    )


def test_sales_daily(con) -> None:
    got = {
        (r["campaign_id"], str(r["date_local"])): r for r in rows(con, "select * from marts.kpi_sales_daily")
    }
    d = got[("CAMP", "2026-11-02")]
    assert (d["revenue"], d["profit"], d["orders"], d["items"]) == (145.0, 60.0, 2, 3)
    assert (d["avg_check"], d["avg_items_per_check"], d["refunded_orders"], d["refunded_amount"]) == (
        72.5,
        1.5,
        1,
        30.0,
    )
    none = got[("none", "2026-11-02")]
    assert (none["orders"], none["revenue"], none["cancelled_orders"], none["avg_check"]) == (0, 0, 1, None)
    late = got[("CAMP", "2026-11-03")]
    assert (late["orders"], late["revenue"], late["reporting_currency"]) == (1, 10.0, "EUR")


def test_plan_fulfilment(con) -> None:
    got = {r["metric"]: r for r in rows(con, "select * from marts.kpi_plan_fulfilment")}
    assert (got["revenue"]["actual"], got["revenue"]["plan_fulfilment"], got["revenue"]["status"]) == (
        155.0,
        0.775,
        "below_plan",
    )
    assert (got["records_processed"]["actual"], got["records_processed"]["status"]) == (4, "below_plan")
    assert (got["orders"]["actual"], got["orders"]["campaign_id"], got["orders"]["status"]) == (
        3,
        "none",
        "met",
    )


def test_quality_and_satisfaction(con) -> None:
    q = {(r["channel"], str(r["date_local"])): r for r in rows(con, "select * from marts.kpi_quality_daily")}
    assert set(q) == {("chat", "2026-11-02"), ("phone", "2026-11-02"), ("email", "2026-11-05")}
    assert (q[("chat", "2026-11-02")]["cases"], q[("chat", "2026-11-02")]["fcr_cases"]) == (1, 0)
    assert q[("chat", "2026-11-02")]["resolution_rate"] == 1.0
    assert (q[("phone", "2026-11-02")]["fcr_rate"], q[("phone", "2026-11-02")]["inbound_contacts"]) == (
        1.0,
        1,
    )
    assert (q[("email", "2026-11-05")]["fcr_rate"], q[("email", "2026-11-05")]["resolution_rate"]) == (
        0.0,
        0.0,
    )
    s = {r["channel"]: r for r in rows(con, "select * from marts.kpi_satisfaction_daily")}
    assert (s["chat"]["csat_answers"], s["chat"]["csat_pct"], s["chat"]["csat_avg"]) == (2, 0.5, 3.5)
    assert (s["phone"]["promoters"], s["phone"]["detractors"]) == (2, 1)
    assert s["phone"]["nps"] == pytest.approx(100 / 3)
    (e,) = rows(con, "select * from marts.kpi_esat_monthly")
    assert (e["team"], str(e["month"]), e["esat_answers"], e["esat_pct"], e["esat_avg"]) == (
        "t1",
        "2026-11-01",
        2,
        0.5,
        3.5,
    )


def test_missing_fx_rate_fails_the_run(tmp_path: Path, capsys) -> None:
    """No USD->EUR rate for 11-02: the run fails and names the test, the currency and the date (a
    missing rate is an error, not a NULL). A status breaking the flag nesting is refused before the
    run starts (test_configuration.py)."""
    import shutil

    config = tmp_path / "config"
    shutil.copytree(FIXTURE / "config", config)
    (config / "fx_rates.csv").write_text("rate_date,currency,reporting_currency,rate\n")
    code = main(
        [
            "run",
            "--landing",
            str(FIXTURE / "landing"),
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
            "--config",
            str(config),
        ]
    )
    output = capsys.readouterr().out
    assert code == 1
    assert "callmart run FAILED" in output
    assert "assert_fx_rate_for_every_order" in output
    assert "currency=USD, reporting_currency=EUR, rate_date_missing=2026-11-02" in output
