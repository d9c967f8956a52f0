"""Every model and every column described: the docs site leaves nothing for a reader to guess.

Reads dbt's manifest (what the YAML documents) and catalog (the columns the warehouse really has,
from `dbt docs generate`), so a column a model selects but its YAML forgets is found too.
"""

from __future__ import annotations

from typing import Any


def undocumented(manifest: dict[str, Any], catalog: dict[str, Any], package: str = "callmart") -> list[str]:
    """`model NAME` and `column MODEL.COLUMN` for each model or column without a description."""
    missing: list[str] = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node["package_name"] != package:
            continue
        name = node["name"]
        if not (node.get("description") or "").strip():
            missing.append(f"model {name}")
        described = {
            c.lower() for c, v in node.get("columns", {}).items() if (v.get("description") or "").strip()
        }
        columns = catalog.get("nodes", {}).get(unique_id, {}).get("columns", {})
        missing += [f"column {name}.{column}" for column in columns if column.lower() not in described]
    return missing
