"""The e-mail reports as a Dagster job: every configured client report that is due and not yet
delivered goes out (reports/service.py); a refused one is logged with its reason and fails the run,
so that the failure shows in Dagster's UI and alerts."""

from dagster import Failure, OpExecutionContext, job, op

from .reports.config import load_reports
from .reports.service import send_due
from .resources import CallmartResource

REPORTS_JOB = "callmart_email_reports"


@op(description="Send each client's reports that are due now and not yet in the delivery ledger.")
def send_due_reports(context: OpExecutionContext, callmart: CallmartResource) -> None:
    reports = load_reports(callmart.config_path)
    outcomes = send_due(callmart.warehouse_path, reports)
    for outcome in outcomes:
        (context.log.warning if outcome.status == "refused" else context.log.info)(str(outcome))
    if not outcomes:
        context.log.info(f"no report due ({len(reports)} configured)")
    refused = [o for o in outcomes if o.status == "refused"]
    if refused:
        raise Failure(f"{len(refused)} report(s) not sent", description="\n".join(map(str, refused)))


@job(name=REPORTS_JOB, description="E-mail each client its due daily, weekly and monthly reports.")
def email_reports_job() -> None:
    send_due_reports()
