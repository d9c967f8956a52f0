"""``callmart generate``: a realistic landing folder, deterministic for a seed.

Writes every source of the data contract, byte-compatible with the systems that
write them (Asterisk queue_log and cdr_csv Master.csv, VICIdial exports, the
CRM/WFM/HR CSVs), plus ``config/`` with the seeds that describe the demo
world (clients, queues, agents, campaigns, plans, fx_rates). ``callmart run``
uses a landing folder's ``config/`` when no ``--config`` is given.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from ..reports.config import demo_reports_yaml
from .business import Tables, build_business, iso
from .customers import customer_pools
from .inbound import DayResult, simulate_day
from .sinks import CsvCases, CsvRows, DayEvents, QueueLogWriter, open_csv
from .world import CLIENTS, build_world, config_csvs, site_datetime

DEFAULT_START = date(2026, 10, 19)  # two weeks from here cross both DST changes of 2026


@dataclass
class GenerateSummary:
    out: Path
    days: int
    agents: int
    stints: int
    queue_log_lines: int
    files: dict[str, int]
    seconds: float


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> int:
    with open_csv(path) as handle:
        sink = CsvRows(handle, header)
        for row in rows:
            sink.append(row)
    return len(rows)


HEADERS: dict[str, list[str]] = {
    "dialer/vicidial_list.csv": [
        "lead_id",
        "entry_date",
        "list_id",
        "status",
        "phone_number",
        "called_count",
        "campaign_id",
    ],
    "dialer/vicidial_log.csv": [
        "uniqueid",
        "lead_id",
        "list_id",
        "campaign_id",
        "call_date",
        "start_epoch",
        "end_epoch",
        "length_in_sec",
        "status",
        "phone_number",
        "user",
        "term_reason",
        "alt_dial",
        "called_count",
    ],
    "crm/contacts.csv": [
        "contact_id",
        "contact_ts",
        "channel",
        "direction",
        "customer_id",
        "case_id",
        "agent",
        "queue",
        "campaign_id",
        "callid",
        "resolved",
    ],
    "crm/cases.csv": ["case_id", "customer_id", "client_id", "category", "opened_ts", "closed_ts", "status"],
    "crm/orders.csv": [
        "order_id",
        "order_ts",
        "client_id",
        "campaign_id",
        "lead_id",
        "customer_id",
        "agent",
        "amount",
        "cost",
        "currency",
        "items_count",
        "status",
    ],
    "crm/surveys.csv": ["response_id", "response_ts", "contact_id", "survey", "score"],
    "hr/esat.csv": ["response_id", "response_ts", "agent", "team", "score"],
    "wfm/schedules.csv": ["agent", "start_ts", "end_ts", "activity"],
}


def _days(work: Callable[[int], DayResult], days: int, workers: int) -> Iterator[DayResult]:
    """Each day's simulation, in day order: while the caller writes one day, `workers` more are
    simulated or wait, so memory holds workers + 1 days, whatever their number."""
    if workers <= 1:
        for i in range(days):
            yield work(i)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        in_flight: deque[Future[DayResult]] = deque()
        submitted = 0

        def submit() -> None:
            nonlocal submitted
            while submitted < days and len(in_flight) < workers:
                in_flight.append(pool.submit(work, submitted))
                submitted += 1

        submit()
        while in_flight:
            result = in_flight.popleft().result()
            submit()
            yield result
            del result


def generate(
    out: Path,
    days: int = 14,
    agents: int = 40,
    seed: int = 42,
    start: date = DEFAULT_START,
    progress: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
) -> GenerateSummary:
    """Write the landing folder day by day: each day is simulated (in parallel), its queue_log,
    CDR, dialer and CRM rows written, and dropped before the days after it are read."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(seed, agents, start, days)
    pools = customer_pools(seed, agents)
    # the data ends where the last day's window does: calls still in progress then stay open
    end_epoch = int(site_datetime(world.dates[-1], 30.0).timestamp()) - 1800
    workers = workers or min(days, os.cpu_count() or 1)
    asterisk = out / "asterisk"
    asterisk.mkdir(parents=True, exist_ok=True)
    counts = {"stints": 0, "cdr": 0}

    with contextlib.ExitStack() as files_open:
        # the days' queue_log and CDR files, each merged or appended in day order and deleted
        parts = Path(files_open.enter_context(tempfile.TemporaryDirectory(prefix=".parts-", dir=out)))
        work = partial(
            simulate_day, seed, agents, start, days, customers=pools, end_epoch=end_epoch, parts=parts
        )
        queue_log = QueueLogWriter(
            asterisk / "queue_log", f"{int(site_datetime(start, 5.9).timestamp())}|NONE|NONE|NONE|QUEUESTART|"
        )
        files_open.callback(queue_log.handle.close)
        cdr = files_open.enter_context((asterisk / "Master.csv").open("wb"))  # parts copied as bytes

        def sink(relative: str, suffix: list[object] | None = None) -> CsvRows:
            return CsvRows(files_open.enter_context(open_csv(out / relative)), HEADERS[relative], suffix)

        # the WFM export day by day (each day's rows by agent and time), not held for a final sort
        schedules = sink("wfm/schedules.csv")
        cases = CsvCases(files_open.enter_context(open_csv(out / "crm/cases.csv")), HEADERS["crm/cases.csv"])
        tables = Tables(
            leads=sink("dialer/vicidial_list.csv"),
            attempts=sink("dialer/vicidial_log.csv", ["MAIN", 0]),
            contacts=sink("crm/contacts.csv"),
            cases=cases,
            orders=sink("crm/orders.csv"),
            surveys=sink("crm/surveys.csv"),
            esat=sink("hr/esat.csv"),
        )

        def inbound_days() -> Iterator[DayResult]:
            for result in _days(work, days, workers):
                queue_log.add_day(DayEvents.load(Path(result.queue_log)))
                os.unlink(result.queue_log)
                with open(result.cdr, "rb") as part:
                    shutil.copyfileobj(part, cdr)
                os.unlink(result.cdr)
                counts["cdr"] += result.cdr_rows
                counts["stints"] += result.stints
                for agent_id, piece_start, piece_end, activity in sorted(result.schedules):
                    schedules.append([agent_id, iso(piece_start), iso(piece_end), activity])
                progress(f"  day {result.day_index + 1}/{days}: {result.stints:,} queue stints")
                yield result

        build_business(world, inbound_days(), pools, tables)
        cases.close()
        n_lines = queue_log.close()

    files: dict[str, int] = {"asterisk/queue_log": n_lines, "asterisk/Master.csv": counts["cdr"]}
    progress(f"  queue_log: {n_lines:,} lines, Master.csv: {counts['cdr']:,} rows")
    files |= {
        "dialer/vicidial_list.csv": len(tables.leads),
        "dialer/vicidial_log.csv": len(tables.attempts),
        "crm/contacts.csv": len(tables.contacts),
        "crm/cases.csv": len(tables.cases),
        "crm/orders.csv": len(tables.orders),
        "crm/surveys.csv": len(tables.surveys),
    }
    files["wfm/schedules.csv"] = len(schedules)
    files["hr/esat.csv"] = len(tables.esat)
    for name, rows in config_csvs(world).items():
        files[f"config/{name}.csv"] = _write_csv(
            out / "config" / f"{name}.csv", [str(h) for h in rows[0]], rows[1:]
        )
    (out / "config" / "reports.yml").write_text(
        demo_reports_yaml([c.client_id for c in CLIENTS if c.client_id != "default"])
    )
    (out / "README.txt").write_text(
        f"callmart demo landing folder: seed {seed}, {agents} agents, {days} days from {start}.\n"
        f"Generated {datetime.now(UTC).isoformat(timespec='seconds')}. config/ holds the demo's seeds.\n"
    )
    return GenerateSummary(out, days, agents, counts["stints"], n_lines, files, time.monotonic() - started)
