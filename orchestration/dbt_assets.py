"""The dbt project as Dagster assets (dagster-dbt), downstream of the load and configuration assets.

Nothing is parsed at import: `dbt_manifest()` parses the project once per version of its files into
the user's cache (outside the checkout, shared safely by concurrent runs), and `build_dbt_assets()`
makes the assets from it. Each run writes dbt's target, logs and profile beside its warehouse.
"""

import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import duckdb
import yaml
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    Failure,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from . import rebuild_plan, recorded_builds
from .engines import Engine
from .quality import batch_tests, gx_process
from .resources import CallmartResource
from .settings import PROJECT_DIR, StatePaths, cache_dir
from .warehouse import connect, duckdb_settings, release

PARSED_PATHS = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests/dbt", "seeds")


def dbt_executable() -> str:
    """dbt is installed beside this interpreter; found even when the virtualenv is not activated."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _project_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in PARSED_PATHS:
        root = PROJECT_DIR / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def dbt_manifest() -> Path:
    """The manifest of the project as it is now, parsed once into the cache."""
    target = cache_dir() / "dbt-manifest" / _project_fingerprint()
    manifest = target / "manifest.json"
    if manifest.exists():
        return manifest
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=target.parent))
    command = [
        dbt_executable(),
        "parse",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    command += ["--target-path", str(scratch), "--log-path", str(scratch), "--quiet"]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise RuntimeError(f"dbt parse failed:\n{done.stdout}\n{done.stderr}")
    with contextlib.suppress(OSError):  # another process may have finished first: either copy is good
        scratch.rename(target)
    shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def write_profile(paths: StatePaths, engine: Engine | None = None) -> Path:
    """The run's dbt profile: the project's profiles.yml with the warehouse path of this run, and
    the output of its engine when dbt builds elsewhere (engines/)."""
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    duckdb_output = profiles["callmart"]["outputs"]["duckdb"]
    duckdb_output["path"] = str(paths.warehouse)
    duckdb_output["settings"] = {**duckdb_output.get("settings", {}), **duckdb_settings()}
    if engine is not None:
        profiles["callmart"]["outputs"][engine.name] = engine.profile_output()
    paths.dbt_profiles.mkdir(parents=True, exist_ok=True)
    (paths.dbt_profiles / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))
    return paths.dbt_profiles


def run_dbt_on_warehouse(
    args: list[str], paths: StatePaths, target_path: Path, dbt_vars: Mapping[str, Any]
) -> subprocess.CompletedProcess[str]:
    """One dbt command on a run's DuckDB warehouse, out of process (`callmart check`'s tests, the docs
    site): the project, the run's profile, its own target path, the run's log folder and vars. A
    warehouse this process holds open is released first: another process cannot open it then."""
    release(paths.warehouse)
    command = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR)]
    command += ["--profiles-dir", str(write_profile(paths)), "--target", "duckdb"]
    command += ["--target-path", str(target_path), "--log-path", str(paths.dbt_logs), "--quiet"]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)


class CallmartDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two things this project never uses, done before every dbt
    command: `dbt --version` in a process of its own (the version is the installed dbt-core's), and
    a dbt adapter opened in Dagster's process (for row counts and column metadata, which the assets
    do not fetch). About 3 s of each run, a tenth of a wallboard refresh."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource(target: str = "duckdb") -> DbtCliResource:
    """dbt with the project's profile; each run passes its own with --profiles-dir (write_profile)."""
    return CallmartDbtCliResource(
        project_dir=str(PROJECT_DIR),
        profiles_dir=str(PROJECT_DIR),
        target=target,
        dbt_executable=dbt_executable(),
    )


def rotate_log(log: Path, keep: int) -> None:
    """dbt appends to one log: each run starts a new one, the last `keep` runs' logs are kept."""
    if log.exists() and log.stat().st_size:
        log.rename(log.with_name(f"{log.name}.{time.strftime('%Y%m%dT%H%M%S')}.{os.getpid()}"))
    older = sorted(log.parent.glob(log.name + ".*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in older[max(keep - 1, 0) :]:
        old.unlink(missing_ok=True)


class CallmartTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the load assets write; models are keyed by schema and name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        if dbt_resource_props["resource_type"] == "seed":
            return AssetKey(["config", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


class DbtBuildConfig(Config):
    """Run configuration of the dbt step (the nightly schedule sets full_refresh)."""

    full_refresh: bool = False


def build_fingerprint(callmart: CallmartResource) -> str:
    """What a build is made from besides the data: the model code, the dbt vars, the engine and the
    configuration tables. When it differs from the last complete build's, every incremental model is
    rebuilt from scratch (a changed time zone or threshold changes days the new data does not touch)."""
    from .configuration.schema import SEEDS
    from .configuration.settings_schema import TEST_ONLY_SETTINGS

    digest = hashlib.sha256()
    digest.update(dbt_manifest().parent.name.encode())  # the project fingerprint, hashed once per process
    model_vars = {k: v for k, v in callmart.dbt_vars.items() if k not in TEST_ONLY_SETTINGS}
    digest.update(json.dumps(model_vars, sort_keys=True, default=str).encode())
    digest.update(callmart.target.encode())
    with connect(callmart.warehouse_path, read_only=True) as con:
        for seed in SEEDS:
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'staging' and table_name = ?",
                [seed.name],
            ).fetchone()[0]  # type: ignore[index]
            rows = (
                con.execute(f'select * from staging."{seed.name}" order by all').fetchall() if exists else []
            )
            digest.update(f"{seed.name}:{rows!r}".encode())
    return digest.hexdigest()


def _full_refresh_reason(callmart: CallmartResource, config: DbtBuildConfig, fingerprint: str) -> str:
    """Why this build rebuilds everything ('' when it is incremental)."""
    if config.full_refresh or callmart.full_refresh:
        return "full refresh asked for"
    stored = callmart.paths.build_fingerprint(callmart.target)
    if not stored.is_file():
        return "first complete build"
    if stored.read_text().strip() != fingerprint:
        return "model code, vars or configuration changed"
    return ""


class _DbtEcho(io.TextIOBase):
    """Where dagster-dbt echoes dbt's event stream: to stderr with --verbose, else nowhere (dbt's own
    per-node log is written to the file beside the warehouse either way)."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    def write(self, text: str) -> int:
        if self.verbose:
            sys.stderr.write(text)
        return len(text)


def build_dbt_assets() -> AssetsDefinition:
    manifest = dbt_manifest()
    project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=manifest.parent)

    @dbt_assets(
        manifest=manifest,
        project=project,
        exclude="resource_type:seed",  # the configuration assets write the seed tables
        dagster_dbt_translator=CallmartTranslator(),
    )
    def callmart_dbt_assets(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        callmart: CallmartResource,
        config: DbtBuildConfig,
    ) -> Iterator[Any]:
        """Staging, intermediate and mart models and their data tests (unit tests run in the test
        suite and `callmart check --unit`). Incremental unless a full refresh is asked for or the
        build fingerprint changed (macros/incremental.sql); an incremental DuckDB build sends the
        statements dbt sent in an earlier one again when it has them all (recorded_builds.py)."""
        # the checks on raw tables are done: the build, the run's memory peak, has no GX process beside it
        gx_process.release()
        release(callmart.warehouse_path)  # dbt opens the warehouse with its own settings
        paths = callmart.paths
        fingerprint = build_fingerprint(callmart)
        full_reason = _full_refresh_reason(callmart, config, fingerprint)
        out = callmart.out
        engine = callmart.engine()
        dbt_vars = callmart.build_vars
        if engine is not None:
            dbt_vars |= _ingest(engine, callmart)
        # an incremental DuckDB build whose tests were all compiled before builds the models with
        # dbt and runs the tests in one batch (quality/batch_tests.py); any other build runs them
        # in dbt, which records them for the next
        test_key = batch_tests.record_key(
            f"{dbt_manifest().parent.name} {_dbt_versions()}",
            dbt_vars,
            callmart.target,
            callmart.warehouse_path,
        )
        batch = _batch(context, paths, test_key) if engine is None and not full_reason else None
        # on DuckDB, what the raw tables are now; an incremental build with its tests in one batch
        # rebuilds only the models downstream of what changed since the last complete build
        signatures = _source_signatures(context, callmart) if engine is None else None
        existing = _existing_relations(callmart) if engine is None and not full_reason else set()
        skipped = (
            _unchanged_models(context, callmart, fingerprint, signatures, existing)
            if batch is not None
            else set()
        )
        # an incremental DuckDB build records the statements dbt sends for its models; one whose
        # tests run in one batch sends those of an earlier build again when it has them all
        # (recorded_builds.py)
        recording = (
            _Recording(
                context,
                callmart,
                recorded_builds.record_key(test_key, fingerprint),
                existing,
                batch is not None,
            )
            if engine is None and not full_reason
            else None
        )
        # one --exclude argument (dagster-dbt passes on one value of each), a union in dbt's syntax
        excluded = "test_type:unit" + (" resource_type:test" if batch is not None else "")
        args = ["build", "--exclude", excluded, "--profiles-dir", str(write_profile(paths, engine))]
        # the file log at dbt's info level (a line per node and its result); debug (every statement
        # dbt sends and its timing) with --verbose: writing those took a tenth of the models' time
        file_level = "debug" if callmart.verbose else "info"
        args += ["--log-path", str(paths.dbt_logs), "--log-format-file", "text"]
        args += ["--log-level-file", file_level]
        if dbt_vars:
            args += ["--vars", json.dumps(dbt_vars)]
        if full_reason:
            args += ["--full-refresh"]
        if batch is not None:  # nothing reads its manifest or run results; the dbt log has the nodes
            args += ["--no-write-json"]
        rebuilt_note = f" ({len(skipped)} models' inputs unchanged, not rebuilt)" if skipped else ""
        out.line(f"dbt      {'full refresh: ' + full_reason if full_reason else 'incremental'}{rebuilt_note}")
        rebuilt = [key for key in context.selected_asset_keys if key not in skipped]
        if rebuilt:  # dbt runs: a log of its own
            rotate_log(paths.dbt_log_file, callmart.keep_runs)
        if full_reason:  # written back once every model is rebuilt; until then no build is incremental
            paths.build_fingerprint(callmart.target).unlink(missing_ok=True)
        models = len(context.selected_asset_keys)
        # a subset (the live job) built with other code leaves the rest of the models behind: only a
        # build of every model may record the fingerprint that lets the next build be incremental
        every_model = models == len(context.assets_def.node_keys_by_output_name)  # not the subset's keys
        tests = len(context.selected_asset_check_keys)
        done_models = done_tests = failed_tests = 0
        blocking: list[str] = []
        reported: set[str] = set()
        started, started_at = time.monotonic(), time.time()
        batch_s = 0.0
        try:
            with (
                _build_plan(context, callmart, skipped, engine is None),
                contextlib.redirect_stdout(_DbtEcho(callmart.verbose)),
            ):
                events = (
                    _dbt_events(dbt, args, context, callmart, engine is None, rebuilt if skipped else None)
                    if recording is None
                    else recording.events(dbt, args, rebuilt, skipped)
                )
                for event in _with_unchanged(context, events, skipped):
                    if isinstance(event, Output):
                        done_models += 1
                        reported.add(event.output_name)
                    elif isinstance(event, AssetCheckResult):
                        done_tests += 1
                        failed_tests += not event.passed
                    out.status(f"dbt      {done_models}/{models} models, {done_tests}/{tests} tests")
                    yield event
            if batch is None:
                if engine is None:
                    _record_compiled_tests(paths, test_key, started_at)
            else:
                batch_started = time.monotonic()
                for outcome in batch_tests.run_beside(lambda: connect(callmart.warehouse_path), batch):
                    done_tests += 1
                    failed_tests += outcome.status != "pass"
                    if outcome.blocking:
                        blocking.append(outcome.test.name)
                    out.status(
                        f"dbt      {done_models}/{models} models, {done_tests}/{tests} tests (one batch)"
                    )
                    yield _check_result(outcome)
                batch_s = time.monotonic() - batch_started
        finally:
            if every_model and done_models == models:  # the next build may be incremental
                paths.build_fingerprint(callmart.target).write_text(fingerprint)
                if signatures is not None:
                    rebuild_plan.record(paths.source_signatures, fingerprint, signatures)
            failed = f", {failed_tests} failed" if failed_tests else ""
            if done_models < models:
                unreported = sorted(
                    name
                    for name in context.op_execution_context.selected_output_names
                    if name not in reported
                )
                context.log.warning(f"dbt reported no result for: {', '.join(unreported)}")
                more = f" and {len(unreported) - 5} more" if len(unreported) > 5 else ""
                out.line(f"dbt      no result reported for {', '.join(unreported[:5])}{more}")
            how = (
                [f"{recording.replayed} models replayed"]
                if recording is not None and recording.replayed
                else []
            )
            how += [f"tests in one batch, {batch_s:.1f} s"] if batch is not None else []
            detail = f" ({', '.join(how)})" if how else ""
            out.line(
                f"dbt      {done_models}/{models} models, {done_tests}/{tests} tests{failed} "
                f"in {time.monotonic() - started:.0f} s{detail} (log: {paths.dbt_log_file})"
            )
        if blocking:  # as `dbt build` exits non-zero: the step fails, nothing downstream runs
            raise Failure(description=f"dbt tests failed: {', '.join(blocking)}")
        if engine is not None:
            marts = sorted(key.path[1] for key in context.selected_asset_keys if key.path[0] == "marts")
            _mirror(engine, callmart, marts)

    return callmart_dbt_assets


def _manifest_and_translator(context: AssetExecutionContext) -> tuple[Mapping[str, Any], Any]:
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    return manifest, translator


def _unique_id(context: AssetExecutionContext, key: AssetKey) -> str:
    return str(context.assets_def.get_asset_spec(key).metadata["dagster_dbt/unique_id"])


def _source_signatures(context: AssetExecutionContext, callmart: CallmartResource) -> dict[str, str] | None:
    """The raw tables' signatures; None without a load manifest (then every model is rebuilt)."""
    manifest, _ = _manifest_and_translator(context)
    with connect(callmart.warehouse_path, read_only=True) as con:
        try:
            return rebuild_plan.source_signatures(con, rebuild_plan.raw_sources(manifest))
        except duckdb.CatalogException:
            return None


def _existing_relations(callmart: CallmartResource) -> set[tuple[str, str]]:
    """(schema, name) of every table and view in the warehouse before the build."""
    with connect(callmart.warehouse_path, read_only=True) as con:
        return set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())


def _unchanged_models(
    context: AssetExecutionContext,
    callmart: CallmartResource,
    fingerprint: str,
    signatures: Mapping[str, str] | None,
    existing: set[tuple[str, str]],
) -> set[AssetKey]:
    """The selected models whose inputs did not change since the last complete build of this
    fingerprint (rebuild_plan.py) and that are in the warehouse (`--rebuild` removes it, a user may
    drop a table); none when there is no such build on record."""
    stored = rebuild_plan.recorded(callmart.paths.source_signatures, fingerprint)
    if stored is None or signatures is None:
        return set()
    manifest, _ = _manifest_and_translator(context)
    changed = {name for name in {*signatures, *stored} if stored.get(name) != signatures.get(name)}
    rebuilt = rebuild_plan.models_to_rebuild(manifest, changed)
    return {  # a model is left only where it is
        key
        for key in context.selected_asset_keys
        if (uid := _unique_id(context, key)) not in rebuilt
        and (manifest["nodes"][uid]["schema"], manifest["nodes"][uid]["alias"]) in existing
    }


@contextlib.contextmanager
def _build_plan(
    context: AssetExecutionContext, callmart: CallmartResource, skipped: set[AssetKey], on_duckdb: bool
) -> Iterator[None]:
    """The models left unchanged, in the warehouse while dbt builds: its watermark hook counts them
    as built (macros/incremental.sql). Any plan a crashed run left is replaced first."""
    if not on_duckdb:
        yield
        return
    manifest, _ = _manifest_and_translator(context)
    with connect(callmart.warehouse_path) as con:
        rebuild_plan.write_plan(con, manifest, [_unique_id(context, key) for key in skipped])
    try:
        yield
    finally:  # also when a replay that stopped wrote one (_Recording)
        with contextlib.suppress(duckdb.Error), connect(callmart.warehouse_path) as con:
            rebuild_plan.write_plan(con, manifest, [])


def _unchanged_output(context: AssetExecutionContext, key: AssetKey) -> Output:
    """A model left as the last complete build wrote it, reported so that the steps after it run."""
    return Output(
        None,
        output_name=context.assets_def.get_output_name_for_asset_key(key),
        metadata={
            "unique_id": _unique_id(context, key),
            "rebuilt": False,
            "reason": "none of its inputs changed since the last complete build",
        },
    )


def _with_unchanged(
    context: AssetExecutionContext, events: Iterator[Any], skipped: set[AssetKey]
) -> Iterator[Any]:
    """dbt's events with the unchanged models' outputs among them: Dagster takes a multi-asset's
    outputs in the order of the graph, so each unchanged model comes before the first rebuilt model
    downstream of it (dbt reports a model after every model upstream of it), the rest at the end."""
    if not skipped:
        yield from events
        return
    manifest, _ = _manifest_and_translator(context)
    key_of = {_unique_id(context, key): key for key in context.selected_asset_keys}
    order = rebuild_plan.graph_order(manifest, key_of)
    pending = [key_of[uid] for uid in order if key_of[uid] in skipped]
    output_of = {
        context.assets_def.get_output_name_for_asset_key(key): key for key in context.selected_asset_keys
    }
    upstream = rebuild_plan.upstream_of(manifest)
    for event in events:
        if isinstance(event, Output) and event.output_name in output_of:
            before = upstream(_unique_id(context, output_of[event.output_name]))
            for key in [key for key in pending if _unique_id(context, key) in before]:
                pending.remove(key)
                yield _unchanged_output(context, key)
        yield event
    for key in pending:
        yield _unchanged_output(context, key)


class _Recording:
    """The model builds of an incremental DuckDB build: the statements dbt sent for them in an earlier
    build sent again when every model to rebuild has them (and the hooks of this selection), else
    built by dbt, whose statements are recorded. A replay that fails on a model stops there: dbt
    builds that model and the rest (recorded_builds.py)."""

    def __init__(
        self,
        context: AssetExecutionContext,
        callmart: CallmartResource,
        key: str,
        existing: set[tuple[str, str]],
        may_replay: bool,
    ):
        self.context, self.callmart, self.key, self.existing = context, callmart, key, existing
        self.may_replay = may_replay  # only when dbt has no tests to run: a replay runs none
        self.replayed = 0
        self.manifest, _ = _manifest_and_translator(context)
        self.path = callmart.paths.dbt_recorded_models
        self.selection = recorded_builds.selection_key(
            _unique_id(context, k) for k in context.selected_asset_keys
        )

    def _node(self, unique_id: str) -> Mapping[str, Any]:
        return self.manifest["nodes"][unique_id]

    def _existed(self, unique_id: str) -> bool:
        node = self._node(unique_id)
        return (node["schema"], node["alias"]) in self.existing

    def events(
        self, dbt: DbtCliResource, args: list[str], rebuilt: list[AssetKey], skipped: set[AssetKey]
    ) -> Iterator[Any]:
        context, callmart = self.context, self.callmart
        key_of = {_unique_id(context, key): key for key in rebuilt}
        record = recorded_builds.recorded(self.path, self.key)
        remaining = rebuilt
        if (
            self.may_replay
            and key_of
            and self.selection in record.hooks
            and all(uid in record.models and self._existed(uid) for uid in key_of)
        ):
            replayed: list[AssetKey] = []
            failed = yield from self._replay(record, key_of, replayed)
            if failed is None:
                return
            if not failed.unique_id.startswith("model."):  # a hook: as dbt fails when one fails
                raise Failure(description=f"dbt's {failed.unique_id} hook, replayed, failed: {failed.error}")
            name = self._node(failed.unique_id)["name"]
            callmart.out.line(
                f"dbt      replay stopped at {name} ({failed.error.splitlines()[0][:200]}): dbt builds the rest"
            )
            remaining = [key for key in rebuilt if key not in replayed]
            # the models replayed count as built for the watermark hook, as those left unchanged
            with connect(callmart.warehouse_path) as con:
                rebuild_plan.write_plan(
                    con, self.manifest, [_unique_id(context, k) for k in {*skipped, *replayed}]
                )
            skipped = {*skipped, *replayed}
        if skipped and not remaining:  # dbt has nothing to build: nothing to record either
            return
        recorder = recorded_builds.Recorder()
        yield from _dbt_events(
            dbt, args, context, callmart, True, remaining if skipped else None, callbacks=[recorder]
        )
        recorded_builds.record(
            self.path, self.key, recorder.models(self._existed), self.selection, recorder.hooks()
        )

    def _replay(
        self, record: recorded_builds.Record, key_of: Mapping[str, AssetKey], replayed: list[AssetKey]
    ) -> Generator[Any, None, recorded_builds.Replayed | None]:
        """Yield an Output per model replayed (appended to `replayed`); return the failure, if any."""
        order = rebuild_plan.graph_order(self.manifest, key_of)
        log = _ReplayLog(self.callmart.paths.dbt_log_file, self.callmart.verbose, len(order))
        connect_warehouse = lambda: connect(self.callmart.warehouse_path)  # noqa: E731
        upstream = rebuild_plan.upstream_of(self.manifest)
        outcomes = recorded_builds.replay(
            connect_warehouse, record, order, self.selection, upstream, log.statement, threads=_dbt_threads()
        )
        for outcome in outcomes:
            if outcome.error:
                log.failed(outcome)
                return outcome
            node = self._node(outcome.unique_id)
            log.model(outcome, f"{node['config'].get('materialized')} model {node['schema']}.{node['alias']}")
            key = key_of[outcome.unique_id]
            replayed.append(key)
            self.replayed += 1
            yield Output(
                None,
                output_name=self.context.assets_def.get_output_name_for_asset_key(key),
                metadata={
                    "unique_id": outcome.unique_id,
                    "Execution Duration": round(outcome.seconds, 3),
                    "statements": outcome.statements,
                    "run": "callmart replay",
                },
            )
        return None


class _ReplayLog:
    """A replayed build's lines in dbt's log file: one per model as dbt writes it, and with --verbose
    each statement as dbt's debug log has it."""

    def __init__(self, path: Path, verbose: bool, models: int):
        self.path, self.verbose, self.models, self.done = path, verbose, models, 0
        self._lock = threading.Lock()
        self._write(f"callmart: replaying the statements dbt sent for {models} models in an earlier build")

    def _write(self, text: str) -> None:
        with self._lock, self.path.open("a") as log:
            log.write(f"{time.strftime('%H:%M:%S')}  {text}\n")

    def statement(self, unique_id: str, sql: str) -> None:
        if self.verbose:
            self._write(f"On {unique_id}: {sql}")

    def model(self, outcome: recorded_builds.Replayed, what: str) -> None:
        self.done += 1
        self._write(
            f"{self.done} of {self.models} OK replayed {what} ({outcome.statements} statements) "
            f"in {outcome.seconds:.2f}s"
        )

    def failed(self, outcome: recorded_builds.Replayed) -> None:
        self._write(
            f"callmart: replay of {outcome.unique_id} failed, dbt builds it and the rest: {outcome.error}"
        )


def _dbt_events(
    dbt: DbtCliResource,
    args: list[str],
    context: AssetExecutionContext,
    callmart: CallmartResource,
    in_process: bool,
    models: list[AssetKey] | None = None,
    callbacks: Sequence[Callable[[Any], None]] = (),
) -> Iterator[Any]:
    """dbt's results as Dagster events: on DuckDB from dbt in this process (dbt_in_process.py), on
    another engine from dagster-dbt's dbt process. `models`: only these, not the step's selection
    (their tests run in one batch); empty: dbt has nothing to do."""
    paths = callmart.paths
    if not in_process:
        yield from dbt.cli(args, context=context, target_path=paths.dbt_target).stream()
        return
    from dagster_dbt.asset_utils import get_dbt_resource_names_for_asset_keys

    from . import dbt_in_process

    if models is not None and not models:
        return
    manifest, translator = _manifest_and_translator(context)
    full_args = [*args, "--project-dir", str(PROJECT_DIR), "--target", callmart.target]
    full_args += ["--target-path", str(paths.dbt_target), "--no-send-anonymous-usage-stats"]
    full_args += [] if callmart.verbose else ["--quiet"]
    if models is None:
        full_args += dbt_in_process.selection_args(context, manifest, translator)
    else:
        names = get_dbt_resource_names_for_asset_keys(translator, manifest, context.assets_def, models)
        full_args += ["--select", " ".join(sorted(names))]
    yield from dbt_in_process.stream(
        full_args,
        context=context,
        manifest=manifest,
        translator=translator,
        target_path=paths.dbt_target,
        callbacks=callbacks,
    )


@cache
def _dbt_threads() -> int:
    """The threads of the project's DuckDB profile: as many models at a time in a replay."""
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    return int(profiles["callmart"]["outputs"]["duckdb"].get("threads", 1))


def _dbt_versions() -> str:
    """dbt-core's and dbt-duckdb's versions: their macros compile the generic tests."""
    return " ".join(f"{name} {importlib.metadata.version(name)}" for name in ("dbt-core", "dbt-duckdb"))


def _batch(
    context: AssetExecutionContext, paths: StatePaths, key: str
) -> list[batch_tests.CompiledTest] | None:
    """The selected checks' tests as recorded under `key`, when every one of them is; else None."""
    available = batch_tests.recorded(paths.dbt_compiled_tests, key)
    selected = sorted(context.selected_asset_check_keys, key=lambda k: (k.asset_key.path, k.name))
    if not all((tuple(k.asset_key.path), k.name) in available for k in selected):
        return None
    return [available[(tuple(k.asset_key.path), k.name)] for k in selected]


def _record_compiled_tests(paths: StatePaths, key: str, since: float) -> None:
    """Record the tests dbt compiled in the build that just ran (its manifest is newer than `since`)."""
    from dagster_dbt.asset_utils import get_asset_check_key_for_test

    manifest_path = paths.dbt_target / "manifest.json"
    if not manifest_path.is_file() or manifest_path.stat().st_mtime < since:
        return
    manifest = json.loads(manifest_path.read_text())
    translator = CallmartTranslator()

    def check_key(unique_id: str) -> tuple[tuple[str, ...], str] | None:
        found = get_asset_check_key_for_test(manifest, translator, unique_id, project=None)
        return (tuple(found.asset_key.path), found.name) if found else None

    tests = batch_tests.compiled_tests(manifest, check_key)
    if tests:
        batch_tests.record(paths.dbt_compiled_tests, key, tests)


def _check_result(outcome: batch_tests.TestOutcome) -> AssetCheckResult:
    """A batch test's outcome as dagster-dbt reports a dbt test's."""
    return AssetCheckResult(
        asset_key=AssetKey(list(outcome.test.asset_key)),
        check_name=outcome.test.check_name,
        passed=outcome.status == "pass",
        severity=AssetCheckSeverity.WARN if outcome.status == "warn" else AssetCheckSeverity.ERROR,
        description=outcome.message if outcome.status == "error" else None,
        metadata={
            "unique_id": outcome.test.unique_id,
            "status": outcome.status,
            "dagster_dbt/failed_row_count": outcome.failures,
            "Execution Duration": round(outcome.seconds, 3),
            "run": "callmart batch",
        },
    )


def _ingest(engine: Engine, callmart: CallmartResource) -> dict[str, Any]:
    """Copy what dbt reads into the engine; the dbt vars its hooks need."""
    from .engines import input_tables

    started = time.monotonic()
    with connect(callmart.warehouse_path, read_only=True) as con:
        tables = input_tables(con)
        rows = engine.ingest(con, tables)
    callmart.out.line(
        f"engine   {engine.name}: {len(tables)} input tables, {rows:,} rows in {time.monotonic() - started:.1f} s"
    )
    return engine.dbt_vars(tables)


def _mirror(engine: Engine, callmart: CallmartResource, marts: list[str]) -> None:
    """The engine's marts into the warehouse's marts schema, for the checks, publication and BI."""
    started = time.monotonic()
    with connect(callmart.warehouse_path) as con:
        rows = engine.mirror(con, marts)
    callmart.out.line(
        f"engine   {len(marts)} marts from {engine.name}, {rows:,} rows in {time.monotonic() - started:.1f} s"
    )
