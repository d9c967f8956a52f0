"""The dialer, the CRM and HR around the calls: leads and attempts, contacts, cases, orders, surveys, ESAT.

These carry state from day to day (a lead's attempts, a customer's open case),
so they run in order, after the inbound days.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Protocol, TypeVar

from .customers import Pools
from .inbound import HMS, DayResult, _ts, _utc_date
from .world import CAMPAIGNS, World, site_datetime

T = TypeVar("T")

# (status, probability) of a dial attempt's outcome, and whether it ends the lead.
ATTEMPT_OUTCOMES = (
    ("NA", 0.30),
    ("B", 0.05),
    ("AA", 0.12),
    ("AM", 0.03),
    ("DC", 0.025),
    ("AFAX", 0.005),
    ("DROP", 0.02),
    ("WN", 0.03),
    ("CALLBK", 0.06),
    ("NP", 0.03),
    ("NI", 0.17),
    ("DEC", 0.05),
    ("DNC", 0.015),
    ("SALE", 0.09),
    ("XFER", 0.005),
)
FINAL = {"SALE", "NI", "DEC", "DNC", "XFER", "DC", "AFAX", "WN"}
HUMAN = {"WN", "CALLBK", "NP", "NI", "DEC", "DNC", "SALE", "XFER"}
CHANNELS = (
    ("chat", 0.35),
    ("email", 0.3),
    ("whatsapp", 0.15),
    ("sms", 0.05),
    ("telegram", 0.05),
    ("self_service", 0.1),
)
CATEGORIES = ("billing", "outage", "contract", "moving", "technical", "complaint")
CHANNEL_NAMES = [c for c, _ in CHANNELS]
CHANNEL_CUM = list(accumulate(w for _, w in CHANNELS))
OUTCOME_NAMES = [s for s, _ in ATTEMPT_OUTCOMES]
OUTCOME_CUM = list(accumulate(w for _, w in ATTEMPT_OUTCOMES))
CSAT_GOOD_CUM = list(accumulate((5, 7, 13, 35, 40)))
CSAT_BAD_CUM = list(accumulate((20, 20, 25, 20, 15)))
NPS_CUM = list(accumulate((2, 1, 2, 2, 3, 5, 6, 10, 18, 24, 27)))
CSAT_SCORES = (1, 2, 3, 4, 5)

# The draws below give the numbers random.Random's randint, choice and choices give for the same
# state (its own _randbelow and bisection), without their argument checks: called millions of
# times a month, those checks were a sixth of the process that writes the CRM and dialer rows.


def _randint(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)`."""
    return low + rng._randbelow(high - low + 1)  # type: ignore[attr-defined]


def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    """`rng.choice(seq)`."""
    return seq[rng._randbelow(len(seq))]  # type: ignore[attr-defined]


def _weighted(rng: random.Random, population: Sequence[T], cum_weights: list[int]) -> T:
    """`rng.choices(population, cum_weights=cum_weights)[0]`."""
    return population[bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(cum_weights) - 1)]


def iso(epoch: float) -> str:
    """ISO-8601 UTC with a Z, without strftime's cost."""
    e = int(epoch)
    return f"{_utc_date(e // 86400)}T{HMS[e % 86400]}Z"


class Rows(Protocol):
    """Where a table's rows go: a list, or a CSV file written as they come (sinks.py)."""

    def append(self, row: list[object]) -> None: ...

    def __len__(self) -> int: ...


class Cases(Rows, Protocol):
    """Cases stay open (their row changes) until resolved or closed: rows are reached by index."""

    def __getitem__(self, index: int) -> list[object]: ...

    def final(self, index: int) -> None:
        """The case at `index` no longer changes (resolved, closed, or left by a newer case)."""
        ...

    def settle(self) -> None:
        """The cases final since the last call may go."""
        ...


@dataclass
class Tables:
    leads: Rows
    attempts: Rows
    contacts: Rows
    cases: Cases
    orders: Rows
    surveys: Rows
    esat: Rows


def build_business(world: World, inbound_days: Iterable[DayResult], pools: Pools, t: Tables) -> Tables:
    """Dialer, CRM and HR tables into `t`; days of answered stints are consumed in order as they
    arrive, and each day's rows go out before the next day is read (cases once they are final)."""
    rng = random.Random(world.seed + 2024)

    # ---- leads: loaded before the first day, a few more added along the way
    leads: list[dict[str, object]] = []
    lead_id = 100000
    n_users = len(world.outbound_users)
    for camp in CAMPAIGNS:
        for list_id in camp.list_ids:
            for _ in range(n_users * 120 // len(camp.list_ids)):
                lead_id += 1
                added = world.start - timedelta(days=rng.randint(1, 20))
                if rng.random() < 0.15:
                    added = world.start + timedelta(days=rng.randrange(world.days))
                leads.append(
                    {
                        "lead_id": lead_id,
                        "list_id": list_id,
                        "campaign": camp,
                        "entry": added,
                        "status": "NEW",
                        "called": 0,
                        "phone": pools[camp.client_id][rng.randrange(len(pools[camp.client_id]))],
                        "final": False,
                        "last": None,
                    }
                )

    contact_no = 0
    case_no = 0
    order_no = 0
    survey_no = 0
    open_case: dict[str, tuple[str, int]] = {}  # customer -> (case_id, index in t.cases)
    # cases in the order they were opened, to close stale ones: each one's epoch, and its (customer,
    # case_id) while it may be open; None for one resolved at its first contact (most are), which
    # then costs a pointer instead of a tuple and two strings held for 15 days
    opened_epochs: deque[float] = deque()
    opened_cases: deque[tuple[str, str] | None] = deque()

    def add_contact(
        epoch: float,
        channel: str,
        customer: tuple[str, str],
        agent: str,
        queue: str,
        campaign: str,
        callid: str,
        direction: str,
    ) -> None:
        nonlocal contact_no, case_no, survey_no
        contact_no += 1
        client, customer_id = customer
        opens_case = not (direction == "inbound" and customer_id in open_case)
        if not opens_case:
            case_id, case_idx = open_case[customer_id]
        else:
            case_no += 1
            case_id = f"CS{case_no:07d}"
            t.cases.append([case_id, customer_id, client, _choice(rng, CATEGORIES), iso(epoch), "", "open"])
            case_idx = len(t.cases) - 1
            left = open_case.get(customer_id)
            if left is not None:  # an outbound contact's new case: the open one stays as it is
                t.cases.final(left[1])
            open_case[customer_id] = (case_id, case_idx)
            opened_epochs.append(epoch)
            opened_cases.append((customer_id, case_id))
        resolved = rng.random() < (0.72 if channel == "phone" else 0.6)
        if resolved:
            t.cases[case_idx][5] = iso(epoch + _randint(rng, 30, 900))
            t.cases[case_idx][6] = "resolved"
            t.cases.final(case_idx)
            open_case.pop(customer_id, None)
            if opens_case:  # resolved at its first contact: nothing left to close
                opened_cases[-1] = None
        contact_id = f"CT{contact_no:08d}"
        t.contacts.append(
            [
                contact_id,
                iso(epoch),
                channel,
                direction,
                customer_id,
                case_id,
                agent,
                queue,
                campaign,
                callid,
                "true" if resolved else "false",
            ]
        )
        if rng.random() < 0.22:
            survey_no += 1
            answered_at = epoch + _randint(rng, 120, 7200)
            if rng.random() < 0.6:
                score = (
                    _weighted(rng, CSAT_SCORES, CSAT_GOOD_CUM)
                    if resolved
                    else _weighted(rng, CSAT_SCORES, CSAT_BAD_CUM)
                )
                t.surveys.append([f"SV{survey_no:08d}", iso(answered_at), contact_id, "csat", score])
            else:
                score = _weighted(rng, range(11), NPS_CUM)
                t.surveys.append([f"SV{survey_no:08d}", iso(answered_at), contact_id, "nps", score])

    for day, inbound in zip(world.dates, inbound_days, strict=True):
        # inbound phone contacts, one per answered stint that reached an agent and whose caller is a
        # customer
        for callid, queue, agent_id, connect_epoch, client, customer_id in inbound.answered:
            add_contact(
                connect_epoch + 1, "phone", (client, customer_id), agent_id, queue, "", callid, "inbound"
            )
            if queue == "sales" and rng.random() < 0.12:
                order_no += 1
                _order(
                    t, rng, order_no, connect_epoch + 300, "acme", "", "", customer_id, agent_id, "EUR", 140.0
                )
        # other channels
        n_digital = int(inbound.answered_count * 0.45)
        day_base = site_datetime(day, 0.0).timestamp()
        for _ in range(n_digital):
            client = _choice(rng, ("acme", "acme", "globex"))
            num = pools[client][int(len(pools[client]) * rng.random() ** 1.15)]
            epoch = day_base + rng.uniform(7, 22) * 3600
            channel = _weighted(rng, CHANNEL_NAMES, CHANNEL_CUM)
            agent = "" if channel == "self_service" else _choice(rng, world.agents).agent_id
            add_contact(epoch, channel, pools[client].owner(num), agent, "", "", "", "inbound")
        # stale cases close unresolved after 14 days
        cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() - 15 * 86400
        while opened_epochs and opened_epochs[0] < cutoff:
            opened = opened_epochs.popleft()
            maybe_open = opened_cases.popleft()
            if maybe_open is None:
                continue
            cust, case_id = maybe_open
            current = open_case.get(cust)
            if current is not None and current[0] == case_id:
                t.cases[current[1]][5] = iso(opened + 15 * 86400)
                t.cases[current[1]][6] = "closed_unresolved"
                t.cases.final(current[1])
                del open_case[cust]
        # the dialer: each user works a 6-hour session on weekdays
        if day.weekday() >= 5:
            t.cases.settle()
            continue
        callable_leads = [ld for ld in leads if not ld["final"] and ld["entry"] <= day]
        rng.shuffle(callable_leads)
        cursor = 0
        for user in world.outbound_users:
            camp = CAMPAIGNS[int(user[2:]) % len(CAMPAIGNS)]
            now = site_datetime(day, 9.0 + rng.random()).timestamp()
            end = now + 6 * 3600
            while now < end and cursor < len(callable_leads):
                lead = callable_leads[cursor]
                cursor += 1
                if lead["campaign"] is not camp:
                    continue
                status = _weighted(rng, OUTCOME_NAMES, OUTCOME_CUM)
                ring = _randint(rng, 5, 25)
                length = _randint(rng, 60, 600) if status in HUMAN else _randint(rng, 0, 30)
                start = int(now)
                lead["called"] = int(lead["called"]) + 1
                lead["status"] = status
                lead["final"] = status in FINAL
                t.attempts.append(
                    [
                        f"{start}.{len(t.attempts) + 1}",
                        lead["lead_id"],
                        lead["list_id"],
                        camp.campaign_id,
                        _ts(start),  # the dialer's call_date, in its time zone: UTC here
                        start,
                        start + ring + length,
                        length,
                        status,
                        lead["phone"],
                        user,
                        "AGENT" if status in HUMAN else "CALLER",
                    ]
                )
                if status == "SALE":
                    order_no += 1
                    currency = camp.currency if rng.random() > 0.05 else "GBP"
                    _order(
                        t,
                        rng,
                        order_no,
                        start + ring + length + 60,
                        camp.client_id,
                        camp.campaign_id,
                        str(lead["lead_id"]),
                        pools[camp.client_id].owner(str(lead["phone"]))[1],
                        user,
                        currency,
                        camp.avg_order,
                    )
                if status in HUMAN:
                    add_contact(
                        start + ring,
                        "phone",
                        pools[camp.client_id].owner(str(lead["phone"])),
                        user,
                        "",
                        camp.campaign_id,
                        "",
                        "outbound",
                    )
                now += ring + length + _randint(rng, 10, 40)
        t.cases.settle()
    for ld in leads:
        t.leads.append(
            [
                ld["lead_id"],
                f"{ld['entry']} 08:00:00",
                ld["list_id"],
                ld["status"],
                ld["phone"],
                ld["called"],
                ld["campaign"].campaign_id if int(ld["lead_id"]) % 2 else "",
            ]
        )

    # ---- ESAT: most agents answer once a month
    months = sorted({(d.year, d.month) for d in world.dates})
    n = 0
    for y, m in months:
        days_in = [d for d in world.dates if (d.year, d.month) == (y, m)]
        for agent in world.agents:
            if rng.random() < 0.7:
                n += 1
                d: date = rng.choice(days_in)
                score = rng.choices((1, 2, 3, 4, 5), (4, 8, 20, 40, 28))[0]
                t.esat.append(
                    [
                        f"ES{n:06d}",
                        iso(site_datetime(d, rng.uniform(9, 17)).timestamp()),
                        agent.agent_id,
                        agent.team,
                        score,
                    ]
                )
    return t


def _order(
    t: Tables,
    rng: random.Random,
    order_no: int,
    epoch: float,
    client: str,
    campaign: str,
    lead: str,
    customer: str,
    agent: str,
    currency: str,
    avg: float,
) -> None:
    amount = round(max(9.9, rng.gauss(avg, avg * 0.35)), 2)
    cost = "" if rng.random() < 0.1 else round(amount * rng.uniform(0.45, 0.7), 2)
    r = rng.random()
    status = "paid" if r < 0.88 else ("cancelled" if r < 0.95 else "refunded")
    t.orders.append(
        [
            f"OR{order_no:07d}",
            iso(epoch),
            client,
            campaign,
            lead,
            customer,
            agent,
            amount,
            cost,
            currency,
            rng.choice((1, 1, 1, 2, 2, 3, 4)),
            status,
        ]
    )
