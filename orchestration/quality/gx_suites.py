"""Great Expectations suites kept as files in expectations/, validated through GX's pandas datasource.

A suite file is GX's own ExpectationSuite JSON; its `meta.callmart` says which warehouse asset it
checks, its severity, and the SQL whose result (a DuckDB `.df()`) is the batch. GX's SQL datasource
fails on DuckDB (upstream GX #10738), hence pandas. An expectation that raises is a failure.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..settings import PROJECT_DIR
from .model import CheckResult

SUITES_DIR = PROJECT_DIR / "expectations"
# GX imports pyspark when it is installed (the spark extra), which warns about pandas 3 on import
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]
    severity: str
    query: str
    description: str
    config: dict[str, Any]


def load_suites(folder: Path = SUITES_DIR) -> list[Suite]:
    suites = []
    for path in sorted(folder.glob("*.json")):
        config = json.loads(path.read_text())
        meta = config.get("meta", {}).get("callmart", {})
        suites.append(
            Suite(
                config["name"],
                tuple(meta["asset"]),
                meta.get("severity", "error"),
                meta["query"],
                meta.get("description", ""),
                config,
            )
        )
    return suites


def data_docs_index(gx_dir: Path) -> Path:
    """The Data Docs page of a GX project folder (a warehouse's StatePaths.gx)."""
    return gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _context(gx_dir: Path):  # type: ignore[no-untyped-def]
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before GX is imported; the same for every run
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    gx = _great_expectations()

    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        context.variables.save()
    except Exception:  # noqa: BLE001 - progress bars are cosmetic
        pass
    return context


def _great_expectations():  # type: ignore[no-untyped-def]
    """Import GX. GX imports pyspark (the spark extra), whose Spark Connect module takes a `__main__`
    with neither a spec nor a file for a doctest run and calls sys.exit(0): that is what the run
    worker of `callmart serve` looks like. Give such a `__main__` a file name first."""
    import sys

    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = sys.argv[0] or "callmart"
    import great_expectations

    return great_expectations


def run_suites(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], gx_dir: Path, keep_runs: int = 30
) -> list[CheckResult]:
    """Validate each suite through a GX checkpoint that also updates the Data Docs site in gx_dir,
    keeping the last `keep_runs` results of each suite (and its last failure); the site is then
    pointed at local copies of its CSS and JavaScript (data_docs.py)."""
    gx = _great_expectations()

    from .data_docs import OfflineAssetsMissing, make_offline, prune_validations

    context = _context(gx_dir)
    source = context.data_sources.add_or_update_pandas("warehouse")
    results = []
    for suite in suites:
        prune_validations(gx_dir, suite.name, keep_runs)
        try:
            frame = con.execute(suite.query).df()
        except duckdb.Error as exc:
            results.append(
                CheckResult(suite.name, suite.asset, suite.severity, False, 0, f"query failed: {exc}")
            )
            continue
        existing = {a.name: a for a in source.assets}
        asset = existing.get(suite.name) or source.add_dataframe_asset(suite.name)
        batch_definitions = {b.name: b for b in asset.batch_definitions}
        batch_definition = batch_definitions.get("all") or asset.add_batch_definition_whole_dataframe("all")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(
                name=suite.name, expectations=[_expectation(e) for e in suite.config["expectations"]]
            )
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        validation = next(iter(run.run_results.values()))
        results.append(_result(suite, validation))
    try:
        make_offline(data_docs_index(gx_dir).parent)
    except OfflineAssetsMissing as exc:
        logging.getLogger("callmart").warning("Data Docs need internet: %s", exc)
    return results


def _result(suite: Suite, validation) -> CheckResult:  # type: ignore[no-untyped-def]
    failing = 0
    messages: list[str] = []
    sample: list[str] = []
    for r in validation.results:
        kwargs = {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        raised = bool(r.exception_info and r.exception_info.get("raised_exception"))
        if r.success and not raised:
            continue
        count = int(r.result.get("unexpected_count") or (0 if raised else 1))
        failing += count
        what = f"{r.expectation_config.type}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        detail = f"raised {r.exception_info.get('exception_message')}" if raised else f"{count} rows"
        messages.append(f"{what}: {detail}")
        for value in (r.result.get("partial_unexpected_list") or [])[:3]:
            sample.append(f"{kwargs.get('column', kwargs.get('column_list', ''))}: {value}")
    passed = not messages
    return CheckResult(
        suite.name,
        suite.asset,
        suite.severity,
        passed,
        failing,
        "ok" if passed else "; ".join(messages),
        sample,
    )


def _expectation(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return ExpectationConfiguration(type=config["type"], kwargs=config["kwargs"]).to_domain_obj()
