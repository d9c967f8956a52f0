"""Work in a thread of its own whose results the caller's thread takes as they come.

DuckDB releases the GIL while it runs a query, so a thread that sends queries (the tests' batch, a
replayed build) overlaps what the run's thread does with each result (Dagster records an event per
check or model, which takes longer than most of those queries).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Raised:
    error: BaseException


_DONE = object()


def handed_over(work: Callable[[Callable[[T], None]], None], name: str) -> Iterator[T]:
    """Run `work(hand_over)` in a thread named `name` and yield what it hands over, as it comes; what
    it raises is raised here, after what it handed over before. The thread is joined when the
    caller is done (or stops early)."""
    items: queue.Queue[object] = queue.Queue()

    def run() -> None:
        try:
            work(items.put)
        except BaseException as error:  # raised in the caller's thread
            items.put(_Raised(error))
        finally:
            items.put(_DONE)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Raised):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        thread.join()
