"""Great Expectations in a process of its own, started with a run so that GX is imported before a
suite needs it.

Importing GX takes seconds (2.5 s on the reference machine), and a run pays it whenever a suite's
batch changed, so on every run after new queue_log lines (the raw suite checks the newest ones).
`callmart run` starts this process first. It imports GX on the other core while the run imports
Dagster and dbt, builds its definitions and loads the files. A suite to validate is then sent to
it. The process opens the warehouse read-only itself (DuckDB lets several processes read, and
nothing writes while the checks run). It validates with the code an in-process validation uses
(`gx_suites.validate`) and answers with the results.

The process is closed when the dbt step starts, because the build sets the run's memory peak, or
else when the run ends. Without it (`callmart check`, a run under `callmart serve`, a process that
died or answered nonsense) a suite is validated in the run's own process, as before.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from .model import CheckResult

if TYPE_CHECKING:
    from .gx_suites import Suite

_started: dict[Path, GxProcess] = {}


class GxProcessError(RuntimeError):
    """The process did not answer: it died, or wrote something else than an answer."""


class GxProcess:
    """A child process that imports GX at once, then validates suites for one GX project folder."""

    def __init__(self, gx_dir: Path):
        # nothing is written before the first request: a run refused for its configuration or vars
        # (after this process started) leaves no trace
        self.gx_dir = gx_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(gx_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def validate(self, warehouse: Path, suites: list[Suite], keep_runs: int) -> list[CheckResult]:
        """Each suite's result, validated on the warehouse by the child."""
        request = {
            "warehouse": str(warehouse),
            "keep_runs": keep_runs,
            "suites": [dataclasses.asdict(suite) for suite in suites],
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except OSError as exc:
            raise GxProcessError(f"the GX process is gone: {exc}") from exc
        try:
            answer = json.loads(line)
            results = [
                CheckResult(**{**result, "asset": tuple(result["asset"])}) for result in answer["results"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise GxProcessError(f"the GX process answered {line[:200]!r}") from exc
        if [r.name for r in results] != [s.name for s in suites]:
            raise GxProcessError("the GX process answered for other suites")
        return results

    def close(self) -> None:
        """Stop the child: between requests it only waits or still imports GX, so at once."""
        if self.process.stdin is not None:
            with suppress(OSError):
                self.process.stdin.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def started(gx_dir: Path) -> Iterator[None]:
    """A GX process for `gx_dir` while the block runs."""
    _started[gx_dir] = GxProcess(gx_dir)
    try:
        yield
    finally:
        release(gx_dir)


def release(gx_dir: Path | None = None) -> None:
    """Close the process started for `gx_dir` (every one when None); later suites run in-process."""
    for folder in [gx_dir] if gx_dir is not None else list(_started):
        process = _started.pop(folder, None)
        if process is not None:
            process.close()


def running(gx_dir: Path) -> GxProcess | None:
    process = _started.get(gx_dir)
    if process is not None and process.process.poll() is not None:  # it died: no use
        release(gx_dir)
        return None
    return process


def _serve(gx_dir: Path) -> None:
    """The child, until its stdin closes or it is stopped (SIGTERM): between requests, or while it
    imports GX or warms up. It then leaves at once, without tearing down GX and pandas module by
    module: that took a second, which the run's dbt step waited for. Every answer is flushed when
    written, and the warm-up's scratch folder is removed on the way out (SIGTERM raises SystemExit)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _answer_requests(gx_dir)
    finally:
        os._exit(0)


def _answer_requests(gx_dir: Path) -> None:
    """GX imported first, then one answer per request line. The GX project is opened at the first
    request, not before: that writes its files, and a child stopped while it writes them would
    leave them broken."""
    from ..warehouse import connect
    from .gx_suites import Suite, great_expectations, open_context, validate, warm_up

    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever GX prints goes to stderr, not into the answers
    great_expectations()
    with suppress(Exception):  # only to be faster: a suite is validated all the same without it
        warm_up()  # while the run loads: its first suite is then validated in half the time
    context = None
    for line in sys.stdin:
        try:
            request = json.loads(line)
            suites = [Suite(**{**s, "asset": tuple(s["asset"])}) for s in request["suites"]]
            context = context or open_context(gx_dir)  # creates gx_dir
            with connect(Path(request["warehouse"]), read_only=True) as con:
                results = validate(con, suites, gx_dir, int(request["keep_runs"]), context)
            answer: dict[str, object] = {"results": [dataclasses.asdict(r) for r in results]}
        except Exception as exc:  # noqa: BLE001 - said to the run, which validates in-process
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
