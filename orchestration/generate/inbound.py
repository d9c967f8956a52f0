"""One day of inbound traffic: an event-driven simulation that writes Asterisk's own lines.

Callers arrive per 15-minute bucket (Poisson, intraday profile in the client's
time zone, weekday factor); each queue is FIFO over the agents who are logged in,
not paused and free. A caller abandons after a patience time, leaves or
overflows when the queue's timeout passes, exits when nobody is logged in (where
the queue says so); agents log in per their shift, take breaks and lunch near
their schedule, wrap up in ACW pauses, miss rings and transfer calls. Each day
runs 06:00 to 06:00 site time and is independent of the others, so days run in
parallel.
"""

from __future__ import annotations

import heapq
import math
import random
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from .customers import Pools, customer_of
from .sinks import DayEvents
from .world import CLIENTS, QUEUE_BY_NAME, QUEUES, SHIFTS, Agent, World, build_world, site_datetime

INF = float("inf")
PROFILE = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.3,
    0.9,
    2.2,
    5.0,
    8.0,
    9.5,
    9.0,
    7.0,
    7.5,
    8.5,
    8.0,
    7.0,
    5.5,
    4.0,
    2.6,
    1.6,
    1.0,
    0.6,
    0.3,
)
PROFILE_SUM = sum(PROFILE)
WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.25)
CALLS_PER_AGENT_DAY = 58.0
CLIENT_TZ = {c.client_id: ZoneInfo(c.timezone) for c in CLIENTS}


# An answered stint whose caller is a client's customer, for the CRM: (callid, queue, agent,
# connect epoch, client, customer id). Plain tuples: a day's hundred thousand pickle ten times faster
# than as objects, and the customer is found here, in the day's worker, not by the one writer.
AnsweredStint = tuple[str, str, str, int, str, str]


@dataclass
class DayResult:
    day_index: int
    queue_log: str = ""  # a file of the day's events, sorted (DayEvents.save), which the writer merges
    cdr: str = ""  # a file of the day's cdr_csv lines, which the writer appends to Master.csv
    cdr_rows: int = 0
    answered: list[AnsweredStint] = field(default_factory=list)
    answered_count: int = 0  # every answered stint, anonymous and unknown callers' too
    schedules: list[tuple[str, int, int, str]] = field(default_factory=list)
    stints: int = 0


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def works_on(agent: Agent, day: date) -> bool:
    """Mon-Fri for most agents; one in three works Wed-Sun instead."""
    if int(agent.agent_id) % 3 == 0:
        return day.weekday() >= 2
    return day.weekday() < 5


def agent_plan(
    agent: Agent, day: date, rng: random.Random
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]], bool]:
    """(scheduled segments, actual windows of availability and pauses, absent) for one agent-day.

    Segments are (start, end, activity); the actual list holds ('work', ...) windows and the
    pauses between them with their reason, shifted from the schedule by a little human jitter.
    """
    start_h, length_h = SHIFTS[agent.shift]
    t0 = int(site_datetime(day, start_h).timestamp())
    end = t0 + int(length_h * 3600)
    special = "training" if (day.weekday() == 2 and int(agent.agent_id) % 4 == 0) else "break"
    pauses = [
        (t0 + 7200, 900, "break"),
        (t0 + 4 * 3600, 1800, "lunch"),
        (t0 + int(6.5 * 3600), 3600 if special == "training" else 900, special),
    ]
    if day.weekday() == 0 and int(agent.agent_id) % 5 == 0:
        pauses.insert(0, (t0 + 3600, 1800, "meeting"))
    schedule: list[tuple[int, int, str]] = []
    cursor = t0
    for p_start, p_len, activity in pauses:
        schedule.append((cursor, p_start, "work"))
        schedule.append((p_start, p_start + p_len, activity))
        cursor = p_start + p_len
    schedule.append((cursor, end, "work"))
    absent = rng.random() < agent.absent_rate
    actual: list[tuple[int, int, str]] = []
    login = t0 + int(rng.gauss(90, 180))
    cursor = login
    for p_start, p_len, activity in pauses:
        a_start = max(cursor + 60, p_start + int(rng.gauss(45, 120)))
        a_len = max(60, int(p_len * rng.gauss(1.08, 0.12)))
        actual.append((cursor, a_start, "work"))
        actual.append((a_start, a_start + a_len, activity))
        cursor = a_start + a_len
    logoff = max(cursor + 600, end + int(rng.gauss(60, 150)))
    actual.append((cursor, logoff, "work"))
    return schedule, actual, absent


class _AgentState:
    __slots__ = ("idx", "agent", "windows", "win", "free_at", "version", "busy_starts", "busy_ends", "queues")

    def __init__(self, idx: int, agent: Agent, windows: list[tuple[int, int]]):
        self.idx = idx
        self.agent = agent
        self.windows = windows
        self.win = 0
        self.free_at = windows[0][0] if windows else INF
        self.version = 0
        self.busy_starts: list[int] = []
        self.busy_ends: list[int] = []
        self.queues = agent.queues

    def next_avail(self, t: float) -> float:
        windows = self.windows
        while self.win < len(windows) and windows[self.win][1] <= t:
            self.win += 1
        if self.win >= len(windows):
            return INF
        start = windows[self.win][0]
        return start if start > t else t


def _agent_field(agent: Agent) -> str:
    return agent.interface if agent.login_style == "agentlogin" else agent.name


def simulate_day(
    seed: int,
    n_agents: int,
    start: date,
    days: int,
    day_index: int,
    customers: Pools,
    end_epoch: int | None,
    parts: Path,
) -> DayResult:
    """One day's traffic; its CDR lines go to a file in `parts` as they come (a day of a big center
    writes a hundred thousand, which then need not be held, pickled and sent)."""
    cdr_path, queue_log_path = parts / f"cdr-{day_index:05d}.csv", parts / f"queue_log-{day_index:05d}.bin"
    out = DayResult(day_index, queue_log=str(queue_log_path), cdr=str(cdr_path))
    with cdr_path.open("w", encoding="utf-8") as cdr_file:
        events = _simulate(seed, n_agents, start, days, customers, end_epoch, out, cdr_file)
    events.save(queue_log_path)
    return out


def _simulate(
    seed: int,
    n_agents: int,
    start: date,
    days: int,
    customers: Pools,
    end_epoch: int | None,
    out: DayResult,
    cdr_file: IO[str],
) -> DayEvents:
    """`out`'s day: its queue_log events, its CDR lines written to `cdr_file`."""
    world: World = build_world(seed, n_agents, start, days)
    day_index = out.day_index
    day = start + timedelta(days=day_index)
    rng = random.Random(seed * 1_000_003 + day_index * 7919 + 17)
    epochs = array("q")  # the day's events as emitted: epoch and line (the sequence is the index)
    lines: list[str] = []

    def write_cdr(line: str) -> None:
        cdr_file.write(line + "\n")
        out.cdr_rows += 1

    def emit(epoch: float, line_tail: str) -> None:
        e = int(epoch)
        epochs.append(e)
        lines.append(f"{e}|{line_tail}")

    # ---- agents: schedules and actual availability
    states: list[_AgentState] = []
    queue_members: dict[str, list[int]] = {q.name: [] for q in QUEUES}
    pauses_of: list[list[tuple[int, int, str]]] = []
    for agent in world.agents:
        if not works_on(agent, day):
            continue
        schedule, actual, absent = agent_plan(agent, day, rng)
        out.schedules += [(agent.agent_id, s, e, a) for s, e, a in schedule]
        if absent:
            continue
        windows = [(s, e) for s, e, a in actual if a == "work"]
        idx = len(states)
        states.append(_AgentState(idx, agent, windows))
        pauses_of.append([(s, e, a) for s, e, a in actual if a != "work"])
        for q in agent.queues:
            queue_members[q].append(idx)

    heaps: dict[str, list[tuple[float, int, int]]] = {q.name: [] for q in QUEUES}
    for idx, st in enumerate(states):
        for q in st.queues:
            heaps[q].append((st.free_at, idx, 0))
    for h in heaps.values():
        heapq.heapify(h)

    # ---- callers
    day0 = int(site_datetime(day, 6.0).timestamp())
    weekday = WEEKDAY_FACTOR[day.weekday()]
    daily_total = n_agents * CALLS_PER_AGENT_DAY * weekday
    arrivals: list[tuple[float, int, str, str, str, float]] = []  # t, n, queue, callid, caller, patience x
    call_no = day_index * 10_000_000
    for q in QUEUES:
        tz = CLIENT_TZ[q.client_id]
        pool = customers[q.client_id]
        recent: list[str] = []
        for bucket in range(96):
            b0 = day0 + bucket * 900
            hour = _local_hour(b0, tz)
            lam = daily_total * q.share * PROFILE[hour] / PROFILE_SUM / 4
            for _ in range(poisson(rng, lam)):
                t = b0 + rng.random() * 900
                call_no += 1
                r = rng.random()
                if r < 0.02:
                    caller = "anonymous"
                elif r < 0.14 and recent:
                    caller = rng.choice(recent)
                else:
                    caller = pool[int(len(pool) * rng.random() ** 1.15)]
                    recent.append(caller)
                    if len(recent) > 200:
                        recent.pop(0)
                arrivals.append((t, call_no, q.name, f"{int(t)}.{call_no}", caller, 1.0))
    heapq.heapify(arrivals)
    waiting: dict[str, list[float]] = {q.name: [] for q in QUEUES}
    acw_seq = 0

    while arrivals:
        t, n, qname, callid, caller, patience_x = heapq.heappop(arrivals)
        if end_epoch is not None and t >= end_epoch:
            continue
        q = QUEUE_BY_NAME[qname]
        out.stints += 1
        w = waiting[qname]
        while w and w[0] <= t:
            heapq.heappop(w)
        position = len(w) + 1
        emit(t, f"{callid}|{qname}|NONE|ENTERQUEUE||{caller}|{position}")
        # the earliest agent of this queue who can take the call
        heap = heaps[qname]
        chosen: _AgentState | None = None
        avail = INF
        while heap:
            key, idx, version = heap[0]
            st = states[idx]
            if version != st.version:
                heapq.heappop(heap)
                continue
            nxt = st.next_avail(st.free_at)
            if nxt == INF:
                heapq.heappop(heap)
                continue
            if nxt != key:
                heapq.heapreplace(heap, (nxt, idx, version))
                continue
            chosen, avail = st, nxt
            break
        patience = rng.expovariate(1.0 / (q.patience_s * patience_x))
        ring = rng.randint(2, 9)
        connect = (max(t, avail) + ring) if chosen is not None else INF
        wait = connect - t
        if chosen is None and q.leave_when_empty:
            leave = t + rng.randint(1, 6)
            emit(leave, f"{callid}|{qname}|NONE|EXITEMPTY|{position}|{position}|{int(leave - t)}")
            heapq.heappush(w, leave)
            write_cdr(_cdr(caller, qname, callid, t, None, leave, "NO ANSWER", ""))
            continue
        if wait <= min(patience, q.timeout_s):
            st = chosen
            assert st is not None
            agent = st.agent
            who = _agent_field(agent)
            if wait > 20 and rng.random() < 0.25 and len(queue_members[qname]) > 1:
                other = states[rng.choice(queue_members[qname])]
                if other is not st and other.next_avail(t + 1) <= t + 1:
                    rna = min(int(wait) - 2, 15)
                    emit(
                        t + rna + 1, f"{callid}|{qname}|{_agent_field(other.agent)}|RINGNOANSWER|{rna * 1000}"
                    )
            emit(connect, f"{callid}|{qname}|{who}|CONNECT|{int(wait)}|{callid}.{agent.agent_id}|{ring}")
            talk = max(8, int(rng.lognormvariate(math.log(q.talk_s) - 0.32, 0.8)))
            end = connect + talk
            if end_epoch is not None and end >= end_epoch:
                heapq.heappush(w, connect)
                _occupy(st, heaps, connect, end + 5)
                continue
            r = rng.random()
            if r < 0.04 and q.transfer_to:
                target = q.transfer_to
                emit(
                    end,
                    f"{callid}|{qname}|{who}|BLINDTRANSFER|{target}|from-internal|{int(wait)}|{talk}|{position}",
                )
                call_no += 1
                heapq.heappush(arrivals, (end + 1, call_no, target, callid, caller, 2.0))
            elif r < 0.06:
                emit(
                    end,
                    f"{callid}|{qname}|{who}|ATTENDEDTRANSFER|BRIDGE|{callid}-b{n}|{int(wait)}|{talk}|{position}",
                )
            elif r < 0.58:
                emit(end, f"{callid}|{qname}|{who}|COMPLETECALLER|{int(wait)}|{talk}|{position}")
            else:
                emit(end, f"{callid}|{qname}|{who}|COMPLETEAGENT|{int(wait)}|{talk}|{position}")
            busy_until = end + 2
            if rng.random() < 0.75:
                acw_start = end + rng.randint(0, 3)
                acw_len = max(5, int(rng.gauss(35, 15)))
                acw_seq += 1
                _pause_lines(emit, agent, acw_start, "PAUSE", "ACW")
                _pause_lines(emit, agent, acw_start + acw_len, "UNPAUSE", "")
                busy_until = acw_start + acw_len + 1
            heapq.heappush(w, connect)
            _occupy(st, heaps, connect, busy_until)
            out.answered_count += 1
            customer = customer_of(customers, caller)  # None for an anonymous or unknown caller
            if customer is not None:
                out.answered.append((callid, qname, agent.agent_id, int(connect), *customer))
            write_cdr(
                _cdr(caller, qname, callid, t, t, end, "ANSWERED", f"Local/{agent.agent_id}@from-queue/n")
            )
        elif q.timeout_s <= patience:
            leave = t + q.timeout_s
            if chosen is not None and avail < leave <= connect:
                emit(
                    leave,
                    f"{callid}|{qname}|{_agent_field(chosen.agent)}|RINGCANCELED|{int(leave - avail) * 1000}",
                )
            emit(leave, f"{callid}|{qname}|NONE|EXITWITHTIMEOUT|{position}|{position}|{q.timeout_s}")
            heapq.heappush(w, leave)
            write_cdr(_cdr(caller, qname, callid, t, t, leave, "ANSWERED", ""))
            if q.overflow_to:
                call_no += 1
                heapq.heappush(arrivals, (leave + 1, call_no, q.overflow_to, callid, caller, 1.5))
        else:
            leave = t + patience
            held = int(leave - t)
            if chosen is not None and avail < leave <= connect:
                emit(
                    leave,
                    f"{callid}|{qname}|{_agent_field(chosen.agent)}|RINGCANCELED|{int(leave - avail) * 1000}",
                )
            if qname == "support" and rng.random() < 0.06:
                emit(leave, f"{callid}|{qname}|NONE|EXITWITHKEY|0|{position}|{position}|{held}")
            else:
                emit(leave, f"{callid}|{qname}|NONE|ABANDON|{position}|{position}|{held}")
            heapq.heappush(w, leave)
            write_cdr(_cdr(caller, qname, callid, t, t, leave, "ANSWERED", ""))

    # ---- agent sessions: logins, breaks, logoffs
    for st, pauses in zip(states, pauses_of, strict=True):
        agent = st.agent
        if not st.windows:
            continue
        login = st.windows[0][0]
        logoff = st.windows[-1][1]
        if st.busy_ends:
            logoff = max(logoff, st.busy_ends[-1])
        if agent.login_style == "agentlogin":
            emit(login, f"NONE|NONE|{agent.interface}|AGENTLOGIN|PJSIP/{agent.agent_id}-{login % 100000:08x}")
        else:
            for qn in agent.queues:
                emit(login, f"MANAGER|{qn}|{agent.interface}|ADDMEMBER|")
        for p_start, p_end, activity in pauses:
            i = bisect_right(st.busy_starts, p_start) - 1
            begin = max(p_start, st.busy_ends[i]) if i >= 0 else p_start
            if begin >= p_end:
                continue
            reason = activity.capitalize()
            _pause_lines(emit, agent, begin, "PAUSE", reason)
            _pause_lines(emit, agent, p_end, "UNPAUSE", "")
        if end_epoch is not None and logoff >= end_epoch:
            continue
        if agent.login_style == "agentlogin":
            emit(
                logoff,
                f"NONE|NONE|{agent.interface}|AGENTLOGOFF|PJSIP/{agent.agent_id}|{int(logoff - login)}",
            )
        else:
            for qn in agent.queues:
                emit(logoff, f"MANAGER|{qn}|{agent.interface}|REMOVEMEMBER|")
    day_events = DayEvents.sorted(epochs, lines, end_epoch)
    lines.clear()  # the day's text is held once, as one string, while it is saved for the writer
    return day_events


def _local_hour(epoch: int, tz: ZoneInfo) -> int:
    from datetime import datetime

    return datetime.fromtimestamp(epoch, tz).hour


def _occupy(
    st: _AgentState, heaps: dict[str, list[tuple[float, int, int]]], start: float, busy_until: float
) -> None:
    st.busy_starts.append(int(start))
    st.busy_ends.append(int(busy_until))
    st.free_at = busy_until
    st.version += 1
    nxt = st.next_avail(busy_until)
    if nxt == INF:
        return
    for qn in st.queues:
        heapq.heappush(heaps[qn], (nxt, st.idx, st.version))


def _pause_lines(emit, agent: Agent, epoch: float, event: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    who = _agent_field(agent)
    if len(agent.queues) > 1:
        emit(epoch, f"NONE|NONE|{who}|{event}ALL|{reason}")
    for qn in agent.queues:
        emit(epoch, f"NONE|{qn}|{who}|{event}|{reason}")


@lru_cache(maxsize=4096)
def _utc_date(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()


# "HH:MM:SS" of each second of a day: a timestamp is then a date and a lookup
HMS = tuple(f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400))


def _ts(epoch: float) -> str:
    """cdr_csv's `YYYY-MM-DD HH:MM:SS` (the PBX logs in UTC here), without strftime's cost."""
    e = int(epoch)
    return f"{_utc_date(e // 86400)} {HMS[e % 86400]}"


def _cdr(
    caller: str,
    queue: str,
    callid: str,
    start: float,
    answer: float | None,
    end: float,
    disposition: str,
    dstchannel: str,
) -> str:
    """One cdr_csv line, 21 columns (loguniqueid, loguserfield and newcdrcolumns on), every field quoted."""
    src = "" if caller == "anonymous" else caller
    duration = int(end) - int(start)
    billsec = int(end) - int(answer) if answer is not None else 0
    answered = _ts(answer) if answer is not None else ""
    return (
        f'"","{src}","{queue}","from-pstn","""{caller}"" <{src}>","PJSIP/trunk-{callid[-8:]}",'
        f'"{dstchannel}","Queue","{queue},t,,,300","{_ts(start)}","{answered}","{_ts(end)}",'
        f'{duration},{billsec},"{disposition}","DOCUMENTATION","{callid}","","","{callid}",'
        f'"{callid.split(".")[-1]}"'
    )
