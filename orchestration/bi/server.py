"""The local Superset server: its virtual environment, configuration, metadata and process."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from .settings import ADMIN_USER, REQUIREMENTS, BiSettings

CONFIG_TEMPLATE = '''"""Superset configuration written by callmart (orchestration/bi/server.py); secrets come from the
environment of the server process, never from this file."""
import os

SECRET_KEY = os.environ["CALLMART_BI_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = "sqlite:///{metadata_db}"
SQLALCHEMY_TRACK_MODIFICATIONS = False
TALISMAN_ENABLED = False
WTF_CSRF_ENABLED = True
SQLLAB_CTAS_NO_LIMIT = True
FEATURE_FLAGS = {{"DASHBOARD_RBAC": False, "ENABLE_TEMPLATE_PROCESSING": False}}
ROW_LIMIT = 50000
SUPERSET_WEBSERVER_TIMEOUT = 120
# the dashboards' data is the published copy of the marts; results are small
CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
'''

Say = Callable[[str], None]


def _stamp(settings: BiSettings) -> Path:
    return settings.venv / ".callmart-requirements"


def _uv() -> list[str] | None:
    """uv (much faster than pip): on PATH, or as a module of the interpreter this venv was made from."""
    found = shutil.which("uv")
    if found:
        return [found]
    base = getattr(sys, "_base_executable", sys.executable)
    probe = subprocess.run([base, "-m", "uv", "--version"], capture_output=True, check=False)
    return [base, "-m", "uv"] if probe.returncode == 0 else None


def ensure_venv(settings: BiSettings, say: Say) -> None:
    """Superset's own virtual environment, installed from the locked requirements (once per lock)."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if (
        settings.superset_bin.exists()
        and _stamp(settings).exists()
        and _stamp(settings).read_text() == digest
    ):
        return
    started = time.monotonic()
    say(f"bi       installing Superset into {settings.venv} (locked in {REQUIREMENTS.name}) ...")
    settings.home.mkdir(parents=True, exist_ok=True)
    if not (settings.venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(settings.venv)], check=True)
    python = str(settings.venv / "bin" / "python")
    uv = _uv()
    if uv:
        command = [*uv, "pip", "install", "--python", python, "-r", str(REQUIREMENTS)]
    else:
        command = [python, "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"installing Superset failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    _stamp(settings).write_text(digest)
    say(f"bi       Superset installed in {time.monotonic() - started:.0f} s")


def server_env(settings: BiSettings) -> dict[str, str]:
    secrets = settings.secrets()
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(settings.config_file),
        "CALLMART_BI_SECRET_KEY": secrets["secret_key"],
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONUNBUFFERED": "1",
    }


def _superset(settings: BiSettings, *args: str) -> None:
    done = subprocess.run(
        [str(settings.superset_bin), *args],
        env=server_env(settings),
        cwd=settings.home,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"superset {' '.join(args[:2])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )


def initialise(settings: BiSettings, say: Say) -> None:
    """Configuration, metadata schema, admin user and roles (idempotent)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.config_file.write_text(CONFIG_TEMPLATE.format(metadata_db=settings.metadata_db))
    first = not settings.metadata_db.exists()
    started = time.monotonic()
    _superset(settings, "db", "upgrade")
    password = settings.secrets()["admin_password"]
    if first:
        _superset(
            settings, "fab", "create-admin", "--username", ADMIN_USER, "--firstname", "callmart",
            "--lastname", "admin", "--email", "admin@localhost", "--password", password,
        )  # fmt: skip
    else:  # the password may have been set in the environment since
        _superset(settings, "fab", "reset-password", "--username", ADMIN_USER, "--password", password)
    _superset(settings, "init")
    say(f"bi       Superset metadata ready in {time.monotonic() - started:.0f} s ({settings.metadata_db})")


def running_pid(settings: BiSettings) -> int | None:
    if not settings.pid_file.exists():
        return None
    try:
        pid = int(settings.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def healthy(settings: BiSettings) -> bool:
    try:
        return requests.get(f"{settings.url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def start(settings: BiSettings, say: Say, timeout_s: float = 120) -> None:
    """gunicorn on 127.0.0.1:<port> in its own session; waits for /health."""
    if running_pid(settings) and healthy(settings):
        say(f"bi       Superset already running at {settings.url}")
        return
    gunicorn = settings.venv / "bin" / "gunicorn"
    command = [
        str(gunicorn), "--bind", f"{settings.host}:{settings.port}", "--workers", "2",
        "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
        "--pid", str(settings.pid_file), "superset.app:create_app()",
    ]  # fmt: skip
    log = open(settings.log_file, "ab")  # noqa: SIM115 - handed to the detached server
    subprocess.Popen(
        command, env=server_env(settings), cwd=settings.home, stdout=log, stderr=log, start_new_session=True
    )
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if healthy(settings):
            say(f"bi       Superset up at {settings.url} in {time.monotonic() - started:.0f} s")
            return
        time.sleep(0.5)
    raise RuntimeError(
        f"Superset did not answer on {settings.url} within {timeout_s:.0f} s; see {settings.log_file}"
    )


def stop(settings: BiSettings, say: Say) -> bool:
    pid = running_pid(settings)
    if pid is None:
        say("bi       Superset is not running")
        return False
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if running_pid(settings) is None:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    settings.pid_file.unlink(missing_ok=True)
    say("bi       Superset stopped")
    return True
