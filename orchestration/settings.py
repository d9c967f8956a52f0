"""Where callmart finds its project and data, and where a warehouse keeps its own state.

Defaults come from arguments or from environment variables read once (never changed during a run);
no path is hard-coded. Everything a run writes lives beside its warehouse (`StatePaths`), so runs
on different warehouses never share a file, and nothing lands in the checkout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_PROJECT = "project"  # where a wheel carries the dbt project (pyproject.toml, force-include)


def find_project_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """The dbt project callmart builds: CALLMART_PROJECT_DIR; else the checkout this package sits in
    (a clone, an editable install); else the copy an installed wheel carries inside the package."""
    if os.environ.get("CALLMART_PROJECT_DIR"):
        return Path(os.environ["CALLMART_PROJECT_DIR"])
    checkout = package_dir.parent
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    return package_dir / PACKAGED_PROJECT


PROJECT_DIR = find_project_dir()
SHIPPED_SEEDS = PROJECT_DIR / "seeds"


MAIN_JOB = "callmart_main"  # the Dagster job of `callmart run`, the sensor and the nightly build
LIVE_JOB = "callmart_live"  # the wallboard refresh the sensor starts when the live queue_log grows
LIVE_MARTS = ("kpi_live_queue", "kpi_live_agents")


@cache
def pause_categories() -> tuple[str, ...]:
    """The pause categories of docs/kpis.md: their one home is the dbt var `pause_categories` in
    dbt_project.yml, which the agent models, the configuration check and the dashboards all read."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return tuple(project["vars"]["pause_categories"])


def data_dir() -> Path:
    """The default data folder (demo landing, default warehouse): `data/` of a checkout (never
    committed), or the user's data folder for an installed callmart (never inside the package)."""
    if os.environ.get("CALLMART_DATA_DIR"):
        return Path(os.environ["CALLMART_DATA_DIR"])
    if PACKAGE_DIR / PACKAGED_PROJECT == PROJECT_DIR:  # an installed wheel's own copy
        return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "callmart"
    return PROJECT_DIR / "data"


def default_warehouse() -> Path:
    return Path(os.environ.get("CALLMART_WAREHOUSE", data_dir() / "callmart.duckdb"))


def cache_dir() -> Path:
    """Derived files shared by every run of one project version (the parsed dbt manifest)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "callmart"
    return Path(os.environ.get("CALLMART_CACHE_DIR", default))


def replace_file(path: Path, text: str) -> None:
    """Write a state file whole or not at all: a reader, or a crash, never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(path)


@dataclass(frozen=True)
class StatePaths:
    """The files one warehouse's runs write, all beside the warehouse file."""

    warehouse: Path

    @property
    def state_dir(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".state")

    @property
    def lock(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")

    @property
    def published(self) -> Path:
        """The copy BI readers open (see publish_assets.py)."""
        return self.warehouse.with_name(self.warehouse.stem + "_published.duckdb")

    @property
    def dbt_target(self) -> Path:
        return self.state_dir / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.state_dir / "dbt" / "logs"

    @property
    def dbt_log_file(self) -> Path:
        return self.dbt_logs / "dbt.log"

    @property
    def dbt_compiled_tests(self) -> Path:
        """The SQL dbt compiled for each data test, run in one batch by incremental builds
        (quality/batch_tests.py)."""
        return self.state_dir / "dbt" / "compiled_tests.json"

    @property
    def dbt_recorded_models(self) -> Path:
        """The statements dbt sent for each model in an incremental build, sent again by later ones
        (recorded_builds.py)."""
        return self.state_dir / "dbt" / "recorded_models.json"

    @property
    def source_signatures(self) -> Path:
        """What the raw tables were at the last complete build (rebuild_plan.py)."""
        return self.state_dir / "dbt" / "source_signatures.json"

    @property
    def dbt_profiles(self) -> Path:
        return self.state_dir / "dbt"

    @property
    def gx(self) -> Path:
        return self.state_dir / "gx"

    @property
    def dagster(self) -> Path:
        return self.state_dir / "dagster"

    @property
    def last_run(self) -> Path:
        """What the last run or check left: published or not, failed blocking checks (reports/gate.py)."""
        return self.state_dir / "last_run.json"

    @property
    def reports(self) -> Path:
        """The delivery ledger and the .eml files of dry runs (reports/)."""
        return self.state_dir / "reports"

    def build_fingerprint(self, target: str) -> Path:
        """What the last complete dbt build on `target` was built from (dbt_assets.py)."""
        return self.state_dir / f"build_fingerprint.{target}"

    @property
    def spark(self) -> Path:
        """Spark's input Parquet, warehouse and metastore (`--target spark`, engines/spark.py)."""
        return self.state_dir / "spark"
