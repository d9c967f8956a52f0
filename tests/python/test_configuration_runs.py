"""A user's configuration, written from the data contract alone, end to end; and runs that never step
on each other.

One landing folder (the handwritten inbound and business fixtures together) is built with:
A  tests/fixtures/contract_config: exactly the contract's columns for every seed (no status_name);
B  the same, in the shipped seeds' format (status_name present);
C  the same with columns reversed, an extra `notes` column, a byte-order mark and CRLF line ends;
Y  A with other service-level settings (60 s, `answered`).
A runs twice at the same time on the same warehouse (one waits for the other), while Y runs on its
own warehouse: every run succeeds, A, B and C give the same marts, Y's reflect Y's settings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.python.conftest import REPO, TEST_SALT_VARS, mart_differences, mart_row_count

FIXTURES = REPO / "tests" / "fixtures"
CONTRACT = FIXTURES / "contract_config"


def _landing(root: Path) -> Path:
    landing = root / "landing"
    shutil.copytree(FIXTURES / "handwritten" / "landing", landing)
    shutil.copytree(FIXTURES / "handwritten_business" / "landing", landing, dirs_exist_ok=True)
    return landing


def _shipped_format(root: Path) -> Path:
    config = root / "config_b"
    shutil.copytree(CONTRACT, config)
    lines = (CONTRACT / "dialer_statuses.csv").read_text().splitlines()
    header, *rows = [line.split(",") for line in lines]
    out = [[header[0], "status_name", *header[1:]]] + [[r[0], f"Status {r[0]}", *r[1:]] for r in rows]
    (config / "dialer_statuses.csv").write_text("".join(",".join(r) + "\n" for r in out))
    return config


def _shuffled(root: Path) -> Path:
    config = root / "config_c"
    config.mkdir()
    for source in CONTRACT.glob("*.csv"):
        rows = [line.split(",") for line in source.read_text().splitlines()]
        shuffled = [["notes" if i == 0 else "free text", *reversed(row)] for i, row in enumerate(rows)]
        (config / source.name).write_bytes(
            ("\ufeff" + "".join(",".join(row) + "\r\n" for row in shuffled)).encode("utf-8")
        )
    return config


def _other_settings(root: Path) -> Path:
    config = root / "config_y"
    shutil.copytree(CONTRACT, config)
    (config / "queues.csv").write_text(
        "queue,client_id,sl_threshold_s,sl_target,short_abandon_s,sl_formula\nsupport,acme,60,0.90,5,answered\n"
    )
    return config


def _start(landing: Path, warehouse: Path, config: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing)]
    command += [
        "--warehouse",
        str(warehouse),
        "--config",
        str(config),
        "--as-of",
        "data",
        "--vars",
        TEST_SALT_VARS,
    ]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("config_runs")
    landing = _landing(root)
    warehouses = {name: root / name / "wh.duckdb" for name in ("a", "b", "c", "y")}
    for path in warehouses.values():
        path.parent.mkdir()
    # at the same time: A twice on one warehouse, Y on another
    running = {
        "a1": _start(landing, warehouses["a"], CONTRACT),
        "a2": _start(landing, warehouses["a"], CONTRACT),
        "y": _start(landing, warehouses["y"], _other_settings(root)),
    }
    outputs = {name: process.communicate(timeout=900)[0] for name, process in running.items()}
    codes = {name: process.returncode for name, process in running.items()}
    # then B and C in this process, one after the other (a second main() must not inherit the first)
    for name, config in (("b", _shipped_format(root)), ("c", _shuffled(root))):
        args = ["run", "--landing", str(landing), "--warehouse", str(warehouses[name])]
        codes[name] = main([*args, "--config", str(config), "--as-of", "data", "--vars", TEST_SALT_VARS])
    return {"warehouses": warehouses, "outputs": outputs, "codes": codes}


def test_every_run_succeeds_and_publishes(built) -> None:
    codes, outputs = built["codes"], built["outputs"]
    assert codes == {"a1": 0, "a2": 0, "y": 0, "b": 0, "c": 0}, outputs
    for name, output in outputs.items():
        assert "marts published for BI" in output, (name, output)
        # the legal but unusual PROMO status (a sale that is not a result) only warns
        assert "assert_dialer_sale_is_a_result" in output and "FAIL" not in output, output
        assert "A business opinion, not a rule of kpis.md" in output  # what the warning suspects


def test_a_second_run_on_the_same_warehouse_waits_for_the_first(built) -> None:
    outputs = built["outputs"]
    waited = [name for name in ("a1", "a2") if "is in use by pid" in outputs[name]]
    assert len(waited) == 1, outputs
    assert "waiting for it to finish" in outputs[waited[0]]


def test_contract_columns_only_give_the_same_marts_as_the_shipped_format(built) -> None:
    warehouses = built["warehouses"]
    assert mart_row_count(warehouses["a"]) > 100
    assert mart_differences(warehouses["a"], warehouses["b"]) == {}
    assert mart_differences(warehouses["a"], warehouses["c"]) == {}


def test_each_concurrent_run_used_its_own_configuration(built) -> None:
    warehouses = built["warehouses"]

    def queue_settings(warehouse: Path) -> tuple:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                "select q.sl_threshold_s, q.sl_formula, d.sl_formula from marts.dim_queue q "
                "join marts.kpi_inbound_daily d on d.queue = q.queue where q.queue = 'support' limit 1"
            ).fetchone()

    assert queue_settings(warehouses["a"]) == (20, "offered_excl_short", "offered_excl_short")
    assert queue_settings(warehouses["y"]) == (60, "answered", "answered")
    assert set(mart_differences(warehouses["a"], warehouses["y"])) >= {"dim_queue", "kpi_inbound_daily"}


def test_a_run_writes_nothing_in_the_checkout(built) -> None:
    leftovers = [
        REPO / name for name in ("target", "logs", "dbt_packages", ".user.yml") if (REPO / name).exists()
    ]
    assert leftovers == []
    state = built["warehouses"]["a"].with_name("wh.duckdb.state")
    assert (state / "dbt" / "logs" / "dbt.log").stat().st_size > 0
    assert (state / "dbt" / "target" / "run_results.json").exists()
