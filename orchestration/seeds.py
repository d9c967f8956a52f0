"""The effective dbt seed folder: the shipped defaults overlaid by the user's configuration CSVs."""

from __future__ import annotations

import shutil
from pathlib import Path

from .settings import PROJECT_DIR

SHIPPED_SEEDS = PROJECT_DIR / "seeds"
# Must be relative to the project: with an absolute seed path dbt writes each seed's run
# artifact to target/run/<project>/<absolute path>, i.e. over the seed file itself.
EFFECTIVE_SEEDS = Path("data") / "seeds"


def seed_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_SEEDS.glob("*.csv"))


def prepare_seed_dir(config_dir: Path | None) -> tuple[Path, list[str]]:
    """Copy the shipped seeds to data/seeds, replacing each by the config folder's file of the same name.

    Returns the folder, relative to the project (the value for CALLMART_SEED_DIR), and the names
    taken from the config folder. A config CSV whose name is not a seed is ignored.
    """
    target = PROJECT_DIR / EFFECTIVE_SEEDS
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    used: list[str] = []
    for name in seed_names():
        src = SHIPPED_SEEDS / f"{name}.csv"
        if config_dir is not None and (config_dir / f"{name}.csv").is_file():
            src = config_dir / f"{name}.csv"
            used.append(name)
        shutil.copyfile(src, target / f"{name}.csv")
    return EFFECTIVE_SEEDS, used
