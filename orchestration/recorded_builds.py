"""dbt's incremental model builds replayed on DuckDB, from the statements dbt itself sent for them.

An incremental run rebuilds a few dozen models whose queries take a few milliseconds to a few
hundred each, and dbt's own work per model (rendering its materialization, compiling, caching
relations, logging, the run result) outweighs them: 31 models took dbt about 5 s after a 2 s start
in the main run after one new hour, while the statements it sent take 2.4 s one after the other.
What dbt sends for a model in an incremental build depends on the project's code, the dbt vars,
the target, the warehouse's name and the configuration tables (the build fingerprint), never on
the data: the rebuilt days are read by the SQL itself from int_rebuild_window. So an incremental
dbt build records, per model it built, the statements it sent (`Recorder`, a dbt callback), and
the statements of its hooks for that selection; a later incremental build under the same key
sends them again here (`replay`), model after model in the order of the graph, each in the
transactions dbt opened. docs/decisions.md, "Incremental builds replayed".

A model is recorded only when its table existed before the build and the build succeeded: its
statements are those of an incremental build. A statement that fails in a replay (a table dropped
or altered by hand) rolls that model back and ends the replay: dbt builds that model and the rest,
and records them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from .handover import handed_over
from .settings import replace_file

FORMAT = 1  # of the record file: a record of another format is not read
ABRIDGED = 515  # dbt logs a statement it abridges as its first 512 characters and "..."


def record_key(test_key: str, build_fingerprint: str) -> str:
    """What a model's statements depend on: what its tests' compiled SQL depends on (the project, dbt,
    the vars, the target, the warehouse) and the configuration tables."""
    return hashlib.sha256(f"{test_key} {build_fingerprint}".encode()).hexdigest()


def selection_key(model_ids: Iterable[str]) -> str:
    """The hooks' statements depend on which models the build selects (the watermark moves only
    after a build of all of them)."""
    return hashlib.sha256(" ".join(sorted(model_ids)).encode()).hexdigest()[:16]


class Recorder:
    """A dbt callback: the statements dbt sends, by the model or hook it sends them for, and which
    models and hooks succeeded."""

    def __init__(self) -> None:
        self.statements: dict[str, list[str]] = defaultdict(list)
        self.succeeded: set[str] = set()
        self.failed: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, message: Any) -> None:
        name = message.info.name
        if name == "SQLQuery":
            unique_id = message.data.node_info.unique_id
            if unique_id.startswith(("model.", "operation.")):
                with self._lock:
                    self.statements[unique_id].append(message.data.sql)
        elif name in ("LogModelResult", "LogHookEndLine"):
            unique_id = message.data.node_info.unique_id
            # a model's result is an error event when it failed (its status is then "error", else
            # dbt's message, "OK" or what the adapter said); a hook's status is its run status
            ok = message.info.level != "error" and message.data.status not in ("error", "skipped")
            with self._lock:
                (self.succeeded if ok else self.failed).add(unique_id)

    def models(self, existed: Callable[[str], bool]) -> dict[str, list[str]]:
        """The statements of each model built without error whose table `existed` before the build."""
        return {
            unique_id: statements
            for unique_id, statements in self.statements.items()
            if unique_id.startswith("model.")
            and unique_id in self.succeeded
            and existed(unique_id)
            and not any(_abridged(sql) for sql in statements)
        }

    def hooks(self) -> dict[str, list[str]] | None:
        """The hooks' statements in the order dbt sent them, on-run-start's and on-run-end's, when every
        hook succeeded; else None (also when no hook ran: dbt had nothing to build)."""
        hooks = sorted(unique_id for unique_id in self.statements if unique_id.startswith("operation."))
        if not hooks or self.failed & set(hooks):
            return None
        if any(_abridged(sql) for h in hooks for sql in self.statements[h]):
            return None
        return {
            when: [
                sql
                for unique_id in hooks
                if f"on-run-{when}" in unique_id
                for sql in self.statements[unique_id]
            ]
            for when in ("start", "end")
        }


def _abridged(sql: str) -> bool:
    return len(sql) == ABRIDGED and sql.endswith("...")


@dataclass(frozen=True)
class Record:
    models: dict[str, list[str]]  # unique id -> statements
    hooks: dict[str, dict[str, list[str]]]  # selection key -> {"start": statements, "end": statements}


def recorded(path: Path, key: str) -> Record:
    """What was recorded under `key` in this format; else nothing (no record, a damaged one, another key)."""
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return Record({}, {})
    if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("key") != key:
        return Record({}, {})
    return Record(dict(stored.get("models", {})), dict(stored.get("hooks", {})))


def record(
    path: Path,
    key: str,
    models: Mapping[str, list[str]],
    selection: str,
    hooks: dict[str, list[str]] | None,
) -> None:
    """Add these models' statements, and the hooks' of this selection, to the record at `path`
    (replacing it when it was made under another key)."""
    kept = recorded(path, key)
    merged_models = kept.models | dict(models)
    merged_hooks = kept.hooks | ({selection: hooks} if hooks is not None else {})
    if merged_models == kept.models and merged_hooks == kept.hooks and path.exists():
        return
    replace_file(
        path, json.dumps({"format": FORMAT, "key": key, "models": merged_models, "hooks": merged_hooks})
    )


@dataclass(frozen=True)
class Replayed:
    """One model sent again, or the statement that failed."""

    unique_id: str
    seconds: float
    statements: int
    error: str = ""


def _send(con: duckdb.DuckDBPyConnection, statements: list[str], log: Callable[[str], None]) -> None:
    """The statements as dbt sent them, transactions included; a failure rolls back an open one."""
    try:
        for sql in statements:
            log(sql)
            con.execute(sql)
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):  # an error when no transaction was open
            con.execute("rollback")
        raise


def replay(
    connect: Callable[[], duckdb.DuckDBPyConnection],
    record: Record,
    models: list[str],
    selection: str,
    upstream: Callable[[str], set[str]],
    log: Callable[[str, str], None],
    threads: int = 2,
) -> Iterator[Replayed]:
    """Send the recorded statements of the hooks at the start, of `models` and of the hooks at the
    end. The models go to `threads` threads, each on a connection `connect` opens, a model as soon
    as every model upstream of it (`upstream`) that is in `models` is done, as dbt's threads take
    them; each model's outcome is handed over as it comes (the caller records a Dagster event per
    model meanwhile). A failure ends the replay once the models being sent are done, its outcome
    holding the error; the end hooks run only after every model. `log(unique_id, sql)` sees each
    statement first."""
    hooks = record.hooks[selection]
    waiting = list(models)  # in an order where each comes after every model upstream of it
    pending = set(models)  # not done yet
    state = threading.Condition()
    stop: list[Replayed] = []
    errors: list[BaseException] = []

    def send(con: duckdb.DuckDBPyConnection, unique_id: str, statements: list[str]) -> Replayed:
        began = time.monotonic()
        try:
            _send(con, statements, lambda sql: log(unique_id, sql))
        except duckdb.Error as error:
            return Replayed(unique_id, time.monotonic() - began, 0, str(error).strip())
        return Replayed(unique_id, time.monotonic() - began, len(statements))

    def next_model() -> str | None:
        """The first waiting model whose upstream models are done; None when none is left (or after a failure)."""
        with state:
            while waiting and not stop:
                ready = next((uid for uid in waiting if not upstream(uid) & pending), None)
                if ready is not None:
                    waiting.remove(ready)
                    return ready
                state.wait()
            return None

    def worker(hand_over: Callable[[Replayed], None]) -> None:
        try:
            with connect() as con:
                while (unique_id := next_model()) is not None:
                    outcome = send(con, unique_id, record.models[unique_id])
                    with state:
                        if outcome.error:
                            stop.append(outcome)
                        else:
                            pending.discard(unique_id)
                            hand_over(outcome)
                        state.notify_all()
        except BaseException as error:  # raised by the replay's thread once every worker is done
            with state:
                errors.append(error)
                stop.append(Replayed("", 0.0, 0, "a worker failed"))
                state.notify_all()

    def work(hand_over: Callable[[Replayed], None]) -> None:
        with connect() as con:
            started = send(con, "on-run-start", hooks["start"])
            if started.error:
                hand_over(started)
                return
            workers = [
                threading.Thread(target=worker, args=(hand_over,), name=f"callmart-replay-{n}", daemon=True)
                for n in range(max(1, min(threads, len(models))))
            ]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
            if errors:
                raise errors[0]
            if stop:
                hand_over(stop[0])
                return
            ended = send(con, "on-run-end", hooks["end"])
            if ended.error:
                hand_over(ended)

    return handed_over(work, "callmart-replay")
