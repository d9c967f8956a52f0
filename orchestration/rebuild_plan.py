"""Which models an incremental build rebuilds: those whose inputs changed since the last complete one.

A model is a function of the raw tables it reads, the configuration tables, the vars and the code
(docs/decisions.md, "Only what changed is rebuilt"). The code, the vars and the configuration are the
build fingerprint: when it changes, everything is rebuilt (dbt_assets.py). The raw tables are written
by the loader only, and its load manifest says what it wrote: a source's signature is its rows of the
manifest (each file's size, hash, offset, lines and rows). So after a complete build the signatures
are recorded, and the next incremental build rebuilds:

- every model downstream of a source whose signature changed (the loader's own tables, rejects and
  the load manifest, change with any source);
- when any changed, int_rebuild_window: the first day the new data touches, which the incremental
  models downstream of the change rebuild from. An incremental model whose inputs did not change
  would rewrite the same rows of those days: it is left too, and the build watermark, which moves
  only after a build of every incremental model and of the window's inputs, counts the models left
  unchanged as built (the build plan, a table the dbt step writes before dbt starts and drops when
  it ends: macros/incremental.sql);
- every model that reads the clock (none does: a model's "now" is its newest event), and downstream.

A view among them is left all the same: it holds a query, not rows, and its query is the code's
(a change of code is a full build); the models downstream of it are rebuilt. The rest is left as
the last build wrote it. Every data test still runs (in one batch), so a check that failed keeps
failing, and a freshness warning keeps warning as time passes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from .settings import replace_file

# a model that reads the clock is rebuilt every time (tests/python/test_rebuild_plan.py keeps the
# project's models free of it)
CLOCK = re.compile(r"utc_now|current_date|current_timestamp|now\(\)|run_started_at|invocation_id", re.I)
LOADER_TABLES = frozenset({"rejects", "load_manifest"})
WINDOW_MODEL = "int_rebuild_window"


def source_signatures(con: duckdb.DuckDBPyConnection, sources: Iterable[str]) -> dict[str, str]:
    """Each source table's signature: its rows of the load manifest; the loader's own tables: all
    of them; another table (the salt): its content."""
    rows = con.execute(
        """select source, md5(string_agg(
               concat_ws('|', file_id, path, size_bytes, content_hash, byte_offset, lines_loaded,
                         partial_line, rows_loaded, rows_rejected), ',' order by file_id))
           from raw.load_manifest group by source"""
    ).fetchall()
    loaded = {source: digest for source, digest in rows}
    everything = hashlib.sha256(json.dumps(sorted(loaded.items())).encode()).hexdigest()
    signatures: dict[str, str] = {}
    for name in sources:
        if name in loaded:
            signatures[name] = loaded[name]
        elif name in LOADER_TABLES:
            signatures[name] = everything
        else:
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
                [name],
            ).fetchone()[0]  # type: ignore[index]
            content = (
                con.execute(
                    f"select string_agg(cast(t as varchar), ',' order by all) from raw.\"{name}\" t"
                ).fetchone()
                if exists
                else None
            )
            signatures[name] = hashlib.sha256(repr(content).encode()).hexdigest()
    return signatures


def raw_sources(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The dbt sources' unique ids by raw table name."""
    return {node["name"]: unique_id for unique_id, node in manifest["sources"].items()}


def models_to_rebuild(manifest: Mapping[str, Any], changed_sources: Iterable[str]) -> set[str]:
    """The unique ids of the models an incremental build rebuilds, given the raw tables that changed
    since the last complete build (by name)."""
    nodes = manifest["nodes"]
    models = {uid for uid, node in nodes.items() if node["resource_type"] == "model"}
    children: Mapping[str, list[str]] = manifest["child_map"]
    sources = raw_sources(manifest)
    changed = {sources[name] for name in changed_sources if name in sources}
    clock = {uid for uid in models if CLOCK.search(nodes[uid].get("raw_code") or "")}
    views = {uid for uid in models if nodes[uid]["config"].get("materialized") == "view"}
    rebuilt = (_downstream(changed | clock, children) & models) - views
    if not changed:  # the watermark is where the last complete build left it: nothing is new
        return rebuilt
    return rebuilt | {uid for uid in models if nodes[uid]["name"] == WINDOW_MODEL}


def plan_relation(manifest: Mapping[str, Any]) -> tuple[str, str]:
    """(schema, table) of the build plan, beside int_rebuild_window (macros/incremental.sql)."""
    window = next(node for node in manifest["nodes"].values() if node["name"] == WINDOW_MODEL)
    return window["schema"], "callmart_build_plan"


def write_plan(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], unchanged: Iterable[str]) -> None:
    """The models this build leaves unchanged, for the watermark hook; none: no plan."""
    schema, table = plan_relation(manifest)
    con.execute(f'drop table if exists "{schema}"."{table}"')
    ids = sorted(unchanged)
    if ids:
        con.execute(f'create table "{schema}"."{table}" as select unnest(?::varchar[]) as unique_id', [ids])


def upstream_of(manifest: Mapping[str, Any]) -> Callable[[str], set[str]]:
    """A function: a node's unique id -> every node upstream of it."""
    parents: Mapping[str, list[str]] = manifest["parent_map"]

    @cache
    def upstream(uid: str) -> frozenset[str]:
        found: set[str] = set()
        for parent in parents.get(uid, []):
            found |= {parent} | upstream(parent)
        return frozenset(found)

    return lambda uid: set(upstream(uid))


def graph_order(manifest: Mapping[str, Any], unique_ids: Iterable[str]) -> list[str]:
    """`unique_ids` in an order where each node comes after every node upstream of it: a node has
    more nodes upstream of it than any node upstream of it has."""
    upstream = upstream_of(manifest)
    return sorted(unique_ids, key=lambda uid: (len(upstream(uid)), uid))


def _downstream(start: set[str], children: Mapping[str, list[str]]) -> set[str]:
    seen = set(start)
    stack = list(start)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def recorded(path: Path, fingerprint: str) -> dict[str, str] | None:
    """The signatures recorded after the last complete build of this fingerprint, or None."""
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint:
        return None
    signatures = stored.get("sources")
    return signatures if isinstance(signatures, dict) else None


def record(path: Path, fingerprint: str, signatures: Mapping[str, str]) -> None:
    replace_file(path, json.dumps({"fingerprint": fingerprint, "sources": dict(signatures)}, indent=1))
