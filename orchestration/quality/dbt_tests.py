"""dbt's data tests run against the current warehouse, as CheckResults (for `callmart check`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..seeds import prepare_seed_dir
from ..settings import PROJECT_DIR, data_dir
from .model import CheckResult


def run_dbt_tests(
    warehouse: Path, dbt_vars: dict[str, object], config_dir: Path | None
) -> tuple[list[CheckResult], int]:
    """(results of the tests that did not pass, number that passed)."""
    seed_dir, _ = prepare_seed_dir(config_dir)
    target = data_dir() / "dbt_check_target"
    dbt = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")
    env = {**os.environ, "CALLMART_WAREHOUSE": str(warehouse), "CALLMART_SEED_DIR": str(seed_dir)}
    command = [
        dbt,
        "test",
        "--exclude",
        "test_type:unit",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--quiet",
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    results_file = target / "run_results.json"
    if not results_file.exists():
        return [CheckResult("dbt test", ("dbt",), "error", False, 0, "dbt test did not run")], 0
    failed: list[CheckResult] = []
    passed = 0
    for r in json.loads(results_file.read_text())["results"]:
        if r["status"] == "pass":
            passed += 1
            continue
        name = r["unique_id"].split(".")[2]
        severity = "warn" if r["status"] == "warn" else "error"
        failed.append(
            CheckResult(
                name,
                ("dbt",),
                severity,
                False,
                int(r.get("failures") or 0),
                str(r.get("message") or r["status"]),
            )
        )
    return failed, passed
