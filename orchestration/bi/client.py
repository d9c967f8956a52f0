"""A small typed client of Superset's REST API (6.1): login, CSRF, bundle import, roles,
permissions, row-level security, users, chart data.

Why our own and not preset-cli: preset-cli's `superset sync native` renders Jinja over a folder of
YAML and imports it, but it pins its own SQLAlchemy/Superset-side versions, does not manage roles
or RLS rules, and would be one more environment to lock; the dozen calls we need fit here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests


class SupersetError(RuntimeError):
    pass


@dataclass
class Role:
    id: int
    name: str


class SupersetClient:
    def __init__(self, url: str, username: str, password: str, timeout_s: float = 60):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.session = requests.Session()
        token = self._call("POST", "/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db", "refresh": True,
        })["access_token"]  # fmt: skip
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self._call("GET", "/api/v1/security/csrf_token/")["result"]
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.url})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.url + path, timeout=self.timeout_s, **kwargs)
        if response.status_code >= 400:
            raise SupersetError(f"{method} {path}: {response.status_code} {response.text[:600]}")
        return response.json() if response.content else {}

    def _all(self, path: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
        """Every row of a list endpoint (rison query, pages of 100)."""
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            query = f"(page:{page},page_size:100"
            if columns:
                query += ",columns:!(" + ",".join(columns) + ")"
            result = self._call("GET", f"{path}?q={query})")
            batch = result.get("result", [])
            rows += batch
            if len(batch) < 100:
                return rows
            page += 1

    # -- assets -------------------------------------------------------------------------------------

    def import_bundle(self, bundle: bytes, passwords: dict[str, str]) -> None:
        self._call(
            "POST",
            "/api/v1/assets/import/",
            files={"bundle": ("bundle.zip", bundle, "application/zip")},
            data={"passwords": json.dumps(passwords), "overwrite": "true"},
        )

    def datasets(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/dataset/", ["id", "uuid", "table_name", "schema"])

    def charts(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/chart/", ["id", "uuid", "slice_name", "viz_type"])

    def dashboards(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/dashboard/", ["id", "uuid", "dashboard_title", "slug"])

    def dashboard(self, id_or_slug: str | int) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/dashboard/{id_or_slug}")["result"]

    def databases(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/database/", ["id", "uuid", "database_name"])

    def chart_data(self, query_context: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/chart/data", json=query_context)

    # -- security -----------------------------------------------------------------------------------

    def roles(self) -> list[Role]:
        return [Role(r["id"], r["name"]) for r in self._all("/api/v1/security/roles/")]

    def create_role(self, name: str) -> Role:
        result = self._call("POST", "/api/v1/security/roles/", json={"name": name})
        return Role(int(result["id"]), name)

    def delete_role(self, role: Role) -> None:
        self._call("DELETE", f"/api/v1/security/roles/{role.id}")

    def role_permission_ids(self, role: Role) -> set[int]:
        result = self._call("GET", f"/api/v1/security/roles/{role.id}/permissions/")
        return {int(p["id"]) for p in result.get("result", [])}

    def set_role_permissions(self, role: Role, permission_view_ids: list[int]) -> None:
        self._call(
            "POST",
            f"/api/v1/security/roles/{role.id}/permissions",
            json={"permission_view_menu_ids": sorted(permission_view_ids)},
        )

    def permission_views(self) -> list[dict[str, Any]]:
        """(permission, view) pairs: e.g. datasource_access on `[callmart].[kpi_inbound_daily](id:3)`."""
        return self._all("/api/v1/security/permissions-resources/")

    def rls_rules(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/rowlevelsecurity/")

    def create_rls_rule(self, body: dict[str, Any]) -> int:
        return int(self._call("POST", "/api/v1/rowlevelsecurity/", json=body)["id"])

    def update_rls_rule(self, rule_id: int, body: dict[str, Any]) -> None:
        self._call("PUT", f"/api/v1/rowlevelsecurity/{rule_id}", json=body)

    def delete_rls_rule(self, rule_id: int) -> None:
        self._call("DELETE", f"/api/v1/rowlevelsecurity/{rule_id}")

    def users(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/security/users/")

    def create_user(self, username: str, password: str, role_ids: list[int]) -> int:
        body = {
            "username": username, "password": password, "first_name": username, "last_name": "user",
            "email": f"{username}@localhost", "active": True, "roles": role_ids,
        }  # fmt: skip
        return int(self._call("POST", "/api/v1/security/users/", json=body)["id"])
