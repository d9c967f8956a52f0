"""The semantic layer on the command line: any KPI by name at any grain (`callmart metrics`).

The metrics are dbt-metricflow semantic models and metrics beside the marts
(`models/marts/*/_*__semantic.yml`). MetricFlow compiles a request into SQL; callmart runs it on the
published copy of the warehouse, read-only, so a query never waits for (or blocks) a run.
"""

from .query import MetricsQuery, MetricsResult, UnknownName, available_metrics, run_query, saved_queries

__all__ = ["MetricsQuery", "MetricsResult", "UnknownName", "available_metrics", "run_query", "saved_queries"]
