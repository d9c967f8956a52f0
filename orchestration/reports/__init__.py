"""Scheduled e-mail reports: per client, a period's KPI table (with the previous period and the
target), PNG charts and the period's rows as CSV, sent over SMTP or written as an .eml file.

config.py: the reports configuration (`reports.yml`); periods.py: a day, ISO week or month;
figures.py: the period's figures from the published marts; render.py: the message;
delivery.py: SMTP and the ledger that sends nothing twice; gate.py: whether a period may go out.
"""
