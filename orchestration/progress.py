"""Progress lines for long work, on stderr, when the CLI asks for them (CALLMART_PROGRESS=1)."""

from __future__ import annotations

import os
import sys


def enabled() -> bool:
    return os.environ.get("CALLMART_PROGRESS") == "1"


def say(message: str) -> None:
    if enabled():
        print(message, file=sys.stderr, flush=True)
