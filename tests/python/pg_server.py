"""A throwaway PostgreSQL server from Debian's packages for the cross-engine tests.

`initdb` refuses to run as root, so as root the cluster belongs to the `postgres` user (Debian's
package creates it). fsync is off and the server listens on 127.0.0.1 only, on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    dbname: str

    def env(self) -> dict[str, str]:
        """The CALLMART_PG_* variables `callmart run --target postgres` reads."""
        return {
            "CALLMART_PG_HOST": self.host,
            "CALLMART_PG_PORT": str(self.port),
            "CALLMART_PG_USER": self.user,
            "CALLMART_PG_DB": self.dbname,
        }


def postgres_bin() -> Path:
    """Debian's newest installed server binaries; AssertionError (never a skip) when there are none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    assert found, "PostgreSQL server not installed: apt-get install postgresql (.ci/run does)"
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server(dbname: str = "callmart") -> Iterator[PostgresServer]:
    binaries = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="callmart-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()

    def pg(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=root)

    try:
        pg(str(binaries / "initdb"), "--no-sync", "-A", "trust", "-U", "postgres", "-D", str(data))
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        pg(str(binaries / "pg_ctl"), "-w", "-D", str(data), "-l", str(root / "log"), "-o", options, "start")
        pg(str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", dbname)
        yield PostgresServer("127.0.0.1", port, "postgres", dbname)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(binaries / "pg_ctl"), "-w", "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                cwd=root,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
