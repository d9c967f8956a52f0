"""The demo generator: every source, deterministic, and traffic an analyst would believe."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from orchestration.generate import generate

EXPECTED_FILES = [
    "asterisk/queue_log",
    "asterisk/Master.csv",
    "dialer/vicidial_list.csv",
    "dialer/vicidial_log.csv",
    "crm/contacts.csv",
    "crm/cases.csv",
    "crm/orders.csv",
    "crm/surveys.csv",
    "wfm/schedules.csv",
    "hr/esat.csv",
    "config/queues.csv",
    "config/agents.csv",
    "config/clients.csv",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, days=7, agents=20, seed=7, start=date(2026, 10, 19))
    return out


def _events(demo: Path) -> list[list[str]]:
    return [line.split("|") for line in (demo / "asterisk" / "queue_log").read_text().splitlines()]


def test_every_source_is_written(demo: Path) -> None:
    for name in EXPECTED_FILES:
        path = demo / name
        assert path.is_file() and path.stat().st_size > 0, name
        assert len(path.read_text().splitlines()) > 1, name


def test_same_seed_same_bytes(demo: Path, tmp_path: Path) -> None:
    generate(tmp_path, days=7, agents=20, seed=7, start=date(2026, 10, 19), workers=1)
    for name in EXPECTED_FILES:
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name


def test_queue_log_is_time_ordered_and_has_every_outcome(demo: Path) -> None:
    events = _events(demo)
    epochs = [int(e[0]) for e in events]
    assert epochs == sorted(epochs)
    kinds = Counter(e[4] for e in events)
    for event in (
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "RINGNOANSWER",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
    ):
        assert kinds[event] > 0, event


def test_traffic_is_plausible(demo: Path) -> None:
    events = _events(demo)
    entered = sum(e[4] == "ENTERQUEUE" for e in events)
    answered = sum(e[4] == "CONNECT" for e in events)
    assert 0.6 < answered / entered < 0.97
    waits = sorted(int(e[5]) for e in events if e[4] == "CONNECT")
    assert waits[len(waits) // 2] < 30  # median answered wait
    # intraday peak: most callers arrive in the day, few at night (site time UTC+1/+2)
    hours = Counter((int(e[0]) // 3600 + 1) % 24 for e in events if e[4] == "ENTERQUEUE")
    assert sum(hours[h] for h in range(9, 18)) > 5 * sum(hours[h] for h in range(0, 6))
    # overflow: the same callid enters a second queue after a timeout
    queues_of = defaultdict(list)
    for e in events:
        if e[4] == "ENTERQUEUE":
            queues_of[e[1]].append(e[2])
    assert any(q[:2] == ["sales", "support"] for q in queues_of.values())
    # ACW pauses follow calls; break and lunch pauses happen
    reasons = Counter(e[5] for e in events if e[4] == "PAUSE")
    assert reasons["ACW"] > reasons["Lunch"] > 0 and reasons["Break"] > 0


def test_orders_follow_sales_dispositions(demo: Path) -> None:
    import csv

    with (demo / "dialer" / "vicidial_log.csv").open() as handle:
        sales = {r["lead_id"] for r in csv.DictReader(handle) if r["status"] == "SALE"}
    with (demo / "crm" / "orders.csv").open() as handle:
        dialer_orders = {r["lead_id"] for r in csv.DictReader(handle) if r["lead_id"]}
    assert sales and dialer_orders == sales


def test_queue_log_written_day_by_day_equals_one_merge_of_all_days(tmp_path: Path) -> None:
    """Days stream out as they come; a call that runs past midnight still lands in time order."""
    import heapq

    from orchestration.generate.sinks import QueueLogWriter

    day1 = [
        (100, 1, "100|a|q|NONE|ENTERQUEUE"),
        (150, 2, "150|a|q|A|CONNECT"),
        (900, 3, "900|a|q|A|COMPLETECALLER"),
    ]
    day2 = [(800, 1, "800|b|q|NONE|ENTERQUEUE"), (850, 2, "850|b|q|NONE|ABANDON")]
    day3 = [(1000, 1, "1000|c|q|NONE|ENTERQUEUE")]
    writer = QueueLogWriter(tmp_path / "queue_log", "0|NONE|NONE|NONE|QUEUESTART|")
    for day in (day1, [], day2, day3):
        writer.add_day(day)
    assert writer.close() == 7
    expected = ["0|NONE|NONE|NONE|QUEUESTART|"] + [line for _, _, line in heapq.merge(day1, day2, day3)]
    assert (tmp_path / "queue_log").read_text().splitlines() == expected
    assert expected[3:5] == ["800|b|q|NONE|ENTERQUEUE", "850|b|q|NONE|ABANDON"]  # inside a's call

    late = QueueLogWriter(tmp_path / "late", "0|NONE|NONE|NONE|QUEUESTART|")
    late.add_day(day2)
    late.add_day(day3)  # writes day2
    with pytest.raises(RuntimeError, match="out of order"):
        late.add_day(day1)


def test_cases_are_written_once_final_and_only_open_ones_are_held(tmp_path: Path) -> None:
    from orchestration.generate.sinks import CsvCases

    with (tmp_path / "cases.csv").open("w", newline="") as handle:
        cases = CsvCases(handle, ["case_id", "status"])
        cases.append(["CS1", "open"])
        cases.append(["CS2", "open"])
        cases.append(["CS3", "open"])
        cases[2][1] = "resolved"
        cases.final(2)
        cases[1][1] = "resolved"
        cases.final(1)
        cases.settle()  # CS1 still open: it stays; CS2 and CS3 are final and go out, in opening order
        handle.flush()
        assert (tmp_path / "cases.csv").read_text() == "case_id,status\nCS2,resolved\nCS3,resolved\n"
        assert list(cases.held) == [0]
        cases[0][1] = "closed_unresolved"
        cases.final(0)
        cases.settle()
        cases.append(["CS4", "open"])
        cases.append(["CS5", "open"])
        cases.close()
    assert (tmp_path / "cases.csv").read_text().splitlines() == [
        "case_id,status",
        "CS2,resolved",
        "CS3,resolved",
        "CS1,closed_unresolved",
        "CS4,open",
        "CS5,open",
    ]
    assert len(cases) == 5 and not cases.held
