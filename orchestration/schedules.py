"""When unattended work runs: a full build with every check each night, and the e-mail reports
every quarter of an hour (each report goes out at its client's `send_at` once its period is
complete in the published marts; the ledger keeps it from going twice). New data between nights
starts runs through the landing sensor (sensors.py). Without SMTP settings the report schedule
skips its ticks, saying why, rather than start runs that can only fail."""

import os

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from .report_jobs import email_reports_job
from .reports.delivery import SmtpSettings
from .settings import MAIN_JOB

nightly_full_build = ScheduleDefinition(
    name="nightly_full_build",
    job_name=MAIN_JOB,
    cron_schedule="30 2 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    tags={"callmart/trigger": "nightly"},
    # every incremental model rebuilt from all the data: what late data the lookback missed is mended
    run_config={"ops": {"callmart_dbt_assets": {"config": {"full_refresh": True}}}},
    description="Every night: load, rebuild every model from scratch, run every check, publish.",
)


@schedule(
    name="email_reports_every_15_minutes",
    job=email_reports_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Sends the reports that are due; skips its ticks while no SMTP server is configured.",
)
def email_reports_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    try:
        SmtpSettings.from_env(dict(os.environ))
    except ValueError as unset:
        return SkipReason(f"no e-mail sent: {unset}")
    return RunRequest(tags={"callmart/trigger": "schedule"})
