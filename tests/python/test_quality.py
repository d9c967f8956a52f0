"""Data-quality gates: each check family fails on data crafted to break it and passes on clean data;
a failing `error` check stops publication, a failing `warn` check does not; `callmart check`.

tests/fixtures/quality/warn_landing is the hand-written inbound fixture plus: a CONNECT never
completed, a stint never ended, a 4,000 s wait, a 5-hour talk, a ring time in seconds, a dial
attempt for an unknown lead. error_landing adds a CDR whose billsec (240) exceeds its duration (180).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.quality.runner import run_all_checks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CONFIG = FIXTURES / "handwritten" / "config"
WARN_CHECKS = {
    "queue_log_connect_never_completed",
    "queue_log_stint_never_ended",
    "queue_log_wait_over_timeout",
    "queue_log_talk_over_max",
    "queue_log_ring_time_in_seconds",
    "dialer_attempts_for_unknown_leads",
    # dbt's warn-severity range tests: Ann's 5-hour talk puts her occupancy and utilization above 1
    "between_kpi_agent_daily_occupancy__1__0",
    "between_kpi_agent_daily_utilization__1__0",
}


def _run(landing: Path, warehouse: Path, capsys, progress: bool = False) -> tuple[int, str]:
    """`callmart run` with the fixtures' configuration: exit code and output (with the progress
    lines of stderr after it when `progress`)."""
    code = main(
        [
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--config",
            str(CONFIG),
            "--as-of",
            "data",
        ]
    )
    captured = capsys.readouterr()
    return code, captured.out + (captured.err if progress else "")


def _status(output: str) -> dict[str, str]:
    """check name -> status, from the table `callmart run`/`check` print."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[3] in ("pass", "warn", "FAIL"):
            rows[parts[0]] = parts[3]
    return rows


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wh = tmp_path_factory.mktemp("clean") / "wh.duckdb"
    assert (
        main(
            [
                "run",
                "--landing",
                str(FIXTURES / "handwritten" / "landing"),
                "--warehouse",
                str(wh),
                "--config",
                str(CONFIG),
                "--as-of",
                "data",
            ]
        )
        == 0
    )
    return wh


def test_clean_data_passes_every_check(clean: Path) -> None:
    from orchestration.quality.dbt_tests import run_dbt_tests

    results = run_all_checks(clean)
    assert len(results) >= 11
    assert [r.name for r in results if not r.passed] == []
    failed, passed = run_dbt_tests(clean, {"as_of": "data"}, select="path:tests/dbt/heuristics")
    assert failed == [] and passed == len(HEURISTICS)


HEURISTICS = WARN_CHECKS - {n for n in WARN_CHECKS if n.startswith("between_")} | {
    "cdr_billsec_over_duration",
    "inbound_volume_drop",
    "sources_fresh",
}


def test_warn_checks_fail_but_publication_goes_on(tmp_path: Path, capsys) -> None:
    wh = tmp_path / "wh.duckdb"
    code, output = _run(FIXTURES / "quality" / "warn_landing", wh, capsys, progress=True)
    status = _status(output)
    assert code == 0, output
    assert {name for name, s in status.items() if s == "warn"} == WARN_CHECKS
    assert "FAIL" not in status.values()
    assert "marts published for BI" in output
    with duckdb.connect(str(wh.with_name("wh_published.duckdb")), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_inbound_daily").fetchone()[0] > 0
    # the message says what is wrong and shows the rows
    assert "ring_ms=15.0" in output and "queue=support" in output
    assert "tests in one batch" not in output  # the first build runs its tests in dbt

    # the next, incremental, run builds the models with dbt and runs the same tests in one batch
    # (quality/batch_tests.py): every check ends as it did, the stored failing rows included
    code, again = _run(FIXTURES / "quality" / "warn_landing", wh, capsys, progress=True)
    assert code == 0, again
    assert "tests in one batch" in again
    assert _status(again) == status
    assert "ring_ms=15.0" in again and "marts published for BI" in again


def test_error_check_blocks_publication(tmp_path: Path, capsys) -> None:
    wh = tmp_path / "wh.duckdb"
    code, output = _run(FIXTURES / "quality" / "error_landing", wh, capsys)
    status = _status(output)
    assert code == 1
    assert "callmart run FAILED" in output
    assert status["cdr_billsec_over_duration"] == "FAIL"
    assert "NOT published" in output
    assert not wh.with_name("wh_published.duckdb").exists()
    assert "duration_s=180, billsec_s=240" in output


def test_a_failing_test_in_a_batch_blocks_publication(tmp_path: Path, capsys) -> None:
    """An incremental run's tests run in one batch (quality/batch_tests.py): a new CDR whose billsec
    (240) exceeds its duration (180) fails the blocking test there, and the published copy stays
    the last good one, as when dbt runs the test."""
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    shutil.copytree(FIXTURES / "handwritten" / "landing", landing)
    code, output = _run(landing, wh, capsys)
    assert code == 0, output
    published = wh.with_name("wh_published.duckdb")
    before = published.stat().st_mtime_ns
    shutil.copy(FIXTURES / "quality" / "error_landing" / "asterisk" / "Master.csv", landing / "asterisk")
    code, output = _run(landing, wh, capsys, progress=True)
    assert "dbt      incremental" in output and "tests in one batch" in output
    assert code == 1
    assert _status(output)["cdr_billsec_over_duration"] == "FAIL"
    assert "NOT published" in output and published.stat().st_mtime_ns == before
    assert "duration_s=180, billsec_s=240" in output
    assert "failed step: callmart_dbt_assets" in output and "cdr_billsec_over_duration" in output
    # nothing new: no model is rebuilt (dbt is not even started), and the test, which runs all the
    # same, still fails and blocks
    code, output = _run(landing, wh, capsys, progress=True)
    assert "inputs unchanged, not rebuilt" in output
    assert code == 1 and _status(output)["cdr_billsec_over_duration"] == "FAIL"
    assert "NOT published" in output and published.stat().st_mtime_ns == before


def test_callmart_check_reports_every_family_and_exits_non_zero(tmp_path: Path, capsys) -> None:
    wh = tmp_path / "wh.duckdb"
    _run(FIXTURES / "quality" / "error_landing", wh, capsys)
    code = main(["check", "--warehouse", str(wh), "--as-of", "data"])
    output = capsys.readouterr().out
    status = _status(output)
    assert code == 1
    assert status["cdr_billsec_over_duration"] == "FAIL"
    assert {name for name, s in status.items() if s == "warn"} == WARN_CHECKS
    assert output.splitlines()[0].split() == ["check", "asset", "severity", "status", "failing", "rows"]
    assert "Data Docs:" in output and "dbt tests" in output


def _planted(clean: Path, tmp_path: Path, *statements: str) -> Path:
    copy = tmp_path / "planted.duckdb"
    shutil.copy(clean, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return copy


@pytest.mark.parametrize(
    ("statements", "model", "failing_test"),
    [
        (
            ["update marts.kpi_inbound_daily set sl_answered = 1.5 where queue = 'support'"],
            "kpi_inbound_daily",
            "between_kpi_inbound_daily_sl_answered__1__0",
        ),
        (
            ["update marts.kpi_inbound_daily set answered = answered + 1 where queue = 'support'"],
            "kpi_inbound_daily",
            "expression_true_kpi_inbound_daily_offered_answered_abandoned_timeouts_exit_key_exit_empty_withdrawn_failed",
        ),
        (
            ["insert into marts.kpi_calls_daily select * from marts.kpi_calls_daily"],
            "kpi_calls_daily",
            "unique_combination_kpi_calls_daily_client_id__date_local",
        ),
        (
            ["update marts.kpi_inbound_daily set client_id = 'nobody' where queue = 'sales'"],
            "kpi_inbound_daily",
            "relationships_kpi_inbound_daily_client_id__client_id__ref_dim_client_",
        ),
        (
            [
                "insert into marts.kpi_satisfaction_daily (client_id, channel, date_local, nps) "
                "values ('default', 'chat', date '2026-11-02', 150)"
            ],
            "kpi_satisfaction_daily",
            "between_kpi_satisfaction_daily_nps__100___100",
        ),
    ],
)
def test_planted_mart_rows_fail_their_dbt_test(
    clean: Path, tmp_path: Path, statements: list[str], model: str, failing_test: str
) -> None:
    """A mart's rules are dbt tests in the marts' YAML, their one home: planted rows fail the test
    that states the rule, as an error, and no other."""
    from orchestration.quality.dbt_tests import run_dbt_tests

    planted = _planted(clean, tmp_path, *statements)
    failed, passed = run_dbt_tests(planted, {}, select=model)
    assert [(r.name, r.severity) for r in failed] == [(failing_test, "error")]
    assert failed[0].failing_rows >= 1 and passed > 3


def test_planted_order_without_a_rate_fails_its_dbt_test(clean: Path, tmp_path: Path) -> None:
    from orchestration.quality.dbt_tests import run_dbt_tests

    planted = _planted(
        clean,
        tmp_path,
        "insert into marts.fct_orders (order_id, currency, reporting_currency, date_local) "
        "values ('planted', 'GBP', 'EUR', date '2026-11-03')",
    )
    failed, _ = run_dbt_tests(planted, {}, select="assert_fx_rate_for_every_order")
    assert [(r.name, r.severity) for r in failed] == [("assert_fx_rate_for_every_order", "error")]
    assert failed[0].sample == [
        "currency=GBP, reporting_currency=EUR, rate_date_missing=2026-11-03, orders_without_rate=1"
    ]


def test_volume_drop_and_freshness_warn(clean: Path, tmp_path: Path) -> None:
    """Thresholds and the as-of time are dbt vars: the planted Monday of 100 calls makes the latest
    Monday's 6 a drop; as of 10 November every source is stale, as of 2 November none is."""
    from orchestration.quality.dbt_tests import run_dbt_tests

    planted = _planted(
        clean,
        tmp_path,
        "insert into marts.kpi_inbound_interval (client_id, queue, interval_start_utc, interval_start, "
        "date_local, offered) values ('acme', 'support', timestamp '2026-10-26 08:00:00', "
        "timestamp '2026-10-26 09:00:00', date '2026-10-26', 100)",
    )
    select = "inbound_volume_drop sources_fresh"
    failed, _ = run_dbt_tests(planted, {"as_of": "2026-11-10 00:00:00"}, select=select)
    results = {r.name: r for r in failed}
    assert results["inbound_volume_drop"].status == "warn"
    assert "offered_latest_day=6" in results["inbound_volume_drop"].sample[0]
    assert results["sources_fresh"].status == "warn"
    assert results["sources_fresh"].sample == ["source=queue_log, newest=2026-11-02 09:01:40"]
    failed, passed = run_dbt_tests(planted, {"as_of": "2026-11-02 12:00:00"}, select="sources_fresh")
    assert failed == [] and passed == 1
    failed, _ = run_dbt_tests(planted, {"as_of": "2026-11-10 00:00:00", "volume_drop_pct": 99}, select=select)
    assert [r.name for r in failed] == ["sources_fresh"]  # 6 is not 99 % below 100


def _results(warehouse: Path, suite: str) -> tuple[list[Path], list[Path]]:
    """A suite's stored validation results and their Data Docs pages."""
    root = warehouse.with_name(warehouse.name + ".state") / "gx" / "gx" / "uncommitted"
    return (
        sorted((root / "validations" / suite).rglob("*.json")),
        sorted((root / "data_docs" / "local_site" / "validations" / suite).rglob("*.html")),
    )


def test_quality_results_keep_the_last_runs_and_the_last_failure(clean: Path, tmp_path: Path) -> None:
    """keep_runs = 3: after 2 passing runs, 1 failing and 5 passing ones (each on changed rows), the 3
    newest remain plus the failure; the Data Docs pages go with their results. A run on the rows the
    last passing validation saw passes without validating again (and stores nothing); the same rows
    after a failure are validated again."""
    import json

    planted = _planted(clean, tmp_path)
    asset = {("raw", "crm_surveys")}
    suite = "raw_crm_surveys_schema"
    settings = {"keep_runs": 3}

    def insert(n: int, response_id: str | None) -> None:  # a newest line: always in the sample
        with duckdb.connect(str(planted)) as con:
            con.execute(
                "insert into raw.crm_surveys (response_id, response_ts, contact_id, survey, score, "
                "_file_id, _line_no, _line_hash) values (?, '2026-12-01T10:00:00Z', 'c', 'nps', '9', 999, ?, ?)",
                [response_id, n, n],
            )

    for n in (10, 11):
        insert(n, f"r{n}")
        assert all(r.passed for r in run_all_checks(planted, settings, assets=asset))
    (unchanged,) = run_all_checks(planted, settings, assets=asset)
    assert unchanged.passed and "the batch its last validation passed on" in unchanged.message
    insert(150, None)
    assert not any(r.passed for r in run_all_checks(planted, settings, assets=asset))
    (again,) = run_all_checks(planted, settings, assets=asset)  # a failure is never taken as read
    assert not again.passed and "column=response_id" in again.message
    with duckdb.connect(str(planted)) as con:
        con.execute("delete from raw.crm_surveys where response_id is null")
    for n in (12, 13, 14, 15, 16):
        insert(n, f"r{n}")
        assert all(r.passed for r in run_all_checks(planted, settings, assets=asset))
    results, pages = _results(planted, suite)
    assert len(results) == 4 and len(pages) == 4
    outcomes = sorted(json.loads(p.read_text())["success"] for p in results)
    assert outcomes == [False, True, True, True]


def test_data_docs_render_offline_in_chromium(clean: Path) -> None:
    """The Data Docs site, opened from disk with every outside request refused, fills its tables."""
    from playwright.sync_api import sync_playwright

    site = clean.with_name(clean.name + ".state") / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert "https://unpkg.com" not in (site / "index.html").read_text()
    outside: list[str] = []
    chromium = "/usr/bin/chromium"
    assert Path(chromium).exists(), "apt-get install chromium (see .ci/run)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page()

        def route(request_route) -> None:  # type: ignore[no-untyped-def]
            url = request_route.request.url
            if url.startswith("file://"):
                request_route.continue_()
            else:
                outside.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto((site / "index.html").as_uri())
        page.wait_for_selector(".bootstrap-table tbody tr", timeout=20_000)
        rows = page.locator(".bootstrap-table tbody tr").all_inner_texts()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "data-docs-index.png"), full_page=True)
        validation = next(site.glob("validations/**/*.html"))
        page.goto(validation.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_selector("table td", timeout=20_000)
        cells = page.locator("table td").count()
        page.screenshot(path=str(ARTIFACTS / "data-docs-validation.png"), full_page=True)
        browser.close()
    assert outside == []
    assert any("raw_queue_log_schema" in r for r in rows), rows[:5]
    assert cells > 5


def test_raw_suites_sample_the_newest_lines(wh) -> None:
    """A raw-schema suite reads a sample, never the whole table, and the sample always holds the
    newest file: a problem in today's file cannot hide behind a month of good lines."""
    from orchestration.quality.gx_suites import load_suites

    lines = [f"{1792382400 + i}|c{i}|support|NONE|ENTERQUEUE||0123456789|1" for i in range(20_500)]
    (wh.landing / "asterisk").mkdir()
    (wh.landing / "asterisk" / "queue_log.1").write_text("\n".join(lines) + "\n")
    wh.load(["queue_log"])
    (wh.landing / "asterisk" / "queue_log").write_text(
        "1792500000|new|support|NONE|ENTERQUEUE||0123456789|1\n"
    )
    wh.load(["queue_log"])
    (suite,) = [s for s in load_suites() if s.name == "raw_queue_log_schema"]
    sample = wh.rows(f"select _file_id, callid from ({suite.query})")
    assert len(sample) == 20_000
    assert (2, "new") in sample
