"""SQL that turns numbered text lines (temp table ``_lines(line_no, line)``) into raw rows.

Each builder returns a SELECT producing the raw table's columns plus ``line_no``,
``line`` and ``reason`` (NULL for a good row, else why the row cannot be read).
"""

from __future__ import annotations

from .contract import (
    ATTENDED_LINK_NUMERIC,
    ATTENDED_NUMERIC,
    CDR_COLUMNS,
    CDR_WIDTHS,
    ISO_4217,
    QUEUE_LOG_COLUMNS,
    QUEUE_LOG_NUMERIC,
    SCORE_RANGES,
    Column,
    Source,
)

INT_RE = r"\d+"
NUMBER_RE = r"-?\d+(\.\d+)?"
EPOCH_RE = r"\d+(\.\d+)?"
EVENT_RE = r"[A-Z][A-Z0-9_]*"

# Names of queue_log data fields, for messages a data engineer can act on.
DATA_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "ENTERQUEUE": ("url", "caller number", "position"),
    "RINGNOANSWER": ("ring time ms",),
    "RINGCANCELED": ("ring time ms",),
    "CONNECT": ("hold s", "member uniqueid", "ring s"),
    "COMPLETECALLER": ("hold s", "talk s", "orig position"),
    "COMPLETEAGENT": ("hold s", "talk s", "orig position"),
    "ABANDON": ("position", "orig position", "wait s"),
    "EXITWITHTIMEOUT": ("position", "orig position", "wait s"),
    "EXITEMPTY": ("position", "orig position", "wait s"),
    "EXITWITHKEY": ("key", "position", "orig position", "wait s"),
    "WITHDRAW": ("position", "orig position", "wait s"),
    "TRANSFER": ("extension", "context", "hold s", "talk s", "orig position"),
    "BLINDTRANSFER": ("extension", "context", "hold s", "talk s", "orig position"),
    "ATTENDEDTRANSFER": ("method", "bridge/app", "hold s", "talk s", "orig position"),
    "AGENTLOGOFF": ("channel", "login s"),
}


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _shown(expr: str) -> str:
    """A value quoted for a message, cut to 60 characters."""
    return f"'''' || coalesce(left({expr}, 60), '') || ''''"


def _csv_pieces(line_expr: str) -> str:
    """The raw pieces of one CSV line (each field as written, quotes included), RFC 4180 quoting."""
    return f"""regexp_extract_all({line_expr} || ',', '("(?:[^"]|"")*"|[^,"]*),', 1)"""


def _csv_unquoted(pieces_expr: str) -> str:
    """The fields of those pieces: outer quotes removed, doubled quotes undone."""
    return (
        f"list_transform({pieces_expr}, lambda x: case when starts_with(x, '\"') "
        "then replace(x[2:-2], '\"\"', '\"') else x end)"
    )


def _csv_wellformed(pieces: str, line_expr: str) -> str:
    """True when the pieces found rebuild the whole line (no stray quote)."""
    return (
        f"coalesce(list_sum(list_transform({pieces}, lambda x: length(x) + 1)), 0) = length({line_expr}) + 1"
    )


# A line cut at its quote characters alternates: outside quotes (odd parts), inside (even parts). An
# empty part between two inside parts is a doubled quote; the commas of the outside parts separate
# the fields. Split this way, a quoting line is read without the regular expression, in a third less
# time; the unit separator (chr 31) that stands for those commas cannot be in a line read so (a
# line holding one goes the regular expression's way).
_QUOTE_PARTS_FIELDS = """string_split(array_to_string(list_transform(parts, lambda x, i:
        case when i % 2 = 0 then x
             when i > 1 and i < len(parts) and x = '' then '"'
             else replace(x, ',', chr(31)) end), ''), chr(31))"""
# well-formed: quotes in pairs; an outside part between two quoted fields is a doubled quote or
# starts and ends with the commas around its bare fields, the first ends with one, the last starts
_QUOTE_PARTS_WELLFORMED = """len(parts) % 2 = 1 and list_bool_and(list_transform(parts, lambda x, i:
        i % 2 = 0 or x = ''
        or ((i = 1 or starts_with(x, ',')) and (i = len(parts) or ends_with(x, ',')))))"""


def _csv_query(select_cols: str, checks: str) -> str:
    """Split each CSV line of ``_lines`` into fields, select columns from ``f``, and give the reason
    (malformed quoting first, then ``checks``: CASE branches) a line cannot be read. A line with no
    quote character is split on its commas, one with quotes at its quote characters and then its
    commas; only a line holding a unit separator (chr 31) is read with the RFC 4180 regular
    expression. Each way gives the same fields (tests/python/test_loader.py compares them)."""
    return f"""
with quoting as (
  select line_no, line,
    case when not contains(line, '"') then 'plain'
         when contains(line, chr(31)) then 'regex'
         else 'parts' end as quoting
  from _lines
), split as (
  select line_no, line, quoting,
    case when quoting = 'parts' then string_split(line, '"') end as parts,
    case when quoting = 'regex' then {_csv_pieces("line")} end as pieces
  from quoting
), unquoted as (
  select line_no, line,
    case quoting when 'plain' then string_split(line, ',')
                 when 'parts' then {_QUOTE_PARTS_FIELDS}
                 else {_csv_unquoted("pieces")} end as f,
    case quoting when 'plain' then true
                 when 'parts' then {_QUOTE_PARTS_WELLFORMED}
                 else {_csv_wellformed("pieces", "line")} end as wellformed
  from split
), fields as (
  select line_no, line, len(f) as n, wellformed, {select_cols}
  from unquoted
)
select * exclude (n, wellformed),
  case
    when not wellformed then 'malformed CSV quoting'
    {checks}
  end as reason
from fields
"""


def _event_checks() -> list[str]:
    """CASE branches checking the data fields each queue_log event must carry."""
    branches: list[str] = []

    def add(
        event_cond: str,
        event: str,
        required: tuple[int, ...],
        optional: tuple[int, ...],
        names: tuple[str, ...],
        shift: int = 0,
    ) -> None:
        for pos in required:
            name = names[pos - 1 - shift] if 0 <= pos - 1 - shift < len(names) else f"data{pos}"
            branches.append(
                f"when {event_cond} and data{pos} is null then "
                f"{lit(f'too few fields for {event}: data{pos} ({name}) is missing')}"
            )
        for pos in required + optional:
            name = names[pos - 1 - shift] if 0 <= pos - 1 - shift < len(names) else f"data{pos}"
            cond = f"data{pos} is not null" if pos in required else f"coalesce(data{pos}, '') <> ''"
            branches.append(
                f"when {event_cond} and {cond} and not regexp_full_match(data{pos}, '{NUMBER_RE}') then "
                f"{lit(f'not a number in data{pos} ({name}) of {event}: ')} || {_shown(f'data{pos}')}"
            )

    for event, (required, optional) in QUEUE_LOG_NUMERIC.items():
        add(f"event = {lit(event)}", event, required, optional, DATA_FIELD_NAMES.get(event, ()))
    names = DATA_FIELD_NAMES["ATTENDEDTRANSFER"]
    add(
        "event = 'ATTENDEDTRANSFER' and coalesce(data1, '') <> 'LINK'",
        "ATTENDEDTRANSFER",
        *ATTENDED_NUMERIC,
        names,
    )
    add(
        "event = 'ATTENDEDTRANSFER' and data1 = 'LINK'",
        "ATTENDEDTRANSFER LINK",
        *ATTENDED_LINK_NUMERIC,
        ("method", "bridge", "channel", "hold s", "talk s", "orig position"),
    )
    return branches


def queue_log_native() -> str:
    """Native ``epoch|callid|queuename|agent|event|data1|...`` lines."""
    checks = "\n      ".join(_event_checks())
    return f"""
with split as (
  select line_no, line, string_split(line, '|') as f from _lines
), fields as (
  select line_no, line, len(f) as n,
    f[1] as time, f[2] as callid, f[3] as queuename, f[4] as agent, f[5] as event,
    f[6] as data1, f[7] as data2, f[8] as data3, f[9] as data4, f[10] as data5, f[11] as data6,
    case when len(f) > 11 then array_to_string(f[12:], '|') end as data_extra
  from split
)
select *,
  case
    when n < 5 then 'too few fields: ' || n || ' (a queue_log line has at least epoch|callid|queuename|agent|event)'
    when not regexp_full_match(time, '{EPOCH_RE}') then 'epoch is not a number: ' || {_shown("time")}
    when not regexp_full_match(event, '{EVENT_RE}') then
      'event name is empty or not an upper-case word: ' || {_shown("event")}
      {checks}
  end as reason
from fields
"""


def queue_log_csv(header: list[str]) -> str:
    """A database export of queue_log with a header (``data1``..``data5`` or one ``data``)."""
    pos = {name: i + 1 for i, name in enumerate(header)}
    missing = [c for c in ("time", "callid", "queuename", "agent", "event") if c not in pos]
    if missing:
        return _all_rejected(f"queue_log export lacks column(s): {', '.join(missing)}", _queue_log_nulls())
    if "data" in pos:
        data_split = f"string_split(coalesce(f[{pos['data']}], ''), '|')"
        data_cols = ", ".join(f"{data_split}[{i}] as data{i}" for i in range(1, 7))
        extra = (
            f"case when len({data_split}) > 6 then array_to_string({data_split}[7:], '|') end as data_extra"
        )
    else:
        data_cols = ", ".join(
            (f"nullif(f[{pos[f'data{i}']}], '') as data{i}" if f"data{i}" in pos else f"null as data{i}")
            for i in range(1, 7)
        )
        extra = "null as data_extra"
    select_cols = (
        f"f[{pos['time']}] as time, f[{pos['callid']}] as callid, f[{pos['queuename']}] as queuename, "
        f"f[{pos['agent']}] as agent, f[{pos['event']}] as event, {data_cols}, {extra}"
    )
    checks = "\n    ".join(
        [
            _width_checks(len(header)),
            f"when try_cast(time as timestamp) is null then 'timestamp does not parse in time: ' || {_shown('time')}",
            f"when not regexp_full_match(event, '{EVENT_RE}') then "
            f"'event name is empty or not an upper-case word: ' || {_shown('event')}",
            *_event_checks(),
        ]
    )
    return _csv_query(select_cols, checks)


def _width_checks(width: int) -> str:
    """CASE branches for a line with more or fewer fields than its header."""
    return (
        f"when n < {width} then 'too few fields: ' || n || ' (header has {width})'\n    "
        f"when n > {width} then 'too many fields: ' || n || ' (header has {width})'"
    )


def _queue_log_nulls() -> str:
    return ", ".join(f"null::varchar as {c}" for c in QUEUE_LOG_COLUMNS)


def _all_rejected(reason: str, null_columns: str) -> str:
    return f"select line_no, line, {null_columns}, {lit(reason)} as reason from _lines"


def cdr() -> str:
    """Asterisk cdr_csv lines: no header, 16/17/18/21 columns."""
    cols = ", ".join(f'f[{i + 1}] as "{c}"' for i, c in enumerate(CDR_COLUMNS))
    widths = ", ".join(str(w) for w in CDR_WIDTHS)
    branches = []
    for name, optional in (("start", False), ("answer", True), ("end", True)):
        ref = f'"{name}"'
        guard = f"{ref} <> '' and " if optional else ""
        branches.append(
            f"when {guard}try_cast({ref} as timestamp) is null then "
            f"'timestamp does not parse in {name}: ' || {_shown(ref)}"
        )
    ts_checks = "\n    ".join(branches)
    checks = "\n    ".join(
        [
            "when n < 16 then 'too few fields: ' || n || ' (cdr_csv writes " + widths + ")'",
            f"when n not in ({widths}) then 'unexpected number of fields: ' || n || ' (cdr_csv writes {widths})'",
            ts_checks,
            f"when not regexp_full_match(duration, '{INT_RE}') then 'not a number in duration: ' || {_shown('duration')}",
            f"when not regexp_full_match(billsec, '{INT_RE}') then 'not a number in billsec: ' || {_shown('billsec')}",
        ]
    )
    return _csv_query(cols, checks)


def _value_check(c: Column, ref: str) -> str | None:
    """A CASE branch rejecting a value of the wrong kind, or None."""
    present = f"coalesce({ref}, '') <> ''"
    if c.kind == "int":
        test = f"not regexp_full_match({ref}, '{INT_RE}')"
        what = "not a whole number"
    elif c.kind == "number":
        test = f"not regexp_full_match({ref}, '{NUMBER_RE}')"
        what = "not a number"
    elif c.kind == "timestamp":
        test = f"try_cast({ref} as timestamp) is null"
        what = "timestamp does not parse"
    elif c.kind == "iso_ts":
        test = f"try_cast({ref} as timestamptz) is null"
        what = "timestamp does not parse"
    elif c.kind == "bool":
        test = f"lower({ref}) not in ('true', 'false', '1', '0')"
        what = "not true/false"
    elif c.kind == "currency":
        codes = ", ".join(lit(x) for x in sorted(ISO_4217))
        test = f"upper({ref}) not in ({codes})"
        what = "unknown currency"
    elif c.values:
        test = f"lower({ref}) not in ({', '.join(lit(v) for v in c.values)})"
        what = f"not one of {'/'.join(c.values)}"
    else:
        return None
    return f"when {present} and {test} then '{what} in {c.name}: ' || {_shown(ref)}"


def csv_with_header(source: Source, header: list[str]) -> str:
    """A CSV export with a header row, columns found by name; extra columns are ignored."""
    pos = {name: i + 1 for i, name in enumerate(header)}
    missing = [c.name for c in source.columns if c.required and c.name not in pos]
    out_cols = [f'null::varchar as "{c.name}"' for c in source.columns]
    if missing:
        return _all_rejected(f"file lacks required column(s): {', '.join(missing)}", ", ".join(out_cols))
    select_cols = ", ".join(
        (f'f[{pos[c.name]}] as "{c.name}"' if c.name in pos else f'null::varchar as "{c.name}"')
        for c in source.columns
    )
    branches: list[str] = []
    for c in source.columns:
        ref = f'"{c.name}"'
        if c.nonempty:
            branches.append(f"when coalesce({ref}, '') = '' then 'empty {c.name}'")
        check = _value_check(c, ref)
        if check:
            branches.append(check)
    for (src, survey), (low, high) in SCORE_RANGES.items():
        if src != source.name:
            continue
        cond = f"and lower(survey) = {lit(survey)}" if survey else ""
        label = f"{survey} " if survey else ""
        branches.append(
            f"when regexp_full_match(score, '{NUMBER_RE}') {cond} "
            f"and not (cast(score as double) between {low} and {high}) "
            f"then 'score out of range for {label}({low}-{high}): ' || score"
        )
    checks = "\n    ".join([_width_checks(len(header)), *branches])
    return _csv_query(select_cols, checks)
