"""Sending: SMTP settings from the environment, and a ledger that sends nothing twice.

Each delivery is recorded (client, period, message id) in a SQLite ledger beside the warehouse.
The row is written *before* the message is handed to the server, as `sending`, and marked `sent`
after: a crash between the two leaves `sending`, and a retry does not send again (the message may
have gone out; `--resend` sends it anyway, under the same Message-ID so that mail clients thread or
drop the duplicate).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import sqlite3
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SmtpSettings:
        env = os.environ if environ is None else environ
        host = env.get("CALLMART_SMTP_HOST", "")
        if not host:
            raise ValueError("CALLMART_SMTP_HOST is not set: set the SMTP settings or use --dry-run")
        return cls(
            host=host,
            port=int(env.get("CALLMART_SMTP_PORT", "587") or 587),
            user=env.get("CALLMART_SMTP_USER", ""),
            password=env.get("CALLMART_SMTP_PASSWORD", ""),
            sender=env.get("CALLMART_SMTP_FROM", "") or "callmart <callmart@localhost>",
        )


def smtp_send(settings: SmtpSettings, message: EmailMessage) -> None:
    """One message; STARTTLS when the server offers it, login when a user is set."""
    with smtplib.SMTP(settings.host, settings.port, timeout=60) as server:
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if settings.user:
            server.login(settings.user, settings.password)
        server.send_message(message)


def message_id(client: str, period: str, recipients: tuple[str, ...]) -> str:
    """The same report to the same people always has the same Message-ID."""
    digest = hashlib.sha256("|".join((client, period, *recipients)).encode()).hexdigest()[:16]
    return f"<callmart.{client}.{period}.{digest}@callmart.report>"


class Ledger:
    """The record of deliveries: one row per client and period."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as con:
            con.execute(
                "create table if not exists deliveries (client_id text, period text, message_id text, "
                "recipients text, status text, started_at_utc text, sent_at_utc text, "
                "primary key (client_id, period))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, isolation_level=None, timeout=30)

    def status(self, client: str, period: str) -> tuple[str, str] | None:
        """(status, message id) of the client's report for that period, None when never started."""
        with self._connect() as con:
            row = con.execute(
                "select status, message_id from deliveries where client_id = ? and period = ?",
                [client, period],
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def deliver(
        self,
        client: str,
        period: str,
        message: EmailMessage,
        send: Callable[[EmailMessage], None],
        resend: bool = False,
    ) -> str:
        """Send once: 'sent', or why not ('already sent', 'unknown: ...')."""
        previous = self.status(client, period)
        if previous and not resend:
            if previous[0] == "sent":
                return f"already sent ({previous[1]})"
            return (
                f"a delivery of {previous[1]} was started and never recorded as sent (a crash?): it may "
                "have gone out; check the mailbox, or send it again with --resend"
            )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute(
                "insert or replace into deliveries values (?, ?, ?, ?, 'sending', ?, null)",
                [client, period, message["Message-ID"], message["To"], now],
            )
        send(message)
        with self._connect() as con:
            con.execute(
                "update deliveries set status = 'sent', sent_at_utc = ? where client_id = ? and period = ?",
                [datetime.now(UTC).isoformat(timespec="seconds"), client, period],
            )
        return "sent"

    def rows(self) -> list[tuple[str, ...]]:
        with self._connect() as con:
            return [
                tuple(map(str, r)) for r in con.execute("select * from deliveries order by 1, 2").fetchall()
            ]
