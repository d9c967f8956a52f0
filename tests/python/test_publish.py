"""Publishing the days a build rebuilt (publish_assets.py): by hand, on a five-row mart."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from orchestration.publish_assets import _columns, _replace_days

MONDAY, TUESDAY, WEDNESDAY = date(2026, 10, 19), date(2026, 10, 20), date(2026, 10, 21)


def _mart(
    path: Path, rows: list[tuple[object, ...]], columns: str = "date_local date, calls integer"
) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.kpi_x ({columns})")
        con.executemany(f"insert into marts.kpi_x values ({', '.join('?' * len(rows[0]))})", rows)


def _published_after(
    tmp_path: Path,
    published: list[tuple[object, ...]],
    warehouse: list[tuple[object, ...]],
    since: date | None,
    columns: str = "date_local date, calls integer",
) -> tuple[bool, list[tuple[object, ...]]]:
    _mart(tmp_path / "published.duckdb", published)
    _mart(tmp_path / "warehouse.duckdb", warehouse, columns)
    with duckdb.connect(str(tmp_path / "published.duckdb")) as con:
        con.execute(f"attach '{tmp_path / 'warehouse.duckdb'}' as warehouse (read_only)")
        columns = _columns(con, ["published", "warehouse"])
        replaced = _replace_days(con, "kpi_x", since, "published", columns)
        return replaced, con.execute("select * from marts.kpi_x order by all").fetchall()


LAST_PUBLICATION = [(MONDAY, 10), (TUESDAY, 20)]


def test_the_days_from_the_first_rebuilt_one_are_replaced(tmp_path: Path) -> None:
    # the build rebuilt Tuesday on (20 -> 21 calls), added Wednesday and a row without a day
    warehouse = [(MONDAY, 10), (TUESDAY, 21), (WEDNESDAY, 5), (None, 1)]
    replaced, rows = _published_after(tmp_path, LAST_PUBLICATION, warehouse, TUESDAY)
    assert replaced
    assert rows == [(MONDAY, 10), (TUESDAY, 21), (WEDNESDAY, 5), (None, 1)]


def test_a_mart_whose_earlier_days_differ_is_left_to_a_whole_copy(tmp_path: Path) -> None:
    # Monday differs too (a run whose checks failed was not published, say): nothing is touched
    warehouse = [(MONDAY, 11), (TUESDAY, 21)]
    assert _published_after(tmp_path, LAST_PUBLICATION, warehouse, TUESDAY) == (False, LAST_PUBLICATION)


def test_a_missing_row_before_the_first_rebuilt_day_is_seen(tmp_path: Path) -> None:
    warehouse = [(MONDAY, 10), (MONDAY, 10), (TUESDAY, 20)]
    assert _published_after(tmp_path, LAST_PUBLICATION, warehouse, TUESDAY) == (False, LAST_PUBLICATION)


def test_other_columns_or_no_rebuilt_day_mean_a_whole_copy(tmp_path: Path) -> None:
    (tmp_path / "types").mkdir()
    (tmp_path / "no_day").mkdir()
    other = "date_local date, calls bigint"
    assert (
        _published_after(tmp_path / "types", LAST_PUBLICATION, LAST_PUBLICATION, TUESDAY, other)[0] is False
    )
    assert _published_after(tmp_path / "no_day", LAST_PUBLICATION, LAST_PUBLICATION, None)[0] is False


def test_spans_are_replaced_by_the_local_day_they_start(tmp_path: Path) -> None:
    # fct_agent_states has no date_local: its spans go by the day of start_at_local
    spans = "start_at_local timestamp, duration_s integer"
    monday, tuesday_night = datetime(2026, 10, 19, 9, 0), datetime(2026, 10, 20, 23, 30)
    published = [(monday, 60), (tuesday_night, 30)]  # the last span was still open: 30 s so far
    for path, rows in (("published", published), ("warehouse", [(monday, 60), (tuesday_night, 45)])):
        _mart(tmp_path / f"{path}.duckdb", rows, spans)
    with duckdb.connect(str(tmp_path / "published.duckdb")) as con:
        con.execute(f"attach '{tmp_path / 'warehouse.duckdb'}' as warehouse (read_only)")
        columns = _columns(con, ["published", "warehouse"])
        # from Wednesday on, Tuesday's span lies before the window and differs: left to a whole copy
        assert not _replace_days(con, "kpi_x", WEDNESDAY, "published", columns)
        assert _replace_days(con, "kpi_x", TUESDAY, "published", columns)
        assert con.execute("select * from marts.kpi_x order by all").fetchall() == [
            (monday, 60),
            (tuesday_night, 45),
        ]
