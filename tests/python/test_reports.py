"""E-mail reports: periods, configuration, the message against the marts, SMTP delivery through a
local server, the blocking-check gate and the ledger that never sends twice."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.generate import generate
from orchestration.reports.config import ClientReport, ReportsConfigError, load_reports
from orchestration.reports.gate import record_run
from orchestration.reports.periods import parse_period
from orchestration.reports.service import ledger_for, send_due, send_report
from orchestration.settings import StatePaths

REPORTS_YML = """\
reports:
  - client_id: acme
    recipients: [ops@acme.example, "Jane Roe <jane.roe@acme.example>"]
    frequencies: [daily]
    kpis: [offered, answered, service_level, abandon_rate, asa_s, aht_s, closure_rate, revenue]
  - client_id: globex
    recipients: [noc@globex.example]
    frequencies: [daily]
    kpis: [offered, service_level]
    attach_rows: false
"""


def test_periods_parse_to_local_days_and_know_the_one_before() -> None:
    day, week, month = parse_period("2026-10-20"), parse_period("2026-W43"), parse_period("2026-10")
    assert (day.start, day.end, str(day.previous())) == (date(2026, 10, 20), date(2026, 10, 21), "2026-10-19")
    assert (week.start, week.end, str(week.previous())) == (
        date(2026, 10, 19),
        date(2026, 10, 26),
        "2026-W42",
    )
    assert (month.start, month.end, month.days) == (date(2026, 10, 1), date(2026, 11, 1), 31)
    assert str(parse_period("2026-01").previous()) == "2025-12"
    assert str(parse_period("2027-W01").previous()) == "2026-W53"  # 2026 has 53 ISO weeks
    for wrong in ("2026-13", "20-10-2026", "2026-W7", "last week"):
        with pytest.raises(ValueError):
            parse_period(wrong)


def test_reports_configuration_is_validated_with_every_problem(tmp_path: Path) -> None:
    assert load_reports(tmp_path) == ()  # no reports.yml: no reports
    (tmp_path / "reports.yml").write_text(
        "reports:\n"
        "  - client_id: acme\n    recipients: [not-an-address]\n    kpis: [service_level, sl_magic]\n"
        "    frequencies: [hourly]\n    timezone: Mars/Olympus\n"
    )
    with pytest.raises(ReportsConfigError) as raised:
        load_reports(tmp_path)
    text = str(raised.value)
    for problem in ("not-an-address", "sl_magic", "frequencies", "Mars/Olympus"):
        assert problem in text, problem
    (tmp_path / "reports.yml").write_text(REPORTS_YML)
    acme, globex = load_reports(tmp_path)
    assert acme.send_at == "07:00" and acme.attach_rows and not globex.attach_rows


def test_run_refuses_an_invalid_reports_file_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    (landing / "config").mkdir(parents=True)
    (landing / "config" / "reports.yml").write_text("reports:\n  - client_id: acme\n    recipients: []\n")
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse)]) == 2
    assert "recipients" in capsys.readouterr().err
    assert not warehouse.exists()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight demo days from Monday 2026-10-19 (all of ISO week 43), built by `callmart run`, with our
    reports.yml."""
    root = tmp_path_factory.mktemp("reports")
    landing = root / "landing"
    generate(landing, days=8, agents=8, seed=5, start=date(2026, 10, 19))
    (landing / "config" / "reports.yml").write_text(REPORTS_YML)
    warehouse = root / "wh.duckdb"
    assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "data"]) == 0
    return warehouse


def _message(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def _table(message: EmailMessage) -> dict[str, list[str]]:
    """KPI -> the unrounded values of its row (period, previous, target)."""
    html_part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    rows = re.findall(r'<tr data-kpi="(\w+)">(.*?)</tr>', html_part.get_content(), re.S)
    return {kpi: re.findall(r'data-value="([^"]*)"', cells)[:3] for kpi, cells in rows}


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> float | None:
    row = con.execute(sql, params).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def test_dry_run_writes_a_message_whose_figures_are_the_marts(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--client", "acme", "--period", "2026-10-20", "--warehouse", str(warehouse),
                 "--dry-run", "--out", str(tmp_path)]) == 0  # fmt: skip
    assert "written" in capsys.readouterr().out
    message = _message(tmp_path / "acme_2026-10-20.eml")
    assert message["Subject"] == "Daily contact-center report 2026-10-20: Acme Energy"
    assert message["To"] == "ops@acme.example, Jane Roe <jane.roe@acme.example>"
    table = _table(message)
    assert list(table) == ["offered", "answered", "service_level", "abandon_rate", "asa_s", "aht_s",
                           "closure_rate", "revenue"]  # fmt: skip
    with duckdb.connect(str(StatePaths(warehouse).published), read_only=True) as con:
        day = "from marts.kpi_calls_daily where client_id = 'acme' and date_local = ?"
        for kpi in ("offered", "answered", "service_level", "abandon_rate", "asa_s"):
            # one day: the report's roll-up is the mart's own figure, and the day before is the 19th
            assert float(table[kpi][0]) == pytest.approx(
                _one(con, f"select {kpi} {day}", ["2026-10-20"]), rel=1e-12
            )
            assert float(table[kpi][1]) == pytest.approx(
                _one(con, f"select {kpi} {day}", ["2026-10-19"]), rel=1e-12
            )
        aht = _one(
            con,
            "select sum(handle_s) / sum(handled) from marts.kpi_inbound_daily "
            "where client_id = 'acme' and date_local = '2026-10-20'",
            [],
        )
        assert float(table["aht_s"][0]) == pytest.approx(aht, rel=1e-12)
        revenue = _one(
            con,
            "select sum(revenue) from marts.kpi_sales_daily where client_id = 'acme' and date_local = '2026-10-20'",
            [],
        )
        assert float(table["revenue"][0]) == pytest.approx(revenue or 0.0, rel=1e-12)
        # the service-level target is October's plan for acme (the demo's plans.csv: 0.80)
        assert float(table["service_level"][2]) == 0.8
        stints = con.execute(
            "select count(*) from marts.fct_queue_stints where client_id = 'acme' and date_local = '2026-10-20'"
        ).fetchone()[0]
    names = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert {"service_level.png", "outbound_funnel.png", "revenue_plan.png"} <= set(names)
    assert all(
        names[n].get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n" for n in names if n.endswith(".png")
    )
    rows = names["fct_queue_stints_2026-10-20.csv"].get_payload(decode=True).decode().splitlines()
    assert rows[0].startswith("stint_id,") and len(rows) - 1 == stints > 0


def test_a_week_re_divides_the_sums_of_its_days(warehouse: Path, tmp_path: Path) -> None:
    config = load_reports(Path(str(warehouse.parent / "landing" / "config")))[0]
    outcome = send_report(warehouse, config, parse_period("2026-W43"), dry_run=True, out_dir=tmp_path)
    assert outcome.status == "written", outcome
    table = _table(_message(Path(outcome.detail)))
    with duckdb.connect(str(StatePaths(warehouse).published), read_only=True) as con:
        expected = _one(
            con,
            "select sum(answered_within_sl) / (sum(offered) - sum(short_abandoned)) from marts.kpi_calls_daily "
            "where client_id = 'acme' and date_local between '2026-10-19' and '2026-10-25'",
            [],
        )
        mean_of_days = _one(
            con,
            "select avg(service_level) from marts.kpi_calls_daily "
            "where client_id = 'acme' and date_local between '2026-10-19' and '2026-10-25'",
            [],
        )
    assert float(table["service_level"][0]) == pytest.approx(expected, rel=1e-12)
    assert expected != pytest.approx(mean_of_days, rel=1e-9)  # the fixture tells the two apart
    assert table["offered"][1] == "0.0"  # W42 has no data: a count over nothing is 0, a rate NULL
    assert table["service_level"][1] == ""


class Smtp:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], EmailMessage]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
                message = email.message_from_bytes(envelope.content, policy=policy.default)
                outer.messages.append((list(envelope.rcpt_tos), message))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Smtp]:
    server = Smtp()
    server.controller.start()
    monkeypatch.setenv("CALLMART_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CALLMART_SMTP_PORT", str(server.port))
    monkeypatch.setenv("CALLMART_SMTP_FROM", "callmart <reports@callmart.example>")
    monkeypatch.delenv("CALLMART_SMTP_USER", raising=False)
    yield server
    server.controller.stop()


@pytest.fixture()
def fresh(warehouse: Path) -> Iterator[Path]:
    """The module's warehouse with an empty delivery ledger and the run's own record."""
    ledger = StatePaths(warehouse).reports / "deliveries.sqlite"
    record = StatePaths(warehouse).last_run
    saved = record.read_text()
    ledger.unlink(missing_ok=True)
    yield warehouse
    ledger.unlink(missing_ok=True)
    record.write_text(saved)


NOON = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)  # 14:00 in Berlin, 08:00 in New York: both past 07:00


def test_due_reports_go_to_each_client_once(fresh: Path, smtp: Smtp) -> None:
    reports = load_reports(fresh.parent / "landing" / "config")
    outcomes = send_due(fresh, reports, now=NOON)
    assert [(o.client, o.period, o.status) for o in outcomes] == [
        ("acme", "2026-10-20", "sent"),
        ("globex", "2026-10-20", "sent"),
    ]
    received = {m["X-Callmart-Report"]: (rcpt, m) for rcpt, m in smtp.messages}
    assert set(received) == {"acme 2026-10-20", "globex 2026-10-20"}
    rcpt, acme = received["acme 2026-10-20"]
    assert rcpt == ["ops@acme.example", "jane.roe@acme.example"]
    assert acme["Subject"] == "Daily contact-center report 2026-10-20: Acme Energy"
    assert acme["From"] == "callmart <reports@callmart.example>"
    rcpt, globex = received["globex 2026-10-20"]
    assert rcpt == ["noc@globex.example"] and list(_table(globex)) == ["offered", "service_level"]
    globex_files = sorted(
        p.get_filename() for p in globex.walk() if p.get_filename() and p.get_filename().endswith(".csv")
    )
    assert globex_files and not any(f.startswith("fct_") for f in globex_files)  # attach_rows: false
    with duckdb.connect(str(StatePaths(fresh).published), read_only=True) as con:
        offered = _one(con, "select offered from marts.kpi_calls_daily where client_id = 'globex' and date_local = ?",
                       ["2026-10-20"])  # fmt: skip
    assert float(_table(globex)["offered"][0]) == offered
    ledger = ledger_for(fresh).rows()
    assert [(r[0], r[1], r[4]) for r in ledger] == [
        ("acme", "2026-10-20", "sent"),
        ("globex", "2026-10-20", "sent"),
    ]
    assert ledger[0][2] == acme["Message-ID"]
    # a second tick sends nothing; before send_at nothing is due
    assert send_due(fresh, reports, now=NOON) == []
    assert send_due(fresh, reports, now=datetime(2026, 10, 22, 4, 0, tzinfo=UTC)) == []  # 06:00 Berlin
    assert len(smtp.messages) == 2


def test_nothing_goes_out_when_a_blocking_check_failed_or_the_period_is_not_complete(
    fresh: Path, smtp: Smtp, capsys: pytest.CaptureFixture[str]
) -> None:
    record_run(fresh, ["marts.kpi_inbound_daily: assert_sl_in_range"], published=True)
    reports = load_reports(fresh.parent / "landing" / "config")
    outcomes = send_due(fresh, reports, now=NOON)
    assert [o.status for o in outcomes] == ["refused", "refused"]
    assert "assert_sl_in_range" in outcomes[0].detail
    assert main(["report", "--client", "acme", "--period", "2026-10-20", "--warehouse", str(fresh)]) == 1
    assert "blocking checks failed" in capsys.readouterr().out
    record_run(fresh, [], published=True)
    assert main(["report", "--client", "acme", "--period", "2026-10", "--warehouse", str(fresh)]) == 1
    assert "not complete" in capsys.readouterr().out  # the data ends on 2026-10-27
    assert smtp.messages == [] and ledger_for(fresh).rows() == []


def test_a_crash_between_send_and_record_never_sends_twice(fresh: Path, smtp: Smtp) -> None:
    from orchestration.reports.delivery import SmtpSettings, smtp_send

    config: ClientReport = load_reports(fresh.parent / "landing" / "config")[0]
    settings = SmtpSettings.from_env()

    class Crash(BaseException):
        pass

    def send_then_die(message: EmailMessage) -> None:
        smtp_send(settings, message)
        raise Crash  # the process dies before the ledger records `sent`

    with pytest.raises(Crash):
        send_report(fresh, config, parse_period("2026-10-20"), send=send_then_die)
    assert len(smtp.messages) == 1
    retry = send_report(fresh, config, parse_period("2026-10-20"))
    assert retry.status == "skipped" and "--resend" in retry.detail
    assert send_due(fresh, (config,), now=NOON) == []  # the schedule does not retry it either
    assert len(smtp.messages) == 1
    again = send_report(fresh, config, parse_period("2026-10-20"), resend=True)
    assert again.status == "sent" and len(smtp.messages) == 2
    assert smtp.messages[0][1]["Message-ID"] == smtp.messages[1][1]["Message-ID"]  # clients can drop it
