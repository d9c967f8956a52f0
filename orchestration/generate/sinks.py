"""Files the generator writes as it goes, so that its memory does not grow with the days.

`CsvRows` writes each row when it comes; `CsvCases` holds a case until it is final (resolved or
closed: its row no longer changes), so only open cases are held; `QueueLogWriter`
merges each day's sorted events into one time-ordered queue_log, holding only the events of a day
that end after the next day's first event (calls across midnight).
"""

from __future__ import annotations

import bisect
import csv
import heapq
from array import array
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import IO

QueueLogEvent = tuple[int, int, bytes]  # (epoch, sequence, line in UTF-8)


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
    """Cases, each written once it is final (resolved or closed: its row no longer changes), those
    final since the last `settle` in the order they were opened; only open cases are held."""

    def __init__(self, handle: IO[str], header: list[str]):
        super().__init__(handle, header)
        self.held: dict[int, list[object]] = {}  # index -> row, not yet written
        self.finals: list[int] = []  # indexes final since the last settle

    def append(self, row: list[object]) -> None:
        self.held[self.count] = row
        self.count += 1

    def __getitem__(self, index: int) -> list[object]:
        return self.held[index]

    def final(self, index: int) -> None:
        self.finals.append(index)

    def settle(self) -> None:
        self.writer.writerows(self.held.pop(index) for index in sorted(self.finals))
        self.finals.clear()

    def close(self) -> None:
        """The cases still open at the end, as they are."""
        self.finals = list(self.held)
        self.settle()


class DayEvents:
    """A day's sorted queue_log events held compactly: the lines as one UTF-8 `bytes` and three
    integer arrays instead of millions of tuples. A day's worker saves them to a file that the writer
    reads back (`save`, `load`): the day of a big center is 60 MB, which through the pool's pipe cost
    the one writer a tenth of its time."""

    def __init__(self, events: Sequence[tuple[int, int, str | bytes]] = ()):
        lines = [line.encode() if isinstance(line, str) else line for _, _, line in events]
        self.epochs = array("q", (event[0] for event in events))
        self.seqs = array("q", (event[1] for event in events))
        self.data = b"".join(line + b"\n" for line in lines)
        self.offsets = array("q", [0])
        self.offsets.extend(accumulate(len(line) + 1 for line in lines))

    @classmethod
    def sorted(cls, epochs: array[int], lines: list[str], before: int | None = None) -> DayEvents:
        """Events emitted in sequence (epochs[i], lines[i]), sorted by (epoch, sequence), those at or
        after `before` left out."""
        order = sorted(range(len(epochs)), key=epochs.__getitem__)  # stable: ties keep the sequence
        if before is not None:
            order = [i for i in order if epochs[i] < before]
        day = cls()
        day.epochs = array("q", (epochs[i] for i in order))
        day.seqs = array("q", (i + 1 for i in order))
        texts = [lines[i] for i in order]
        texts.append("")  # the last line's newline, without copying the day's text once more
        text = "\n".join(texts)
        day.data = text.encode()
        if len(day.data) == len(text):  # ASCII: a character is a byte
            day.offsets.extend(accumulate(len(lines[i]) + 1 for i in order))
        else:
            day.offsets.extend(accumulate(len(lines[i].encode()) + 1 for i in order))
        return day

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            handle.write(len(self).to_bytes(8, "little"))
            for numbers in (self.epochs, self.seqs, self.offsets):
                numbers.tofile(handle)
            handle.write(self.data)

    @classmethod
    def load(cls, path: Path) -> DayEvents:
        day = cls()
        with path.open("rb") as handle:
            count = int.from_bytes(handle.read(8), "little")
            day.epochs.fromfile(handle, count)
            day.seqs.fromfile(handle, count)
            day.offsets = array("q")
            day.offsets.fromfile(handle, count + 1)
            day.data = handle.read()
        return day

    def __len__(self) -> int:
        return len(self.epochs)

    def event(self, index: int) -> QueueLogEvent:
        return (
            self.epochs[index],
            self.seqs[index],
            self.data[self.offsets[index] : self.offsets[index + 1] - 1],
        )

    def position(self, key: QueueLogEvent, lo: int = 0) -> int:
        """Index of the first event at or after `key`."""
        return bisect.bisect_left(range(len(self)), key, lo=lo, key=self.event)

    def lines(self, lo: int, hi: int) -> bytes:
        return self.data[self.offsets[lo] : self.offsets[hi]]


class QueueLogWriter:
    """Writes days of sorted events as one sorted stream (the same order as one merge of all days:
    every event of a later day comes at or after that day's first event). It holds the last day
    given (compact) and the few events of earlier days that sort after that day's first event."""

    def __init__(self, path: Path, first_line: str):
        self.handle = path.open("wb")
        self.handle.write(first_line.encode() + b"\n")
        self.lines = 1
        self.carry: list[QueueLogEvent] = []  # events not written yet, sorted, besides `pending`
        self.pending = DayEvents([])  # the last day, written up to `pos`
        self.pos = 0
        self.last: QueueLogEvent | None = None  # the last event written

    def add_day(self, day: DayEvents | Sequence[tuple[int, int, str | bytes]]) -> None:
        """A day's events, sorted; days in order. What sorts before this day's first event is final."""
        events = day if isinstance(day, DayEvents) else DayEvents(day)
        if not len(events):
            return
        bound = events.event(0)
        if self.last is not None and bound < self.last:
            raise RuntimeError("a day starts before events already written: days out of order")
        cut = bisect.bisect_left(self.carry, bound)
        end = self.pending.position(bound, self.pos)
        self._write(self.carry[:cut], end)
        tail = [self.pending.event(i) for i in range(end, len(self.pending))]
        self.carry = list(heapq.merge(self.carry[cut:], tail))
        self.pending, self.pos = events, 0

    def close(self) -> int:
        self._write(self.carry, len(self.pending))
        self.carry, self.pending, self.pos = [], DayEvents([]), 0
        self.handle.close()
        return self.lines

    def _write(self, carried: list[QueueLogEvent], end: int) -> None:
        """`carried` merged with the pending day's events up to `end`."""
        for event in carried:
            at = self.pending.position(event, self.pos)
            self._write_pending(at)
            self.handle.write(event[2] + b"\n")
            self.lines += 1
            self.last = event
        self._write_pending(end)

    def _write_pending(self, end: int) -> None:
        if end > self.pos:
            self.handle.write(self.pending.lines(self.pos, end))
            self.lines += end - self.pos
            self.last = self.pending.event(end - 1)
            self.pos = end


def open_csv(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", newline="", encoding="utf-8")
