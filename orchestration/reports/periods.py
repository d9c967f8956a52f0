"""A report period: a local day (`2026-10-20`), an ISO week (`2026-W43`) or a month (`2026-10`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Frequency = Literal["daily", "weekly", "monthly"]


@dataclass(frozen=True)
class Period:
    frequency: Frequency
    start: date  # first local day
    end: date  # the day after the last one

    @property
    def label(self) -> str:
        if self.frequency == "daily":
            return self.start.isoformat()
        if self.frequency == "weekly":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        return containing(self.frequency, self.start - timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def containing(frequency: Frequency, day: date) -> Period:
    """The period of that frequency that holds `day`."""
    if frequency == "daily":
        return Period("daily", day, day + timedelta(days=1))
    if frequency == "weekly":
        monday = day - timedelta(days=day.weekday())
        return Period("weekly", monday, monday + timedelta(days=7))
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period("monthly", first, following)


def parse_period(text: str) -> Period:
    """`2026-10-20`, `2026-W43` or `2026-10`; ValueError otherwise."""
    text = text.strip()
    if match := re.fullmatch(r"(\d{4})-W(\d{2})", text):
        start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return containing("weekly", start)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return containing("monthly", date(int(match[1]), int(match[2]), 1))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return containing("daily", date.fromisoformat(text))
    raise ValueError(f"period {text!r}: give a day (2026-10-20), an ISO week (2026-W43) or a month (2026-10)")


def last_complete(frequency: Frequency, today: date) -> Period:
    """The newest period of that frequency that ended before `today` (a local day)."""
    return containing(frequency, today).previous()
