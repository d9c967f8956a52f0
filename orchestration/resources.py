"""Dagster resources: where the landing folder, the warehouse and the user's configuration are."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from .settings import data_dir, default_warehouse


class CallmartResource(ConfigurableResource):
    """Paths and dbt vars of one callmart deployment (read from CALLMART_* environment variables)."""

    landing: str
    warehouse: str
    config_dir: str = ""
    dbt_vars_json: str = "{}"

    @property
    def landing_path(self) -> Path:
        return Path(self.landing)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def config_path(self) -> Path | None:
        if self.config_dir:
            return Path(self.config_dir)
        implicit = self.landing_path / "config"
        return implicit if implicit.is_dir() else None

    @property
    def dbt_vars(self) -> dict[str, object]:
        return json.loads(self.dbt_vars_json or "{}")


def default_env() -> dict[str, str]:
    """Defaults for the CALLMART_* variables the resource reads at run time."""
    return {
        "CALLMART_LANDING": str(data_dir() / "demo"),
        "CALLMART_WAREHOUSE": str(default_warehouse()),
        "CALLMART_CONFIG_DIR": "",
        "CALLMART_DBT_VARS": "{}",
    }


def callmart_resource_from_env() -> CallmartResource:
    """The resource, reading CALLMART_* when a run starts (so each run sees the current values)."""
    for key, value in default_env().items():
        os.environ.setdefault(key, value)
    return CallmartResource(
        landing=EnvVar("CALLMART_LANDING"),
        warehouse=EnvVar("CALLMART_WAREHOUSE"),
        config_dir=EnvVar("CALLMART_CONFIG_DIR"),
        dbt_vars_json=EnvVar("CALLMART_DBT_VARS"),
    )
