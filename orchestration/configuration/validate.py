"""Reads and checks the configuration before anything is written.

`load_config` takes each seed from the user's `--config` folder when it has that file, else the
shipped default in `seeds/`, checks every row against its schema (`schema.py`) and every key for
duplicates, and returns the normalised rows. `validate_vars` checks `--vars`. Every problem is
collected, so that one `ConfigError` lists them all, one line each, naming file, line, column, value
and what is allowed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from .schema import SEEDS, Row, SeedSchema
from .settings_schema import KNOWN_SETTINGS, Settings


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    value: object
    message: str
    field_kind: str = "column"  # what `column` names: a CSV column, or a setting of --vars

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        what = f", {self.field_kind} {self.column}" if self.column else ""
        value = f", value {self.value!r}" if self.value is not None else ""
        return f"{where}{what}{value}: {self.message}"


class ConfigError(Exception):
    """The configuration breaks the contract: nothing may be written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class SeedTable:
    schema: SeedSchema
    path: Path
    user_supplied: bool
    rows: tuple[dict[str, str | None], ...]  # every column of the schema, as text (NULL when empty)


@dataclass(frozen=True)
class EffectiveConfig:
    """The configuration one run uses: every seed, normalised, and where each came from."""

    tables: dict[str, SeedTable] = field(default_factory=dict)

    @property
    def user_files(self) -> list[str]:
        return [name for name, t in self.tables.items() if t.user_supplied]


def _message(error: Mapping[str, object]) -> str:
    text = str(error["msg"])
    for prefix, replacement in (
        ("Value error, ", ""),
        ("Input should be ", "must be "),
        ("String should have at least 1 character", "a value is required"),
    ):
        if text.startswith(prefix):
            text = replacement + text[len(prefix) :]
    if error["type"] == "missing":
        text = "a value is required"
    return text


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (physical line number, row) pairs; a CSV header is line 1. Blank lines are skipped."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    for record in reader:
        if not header:
            header = [h.strip() for h in record]
        elif any(cell.strip() for cell in record):
            rows.append((line, dict(zip(header, record, strict=False))))
        line = reader.line_num + 1
    return header, rows


def check_seed(
    schema: SeedSchema, path: Path, label: str
) -> tuple[list[dict[str, str | None]], list[Problem]]:
    """The normalised rows of one configuration file, and its problems."""
    try:
        header, records = _read(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [], [Problem(label, None, None, None, f"cannot be read as a UTF-8 CSV: {exc}")]
    if not header:
        return [], [
            Problem(
                label,
                1,
                None,
                None,
                f"is empty: a header with {', '.join(schema.required_columns)} is required",
            )
        ]
    problems = [
        Problem(label, 1, name, None, "appears twice in the header")
        for name in sorted({h for h in header if header.count(h) > 1 and h})
    ]
    missing = [c for c in schema.required_columns if c not in header]
    if missing:
        problems.append(
            Problem(
                label,
                1,
                ", ".join(missing),
                None,
                f"missing column{'s' if len(missing) > 1 else ''}; the file needs "
                f"{', '.join(schema.required_columns)} (any order, other columns are ignored)",
            )
        )
        return [], problems
    rows: list[dict[str, str | None]] = []
    seen: dict[tuple[str | None, ...], int] = {}
    for line, record in records:
        cells = {name: (record.get(name) or "").strip() for name in schema.columns if name in header}
        given = {name: value for name, value in cells.items() if value != ""}
        try:
            row: Row = schema.row.model_validate(given)
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                problems.append(Problem(label, line, column, cells.get(column or ""), _message(error)))
            continue
        normalised = {name: _as_text(getattr(row, name)) for name in schema.columns}
        key = tuple(
            (normalised[k] or "").upper() if schema.key_case_insensitive else normalised[k]
            for k in schema.key
        )
        if key in seen:
            shown = ", ".join(f"{k}={normalised[k]!r}" for k in schema.key)
            problems.append(
                Problem(
                    label,
                    line,
                    ", ".join(schema.key),
                    None,
                    f"duplicate key ({shown}) also on line {seen[key]}: each {' + '.join(schema.key)} once",
                )
            )
            continue
        seen[key] = line
        rows.append(normalised)
    return rows, problems


def load_config(config_dir: Path | None, shipped_dir: Path) -> EffectiveConfig:
    """Every seed from `config_dir` where it has the file, else from `shipped_dir`; raises ConfigError."""
    if config_dir is not None and not config_dir.is_dir():
        raise ConfigError([Problem(str(config_dir), None, None, None, "configuration folder not found")])
    tables: dict[str, SeedTable] = {}
    problems: list[Problem] = []
    for schema in SEEDS:
        user_file = config_dir / f"{schema.name}.csv" if config_dir is not None else None
        user_supplied = user_file is not None and user_file.is_file()
        path = user_file if user_supplied and user_file is not None else shipped_dir / f"{schema.name}.csv"
        rows, found = check_seed(schema, path, str(path))
        problems += found
        tables[schema.name] = SeedTable(schema, path, user_supplied, tuple(rows))
    if problems:
        raise ConfigError(problems)
    return EffectiveConfig(tables)


def validate_vars(
    values: Mapping[str, object], origin: str = "--vars", lines: Mapping[str, int] | None = None
) -> list[str]:
    """Checks the given settings; returns warnings (unknown names), raises ConfigError."""
    lines = lines or {}
    problems: list[Problem] = []
    try:
        Settings.model_validate(dict(values))
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            shown = None if name == "pii_salt" else values.get(name)  # a secret is never echoed
            problems.append(Problem(origin, lines.get(name), name, shown, _message(error), "setting"))
    if problems:
        raise ConfigError(problems)
    return [
        f"{origin}: unknown setting {name!r} passed to dbt as it is; callmart's settings are "
        f"{', '.join(KNOWN_SETTINGS)}"
        for name in values
        if name not in KNOWN_SETTINGS
    ]
