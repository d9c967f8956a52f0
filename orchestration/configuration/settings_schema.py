"""The global settings (`--vars`): dbt vars of the data contract and the quality checks' thresholds.

Only the settings given are checked; the defaults stay where they are used (dbt_project.yml's vars,
the quality tests' thresholds among them). A name that is none of these is reported as a warning
(it may be a typo, or a var of the user's own models) and passed on to dbt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .schema import _zone


def as_of_time(value: str | datetime) -> str:
    """`data`, or a UTC time (ISO 8601; YAML reads one as a datetime) as `YYYY-MM-DD HH:MM:SS`: the
    freshness test's as-of time, written into its SQL, so nothing else gets there."""
    if value == "data":
        return value
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not 'data' nor a UTC time such as 2026-11-02 12:00:00") from None
    if parsed.utcoffset() is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%d %H:%M:%S")


NonNegInt = Annotated[int, Field(ge=0, strict=True)]
NonNegNumber = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    # dbt vars (data-contract.md, Global settings)
    interval_minutes: Literal[15, 30, 60] | None = None
    fcr_window_days: NonNegInt | None = None
    repeat_call_window_hours: NonNegNumber | None = None
    acw_link_s: NonNegNumber | None = None
    pbx_timezone: Annotated[str, AfterValidator(_zone)] | None = None
    dialer_timezone: Annotated[str, AfterValidator(_zone)] | None = None
    pii_salt: Annotated[str, Field(min_length=1)] | None = None
    live_stale_hours: NonNegNumber | None = None
    rebuild_lookback_days: NonNegInt | None = None
    # thresholds of the heuristic quality tests (tests/dbt/heuristics/)
    queue_log_open_hours: NonNegNumber | None = None
    max_talk_hours: NonNegNumber | None = None
    queue_timeout_s: NonNegNumber | None = None
    volume_drop_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    volume_min_calls: NonNegNumber | None = None
    freshness_max_age_hours: NonNegNumber | None = None
    as_of: Annotated[str | datetime, AfterValidator(as_of_time)] | None = None
    # retention: runs of validation results, Data Docs pages and dbt logs kept
    keep_runs: Annotated[int, Field(ge=1, strict=True)] | None = None


KNOWN_SETTINGS = tuple(Settings.model_fields)

# read by quality tests only, never by a model: a change of one does not rebuild the marts
TEST_ONLY_SETTINGS = (
    "queue_log_open_hours",
    "max_talk_hours",
    "queue_timeout_s",
    "volume_drop_pct",
    "volume_min_calls",
    "freshness_max_age_hours",
    "as_of",
    "keep_runs",
)
