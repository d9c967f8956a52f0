"""The secret salt of phone hashes (orchestration/privacy.py): generated once per warehouse (0600),
reused, never printed or written into logs and compiled SQL, and a different salt is refused."""

from __future__ import annotations

import contextlib
import io
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.python.conftest import FIXTURES

LANDING = FIXTURES / "handwritten" / "landing"
CONFIG = FIXTURES / "handwritten" / "config"


def _run(warehouse: Path, *extra: str) -> int:
    args = ["run", "--landing", str(LANDING), "--config", str(CONFIG), "--warehouse", str(warehouse)]
    return main([*args, "--as-of", "data", *extra])


def _hashes(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select caller_number_hash from staging.stg_asterisk__queue_log "
                "where caller_number_hash is not null order by all"
            ).fetchall()
        ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    warehouse = tmp_path_factory.mktemp("privacy") / "wh.duckdb"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        first = _run(warehouse, "--verbose")  # dbt's file log at debug: every statement sent
        hashes_first = _hashes(warehouse)
        second = _run(warehouse)
    return {
        "warehouse": warehouse,
        "codes": (first, second),
        "hashes": (hashes_first, _hashes(warehouse)),
        "output": out.getvalue() + err.getvalue(),
    }


def test_one_salt_file_is_created_with_0600_and_reused(built) -> None:
    warehouse: Path = built["warehouse"]
    assert built["codes"] == (0, 0), built["output"]
    salt_files = list(warehouse.parent.glob("*.salt"))
    assert salt_files == [warehouse.with_name("wh.duckdb.salt")]
    mode = stat.S_IMODE(salt_files[0].stat().st_mode)
    assert mode == 0o600, oct(mode)
    salt = salt_files[0].read_text().strip()
    assert len(bytes.fromhex(salt)) * 8 >= 128
    first, second = built["hashes"]
    assert first and first == second  # the same hashes both times
    assert all(len(h) == 64 for h in first)


def test_the_salt_is_in_no_output_log_or_compiled_sql(built) -> None:
    warehouse: Path = built["warehouse"]
    salt = warehouse.with_name("wh.duckdb.salt").read_text().strip()
    assert salt not in built["output"]
    state = warehouse.with_name("wh.duckdb.state")
    files = [p for p in state.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sql" for p in files) and any(p.name == "dbt.log" for p in files)
    # the first run's dbt log (--verbose) has every statement dbt sent
    assert any("SQL status" in p.read_text() for p in files if p.name.startswith("dbt.log"))
    leaking = [p for p in files if salt.encode() in p.read_bytes()]
    assert leaking == []
    published = warehouse.with_name("wh_published.duckdb")
    assert salt.encode() not in published.read_bytes()


def test_a_run_with_another_salt_is_refused_unless_rebuilt(built, capsys) -> None:
    warehouse: Path = built["warehouse"]
    before = warehouse.read_bytes()
    assert _run(warehouse, "--vars", "{pii_salt: another-secret-salt}") == 2
    err = capsys.readouterr().err
    assert "was built with another pii_salt" in err and "--rebuild" in err
    assert "another-secret-salt" not in err
    assert warehouse.read_bytes() == before
    assert _run(warehouse, "--vars", "{pii_salt: another-secret-salt}", "--rebuild") == 0
    rebuilt = _hashes(warehouse)
    assert rebuilt and set(rebuilt).isdisjoint(built["hashes"][0])
