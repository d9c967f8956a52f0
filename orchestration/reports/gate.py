"""Whether a client's period may go out: only figures that passed the blocking checks are sent.

The report reads the published copy of the marts, which a run writes only when every blocking
(`error`) check passed. Nothing goes out while the last run's blocking checks failed (checks are
not per period: the newest data may change any period, and the published copy is older than it),
and a period goes out only when the published copy holds all of it (its data runs past the
period's last local day). Otherwise the report says why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ..settings import StatePaths
from .periods import Period


def record_run(
    warehouse: Path, failed_blocking: list[str], published: bool | None = None, config_dir: Path | None = None
) -> None:
    """What the last run (or `callmart check`: published None, as it was) left, and the configuration
    folder it used (where `callmart report` finds reports.yml)."""
    path = StatePaths(warehouse).last_run
    before = last_run(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "finished_at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "published": before.get("published", False) if published is None else published,
        "failed_blocking_checks": failed_blocking,
        "config_dir": str(config_dir) if config_dir else before.get("config_dir"),
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def last_run(warehouse: Path) -> dict[str, object]:
    path = StatePaths(warehouse).last_run
    return json.loads(path.read_text()) if path.is_file() else {}


def period_end_utc(period: Period, zone: str) -> datetime:
    return datetime.combine(period.end, time(0), ZoneInfo(zone)).astimezone(UTC)


def refusal(warehouse: Path, period: Period, zone: str, data_through: str | None) -> str | None:
    """Why the period may not go out, or None when it may."""
    failed = [str(c) for c in last_run(warehouse).get("failed_blocking_checks", []) or []]  # type: ignore[union-attr]
    if failed:
        return f"the last run's blocking checks failed: {', '.join(failed)}"
    if data_through is None:
        return "no published marts: no run has passed its blocking checks yet"
    through = datetime.fromisoformat(data_through)
    if through.tzinfo is None:
        through = through.replace(tzinfo=UTC)
    end = period_end_utc(period, zone)
    if through < end:
        return (
            f"period {period} is not complete in the published marts: they hold data up to "
            f"{through.isoformat(timespec='seconds')}, the period ends {end.isoformat(timespec='seconds')}"
        )
    return None
