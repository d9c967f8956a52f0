"""A queue_log and CDR written by a real Asterisk 22, against Asterisk's own `queue show` counters.

queue_show.txt (taken after the last call): sales C:21 SL:61.9% within 20s, support C:19 SL:63.2%
within 30s, billing C:5 SL:100.0% within 60s. Asterisk's SL is completed-within-servicelevel /
completed, which on a finished log is sl_answered; its C is our answered (every answered stint
here was completed). A (abandoned) counts ABANDON, EXITWITHTIMEOUT, EXITEMPTY and WITHDRAW.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk-22"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("asterisk22")
    (root / "landing" / "asterisk").mkdir(parents=True)
    for name in ("queue_log", "Master.csv"):
        shutil.copy(FIXTURE / name, root / "landing" / "asterisk" / name)
    wh = root / "wh.duckdb"
    code = main(
        [
            "run",
            "--landing",
            str(root / "landing"),
            "--warehouse",
            str(wh),
            "--config",
            str(FIXTURE / "config"),
        ]
    )
    assert code == 0
    return wh


def _queue_show() -> dict[str, dict[str, float]]:
    """Asterisk's own counters, parsed from queue_show.txt."""
    import re

    out = {}
    for line in (FIXTURE / "queue_show.txt").read_text().splitlines():
        m = re.match(r"(\w+) has .* C:(\d+), A:(\d+), SL:([\d.]+)%, SL2:([\d.]+)% within (\d+)s", line)
        if m:
            out[m[1]] = {
                "C": int(m[2]),
                "A": int(m[3]),
                "SL": float(m[4]),
                "SL2": float(m[5]),
                "T": int(m[6]),
            }
    return out


def test_service_level_agrees_with_asterisk(warehouse: Path) -> None:
    asterisk = _queue_show()
    assert set(asterisk) == {"sales", "support", "billing"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select queue, sum(answered), sum(answered_within_sl), sum(handled), max(sl_threshold_s), "
            "sum(abandoned) + sum(timeouts) + sum(exit_empty) + sum(withdrawn) "
            "from marts.kpi_inbound_daily group by queue"
        ).fetchall()
    ours = {q: (answered, within, handled, t, a) for q, answered, within, handled, t, a in rows}
    for queue, figures in asterisk.items():
        answered, within, handled, t, abandoned_like = ours[queue]
        assert t == figures["T"]
        assert answered == figures["C"] == handled
        assert round(100 * within / answered, 1) == figures["SL"], queue
        assert abandoned_like == figures["A"], queue


def test_hand_checked_stints(warehouse: Path) -> None:
    """Counted on paper from the 222 lines of queue_log."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        by_outcome = dict(
            con.execute(
                "select queue || ':' || outcome, count(*) from marts.fct_queue_stints group by 1"
            ).fetchall()
        )
        # the blind-transferred caller 1795461826.36: answered in sales, then answered again in support
        call = con.execute(
            "select stints, outcome, wait_s, is_offered from marts.fct_calls where callid = '1795461826.36'"
        ).fetchone()
        attended = con.execute(
            "select is_transferred, talk_s from marts.fct_queue_stints where callid = '1795461975.128'"
        ).fetchone()
    assert by_outcome["sales:abandoned"] == 7
    assert by_outcome["support:abandoned"] == 3
    assert by_outcome["billing:exit_empty"] == 1
    assert by_outcome["sales:answered"] == 21
    assert call == (2, "answered", 19.0, True)  # entered 1795461826, first CONNECT 1795461845
    assert attended == (True, 14.0)
