"""The configuration files of the data contract (`Configuration` in data-contract.md) as pydantic
row models: one model per seed, one field per contract column.

A field with a default may be left empty in the file (the dbt staging model `stg_config__<seed>`
fills it: the defaults live there, once); a field without one must hold a value. Values are checked
for type, range and list, and normalised (trimmed, booleans and case) so that the tables dbt reads
are always well-formed. Columns beyond these are accepted and ignored; a file that lacks one of
them is a configuration error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from ..loading.contract import ISO_4217
from ..settings import pause_categories

PAUSE_CATEGORIES = pause_categories()
SL_FORMULAS = ("answered", "offered", "offered_excl_short", "inclusive")
PLAN_METRICS = ("revenue", "orders", "items", "sales", "attempts", "records_processed", "service_level")
# The five flags that nest (kpis.md, Outbound); is_sale and is_final are free.
NESTED_FLAGS = ("is_connected", "is_human", "is_decision_maker", "is_purpose_discussed", "is_result")


@cache
def iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(value: str) -> str:
    if value not in iana_zones():
        raise ValueError("not an IANA time zone (for example Europe/Berlin, America/New_York, UTC)")
    return value


def _currency(value: str) -> str:
    code = value.upper()
    if code not in ISO_4217:
        raise ValueError("not an ISO 4217 currency code (for example EUR, USD, GBP)")
    return code


def _flag(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise ValueError("a flag is true or false")
    return value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Text = Annotated[str, Field(min_length=1)]
Zone = Annotated[str, AfterValidator(_zone)]
Currency = Annotated[str, AfterValidator(_currency)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Seconds = Annotated[int, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Number = Annotated[float, Field(allow_inf_nan=False)]
PauseCategory = Annotated[Literal[PAUSE_CATEGORIES], BeforeValidator(_lower)]  # type: ignore[valid-type]
SlFormula = Annotated[Literal[SL_FORMULAS], BeforeValidator(_lower)]  # type: ignore[valid-type]
PlanMetric = Annotated[Literal[PLAN_METRICS], BeforeValidator(_lower)]  # type: ignore[valid-type]


class Row(BaseModel):
    """A configuration row: text is trimmed, an empty cell is a missing value."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)


class ClientRow(Row):
    client_id: Text
    client_name: str | None = None
    timezone: Zone | None = None
    reporting_currency: Currency | None = None


class QueueRow(Row):
    queue: Text
    client_id: str | None = None
    sl_threshold_s: Seconds | None = None
    sl_target: Fraction | None = None
    short_abandon_s: Seconds | None = None
    sl_formula: SlFormula | None = None


class AgentRow(Row):
    agent: Text
    agent_id: Text
    agent_name: str | None = None
    team: str | None = None


class PauseReasonRow(Row):
    reason: Text
    category: PauseCategory


class DialerListRow(Row):
    list_id: Text
    campaign_id: Text


class CampaignRow(Row):
    campaign_id: Text
    client_id: str | None = None
    campaign_name: str | None = None


class DialerStatusRow(Row):
    status: Text
    status_name: str | None = None  # optional column
    is_connected: Flag
    is_human: Flag
    is_decision_maker: Flag
    is_purpose_discussed: Flag
    is_result: Flag
    is_sale: Flag
    is_final: Flag

    @field_validator(*NESTED_FLAGS[1:])
    @classmethod
    def _flags_nest(cls, value: bool, info: ValidationInfo) -> bool:
        outer = NESTED_FLAGS[NESTED_FLAGS.index(str(info.field_name)) - 1]
        if value and info.data.get(outer) is False:
            raise ValueError(
                f"true while {outer} is false: the flags nest ({' > '.join(NESTED_FLAGS)}), "
                f"so {info.field_name} needs {outer}"
            )
        return value


class PlanRow(Row):
    period_start: date
    period_end: date
    client_id: Text
    campaign_id: str | None = None
    metric: PlanMetric
    plan_value: Number
    min_value: Number | None = None

    @field_validator("period_end")
    @classmethod
    def _period_in_order(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("period_start")
        if start is not None and value < start:
            raise ValueError(f"before period_start {start}: a period ends on or after its start")
        return value


class FxRateRow(Row):
    rate_date: date
    currency: Currency
    reporting_currency: Currency
    rate: Annotated[float, Field(gt=0, allow_inf_nan=False)]


@dataclass(frozen=True)
class SeedSchema:
    """One configuration file: its row model, its key (unique per file) and its optional columns."""

    name: str
    row: type[Row]
    key: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key_case_insensitive: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the table dbt reads, in order (the contract's, then optional ones)."""
        return tuple(self.row.model_fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional)


SEEDS: tuple[SeedSchema, ...] = (
    SeedSchema("clients", ClientRow, ("client_id",)),
    SeedSchema("queues", QueueRow, ("queue",)),
    SeedSchema("agents", AgentRow, ("agent",)),
    SeedSchema("pause_reasons", PauseReasonRow, ("reason",), key_case_insensitive=True),
    SeedSchema("dialer_lists", DialerListRow, ("list_id",)),
    SeedSchema("campaigns", CampaignRow, ("campaign_id",)),
    SeedSchema("dialer_statuses", DialerStatusRow, ("status",), ("status_name",), key_case_insensitive=True),
    SeedSchema("plans", PlanRow, ("period_start", "period_end", "client_id", "campaign_id", "metric")),
    SeedSchema("fx_rates", FxRateRow, ("rate_date", "currency", "reporting_currency")),
)
SEEDS_BY_NAME = {s.name: s for s in SEEDS}
