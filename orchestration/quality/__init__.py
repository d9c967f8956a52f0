"""Data quality: Great Expectations suites (expectations/*.json) and dbt tests, with severities."""
