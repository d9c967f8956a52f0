"""Where the local Superset lives and how it is reached.

Superset runs from its own virtual environment (it pins SQLAlchemy 1.4), installed from
`bi/requirements.lock`; its metadata (SQLite), logs, pid and generated secrets live under the BI
home, `<data folder>/bi` (or CALLMART_BI_HOME), never in the checkout. The secret key and the admin
password come from CALLMART_BI_SECRET_KEY / CALLMART_BI_ADMIN_PASSWORD when set, else they are
generated once into `secrets.json` (mode 0600).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..privacy import write_private
from ..settings import PROJECT_DIR, data_dir

REQUIREMENTS = PROJECT_DIR / "bi" / "requirements.lock"
ADMIN_USER = "admin"


@dataclass(frozen=True)
class BiSettings:
    home: Path
    port: int = 8088
    host: str = "127.0.0.1"

    @classmethod
    def from_env(cls) -> BiSettings:
        home = Path(os.environ.get("CALLMART_BI_HOME", data_dir() / "bi"))
        return cls(home=home.resolve(), port=int(os.environ.get("CALLMART_BI_PORT", "8088")))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    @property
    def superset_bin(self) -> Path:
        return self.venv / "bin" / "superset"

    @property
    def config_file(self) -> Path:
        return self.home / "superset_config.py"

    @property
    def metadata_db(self) -> Path:
        return self.home / "superset.db"

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "superset.log"

    @property
    def served_file(self) -> Path:
        """Which published copy this Superset serves (written by `callmart bi up`)."""
        return self.home / "served"

    def serves(self, published: Path) -> bool:
        return self.served_file.exists() and self.served_file.read_text().strip() == str(published.resolve())

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    def secrets(self) -> dict[str, str]:
        """The secret key and admin password: from the environment, else generated once (0600)."""
        stored: dict[str, str] = {}
        if self.secrets_file.exists():
            stored = json.loads(self.secrets_file.read_text())
        changed = False
        for key in ("secret_key", "admin_password"):
            if key not in stored:
                stored[key] = secrets.token_urlsafe(32 if key == "secret_key" else 18)
                changed = True
        if changed:
            write_private(self.secrets_file, json.dumps(stored))
        os.chmod(self.secrets_file, 0o600)
        return {
            "secret_key": os.environ.get("CALLMART_BI_SECRET_KEY") or stored["secret_key"],
            "admin_password": os.environ.get("CALLMART_BI_ADMIN_PASSWORD") or stored["admin_password"],
        }
