"""Recorded model builds (orchestration/recorded_builds.py): what a dbt build's events leave in the
record, and a replay that sends it again, in the graph's order, stopping at the first failure. The
end to end proof (three loads, the later ones replayed, equal to a full build; a damaged record
repaired by dbt) is in test_incremental.py."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from orchestration import recorded_builds
from orchestration.recorded_builds import Record, Recorder


def _event(name: str, unique_id: str, level: str = "info", **data: object) -> SimpleNamespace:
    return SimpleNamespace(
        info=SimpleNamespace(name=name, level=level),
        data=SimpleNamespace(node_info=SimpleNamespace(unique_id=unique_id), **data),
    )


def _sql(unique_id: str, sql: str) -> SimpleNamespace:
    return _event("SQLQuery", unique_id, "debug", sql=sql, conn_name=unique_id)


def test_the_recorder_keeps_the_statements_of_models_built_over_an_existing_table() -> None:
    recorder = Recorder()
    for event in (
        _sql("operation.callmart.callmart-on-run-start-0", "select 1"),
        _sql("model.callmart.a", "BEGIN"),
        _sql("model.callmart.b", "create table b__dbt_tmp as select 2"),  # another thread meanwhile
        _sql("model.callmart.a", "insert into a select 1"),
        _sql("model.callmart.a", "COMMIT"),
        _event("LogModelResult", "model.callmart.a", status="OK"),
        _event("LogModelResult", "model.callmart.b", status="OK"),
        _sql("model.callmart.new", "create table new as select 3"),  # its table did not exist: a first build
        _event("LogModelResult", "model.callmart.new", status="OK"),
        _sql("model.callmart.broken", "insert into broken select 1/0"),
        _event("LogModelResult", "model.callmart.broken", "error", status="error"),
        _sql("model.callmart.long", "x" * 512 + "..."),  # dbt abridged it in its event: not sendable
        _event("LogModelResult", "model.callmart.long", status="OK"),
        _sql("test.callmart.not_null_a", "select * from a where id is null"),  # tests run in a batch
        _sql("operation.callmart.callmart-on-run-end-0", "create table watermark as select 1"),
        _event("LogHookEndLine", "operation.callmart.callmart-on-run-end-0", status="success"),
    ):
        recorder(event)
    existed = {"model.callmart.a", "model.callmart.b", "model.callmart.broken", "model.callmart.long"}
    assert recorder.models(existed.__contains__) == {
        "model.callmart.a": ["BEGIN", "insert into a select 1", "COMMIT"],
        "model.callmart.b": ["create table b__dbt_tmp as select 2"],
    }
    assert recorder.hooks() == {"start": ["select 1"], "end": ["create table watermark as select 1"]}
    recorder(_event("LogHookEndLine", "operation.callmart.callmart-on-run-end-0", "error", status="error"))
    assert recorder.hooks() is None  # a hook failed: its statements are not those of a build
    # no hook ran (dbt had nothing to build): no hooks to record, not hooks that send nothing
    assert Recorder().hooks() is None


def test_a_record_is_read_only_under_its_key_and_grows_by_model(tmp_path: Path) -> None:
    path = tmp_path / "recorded_models.json"
    assert recorded_builds.recorded(path, "k1") == Record({}, {})
    hooks = {"start": ["select 1"], "end": []}
    recorded_builds.record(path, "k1", {"model.callmart.a": ["select 1"]}, "main", hooks)
    recorded_builds.record(path, "k1", {"model.callmart.b": ["select 2"]}, "live", None)
    assert recorded_builds.recorded(path, "k1") == Record(
        {"model.callmart.a": ["select 1"], "model.callmart.b": ["select 2"]}, {"main": hooks}
    )
    assert recorded_builds.recorded(path, "k2") == Record({}, {})  # other code, vars or configuration
    recorded_builds.record(path, "k2", {"model.callmart.c": ["select 3"]}, "main", None)
    assert recorded_builds.recorded(path, "k2").models == {"model.callmart.c": ["select 3"]}
    assert recorded_builds.recorded(path, "k1") == Record({}, {})  # replaced, not merged
    path.write_text("{not json")
    assert recorded_builds.recorded(path, "k2") == Record({}, {})


# a -> b -> d and a -> c: d waits for b, c may run beside b
UPSTREAM = {"m.a": set(), "m.b": {"m.a"}, "m.c": {"m.a"}, "m.d": {"m.a", "m.b"}}


def _warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table log (step varchar)")
    return path


def _record(failing: str = "") -> Record:
    models = {
        uid: ["BEGIN", f"insert into log values ('{uid}')"]
        + (["insert into log select step from no_such_table"] if uid == failing else [])
        + ["COMMIT"]
        for uid in UPSTREAM
    }
    hooks = {"start": ["insert into log values ('start')"], "end": ["insert into log values ('end')"]}
    return Record(models, {"main": hooks})


@pytest.mark.parametrize("threads", [1, 2])
def test_a_replay_sends_each_model_after_its_upstream_ones_between_the_hooks(
    tmp_path: Path, threads: int
) -> None:
    path = _warehouse(tmp_path)
    sent: list[tuple[str, str]] = []
    outcomes = list(
        recorded_builds.replay(
            lambda: duckdb.connect(str(path)),
            _record(),
            ["m.a", "m.b", "m.c", "m.d"],
            "main",
            UPSTREAM.__getitem__,
            lambda uid, sql: sent.append((uid, sql)),
            threads=threads,
        )
    )
    done = [outcome.unique_id for outcome in outcomes]
    assert sorted(done) == ["m.a", "m.b", "m.c", "m.d"] and all(not o.error for o in outcomes)
    assert done.index("m.a") < done.index("m.b") < done.index("m.d") and done.index("m.a") < done.index("m.c")
    assert all(outcome.statements == 3 for outcome in outcomes)
    with duckdb.connect(str(path)) as con:
        steps = [row[0] for row in con.execute("select step from log").fetchall()]
    assert steps[0] == "start" and steps[-1] == "end" and sorted(steps[1:-1]) == sorted(UPSTREAM)
    assert len(sent) == 2 + 4 * 3


def test_a_replay_stops_at_a_failing_model_rolled_back_and_skips_the_end_hook(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    outcomes = list(
        recorded_builds.replay(
            lambda: duckdb.connect(str(path)),
            _record(failing="m.b"),
            ["m.a", "m.b", "m.c", "m.d"],
            "main",
            UPSTREAM.__getitem__,
            lambda uid, sql: None,
            threads=1,
        )
    )
    assert [(o.unique_id, bool(o.error)) for o in outcomes] == [("m.a", False), ("m.b", True)]
    assert "no_such_table" in outcomes[-1].error
    with duckdb.connect(str(path)) as con:
        steps = [row[0] for row in con.execute("select step from log").fetchall()]
    # b's transaction was rolled back (its insert is not there); c and d never ran, nor the end hook
    assert steps == ["start", "m.a"]
