"""An installed callmart (a wheel, not a clone) finds the dbt project it carries and parses it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from orchestration.settings import PACKAGED_PROJECT, find_project_dir

from .conftest import REPO


def test_a_checkout_uses_itself_and_a_wheel_its_packaged_project(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CALLMART_PROJECT_DIR", raising=False)
    assert find_project_dir(REPO / "orchestration") == REPO
    installed = tmp_path / "site-packages" / "orchestration"
    installed.mkdir(parents=True)
    assert find_project_dir(installed) == installed / PACKAGED_PROJECT
    monkeypatch.setenv("CALLMART_PROJECT_DIR", str(tmp_path / "mine"))
    assert find_project_dir(installed) == tmp_path / "mine"


def test_the_wheel_carries_the_dbt_project_and_dbt_parses_it(tmp_path: Path) -> None:
    # `uv run` names its own executable in UV; a bare checkout has it on PATH (`pip install uv`)
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    out = str(tmp_path / "dist")
    built = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", out], cwd=REPO, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("callmart-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    project = "orchestration/project/"
    for expected in (
        "dbt_project.yml",
        "profiles.yml",
        "models/marts/inbound/kpi_inbound_daily.sql",
        "macros/kpi.sql",
        "seeds/queues.csv",
        "expectations/raw_queue_log_schema.json",
    ):
        assert project + expected in names
    assert not any("node_modules" in n or "/target/" in n for n in names)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import orchestration.settings as s; "
        "print(s.PROJECT_DIR); print(s.data_dir())"
    )
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path / "home")}
    shown = subprocess.run(
        [sys.executable, "-c", code, str(site)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    project_dir, data = shown.stdout.split()
    assert Path(project_dir) == site / "orchestration" / "project"
    assert Path(data) == tmp_path / "home" / ".local" / "share" / "callmart"
    dbt = Path(sys.executable).parent / "dbt"
    parsed = subprocess.run(
        [
            str(dbt),
            "parse",
            "--project-dir",
            project_dir,
            "--profiles-dir",
            project_dir,
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=tmp_path,
        env={**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    assert parsed.returncode == 0, parsed.stdout[-2000:]
    assert (tmp_path / "target" / "semantic_manifest.json").is_file()
