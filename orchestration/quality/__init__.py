"""Data quality: Great Expectations suites (expectations/*.json) and SQL checks, with severities."""
