"""`callmart serve`: the Dagster webserver and daemon on 127.0.0.1, running the landing sensor and
the schedules (nightly full build, e-mail reports) against one landing folder and warehouse.

Dagster's instance lives beside the warehouse (`W.duckdb.state/serve`), with runs queued one at a
time: DuckDB has one writer, so a sensor run and the nightly build never overlap. The settings
reach the code location as CALLMART_* variables set once, when the processes start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .settings import StatePaths

INSTANCE_YAML = """\
# written by callmart serve
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
    dequeue_interval_seconds: 1
telemetry:
  enabled: false
"""


def instance_dir(warehouse: Path) -> Path:
    home = StatePaths(warehouse).state_dir / "serve"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    return home


def serve_environment(landing: Path, warehouse: Path, config_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DAGSTER_HOME=str(instance_dir(warehouse)),
        CALLMART_LANDING=str(landing),
        CALLMART_WAREHOUSE=str(warehouse),
        CALLMART_CONFIG_DIR=str(config_dir or ""),
    )
    return env


def commands(port: int) -> list[list[str]]:
    bin_dir = Path(sys.executable).parent
    module = ["-m", "orchestration.definitions"]
    return [
        [str(bin_dir / "dagster-daemon"), "run", *module],
        [str(bin_dir / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), *module],
    ]


def serve(landing: Path, warehouse: Path, config_dir: Path | None, port: int, say) -> int:  # type: ignore[no-untyped-def]
    env = serve_environment(landing, warehouse, config_dir)
    processes = [subprocess.Popen(command, env=env) for command in commands(port)]
    say(f"callmart serve: http://127.0.0.1:{port} (Dagster), landing {landing} -> warehouse {warehouse}")
    say("  the landing sensor, the nightly build and the e-mail reports are on; Ctrl-C stops")

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    stop()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return max((process.returncode or 0) for process in processes) if processes else 0
