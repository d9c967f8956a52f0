"""Progress lines for long work, on stderr: one line per stage, counters in place on a terminal."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    enabled: bool = False
    verbose: bool = False

    def line(self, message: str) -> None:
        """A stage's line (always shown when progress is on)."""
        if self.enabled:
            _clear()
            print(message, file=sys.stderr, flush=True)

    def status(self, message: str) -> None:
        """A counter, redrawn in place on a terminal; not shown when stderr is a file."""
        if self.enabled and sys.stderr.isatty():
            print("\r\033[K" + message[:150], end="", file=sys.stderr, flush=True)

    def detail(self, message: str) -> None:
        """Only with --verbose."""
        if self.enabled and self.verbose:
            _clear()
            print(message, file=sys.stderr, flush=True)


def _clear() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
