"""The configuration as tables: each seed of the effective configuration (shipped defaults overlaid
by `--config`), validated and normalised (configuration/), written where dbt's seeds would be
(`staging.<seed>`, every column text), in one transaction. The dbt seeds themselves are not built by
`callmart run`: dbt reads these tables through the `stg_config__<seed>` models."""

from collections import Counter
from collections.abc import Iterator

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, multi_asset

from .configuration import ConfigError, EffectiveConfig, load_config
from .configuration.schema import SEEDS
from .privacy import write_salt
from .resources import CallmartResource
from .settings import SHIPPED_SEEDS
from .warehouse import connect, hold

CONFIG_SCHEMA = "staging"  # where dbt_project.yml puts the seeds


def write_config(con: duckdb.DuckDBPyConnection, config: EffectiveConfig) -> None:
    """Write each table of the configuration, unless the warehouse holds it already, with the same
    columns and rows: a configuration seldom changes, and rewriting its 700 rows took a tenth of a
    second of every run."""
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {CONFIG_SCHEMA}")
        written = _written_columns(con)
        for name, table in config.tables.items():
            columns = table.schema.columns
            if written.get(name) == list(columns) and Counter(
                con.execute(f'select * from {CONFIG_SCHEMA}."{name}"').fetchall()
            ) == Counter(tuple(row[c] for c in columns) for row in table.rows):
                continue
            con.execute(
                f'create or replace table {CONFIG_SCHEMA}."{name}" ('
                + ", ".join(f'"{c}" varchar' for c in columns)
                + ")"
            )
            if table.rows:
                con.executemany(
                    f'insert into {CONFIG_SCHEMA}."{name}" values ({", ".join("?" for _ in columns)})',
                    [[row[c] for c in columns] for row in table.rows],
                )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _written_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The columns of each table in the configuration's schema, in order."""
    written: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ? "
        "order by table_name, ordinal_position",
        [CONFIG_SCHEMA],
    ).fetchall():
        written.setdefault(table, []).append(column)
    return written


@multi_asset(
    specs=[
        AssetSpec(
            AssetKey(["config", s.name]),
            group_name="config",
            kinds={"duckdb"},
            description=f"The {s.name} configuration ({s.name}.csv), validated.",
        )
        for s in SEEDS
    ]
    + [
        AssetSpec(
            AssetKey(["raw", "pii_salt"]), group_name="config", description="The secret salt of phone hashes."
        )
    ],
    name="configuration",
)
def configuration_tables(
    context: AssetExecutionContext, callmart: CallmartResource
) -> Iterator[MaterializeResult]:
    try:
        config = load_config(callmart.config_path, SHIPPED_SEEDS)
    except ConfigError as exc:
        raise Failure(f"invalid configuration:\n{exc}") from exc
    callmart.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    hold(callmart.warehouse_path)  # the loads come next: the file is opened once for them all
    with connect(callmart.warehouse_path) as con:
        write_config(con, config)
        write_salt(con, callmart.salt())
    yield MaterializeResult(asset_key=AssetKey(["raw", "pii_salt"]))
    for name, table in config.tables.items():
        yield MaterializeResult(
            asset_key=AssetKey(["config", name]),
            metadata={"rows": len(table.rows), "file": str(table.path), "user_supplied": table.user_supplied},
        )
