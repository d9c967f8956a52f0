"""The reports configuration: `reports.yml` in the configuration folder (`--config`, or the landing
folder's `config/`), one entry per client:

    reports:
      - client_id: acme
        recipients: [ops@acme.example, "Jane Roe <jane.roe@acme.example>"]
        frequencies: [daily, weekly, monthly]
        kpis: [offered, service_level, abandon_rate, asa_s, aht_s, closure_rate, revenue]
        timezone: Europe/Berlin   # optional: when the schedule sends and how times read; default the client's
        send_at: "07:00"          # optional local time after which a finished period is sent
        attach_rows: true         # optional: the stints and dial attempts behind the marts as CSV too

A period is always the client's local day, week or month, as the marts hold it (`date_local`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..configuration.schema import _zone
from .figures import DEFAULT_KPIS, KPIS
from .periods import Frequency

FILE_NAME = "reports.yml"
_ADDRESS = re.compile(r"^(?:[^<>@]*<)?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$")


def _address(value: str) -> str:
    if not _ADDRESS.match(value.strip()):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value.strip()


def _send_at(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"send_at {value!r}: give a local time HH:MM")
    return value


class ClientReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: Annotated[str, Field(min_length=1)]
    recipients: Annotated[tuple[Annotated[str, AfterValidator(_address)], ...], Field(min_length=1)]
    frequencies: Annotated[tuple[Frequency, ...], Field(min_length=1)] = ("daily",)
    kpis: tuple[str, ...] = DEFAULT_KPIS
    timezone: Annotated[str, AfterValidator(_zone)] | None = None
    send_at: Annotated[str, AfterValidator(_send_at)] = "07:00"
    attach_rows: bool = True

    @field_validator("kpis")
    @classmethod
    def _known_kpis(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in value if k not in KPIS]
        if unknown:
            raise ValueError(f"unknown KPI {', '.join(unknown)}; known: {', '.join(KPIS)}")
        return value


class ReportsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reports: tuple[ClientReport, ...] = ()


class ReportsConfigError(ValueError):
    pass


def load_reports(config_dir: Path | None) -> tuple[ClientReport, ...]:
    """The configured reports; none when there is no reports.yml. Raises ReportsConfigError with
    every problem, by entry and field."""
    if config_dir is None or not (config_dir / FILE_NAME).is_file():
        return ()
    path = config_dir / FILE_NAME
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ReportsConfigError(f"{path}: not valid YAML: {exc}") from exc
    try:
        parsed = ReportsFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {'.'.join(str(p) for p in error['loc'])}: {error['msg']} (got {error.get('input')!r})"
            for error in exc.errors()
        ]
        raise ReportsConfigError("\n".join(problems)) from exc
    seen: set[str] = set()
    for report in parsed.reports:
        if report.client_id in seen:
            raise ReportsConfigError(f"{path}: client {report.client_id} has two entries; give one")
        seen.add(report.client_id)
    return parsed.reports


def demo_reports_yaml(clients: list[str]) -> str:
    """The demo's reports.yml: a daily, weekly and monthly report for each client."""
    entries = [
        {
            "client_id": client,
            "recipients": [f"ops@{client}.example", f"Account Manager <am-{client}@callmart.example>"],
            "frequencies": ["daily", "weekly", "monthly"],
            "kpis": list(DEFAULT_KPIS) + ["fcr_rate", "csat_pct", "nps"],
        }
        for client in clients
    ]
    return "# callmart e-mail reports (see orchestration/reports/config.py)\n" + yaml.safe_dump(
        {"reports": entries}, sort_keys=False
    )
