"""The wallboard marts on a 15-line queue_log whose figures are worked out by hand in
tests/fixtures/live/README.md."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.settings import StatePaths

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "live"
T0 = 1792400000


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("live") / "wh.duckdb"
    assert (
        main(["run", "--landing", str(FIXTURE / "landing"), "--warehouse", str(warehouse), "--as-of", "data"])
        == 0
    )
    return StatePaths(warehouse).published


def test_live_agents_state_and_time_in_it(published: Path) -> None:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select agent_id, state, pause_category, epoch(state_since_utc), seconds_in_state, calls_handled, aht_s, "
            "epoch(as_of_utc) from marts.kpi_live_agents order by agent_id"
        ).fetchall()
    by_agent = {r[0].split("/")[-1]: r[1:] for r in rows}
    assert by_agent == {
        "alice": ("on_call", None, T0 + 15, 145, 0, None, T0 + 160),
        "bob": ("paused", "lunch", T0 + 20, 140, 0, None, T0 + 160),
        "carol": ("available", None, T0, 160, 0, None, T0 + 160),
        "dave": ("available", None, T0 + 95, 65, 1, 60.0, T0 + 160),
        "erin": ("logged_out", None, T0 + 70, 90, 0, None, T0 + 160),
    }


def test_live_queue_waiting_agents_and_today_so_far(published: Path) -> None:
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute(
            "select client_id, calls_waiting, longest_wait_s, agents_logged_in, agents_available, agents_paused, "
            "agents_on_call, cast(date_local as varchar), offered, answered, service_level, abandon_rate, asa_s "
            "from marts.kpi_live_queue where queue = 'support'"
        ).fetchone()
    assert row == ("default", 2, 60, 4, 2, 1, 1, "2026-10-19", 2, 2, 1.0, 0.0, 5.0)
