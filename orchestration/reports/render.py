"""The report message: an HTML KPI table (the period, the previous one, the target), PNG charts
inline (service level by interval or day, the outbound funnel, revenue against plan) and the
period's rows as CSV attachments."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import duckdb

from .config import ClientReport
from .figures import ATTACHMENTS, Figure, data_through, figures, funnel, revenue_by_campaign, sl_by_interval
from .periods import Period


@dataclass(frozen=True)
class Report:
    client: str
    client_name: str
    currency: str
    period: Period
    figures: list[Figure]
    charts: dict[str, bytes]  # file name -> PNG
    attachments: dict[str, bytes]  # file name -> CSV
    data_through: str | None

    @property
    def subject(self) -> str:
        kind = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}[self.period.frequency]
        return f"{kind} contact-center report {self.period}: {self.client_name}"


def fmt(value: float | None, kind: str, currency: str = "") -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value * 100:.1f} %"
    if kind == "seconds":
        return f"{value:,.0f} s"
    if kind == "money":
        return f"{value:,.2f} {currency}".strip()
    if kind == "score":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _charts(con: duckdb.DuckDBPyConnection, client: str, period: Period, currency: str) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    def png(fig: object) -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")  # type: ignore[attr-defined]
        pyplot.close(fig)  # type: ignore[arg-type]
        return buffer.getvalue()

    charts: dict[str, bytes] = {}
    points = sl_by_interval(con, client, period)
    fig, axis = pyplot.subplots(figsize=(8, 3))
    for queue in sorted({q for q, _, _ in points}):
        series = [(label, v) for q, label, v in points if q == queue]
        axis.plot([x for x, _ in series], [v for _, v in series], marker=".", label=queue)
    axis.set_ylim(0, 1.05)
    axis.set_title("Service level by " + ("interval" if period.frequency == "daily" else "day"))
    axis.tick_params(axis="x", labelrotation=90, labelsize=7)
    if points:
        axis.legend(fontsize=8)
    charts["service_level.png"] = png(fig)

    steps = funnel(con, client, period)
    fig, axis = pyplot.subplots(figsize=(8, 3))
    axis.barh([name for name, _ in reversed(steps)], [n for _, n in reversed(steps)], color="#4878a8")
    axis.set_title("Outbound funnel")
    charts["outbound_funnel.png"] = png(fig)

    revenue = revenue_by_campaign(con, client, period)
    fig, axis = pyplot.subplots(figsize=(8, 3))
    names = [c for c, _, _ in revenue]
    positions = range(len(names))
    axis.bar([p - 0.2 for p in positions], [a for _, a, _ in revenue], width=0.4, label="revenue")
    axis.bar([p + 0.2 for p in positions], [p or 0 for _, _, p in revenue], width=0.4, label="plan")
    axis.set_xticks(list(positions), names)
    axis.set_title(f"Revenue against plan ({currency})")
    if names:
        axis.legend(fontsize=8)
    charts["revenue_plan.png"] = png(fig)
    return charts


def _csv(con: duckdb.DuckDBPyConnection, table: str, day_column: str, client: str, period: Period) -> bytes:
    cursor = con.execute(
        f"select * from marts.{table} where client_id = ? and {day_column} >= ? and {day_column} < ? order by all",
        [client, period.start, period.end],
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([d[0] for d in cursor.description])
    writer.writerows(cursor.fetchall())
    return out.getvalue().encode()


def build_report(
    con: duckdb.DuckDBPyConnection, config: ClientReport, period: Period, name: str, currency: str
) -> Report:
    client = config.client_id
    return Report(
        client=client,
        client_name=name,
        currency=currency,
        period=period,
        figures=figures(con, client, period, config.kpis),
        charts=_charts(con, client, period, currency),
        attachments={
            f"{file}_{period}.csv": _csv(con, table, day, client, period)
            for file, table, day in ATTACHMENTS
            if config.attach_rows or not table.startswith("fct_")
        },
        data_through=data_through(con),
    )


def _row(figure: Figure, currency: str) -> str:
    kpi = figure.kpi
    cells = [fmt(figure.value, kpi.kind, currency), fmt(figure.previous, kpi.kind, currency)]
    target = fmt(figure.target, kpi.kind, currency) if figure.target is not None else ""
    if figure.target_note and target:
        target += f" ({figure.target_note})"
    met = ""
    if figure.target is not None and figure.value is not None:
        good = figure.value >= figure.target if kpi.higher_is_better else figure.value <= figure.target
        met = "✔" if good else "✘"
    raw = ["", _raw(figure.value), _raw(figure.previous), _raw(figure.target), ""]
    values = [html.escape(kpi.label), *map(html.escape, cells), html.escape(target), met]
    return (
        f'<tr data-kpi="{kpi.name}">'
        + "".join(
            f"<td>{v}</td>" if i == 0 else f'<td align="right" data-value="{r}">{v}</td>'
            for i, (v, r) in enumerate(zip(values, raw, strict=True))
        )
        + "</tr>"
    )


def _raw(value: float | None) -> str:
    """The unrounded figure, for auditors and tests ('' for none)."""
    return "" if value is None else repr(value)


def render_html(report: Report, cids: dict[str, str]) -> str:
    rows = "\n".join(_row(f, report.currency) for f in report.figures)
    images = "\n".join(
        f'<p><img src="cid:{cid}" alt="{html.escape(name)}"></p>' for name, cid in cids.items()
    )
    return f"""<html><body style="font-family: sans-serif">
<h2>{html.escape(report.client_name)}: {html.escape(str(report.period))}</h2>
<p>Period {report.period.start} to {report.period.end} (exclusive), local days of the client's time zone;
previous period {report.period.previous()}. Data through {html.escape(report.data_through or "-")} UTC.</p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>KPI</th><th>{html.escape(str(report.period))}</th><th>{html.escape(str(report.period.previous()))}</th><th>target</th><th>met</th></tr>
{rows}
</table>
<p style="font-size: small">Rates re-divide the period's sums (kpis.md). Targets are the client's plans (counts and
amounts prorated by the days the plan shares with the period) or, for service level, its queues' target.</p>
{images}
<p style="font-size: small">Attached: the period's marts and the stints and dial attempts behind them, as CSV.</p>
</body></html>"""


def to_message(report: Report, recipients: tuple[str, ...], sender: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message["X-Callmart-Report"] = f"{report.client} {report.period}"
    lines = [f"{f.kpi.label}: {fmt(f.value, f.kpi.kind, report.currency)}" for f in report.figures]
    message.set_content(f"{report.subject}\n\n" + "\n".join(lines) + "\n")
    cids = {name: f"{name.replace('.', '-')}.{report.client}@callmart" for name in report.charts}
    message.add_alternative(render_html(report, cids), subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    for name, data in report.charts.items():
        html_part.add_related(data, "image", "png", cid=f"<{cids[name]}>", filename=name)
    for name, data in report.attachments.items():
        message.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return message
