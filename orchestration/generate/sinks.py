"""Files the generator writes as it goes, so that its memory does not grow with the days.

`CsvRows` writes each row when it comes; `CsvCases` holds a case until it is final (resolved or
closed: its row no longer changes) and writes cases in the order they were opened; `QueueLogWriter`
merges each day's sorted events into one time-ordered queue_log, holding only the events of a day
that end after the next day's first event (calls across midnight).
"""

from __future__ import annotations

import bisect
import csv
import heapq
from pathlib import Path
from typing import IO

QueueLogEvent = tuple[int, int, str]  # (epoch, sequence, line)


class CsvRows:
    def __init__(self, handle: IO[str], header: list[str], suffix: list[object] | None = None):
        self.writer = csv.writer(handle, lineterminator="\n")
        self.writer.writerow(header)
        self.suffix = suffix or []
        self.count = 0

    def append(self, row: list[object]) -> None:
        self.writer.writerow(row + self.suffix if self.suffix else row)
        self.count += 1

    def __len__(self) -> int:
        return self.count


class CsvCases(CsvRows):
    def __init__(self, handle: IO[str], header: list[str]):
        super().__init__(handle, header)
        self.held: dict[int, list[object]] = {}  # index -> row, not yet written
        self.next_out = 0  # index of the next row to write

    def append(self, row: list[object]) -> None:
        self.held[self.count] = row
        self.count += 1

    def __getitem__(self, index: int) -> list[object]:
        return self.held[index]

    def settle(self, open_case_ids: set[str]) -> None:
        while self.next_out < self.count and self.held[self.next_out][0] not in open_case_ids:
            self.writer.writerow(self.held.pop(self.next_out))
            self.next_out += 1

    def close(self) -> None:
        """The cases still open at the end, as they are."""
        self.settle(set())


class QueueLogWriter:
    """Writes days of sorted events as one sorted stream (the same order as one merge of all days:
    every event of a later day comes at or after that day's first event)."""

    def __init__(self, path: Path, first_line: str):
        self.handle = path.open("w", encoding="utf-8")
        self.handle.write(first_line + "\n")
        self.lines = 1
        self.carry: list[QueueLogEvent] = []  # events not written yet, sorted
        self.last: QueueLogEvent | None = None  # the last event written

    def add_day(self, events: list[QueueLogEvent]) -> None:
        """A day's events, sorted; days in order. What sorts before this day's first event is final."""
        if not events:
            return
        bound = events[0]
        if self.last is not None and bound < self.last:
            raise RuntimeError("a day starts before events already written: days out of order")
        cut = bisect.bisect_left(self.carry, bound)
        self._write(self.carry[:cut])
        self.carry = list(heapq.merge(self.carry[cut:], events))

    def close(self) -> int:
        self._write(self.carry)
        self.carry = []
        self.handle.close()
        return self.lines

    def _write(self, events: list[QueueLogEvent]) -> None:
        if events:
            self.last = events[-1]
        for start in range(0, len(events), 100_000):
            chunk = events[start : start + 100_000]
            self.handle.write("\n".join(line for _, _, line in chunk) + "\n")
            self.lines += len(chunk)


def open_csv(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", newline="", encoding="utf-8")
