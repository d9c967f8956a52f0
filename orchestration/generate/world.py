"""The demo contact center: clients, queues, agents, campaigns and their configuration CSVs.

Everything here is derived from the seed, the number of agents and the dates, so
the same arguments always describe the same world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Europe/Berlin")  # where the agents sit; the PBX logs in UTC

FIRST_NAMES = [
    "Alice",
    "Bob",
    "Carol",
    "Dave",
    "Erin",
    "Frank",
    "Grace",
    "Heidi",
    "Ivan",
    "Judy",
    "Ken",
    "Laura",
    "Mallory",
    "Nina",
    "Oscar",
    "Peggy",
    "Quinn",
    "Rupert",
    "Sybil",
    "Trent",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "White",
    "Brown",
    "Davis",
    "Miller",
    "Lee",
    "Clark",
    "Young",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Perez",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
]


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    timezone: str
    currency: str


@dataclass(frozen=True)
class Queue:
    name: str
    client_id: str
    sl_threshold_s: int
    sl_target: float
    short_abandon_s: int
    sl_formula: str
    share: float  # share of the day's inbound calls
    timeout_s: int  # Queue() timeout: the caller leaves with EXITWITHTIMEOUT (or overflows)
    overflow_to: str | None
    patience_s: float  # mean patience before a caller abandons
    talk_s: float  # mean talk time
    leave_when_empty: bool
    transfer_to: str | None


CLIENTS = (
    Client("default", "Default", "UTC", "EUR"),
    Client("acme", "Acme Energy", "Europe/Berlin", "EUR"),
    Client("globex", "Globex Telecom", "America/New_York", "USD"),
)

QUEUES = (
    Queue("sales", "acme", 20, 0.80, 5, "offered_excl_short", 0.32, 90, "support", 95, 260, False, "support"),
    Queue("support", "acme", 30, 0.80, 5, "answered", 0.38, 300, None, 150, 330, False, None),
    Queue("billing", "globex", 60, 0.90, 10, "offered", 0.18, 240, None, 120, 210, True, None),
    Queue("gx_care", "globex", 20, 0.80, 5, "inclusive", 0.12, 180, None, 120, 180, False, "billing"),
)
QUEUE_BY_NAME = {q.name: q for q in QUEUES}

# Shifts in site local time: (start hour, length hours); queues each shift serves first.
SHIFTS = ((7.0, 8.5), (8.0, 8.5), (9.0, 8.5), (10.0, 8.5), (12.0, 8.5), (15.0, 8.5), (16.5, 8.0))
PAUSE_REASONS = (
    ("ACW", "acw"),
    ("Wrapup", "acw"),
    ("Break", "break"),
    ("Lunch", "lunch"),
    ("Training", "training"),
    ("Meeting", "meeting"),
    ("Auto-Pause", "other"),
    ("Technical", "other"),
)


@dataclass
class Agent:
    agent_id: str
    name: str
    team: str
    queues: tuple[str, ...]
    shift: int  # index into SHIFTS
    login_style: str  # addmember | agentlogin
    interface: str  # how ADDMEMBER/REMOVEMEMBER/PAUSE name the member
    absent_rate: float

    @property
    def spellings(self) -> tuple[str, ...]:
        ext = self.agent_id
        return (self.name, f"Local/{ext}@from-queue/n", f"SIP/{ext}", f"Agent/{ext}", f"PJSIP/{ext}")


@dataclass
class Campaign:
    campaign_id: str
    client_id: str
    name: str
    list_ids: tuple[int, ...]
    currency: str
    avg_order: float


CAMPAIGNS = (
    Campaign("ACMEWIN", "acme", "Acme win-back", (1001, 1002), "EUR", 180.0),
    Campaign("GXUPSELL", "globex", "Globex fibre upsell", (2001,), "USD", 95.0),
)


@dataclass
class World:
    seed: int
    start: date
    days: int
    agents: list[Agent] = field(default_factory=list)
    outbound_users: list[str] = field(default_factory=list)

    @property
    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def build_world(seed: int, n_agents: int, start: date, days: int) -> World:
    rng = random.Random(seed)
    world = World(seed, start, days)
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    rng.shuffle(names)
    queue_names = [q.name for q in QUEUES]
    weights = [q.share for q in QUEUES]
    for i in range(n_agents):
        primary = rng.choices(queue_names, weights)[0]
        queues = [primary]
        if rng.random() < 0.25:  # multi-skilled: a second queue of the same client
            others = [
                q.name
                for q in QUEUES
                if q.client_id == QUEUE_BY_NAME[primary].client_id and q.name != primary
            ]
            queues += others[:1]
        client = QUEUE_BY_NAME[primary].client_id
        # globex (New York) is served by the later shifts
        shift = rng.choice((4, 5, 6)) if client == "globex" else rng.choice((0, 1, 2, 3, 4))
        ext = str(1001 + i)
        style = "agentlogin" if rng.random() < 0.3 else "addmember"
        interface = f"Agent/{ext}" if style == "agentlogin" else f"Local/{ext}@from-queue/n"
        world.agents.append(
            Agent(
                ext,
                names[i % len(names)] + ("" if i < len(names) else f" {i}"),
                f"team_{client}_{1 + i % 3}",
                tuple(queues),
                shift,
                style,
                interface,
                absent_rate=rng.choice((0.0, 0.02, 0.04, 0.08)),
            )
        )
    world.outbound_users = [f"vd{100 + i}" for i in range(max(2, n_agents // 4))]
    return world


def site_datetime(day: date, hours: float) -> datetime:
    """A site-local wall-clock time on a day (hours may pass 24), as an aware datetime."""
    base = datetime(day.year, day.month, day.day, tzinfo=SITE_TZ)
    naive = base.replace(tzinfo=None) + timedelta(hours=hours)
    return naive.replace(tzinfo=SITE_TZ)


def config_csvs(world: World) -> dict[str, list[list[object]]]:
    """The configuration CSVs (named like the seeds) that describe the demo world."""
    agents_rows: list[list[object]] = [["agent", "agent_id", "agent_name", "team"]]
    for a in world.agents:
        for spelling in a.spellings:
            agents_rows.append([spelling, a.agent_id, a.name, a.team])
    for u in world.outbound_users:
        agents_rows.append([u, u, f"Dialer agent {u}", "team_outbound"])
    fx: list[list[object]] = [["rate_date", "currency", "reporting_currency", "rate"]]
    rng = random.Random(world.seed + 7)
    usd_eur = 0.92
    for d in [world.start - timedelta(days=1)] + world.dates + [world.dates[-1] + timedelta(days=1)]:
        usd_eur *= 1 + rng.gauss(0, 0.003)
        fx.append([d.isoformat(), "USD", "EUR", round(usd_eur, 6)])
        fx.append([d.isoformat(), "EUR", "USD", round(1 / usd_eur, 6)])
        fx.append([d.isoformat(), "GBP", "EUR", round(1.17 * (1 + rng.gauss(0, 0.002)), 6)])
        fx.append([d.isoformat(), "GBP", "USD", round(1.17 / usd_eur, 6)])
    month_start = world.start.replace(day=1)
    last = world.dates[-1]
    plans: list[list[object]] = [
        ["period_start", "period_end", "client_id", "campaign_id", "metric", "plan_value", "min_value"]
    ]
    m = month_start
    n = len(world.agents)
    while m <= last:
        nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = nxt - timedelta(days=1)
        plans += [
            [m, end, "acme", "ACMEWIN", "revenue", 400 * n, 300 * n],
            [m, end, "acme", "ACMEWIN", "sales", 2.2 * n, 1.6 * n],
            [m, end, "acme", "ACMEWIN", "records_processed", 30 * n, 20 * n],
            [m, end, "globex", "GXUPSELL", "revenue", 150 * n, 100 * n],
            [m, end, "globex", "", "orders", 2 * n, 1.4 * n],
            [m, end, "acme", "", "service_level", 0.8, 0.7],
            [m, end, "globex", "", "service_level", 0.85, 0.75],
        ]
        m = nxt
    return {
        "clients": [["client_id", "client_name", "timezone", "reporting_currency"]]
        + [[c.client_id, c.name, c.timezone, c.currency] for c in CLIENTS],
        "queues": [["queue", "client_id", "sl_threshold_s", "sl_target", "short_abandon_s", "sl_formula"]]
        + [
            [q.name, q.client_id, q.sl_threshold_s, q.sl_target, q.short_abandon_s, q.sl_formula]
            for q in QUEUES
        ],
        "agents": agents_rows,
        "pause_reasons": [["reason", "category"]] + [list(r) for r in PAUSE_REASONS],
        "campaigns": [["campaign_id", "client_id", "campaign_name"]]
        + [[c.campaign_id, c.client_id, c.name] for c in CAMPAIGNS],
        "dialer_lists": [["list_id", "campaign_id"]]
        + [[lid, c.campaign_id] for c in CAMPAIGNS for lid in c.list_ids],
        "fx_rates": fx,
        "plans": plans,
    }
