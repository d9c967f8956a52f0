"""When unattended work runs: the e-mail reports every quarter of an hour (each report goes out at
its client's `send_at` once its period is complete in the published marts; the ledger keeps it
from going twice)."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from .report_jobs import email_reports_job

email_reports_schedule = ScheduleDefinition(
    name="email_reports_every_15_minutes",
    job=email_reports_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Sends the reports that are due; runs while the Dagster daemon does.",
)
