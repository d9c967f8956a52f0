"""The inbound and agent marts end to end on a hand-written landing folder (tests/fixtures/handwritten).

Worked on paper from the 27 queue_log lines (T0 = 2026-11-02 08:00:00 UTC = 09:00 Berlin):
support (acme, T 20, S 5, offered_excl_short): c1 answered after 5 s, talk 120, ACW 30 linked (pause
5 s after the call); c2 abandoned after 3 s (short); c3 answered after 35 s, talk 100; c4 answered
after 12 s by Ben and blind-transferred to sales (talk 100), a repeat of c1's caller (+1 (061)
111-1111 normalizes to 0611111111); c5 abandoned after 30 s; c6 (anonymous) answered after 10 s,
talk 90; c7 still waiting: not offered. sales (not configured: client default, T 20): c4 timed out
after 20 s.
Agents (pbx UTC): Ann (SIP/101) logged in 08:00-09:00, ACW 30, talk 120 + 100; Ben
(Local/102@from-queue/n) logged in from 08:00 to the newest event (09:01:40), lunch 1800 s from
08:16:40, talk 100 + 90, one missed ring. Ben's schedule: work 08:00-08:15, lunch 08:15-08:45, work
08:45-09:15 (counted up to the newest event, 09:01:40).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import build_warehouse, query_rows

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    wh = build_warehouse(tmp_path_factory, "handwritten", FIXTURE / "landing", FIXTURE / "config")
    with duckdb.connect(str(wh), read_only=True) as connection:
        yield connection


def row(con, sql: str) -> dict:
    (only,) = query_rows(con, sql)
    return only


def test_kpi_inbound_daily_support(con) -> None:
    r = row(con, "select * from marts.kpi_inbound_daily where queue = 'support'")
    assert (r["client_id"], str(r["date_local"])) == ("acme", "2026-11-02")
    assert (r["offered"], r["answered"], r["abandoned"], r["short_abandoned"]) == (6, 4, 2, 1)
    assert (r["answered_within_sl"], r["abandoned_within_sl"], r["handled"], r["transferred"]) == (3, 1, 4, 1)
    assert r["sl_answered"] == 0.75
    assert r["sl_offered"] == 0.5
    assert r["sl_offered_excl_short"] == 0.6
    assert r["sl_inclusive"] == pytest.approx(4 / 6)
    assert r["service_level"] == 0.6 and r["sl_target_met"] is False
    assert r["abandon_rate"] == 0.2
    assert r["asa_s"] == 15.5 and r["wait_answered_s"] == 62
    assert r["avg_abandon_wait_s"] == 16.5 and r["max_wait_s"] == 35
    assert (r["talk_s"], r["acw_s"], r["handle_s"], r["aht_s"]) == (410, 30, 440, 110)
    assert r["routing_accuracy"] == 0.75
    assert (r["repeat_calls"], r["repeat_call_rate"]) == (1, 0.25)


def test_kpi_inbound_daily_unconfigured_queue_takes_defaults(con) -> None:
    r = row(con, "select * from marts.kpi_inbound_daily where queue = 'sales'")
    assert (r["client_id"], r["sl_threshold_s"], r["short_abandon_s"], r["sl_formula"]) == (
        "default",
        20,
        5,
        "offered_excl_short",
    )
    assert (r["offered"], r["timeouts"], r["answered"]) == (1, 1, 0)
    assert r["service_level"] == 0.0 and r["sl_answered"] is None and r["asa_s"] is None


def test_kpi_inbound_interval_is_local_and_keyed_by_utc(con) -> None:
    rows = con.execute(
        "select interval_start_utc, interval_start, offered, answered from marts.kpi_inbound_interval "
        "where queue = 'support' order by 1"
    ).fetchall()
    # entries at 08:01, 08:05, 08:06:40, 08:10, 08:13:20 and 08:50 UTC; c7, still waiting, entered
    # in the 09:00 interval: not offered, but its interval has a row (kpis.md: a row wherever a stint is)
    assert [(str(a), str(b), n, m) for a, b, n, m in rows] == [
        ("2026-11-02 08:00:00", "2026-11-02 09:00:00", 5, 3),
        ("2026-11-02 08:45:00", "2026-11-02 09:45:00", 1, 1),
        ("2026-11-02 09:00:00", "2026-11-02 10:00:00", 0, 0),
    ]


def test_kpi_calls_daily(con) -> None:
    r = row(con, "select * from marts.kpi_calls_daily where client_id = 'acme'")
    assert (r["offered"], r["answered"], r["abandoned"], r["short_abandoned"], r["other_outcomes"]) == (
        6,
        4,
        2,
        1,
        0,
    )
    assert (r["answered_within_sl"], r["service_level"], r["abandon_rate"], r["asa_s"]) == (3, 0.6, 0.2, 15.5)
    assert r["repeat_calls"] == 1
    c4 = row(con, "select outcome, stints, wait_s, is_repeat from marts.fct_calls where callid = 'c4'")
    assert c4 == {"outcome": "answered", "stints": 2, "wait_s": 12, "is_repeat": True}
    assert row(con, "select is_offered from marts.fct_calls where callid = 'c7'") == {"is_offered": False}


def test_kpi_agent_daily(con) -> None:
    ann = row(con, "select * from marts.kpi_agent_daily where agent_id = 'a1'")
    assert (ann["logged_in_s"], ann["paused_s"], ann["acw_s"], ann["talk_s"]) == (3600, 30, 30, 220)
    assert (ann["available_s"], ann["idle_s"], ann["calls_handled"], ann["missed_rings"]) == (
        3600,
        3350,
        2,
        0,
    )
    assert ann["occupancy"] == pytest.approx(250 / 3600) and ann["utilization"] == pytest.approx(250 / 3600)
    assert (ann["calls_per_hour"], ann["aht_s"]) == (2.0, 125.0)
    assert (ann["scheduled_s"], ann["adherence"]) == (0, None)
    ben = row(con, "select * from marts.kpi_agent_daily where agent_id = 'a2'")
    assert (ben["logged_in_s"], ben["paused_s"], ben["paused_lunch_s"], ben["talk_s"]) == (
        3700,
        1800,
        1800,
        190,
    )
    assert (ben["available_s"], ben["idle_s"], ben["calls_handled"], ben["missed_rings"]) == (
        1900,
        1710,
        2,
        1,
    )
    assert ben["occupancy"] == 0.1 and ben["utilization"] == pytest.approx(190 / 3700)
    assert ben["calls_per_hour"] == pytest.approx(2 / (3700 / 3600)) and ben["aht_s"] == 95.0
    # work 900 of 900; lunch paused 1700 of 1800; work 1000 - 100 still at lunch, of 1000
    assert (ben["scheduled_s"], ben["adherent_s"]) == (3700, 3500)
    assert ben["adherence"] == pytest.approx(3500 / 3700)
