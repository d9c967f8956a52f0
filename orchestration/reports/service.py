"""One report end to end (`callmart report`), and the reports due now (the scheduled job)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from ..settings import StatePaths
from ..warehouse import connect
from .config import ClientReport
from .delivery import Ledger, SmtpSettings, message_id, smtp_send
from .figures import client_zone, data_through
from .gate import refusal
from .periods import Period, last_complete
from .render import build_report, to_message


@dataclass(frozen=True)
class Outcome:
    client: str
    period: str
    status: str  # sent | written | refused | skipped
    detail: str

    def __str__(self) -> str:
        return f"{self.client} {self.period}: {self.status}: {self.detail}"


def ledger_for(warehouse: Path) -> Ledger:
    return Ledger(StatePaths(warehouse).reports / "deliveries.sqlite")


def send_report(
    warehouse: Path,
    config: ClientReport,
    period: Period,
    dry_run: bool = False,
    out_dir: Path | None = None,
    resend: bool = False,
    send: Callable[[EmailMessage], None] | None = None,
    sender: str | None = None,
) -> Outcome:
    """Build and send (or, dry, write as .eml) one client's report for one period. Reads the
    published copy of the marts; refuses when the gate says so."""
    paths = StatePaths(warehouse)
    client, label = config.client_id, str(period)
    if not paths.published.exists():
        return Outcome(
            client, label, "refused", "no published marts: no run has passed its blocking checks yet"
        )
    with connect(paths.published, read_only=True) as con:
        known = client_zone(con, client)
        if known is None:
            return Outcome(client, label, "refused", f"client {client} is not in the marts (dim_client)")
        name, zone, currency = known
        why = refusal(warehouse, period, zone, data_through(con))
        if why:
            return Outcome(client, label, "refused", why)
        report = build_report(con, config, period, name, currency)
    if not dry_run and send is None:
        smtp = SmtpSettings.from_env()
        sender = sender or smtp.sender
        send = lambda message: smtp_send(smtp, message)  # noqa: E731
    message = to_message(
        report,
        config.recipients,
        sender or "callmart <callmart@localhost>",
        message_id(client, label, config.recipients),
    )
    if dry_run:
        target = (out_dir or paths.reports) / f"{client}_{label}.eml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(message))
        return Outcome(client, label, "written", str(target))
    assert send is not None
    result = ledger_for(warehouse).deliver(client, label, message, send, resend)
    return Outcome(
        client,
        label,
        "sent" if result == "sent" else "skipped",
        result if result != "sent" else message["Message-ID"],
    )


def due_periods(config: ClientReport, zone: str, now: datetime) -> list[Period]:
    """The newest finished period of each configured frequency, once the local time is past send_at."""
    local = now.astimezone(ZoneInfo(config.timezone or zone))
    hour, minute = (int(x) for x in config.send_at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return []
    return [last_complete(frequency, local.date()) for frequency in config.frequencies]


def send_due(
    warehouse: Path,
    reports: tuple[ClientReport, ...],
    now: datetime | None = None,
    send: Callable[[EmailMessage], None] | None = None,
) -> list[Outcome]:
    """Every report due now and not yet delivered (the ledger skips what went out already)."""
    now = now or datetime.now(UTC)
    paths = StatePaths(warehouse)
    outcomes: list[Outcome] = []
    ledger = ledger_for(warehouse)
    for config in reports:
        zone = "UTC"
        if paths.published.exists():
            with connect(paths.published, read_only=True) as con:
                known = client_zone(con, config.client_id)
            zone = known[1] if known else zone
        for period in due_periods(config, zone, now):
            previous = ledger.status(config.client_id, str(period))
            if previous is not None:
                continue  # sent, or started and unknown: never twice unattended
            outcomes.append(send_report(warehouse, config, period, send=send))
    return outcomes
