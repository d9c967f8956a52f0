"""Where callmart finds its project, data, warehouse and configuration.

Everything comes from arguments or environment variables, with defaults relative
to the project folder (the folder that holds ``dbt_project.yml``); no path is
hard-coded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("CALLMART_PROJECT_DIR", Path(__file__).resolve().parent.parent))


def data_dir() -> Path:
    """The project's data folder (demo landing, warehouse, dbt target); never committed."""
    return Path(os.environ.get("CALLMART_DATA_DIR", PROJECT_DIR / "data"))


def default_warehouse() -> Path:
    return Path(os.environ.get("CALLMART_WAREHOUSE", data_dir() / "callmart.duckdb"))


@dataclass
class RunSettings:
    """What one ``callmart run`` works on; exported to the environment for Dagster and dbt."""

    landing: Path
    warehouse: Path = field(default_factory=default_warehouse)
    config_dir: Path | None = None
    dbt_vars: dict[str, object] = field(default_factory=dict)

    def to_env(self) -> dict[str, str]:
        env = {
            "CALLMART_LANDING": str(self.landing),
            "CALLMART_WAREHOUSE": str(self.warehouse),
            "CALLMART_DBT_VARS": json.dumps(self.dbt_vars),
        }
        env["CALLMART_CONFIG_DIR"] = str(self.config_dir) if self.config_dir is not None else ""
        return env
