"""``callmart generate``: a realistic landing folder, deterministic for a seed.

Writes every source of the data contract, byte-compatible with the systems that
write them (Asterisk queue_log and cdr_csv Master.csv, VICIdial exports, the
CRM/WFM/HR CSVs), plus ``config/`` with the seeds that describe the demo
world (clients, queues, agents, campaigns, plans, fx_rates). ``callmart run``
uses a landing folder's ``config/`` when no ``--config`` is given.
"""

from __future__ import annotations

import csv
import heapq
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from .business import build_business, customer_pools, iso
from .inbound import DayResult, simulate_day
from .world import build_world, config_csvs, site_datetime

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
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def generate(
    out: Path,
    days: int = 14,
    agents: int = 40,
    seed: int = 42,
    start: date = DEFAULT_START,
    progress: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
) -> GenerateSummary:
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(seed, agents, start, days)
    pools = customer_pools(seed, agents)
    # the data ends where the last day's window does: calls still in progress then stay open
    end_epoch = int(site_datetime(world.dates[-1], 30.0).timestamp()) - 1800
    work = partial(simulate_day, seed, agents, start, days, customers=pools, end_epoch=end_epoch)
    workers = workers or min(days, os.cpu_count() or 1)
    results: list[DayResult] = []

    # Days run in parallel; the CRM/dialer pass carries state from day to day, so it runs after.
    # (Feeding it days as they finish was measured slower on 2 cores: three busy processes.)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(work, range(days)):
                results.append(result)
                progress(f"  day {result.day_index + 1}/{days}: {result.stints:,} queue stints")
    else:
        for i in range(days):
            results.append(work(i))
            progress(f"  day {i + 1}/{days}: {results[-1].stints:,} queue stints")
    tables = build_business(world, (r.answered for r in results), pools)

    files: dict[str, int] = {}
    asterisk = out / "asterisk"
    asterisk.mkdir(parents=True, exist_ok=True)
    n_lines = 0
    with (asterisk / "queue_log").open("w", encoding="utf-8") as handle:
        handle.write(f"{int(site_datetime(start, 5.9).timestamp())}|NONE|NONE|NONE|QUEUESTART|\n")
        n_lines += 1
        merged = heapq.merge(*(r.queue_log for r in results))
        buffer: list[str] = []
        for _, _, line in merged:
            buffer.append(line)
            if len(buffer) >= 100_000:
                handle.write("\n".join(buffer) + "\n")
                n_lines += len(buffer)
                buffer.clear()
        if buffer:
            handle.write("\n".join(buffer) + "\n")
            n_lines += len(buffer)
    files["asterisk/queue_log"] = n_lines
    with (asterisk / "Master.csv").open("w", encoding="utf-8") as handle:
        count = 0
        for r in results:
            if r.cdr:
                handle.write("\n".join(r.cdr) + "\n")
                count += len(r.cdr)
    files["asterisk/Master.csv"] = count
    progress(f"  queue_log: {n_lines:,} lines, Master.csv: {count:,} rows")
    schedules = sorted((a, s, e, act) for r in results for a, s, e, act in r.schedules)
    outputs: list[tuple[str, list[str], list[list[object]]]] = [
        (
            "dialer/vicidial_list.csv",
            ["lead_id", "entry_date", "list_id", "status", "phone_number", "called_count", "campaign_id"],
            tables.leads,
        ),
        (
            "dialer/vicidial_log.csv",
            [
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
            [row + ["MAIN", 0] for row in tables.attempts],
        ),
        (
            "crm/contacts.csv",
            [
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
            tables.contacts,
        ),
        (
            "crm/cases.csv",
            ["case_id", "customer_id", "client_id", "category", "opened_ts", "closed_ts", "status"],
            tables.cases,
        ),
        (
            "crm/orders.csv",
            [
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
            tables.orders,
        ),
        ("crm/surveys.csv", ["response_id", "response_ts", "contact_id", "survey", "score"], tables.surveys),
        (
            "wfm/schedules.csv",
            ["agent", "start_ts", "end_ts", "activity"],
            [[a, iso(s), iso(e), act] for a, s, e, act in schedules],
        ),
        ("hr/esat.csv", ["response_id", "response_ts", "agent", "team", "score"], tables.esat),
    ]
    for relative, header, rows in outputs:
        files[relative] = _write_csv(out / relative, header, rows)
    for name, rows in config_csvs(world).items():
        files[f"config/{name}.csv"] = _write_csv(
            out / "config" / f"{name}.csv", [str(h) for h in rows[0]], rows[1:]
        )
    (out / "README.txt").write_text(
        f"callmart demo landing folder: seed {seed}, {agents} agents, {days} days from {start}.\n"
        f"Generated {datetime.now(UTC).isoformat(timespec='seconds')}. config/ holds the demo's seeds.\n"
    )
    return GenerateSummary(
        out, days, agents, sum(r.stints for r in results), n_lines, files, time.monotonic() - started
    )
