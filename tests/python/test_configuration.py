"""Configuration checked up front (configuration/): every mistake of the contract's kinds gives exit
2, one line naming file, line, column and value with what is allowed, every problem at once, and
the warehouse untouched. Fast: nothing here reaches dbt."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.cli import main
from orchestration.configuration import ConfigError, load_config, validate_vars
from orchestration.configuration.schema import SEEDS
from orchestration.settings import SHIPPED_SEEDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONTRACT = FIXTURES / "contract_config"
LANDING = FIXTURES / "handwritten" / "landing"


def test_shipped_seeds_and_the_contract_fixture_are_valid() -> None:
    shipped = load_config(None, SHIPPED_SEEDS)
    assert shipped.user_files == []
    config = load_config(CONTRACT, SHIPPED_SEEDS)
    assert sorted(config.user_files) == sorted(s.name for s in SEEDS)
    statuses = {r["status"]: r for r in config.tables["dialer_statuses"].rows}
    # status_name is optional: absent from the file, NULL here, filled by stg_config__dialer_statuses
    assert statuses["SALE"]["status_name"] is None and statuses["SALE"]["is_sale"] == "true"
    # a sale that is not a result is legal (kpis.md nests five flags only)
    assert (statuses["PROMO"]["is_sale"], statuses["PROMO"]["is_result"]) == ("true", "false")


def test_schema_columns_match_the_seed_column_types_of_dbt_project() -> None:
    """The tables callmart writes and the seeds a plain `dbt build` loads have the same columns."""
    project = yaml.safe_load((SHIPPED_SEEDS.parent / "dbt_project.yml").read_text())
    seeds = project["seeds"]["callmart"]
    for schema in SEEDS:
        assert tuple(seeds[schema.name]["+column_types"]) == schema.columns, schema.name
        header = (SHIPPED_SEEDS / f"{schema.name}.csv").read_text().splitlines()[0].split(",")
        assert tuple(header) == schema.columns, schema.name


def test_columns_in_any_order_with_extra_columns_give_the_same_rows(tmp_path: Path) -> None:
    """Reversed columns, an extra `notes` column, a byte-order mark and CRLF line ends."""
    for source in CONTRACT.glob("*.csv"):
        rows = [line.split(",") for line in source.read_text().splitlines()]
        shuffled = [["notes" if i == 0 else "a note", *reversed(row)] for i, row in enumerate(rows)]
        text = "\ufeff" + "".join(",".join(row) + "\r\n" for row in shuffled)
        (tmp_path / source.name).write_bytes(text.encode("utf-8"))
    shuffled_config, contract = load_config(tmp_path, SHIPPED_SEEDS), load_config(CONTRACT, SHIPPED_SEEDS)
    for schema in SEEDS:
        assert shuffled_config.tables[schema.name].rows == contract.tables[schema.name].rows, schema.name
        assert contract.tables[schema.name].rows, schema.name


def _bad_config(tmp_path: Path, name: str, text: str) -> Path:
    config = tmp_path / "config"
    shutil.copytree(CONTRACT, config)
    (config / f"{name}.csv").write_text(text)
    return config


QUEUES = "queue,client_id,sl_threshold_s,sl_target,short_abandon_s,sl_formula\n"
STATUS = "status,is_connected,is_human,is_decision_maker,is_purpose_discussed,is_result,is_sale,is_final\n"
PLANS = "period_start,period_end,client_id,campaign_id,metric,plan_value,min_value\n"
CLIENTS = "client_id,client_name,timezone,reporting_currency\n"

# (file, text, expected fragments of the one message: line, column, value, what is allowed)
BAD_FILES = {
    "missing column": (
        "queues",
        "queue,client_id,sl_threshold_s,short_abandon_s,sl_formula\nsupport,acme,20,5,answered\n",
        ["queues.csv, line 1, column sl_target", "missing column"],
    ),
    "misspelt column": (
        "agents",
        "agent,agentid,agent_name,team\nSIP/101,a1,Ann,t1\n",
        ["agents.csv, line 1, column agent_id", "missing column"],
    ),
    "wrong type": (
        "queues",
        QUEUES + "support,acme,twenty,0.8,5,answered\n",
        ["queues.csv, line 2, column sl_threshold_s, value 'twenty'", "valid integer"],
    ),
    "negative threshold": (
        "queues",
        QUEUES + "support,acme,20,0.8,-1,answered\n",
        ["line 2, column short_abandon_s, value '-1'", "greater than or equal to 0"],
    ),
    "sl_target above 1": (
        "queues",
        QUEUES + "support,acme,20,1.5,5,answered\n",
        ["line 2, column sl_target, value '1.5'", "less than or equal to 1"],
    ),
    "unknown sl_formula": (
        "queues",
        QUEUES + "support,acme,20,0.8,5,asa\n",
        ["column sl_formula, value 'asa'", "'answered', 'offered', 'offered_excl_short' or 'inclusive'"],
    ),
    "unknown pause category": (
        "pause_reasons",
        "reason,category\nACW,acw\nCoffee,coffee\n",
        ["pause_reasons.csv, line 3, column category, value 'coffee'", "'acw', 'break'"],
    ),
    "unknown plan metric": (
        "plans",
        PLANS + "2026-11-01,2026-11-30,acme,,profit_margin,1,0\n",
        ["plans.csv, line 2, column metric, value 'profit_margin'", "'revenue'"],
    ),
    "unknown time zone": (
        "clients",
        CLIENTS + "acme,Acme,Mars/Olympus,EUR\n",
        ["clients.csv, line 2, column timezone, value 'Mars/Olympus'", "IANA time zone"],
    ),
    "currency not ISO 4217": (
        "clients",
        CLIENTS + "acme,Acme,Europe/Berlin,EURO\n",
        ["column reporting_currency, value 'EURO'", "ISO 4217"],
    ),
    "queue twice": (
        "queues",
        QUEUES
        + "support,acme,20,0.8,5,answered\nsales,acme,20,0.8,5,answered\nsupport,acme,30,0.9,5,offered\n",
        ["queues.csv, line 4, column queue", "duplicate key (queue='support') also on line 2"],
    ),
    "agent spelling mapped to two ids": (
        "agents",
        "agent,agent_id,agent_name,team\nSIP/101,a1,Ann,t1\nSIP/101,a2,Ben,t1\n",
        ["agents.csv, line 3, column agent", "also on line 2"],
    ),
    "flag not true/false": (
        "dialer_statuses",
        STATUS + "SALE,true,true,true,true,true,yes,true\n",
        ["dialer_statuses.csv, line 2, column is_sale, value 'yes'", "true or false"],
    ),
    "flags that do not nest": (
        "dialer_statuses",
        STATUS + "ODD,false,true,false,false,false,false,false\n",
        ["line 2, column is_human, value 'true'", "is_human needs is_connected"],
    ),
    "period_end before period_start": (
        "plans",
        PLANS + "2026-11-30,2026-11-01,acme,,revenue,1,0\n",
        ["plans.csv, line 2, column period_end, value '2026-11-01'", "before period_start 2026-11-30"],
    ),
    "fx rate not above 0": (
        "fx_rates",
        "rate_date,currency,reporting_currency,rate\n2026-11-02,USD,EUR,0\n",
        ["fx_rates.csv, line 2, column rate, value '0'", "greater than 0"],
    ),
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """An existing warehouse, to prove a refused run leaves it byte for byte as it was."""
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table kept as select 42 as answer")
    return path


def _refused(args: list[str], warehouse: Path, capsys) -> str:
    before = warehouse.read_bytes()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert warehouse.read_bytes() == before
    assert not warehouse.with_name(warehouse.name + ".lock").exists()
    assert not warehouse.with_name(warehouse.name + ".state").exists()
    return err


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_configuration_is_refused_before_anything_is_written(
    kind: str, tmp_path: Path, warehouse: Path, capsys
) -> None:
    name, text, fragments = BAD_FILES[kind]
    config = _bad_config(tmp_path, name, text)
    err = _refused(
        ["run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--config", str(config)],
        warehouse,
        capsys,
    )
    assert "invalid configuration (1 problem); nothing was written" in err
    (line,) = [x for x in err.splitlines() if x.startswith("  ")]
    assert line.strip().startswith(str(config / f"{name}.csv")), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)


def test_every_problem_is_listed_at_once(tmp_path: Path, warehouse: Path, capsys) -> None:
    config = _bad_config(tmp_path, "queues", QUEUES + "support,acme,-5,2,5,asa\n")
    (config / "clients.csv").write_text(CLIENTS + "acme,Acme,Mars/Olympus,EUR\n")
    err = _refused(
        ["run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--config", str(config)],
        warehouse,
        capsys,
    )
    assert "(4 problems)" in err
    problems = [x.strip() for x in err.splitlines() if x.startswith("  ")]
    assert [p.split(", value")[0].split(", ", 1)[1] for p in problems] == [
        "line 2, column timezone",
        "line 2, column sl_threshold_s",
        "line 2, column sl_target",
        "line 2, column sl_formula",
    ]


BAD_VARS = {
    "{interval_minutes: 7}": "setting interval_minutes, value 7: must be 15, 30 or 60",
    "{pbx_timezone: Mars/Olympus}": "setting pbx_timezone, value 'Mars/Olympus': not an IANA time zone",
    "{dialer_timezone: Nowhere}": "setting dialer_timezone, value 'Nowhere'",
    "{fcr_window_days: -1}": "setting fcr_window_days, value -1: must be greater than or equal to 0",
    "{repeat_call_window_hours: -24}": "setting repeat_call_window_hours, value -24",
    "{acw_link_s: soon}": "setting acw_link_s, value 'soon': must be a valid number",
    "{as_of: yesterday}": "setting as_of, value 'yesterday': not 'data' nor a UTC time",
    "[15, 30]": "must be a mapping",
}


@pytest.mark.parametrize("text", sorted(BAD_VARS))
def test_bad_vars_are_refused_before_anything_is_written(text: str, warehouse: Path, capsys) -> None:
    err = _refused(
        ["run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--vars", text], warehouse, capsys
    )
    assert BAD_VARS[text] in err, err


def test_vars_from_a_file_name_the_file_and_line(tmp_path: Path, warehouse: Path, capsys) -> None:
    settings = tmp_path / "settings.yml"
    settings.write_text("pbx_timezone: Europe/Berlin\ninterval_minutes: 20\n")
    err = _refused(
        ["run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--vars", str(settings)],
        warehouse,
        capsys,
    )
    assert f"{settings}, line 2, setting interval_minutes, value 20: must be 15, 30 or 60" in err


def test_an_unknown_setting_warns_and_is_passed_on() -> None:
    (warning,) = validate_vars({"interval_minute": 30, "interval_minutes": 30})
    assert "unknown setting 'interval_minute'" in warning and "interval_minutes" in warning


def test_a_missing_config_folder_is_refused(tmp_path: Path, warehouse: Path, capsys) -> None:
    err = _refused(
        ["run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--config", str(tmp_path / "nope")],
        warehouse,
        capsys,
    )
    assert "configuration folder not found" in err


def test_config_error_lists_problems_as_lines(tmp_path: Path) -> None:
    config = _bad_config(
        tmp_path, "fx_rates", "rate_date,currency,reporting_currency,rate\n2026-13-01,usd,EUR,x\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config, SHIPPED_SEEDS)
    columns = [p.column for p in caught.value.problems]
    assert columns == ["rate_date", "rate"]
    assert all(p.line == 2 for p in caught.value.problems)
