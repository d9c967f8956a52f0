"""Holding a warehouse open across a run's steps (orchestration/warehouse.py): connections in the
held mode join it, one in the other mode releases it first, and another process can open the file
once it is released."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import warehouse
from orchestration.warehouse import connect, hold, release

_run = subprocess.run  # the test below replaces subprocess.run for dbt


def _other_process_reads(path: Path) -> bool:
    """Whether a separate process can open the file read-only now."""
    code = f"import duckdb; duckdb.connect({str(path)!r}, read_only=True).close()"
    return _run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table calls as select 1 as call_id")
    return path


def test_a_held_warehouse_is_shared_and_released_on_a_change_of_mode(warehouse_file: Path) -> None:
    try:
        hold(warehouse_file)
        with connect(warehouse_file) as con:  # joins the held database
            con.execute("insert into calls values (2)")
        assert warehouse._held[str(warehouse_file)][0] is False
        assert not _other_process_reads(warehouse_file)  # read-write: this process's alone
        # a read-only connection releases the read-write hold first, then sees what was written
        with connect(warehouse_file, read_only=True) as con:
            assert con.execute("select count(*) from calls").fetchone() == (2,)
        assert str(warehouse_file) not in warehouse._held
        hold(warehouse_file, read_only=True)
        assert _other_process_reads(warehouse_file)  # readers may sit beside a read-only hold
    finally:
        release()
    assert warehouse._held == {}
    with duckdb.connect(str(warehouse_file)) as con:  # released: any mode, any settings
        assert con.execute("select count(*) from calls").fetchone() == (2,)


def test_a_dbt_command_out_of_process_releases_the_held_warehouse(
    warehouse_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import dbt_assets
    from orchestration.settings import StatePaths

    seen: list[bool] = []
    monkeypatch.setattr(dbt_assets, "dbt_executable", lambda: "true")
    monkeypatch.setattr(dbt_assets, "write_profile", lambda *_: warehouse_file.parent)
    monkeypatch.setattr(
        dbt_assets.subprocess, "run", lambda *a, **k: seen.append(_other_process_reads(warehouse_file))
    )
    try:
        hold(warehouse_file)
        dbt_assets.run_dbt_on_warehouse(
            ["docs", "generate"], StatePaths(warehouse_file), warehouse_file.parent, {}
        )
    finally:
        release()
    assert seen == [True]
