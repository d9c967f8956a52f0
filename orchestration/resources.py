"""The Dagster resource of one callmart run: what it reads, where it writes, how it reports.

`callmart run` builds it from its arguments (`CallmartResource.for_run`) and hands it to the
Definitions; under `dagster dev` it is read from CALLMART_* environment variables once, when the
Definitions load. Nothing changes the environment during a run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource

from .progress import Progress
from .settings import StatePaths, data_dir, default_warehouse

if TYPE_CHECKING:
    from .engines import Engine


def effective_config_dir(config_dir: Path | None, landing: Path) -> Path | None:
    """--config, else the landing folder's config/ when it has one (the demo's), else none."""
    if config_dir is not None:
        return config_dir
    implicit = landing / "config"
    return implicit if implicit.is_dir() else None


class CallmartResource(ConfigurableResource):
    """Paths, dbt vars and reporting options of one run."""

    landing: str
    warehouse: str
    config_dir: str = ""
    dbt_vars_json: str = "{}"
    as_of: str = ""  # freshness checks as of this UTC time; 'data' = the newest queue_log event
    progress: bool = False
    verbose: bool = False
    pii_salt: str = ""  # resolved by the CLI (privacy.py); empty: read or create the salt file
    target: str = "duckdb"  # where dbt builds: duckdb (the warehouse itself), postgres or spark
    full_refresh: bool = False  # rebuild every incremental model from scratch (callmart run --full-refresh)
    pg_host: str = ""  # PostgreSQL (target postgres); the password only from CALLMART_PG_PASSWORD
    pg_port: str = ""
    pg_user: str = ""
    pg_db: str = ""

    @classmethod
    def for_run(
        cls,
        landing: Path,
        warehouse: Path,
        config_dir: Path | None = None,
        dbt_vars: dict[str, object] | None = None,
        as_of: str | None = None,
        progress: bool = False,
        verbose: bool = False,
        pii_salt: str = "",
        target: str = "duckdb",
        full_refresh: bool = False,
    ) -> CallmartResource:
        # the salt never travels as a dbt var (it would be rendered into compiled SQL and logs)
        dbt_vars = {k: v for k, v in (dbt_vars or {}).items() if k != "pii_salt"}
        return cls(
            landing=str(landing),
            warehouse=str(warehouse),
            config_dir=str(config_dir) if config_dir else "",
            dbt_vars_json=json.dumps(dbt_vars),
            pii_salt=pii_salt,
            as_of=as_of or "",
            progress=progress,
            verbose=verbose,
            target=target,
            full_refresh=full_refresh,
            **_postgres_from_env(),
        )

    @classmethod
    def from_env(cls) -> CallmartResource:
        """For `dagster dev` and `callmart serve`: CALLMART_LANDING, CALLMART_WAREHOUSE, CALLMART_CONFIG_DIR,
        CALLMART_DBT_VARS, CALLMART_AS_OF (a replay of past data: 'data'), CALLMART_TARGET and CALLMART_PG_*."""
        return cls(
            target=os.environ.get("CALLMART_TARGET", "duckdb"),
            **_postgres_from_env(),
            landing=os.environ.get("CALLMART_LANDING", str(data_dir() / "demo")),
            warehouse=os.environ.get("CALLMART_WAREHOUSE", str(default_warehouse())),
            config_dir=os.environ.get("CALLMART_CONFIG_DIR", ""),
            dbt_vars_json=os.environ.get("CALLMART_DBT_VARS", "{}"),
            as_of=os.environ.get("CALLMART_AS_OF", ""),
        )

    @property
    def landing_path(self) -> Path:
        return Path(self.landing)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def paths(self) -> StatePaths:
        return StatePaths(self.warehouse_path)

    @property
    def config_path(self) -> Path | None:
        return effective_config_dir(Path(self.config_dir) if self.config_dir else None, self.landing_path)

    @property
    def dbt_vars(self) -> dict[str, object]:
        return {k: v for k, v in json.loads(self.dbt_vars_json or "{}").items() if k != "pii_salt"}

    @property
    def build_vars(self) -> dict[str, object]:
        """The vars of every dbt command of a run: --vars, and --as-of over them (as in `callmart
        check`). The build and the docs site pass the same, so dbt's partial parse, which any change
        of vars discards, survives from one run to the next (a full parse costs about 8 s)."""
        return self.dbt_vars | ({"as_of": self.as_of} if self.as_of else {})

    @property
    def keep_runs(self) -> int:
        """How many runs of quality results and dbt logs are kept (--vars keep_runs, default 30)."""
        from .quality.runner import KEEP_RUNS

        return int(json.loads(self.dbt_vars_json or "{}").get("keep_runs", KEEP_RUNS))

    def salt(self) -> str:
        from .privacy import resolve_salt

        return self.pii_salt or resolve_salt(
            self.warehouse_path, json.loads(self.dbt_vars_json).get("pii_salt")
        )

    @property
    def out(self) -> Progress:
        return Progress(self.progress, self.verbose)

    def engine(self) -> Engine | None:
        """The engine dbt builds on; None for DuckDB (the warehouse file itself)."""
        from .engines import engine_for

        settings = {
            "pg_host": self.pg_host,
            "pg_port": self.pg_port,
            "pg_user": self.pg_user,
            "pg_db": self.pg_db,
        }
        return engine_for(self.target, self.paths, settings)


def _postgres_from_env() -> dict[str, str]:
    """CALLMART_PG_HOST, _PORT, _USER, _DB, read once when the resource is made."""
    return {f"pg_{k}": os.environ.get(f"CALLMART_PG_{k.upper()}", "") for k in ("host", "port", "user", "db")}
