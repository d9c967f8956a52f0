"""The console script's exit (`orchestration.cli.entry`): it skips freeing the interpreter's heap,
and still delivers what a command printed and its exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.python.conftest import REPO


def _callmart(*args: str) -> subprocess.CompletedProcess[str]:
    # a pipe, as under cron or a CI log: standard output is block-buffered, not flushed per line
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_what_a_command_printed_reaches_the_pipe(tmp_path: Path) -> None:
    done = _callmart("generate", "--out", str(tmp_path / "demo"), "--days", "1", "--agents", "2")
    assert done.returncode == 0, done.stderr
    # the table of files is printed to standard output without a flush of its own
    assert "queue_log" in done.stdout and "rows" in done.stdout
    assert (tmp_path / "demo" / "asterisk" / "queue_log").stat().st_size > 0


def test_a_usage_error_exits_2_with_its_message(tmp_path: Path) -> None:
    done = _callmart("run", "--landing", str(tmp_path / "no-such-folder"))
    assert done.returncode == 2
    assert "landing folder not found" in done.stderr
