"""The GX process `callmart run` starts (orchestration/quality/gx_process.py): it validates a suite as
the run's own process would, and when it is gone or answers nonsense, the run validates itself.

The warehouse holds four rows, two of them without a label: `labels_present` fails on 2 rows,
`ids_in_range` (1 to 4) passes.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import gx_process, gx_suites
from orchestration.quality.gx_suites import Suite, run_suites, validate
from orchestration.warehouse import connect


def _suite(name: str, expectation: dict[str, object]) -> Suite:
    config = {"name": name, "expectations": [expectation], "meta": {}}
    return Suite(name, ("raw", "items"), "error", "select * from raw.items", "", config)


SUITES = [
    _suite("labels_present", {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "label"}}),
    _suite(
        "ids_in_range",
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "id", "min_value": 1, "max_value": 4},
        },
    ),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.items as select * from (values (1, 'a'), (2, null), (3, 'c'), (4, null)) v(id, label)"
        )
    return path


def _figures(results) -> list[tuple[str, bool, int, str]]:  # type: ignore[no-untyped-def]
    return [(r.name, r.passed, r.failing_rows, r.message) for r in results]


def _not_here(*args: object, **kwargs: object) -> None:
    raise AssertionError("validated in the run's process")


def test_the_process_validates_as_the_run_would(warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    with connect(warehouse, read_only=True) as con:
        here = validate(con, SUITES, tmp_path / "here", 5)
    assert _figures(here)[0][:3] == ("labels_present", False, 2)
    assert _figures(here)[1][:3] == ("ids_in_range", True, 0)
    gx_dir = tmp_path / "there"
    with gx_process.started(gx_dir):
        process = gx_process.running(gx_dir)
        assert process is not None
        there = process.validate(warehouse, SUITES, 5)
        assert _figures(there) == _figures(here)
        assert there[0].sample == here[0].sample and there[0].asset == ("raw", "items")
        # run_suites hands the suites to it, and validates nothing itself
        monkeypatch.setattr(gx_suites, "validate", _not_here)
        with connect(warehouse, read_only=True) as con:
            assert _figures(run_suites(con, SUITES, gx_dir, 5, warehouse)) == _figures(here)
        assert process.process.poll() is None  # still serving
    assert process.process.poll() is not None  # closed with the block
    assert gx_process.running(gx_dir) is None


def test_without_a_working_process_the_run_validates_itself(warehouse: Path, tmp_path: Path) -> None:
    gx_dir = tmp_path / "gx"
    with gx_process.started(gx_dir):
        process = gx_process.running(gx_dir)
        assert process is not None
        # a process that answers nonsense (it echoes the request): the run validates, and drops it
        process.process.kill()
        process.process.wait()
        process.process = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        with connect(warehouse, read_only=True) as con:
            assert _figures(run_suites(con, SUITES[:1], gx_dir, 5, warehouse))[0][:3] == (
                "labels_present",
                False,
                2,
            )
        assert gx_process.running(gx_dir) is None
    gx_dir = tmp_path / "gx2"
    with gx_process.started(gx_dir):
        process = gx_process.running(gx_dir)
        assert process is not None
        process.process.kill()  # a process that died: not used
        process.process.wait()
        assert gx_process.running(gx_dir) is None
        with connect(warehouse, read_only=True) as con:
            assert _figures(run_suites(con, SUITES[:1], gx_dir, 5, warehouse))[0][:3] == (
                "labels_present",
                False,
                2,
            )


def test_a_process_stopped_while_it_warms_up_leaves_no_scratch_project(tmp_path: Path, monkeypatch) -> None:
    """The child validates a throwaway suite in a scratch folder while it waits for its first request
    (gx_suites.warm_up); stopped then (a live run has no suite to ask for), it removes that folder."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the child's temporary folders
    process = gx_process.GxProcess(tmp_path / "gx")
    deadline = time.monotonic() + 60
    while not list(scratch.glob("callmart-gx-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(scratch.glob("callmart-gx-*")), "the child never warmed up"
    process.close()
    assert list(scratch.glob("callmart-gx-*")) == []
    assert not (tmp_path / "gx").exists()  # and it wrote nothing of the run's project


def test_gx_page_renderers_share_their_compiled_templates() -> None:
    """GX makes a jinja environment per page it renders; callmart gives them one bytecode cache
    (data_docs.share_compiled_templates), so a template is compiled once per process."""
    gx_suites.great_expectations()
    from great_expectations.render.view.view import DefaultJinjaView

    first, second = DefaultJinjaView().env, DefaultJinjaView().env
    assert first is not second and first.bytecode_cache is second.bytecode_cache is not None
    first.get_template("page.j2")
    compiled: list[str] = []
    original = second.compile
    second.compile = lambda source, name=None, *a, **k: (
        compiled.append(name) or original(source, name, *a, **k)
    )  # type: ignore[method-assign]
    second.get_template("page.j2")
    assert compiled == []  # loaded from the cache the first renderer filled
