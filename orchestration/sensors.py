"""The landing sensor: a new file in the landing folder, or a file that grew (the live queue_log),
starts a run of the main job, which loads only what is new (the loader keeps each file's loaded
length) and rebuilds. The cursor is each contract file's size and modification time."""

import hashlib
import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from .loading.contract import SOURCES
from .loading.loader import source_files
from .resources import CallmartResource
from .settings import MAIN_JOB


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


@sensor(
    name="landing_sensor",
    job_name=MAIN_JOB,
    minimum_interval_seconds=10,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a run when a landing file is new or has grown (the live queue_log).",
)
def landing_sensor(context: SensorEvaluationContext, callmart: CallmartResource):  # type: ignore[no-untyped-def]
    before = json.loads(context.cursor) if context.cursor else {}
    now = landing_state(callmart)
    changed = changed_files(before, now)
    if not changed:
        return SkipReason(f"no new or grown file in {callmart.landing_path}")
    cursor = json.dumps(now, sort_keys=True)
    context.update_cursor(cursor)
    shown = ", ".join(path.rsplit("/", 1)[-1] for path in changed[:5]) + (" ..." if len(changed) > 5 else "")
    return RunRequest(
        run_key=hashlib.sha256(cursor.encode()).hexdigest()[:20],
        tags={"callmart/trigger": "landing", "callmart/changed": shown[:200]},
    )
