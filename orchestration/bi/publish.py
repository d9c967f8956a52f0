"""Publishes the dashboards to a running Superset: the bundle, then one role per client with a
row-level-security rule on every dataset that carries client_id, and a manager role that sees all.

Idempotent: importing the same bundle keeps ids and UUIDs; roles and rules are created, updated or
removed to match the clients configuration (a client removed from clients.csv loses its role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .bundle import CLIENT_DATASETS, DASHBOARDS, DATABASE_NAME, DATASETS, build_bundle
from .client import Role, SupersetClient

MANAGER_ROLE = "callmart_manager"
CLIENT_ROLE_PREFIX = "callmart_client_"
RULE_PREFIX = "callmart client "


@dataclass
class PublishResult:
    datasets: dict[str, int] = field(default_factory=dict)
    dashboards: dict[str, int] = field(default_factory=dict)
    client_roles: dict[str, int] = field(default_factory=dict)
    removed_roles: list[str] = field(default_factory=list)


def _datasource_permissions(client: SupersetClient, dataset_ids: dict[str, int]) -> dict[str, int]:
    """dataset name -> id of its `datasource_access` permission."""
    wanted = {f"(id:{i})": name for name, i in dataset_ids.items()}
    found: dict[str, int] = {}
    for pv in client.permission_views():
        if pv["permission"]["name"] != "datasource_access":
            continue
        match = re.search(r"\(id:\d+\)$", pv["view_menu"]["name"])
        if match and match.group(0) in wanted and f"[{DATABASE_NAME}]" in pv["view_menu"]["name"]:
            found[wanted[match.group(0)]] = int(pv["id"])
    return found


def _role(client: SupersetClient, roles: dict[str, Role], name: str) -> Role:
    return roles.get(name) or client.create_role(name)


def publish(
    client: SupersetClient, published: Path, clients: list[str], manifest: Path | None = None
) -> PublishResult:
    result = PublishResult()
    client.import_bundle(build_bundle(published, manifest), {f"databases/{DATABASE_NAME}.yaml": ""})
    ours = {d.uuid: d.name for d in DATASETS.values()}
    result.datasets = {ours[d["uuid"]]: int(d["id"]) for d in client.datasets() if d.get("uuid") in ours}
    slugs = {d.slug for d in DASHBOARDS}
    result.dashboards = {d["slug"]: int(d["id"]) for d in client.dashboards() if d.get("slug") in slugs}
    access = _datasource_permissions(client, result.datasets)
    roles = {r.name: r for r in client.roles()}

    manager = _role(client, roles, MANAGER_ROLE)
    client.set_role_permissions(manager, list(access.values()))
    client_access = [access[name] for name in CLIENT_DATASETS if name in access]
    client_tables = [result.datasets[name] for name in CLIENT_DATASETS if name in result.datasets]
    rules = {r["name"]: r for r in client.rls_rules() if str(r.get("name", "")).startswith(RULE_PREFIX)}
    for client_id in clients:
        role = _role(client, roles, CLIENT_ROLE_PREFIX + client_id)
        client.set_role_permissions(role, client_access)  # no SQL Lab, no agent or ESAT data
        quoted = client_id.replace("'", "''")
        body = {
            "name": RULE_PREFIX + client_id,
            "description": f"Client {client_id} sees its own rows only (callmart).",
            "filter_type": "Regular",
            "tables": client_tables,
            "roles": [role.id],
            "clause": f"client_id = '{quoted}'",
            "group_key": "client_id",
        }
        existing = rules.pop(RULE_PREFIX + client_id, None)
        if existing is None:
            client.create_rls_rule(body)
        else:
            client.update_rls_rule(int(existing["id"]), body)
        result.client_roles[client_id] = role.id
    for name, rule in rules.items():  # clients no longer configured
        client.delete_rls_rule(int(rule["id"]))
        role = roles.get(CLIENT_ROLE_PREFIX + name[len(RULE_PREFIX) :])
        if role is not None:
            client.delete_role(role)
            result.removed_roles.append(role.name)
    return result


def published_clients(published: Path) -> list[str]:
    """The clients of the published marts (dim_client): one role each."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        return [
            r[0] for r in con.execute("select client_id from marts.dim_client order by client_id").fetchall()
        ]


def publish_to(settings, published: Path, say) -> PublishResult:  # type: ignore[no-untyped-def]
    """Log in as the admin of the local Superset and publish the dashboards of `published`."""
    from ..dbt_assets import dbt_manifest
    from .settings import ADMIN_USER

    client = SupersetClient(settings.url, ADMIN_USER, settings.secrets()["admin_password"])
    result = publish(client, published, published_clients(published), dbt_manifest())
    say(
        f"bi       published {len(result.dashboards)} dashboards, {len(result.datasets)} datasets, "
        f"{len(result.client_roles)} client roles"
        + (f" (removed: {', '.join(result.removed_roles)})" if result.removed_roles else "")
    )
    return result
