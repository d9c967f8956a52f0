"""The landing sensor: a new file in the landing folder, or a file that grew, starts a run that loads
only what is new (the loader keeps each file's loaded length) and rebuilds. The cursor is each
contract file's size and modification time.

Which job: when only the live queue_log grew, the live job (the wallboard's marts and what they
read, jobs.py), unless the last main run started more than MAIN_EVERY_S ago; anything else (a new
file, another source changed, no main run yet) starts the main job. While a run of that job is
queued and not yet started, the tick skips: that run will load these lines too."""

import hashlib
import json
import time

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from .jobs import live_job, main_job
from .loading.contract import SOURCES
from .loading.loader import source_files
from .resources import CallmartResource
from .settings import LIVE_JOB, MAIN_JOB

MAIN_EVERY_S = 3600  # the other marts are at most an hour behind a growing queue_log
LIVE_SOURCE = "queue_log"


def landing_state(callmart: CallmartResource) -> dict[str, list[int]]:
    """{file: [size, mtime_ns]} of every file of the data contract in the landing folder."""
    state: dict[str, list[int]] = {}
    for source in SOURCES:
        for path in source_files(callmart.landing_path, source):
            stat = path.stat()
            state[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def changed_files(before: dict[str, list[int]], now: dict[str, list[int]]) -> list[str]:
    return sorted(path for path, value in now.items() if before.get(path) != value)


def choose_job(
    callmart: CallmartResource,
    before: dict[str, list[int]],
    changed: list[str],
    last_main_start: float | None,
) -> str:
    """The live job when every change is growth of a queue_log known before and a main run started
    less than MAIN_EVERY_S ago; the main job otherwise."""
    (live,) = (source for source in SOURCES if source.name == LIVE_SOURCE)
    live_files = {str(path) for path in source_files(callmart.landing_path, live)}
    grew_only = all(path in live_files and path in before for path in changed)
    recent_main = last_main_start is not None and time.time() - last_main_start < MAIN_EVERY_S
    return LIVE_JOB if grew_only and recent_main else MAIN_JOB


def _last_start(context: SensorEvaluationContext, job_name: str) -> float | None:
    records = context.instance.get_run_records(filters=RunsFilter(job_name=job_name), limit=1)
    return records[0].create_timestamp.timestamp() if records else None


def _queued(context: SensorEvaluationContext, job_name: str) -> bool:
    waiting = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED]
    return bool(
        context.instance.get_run_records(filters=RunsFilter(job_name=job_name, statuses=waiting), limit=1)
    )


@sensor(
    name="landing_sensor",
    jobs=[main_job, live_job],
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a run when a landing file is new or has grown: the live job when only the "
    "queue_log grew (the main job at least hourly), the main job otherwise.",
)
def landing_sensor(context: SensorEvaluationContext, callmart: CallmartResource):  # type: ignore[no-untyped-def]
    before = json.loads(context.cursor) if context.cursor else {}
    now = landing_state(callmart)
    changed = changed_files(before, now)
    if not changed:
        return SkipReason(f"no new or grown file in {callmart.landing_path}")
    job_name = choose_job(callmart, before, changed, _last_start(context, MAIN_JOB))
    if _queued(context, job_name):
        return SkipReason(f"a queued run of {job_name} will load these changes too")
    cursor = json.dumps(now, sort_keys=True)
    context.update_cursor(cursor)
    shown = ", ".join(path.rsplit("/", 1)[-1] for path in changed[:5]) + (" ..." if len(changed) > 5 else "")
    return RunRequest(
        job_name=job_name,
        run_key=hashlib.sha256(cursor.encode()).hexdigest()[:20],
        tags={"callmart/trigger": "landing", "callmart/changed": shown[:200]},
    )
