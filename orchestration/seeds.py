"""The effective dbt seed folder: the shipped defaults overlaid by the user's configuration CSVs."""

from __future__ import annotations

import shutil
from pathlib import Path

from .settings import PROJECT_DIR, data_dir

SHIPPED_SEEDS = PROJECT_DIR / "seeds"


def seed_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_SEEDS.glob("*.csv"))


def prepare_seed_dir(config_dir: Path | None, target: Path | None = None) -> tuple[Path, list[str]]:
    """Copy the shipped seeds to `target`, replacing each by the config folder's file of the same name.

    Returns the folder and the names taken from the config folder. A config CSV whose name is
    not a seed is ignored (and not reported as used).
    """
    target = target or data_dir() / "seeds"
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
    return target, used
