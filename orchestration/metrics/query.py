"""Compile a request for metrics by name into SQL with MetricFlow and run it on the published marts.

`--by` takes time grains (day, week, month, quarter, year: the metric's own local day rolled up),
entities (client, queue, agent, campaign, channel, ...) and dimensions (`agent__team`,
`client__client_name`). `--where` takes MetricFlow's filter syntax, or the short form
`NAME OPERATOR VALUE` (`client = 'acme'`, `month >= '2026-10-01'`), whose name is wrapped for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..dbt_assets import dbt_manifest

TIME_GRAINS = ("day", "week", "month", "quarter", "year")
_SHORT_WHERE = re.compile(r"^\s*([A-Za-z_]\w*)\b(.*)$", re.DOTALL)


class UnknownName(ValueError):
    """A metric, group-by item or filter MetricFlow cannot resolve (the message says which)."""


@dataclass(frozen=True)
class MetricsQuery:
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    limit: int | None = None
    saved_query: str | None = None  # a saved query's metrics and group-by instead of the above


@dataclass
class MetricsResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str = field(repr=False)


def semantic_manifest_file() -> Path:
    """dbt writes the semantic manifest beside the manifest it parses (dbt_assets.dbt_manifest)."""
    return dbt_manifest().parent / "semantic_manifest.json"


@cache
def _semantic_manifest_text() -> str:
    return semantic_manifest_file().read_text()


@cache
def _semantic_manifest_json() -> dict[str, Any]:
    return json.loads(_semantic_manifest_text())


def saved_queries() -> list[dict[str, Any]]:
    """Every saved query: name, label, description."""
    return sorted(
        (
            {"name": q["name"], "label": q.get("label"), "description": q.get("description")}
            for q in _semantic_manifest_json()["saved_queries"]
        ),
        key=lambda q: q["name"],
    )


def available_metrics() -> list[dict[str, Any]]:
    """Every metric: name, label, type, description, sorted by name."""
    metrics = _semantic_manifest_json()["metrics"]
    return sorted(
        (
            {
                "name": m["name"],
                "label": m.get("label"),
                "type": m["type"],
                "description": m.get("description"),
            }
            for m in metrics
        ),
        key=lambda m: m["name"],
    )


def _entities() -> set[str]:
    return {e["name"] for sm in _semantic_manifest_json()["semantic_models"] for e in sm["entities"]}


def _catalog() -> str:
    """The catalog name the manifest's relations carry (the warehouse file's stem at parse time)."""
    return str(_semantic_manifest_json()["semantic_models"][0]["node_relation"]["database"])


def group_by_name(item: str) -> str:
    """A `--by` item as MetricFlow names it."""
    item = item.strip()
    return f"metric_time__{item}" if item in TIME_GRAINS else item


def where_clause(text: str) -> str:
    """A `--where` filter in MetricFlow's syntax (the short form's leading name wrapped)."""
    if "{{" in text:
        return text
    match = _SHORT_WHERE.match(text)
    if not match:
        return text
    name, rest = match.groups()
    if name in TIME_GRAINS:
        wrapped = f"{{{{ TimeDimension('metric_time', '{name}') }}}}"
    elif name in _entities():
        wrapped = f"{{{{ Entity('{name}') }}}}"
    else:
        wrapped = f"{{{{ Dimension('{name}') }}}}"
    return wrapped + rest


def _display_name(column: str) -> str:
    return column.removeprefix("metric_time__")


class _Engine:
    """MetricFlow over one published copy: built once per process and file."""

    def __init__(self, published: Path):
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        from .client import ReadOnlyDuckDbClient

        manifest = parse_manifest_from_dbt_generated_manifest(_semantic_manifest_text())
        self.client = ReadOnlyDuckDbClient(published, _catalog())
        self.engine = MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=self.client
        )

    def sql(self, query: MetricsQuery) -> str:
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest
        from metricflow_semantics.errors.error_classes import InformativeUserError, MetricNotFoundError

        order = [("-" if o.startswith("-") else "") + group_by_name(o.lstrip("-")) for o in query.order]
        by = [group_by_name(b) for b in query.by]
        request = MetricFlowQueryRequest.create(
            saved_query_name=query.saved_query,
            metric_names=list(query.metrics) if not query.saved_query else None,
            group_by_names=by if not query.saved_query else None,
            where_constraints=[where_clause(w) for w in query.where] or None,
            order_by_names=order or by or None if not query.saved_query else order or None,
            limit=query.limit,
        )
        try:
            return self.engine.explain(request).sql_statement.sql
        except (InformativeUserError, MetricNotFoundError) as exc:
            # MetricFlow's errors about the request itself name the unknown item and suggest others
            raise UnknownName(str(exc)) from exc


@cache
def _engine(published: Path) -> _Engine:
    return _Engine(published)


def run_query(published: Path, query: MetricsQuery) -> MetricsResult:
    """The metrics of `query` on the published marts at `published`."""
    engine = _engine(published.resolve())
    sql = engine.sql(query)
    columns, rows = engine.client.rows(sql)
    return MetricsResult([_display_name(c) for c in columns], rows, sql)
