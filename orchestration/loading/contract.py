"""The data contract (``shared/spec/data-contract.md``) as data: every source, its files and columns.

Raw tables keep every field as text, exactly as the file had it; the loader only
checks that a field *can* be read (numbers, timestamps, known values) so that
staging casts never fail, and sends rows that cannot to ``raw.rejects``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Active ISO 4217 codes (2025). Orders with any other currency are rejected.
ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VED",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)


@dataclass(frozen=True)
class Column:
    """One column of a source file.

    kind: ``text``; ``int`` (digits); ``number`` (decimal, may be negative);
    ``timestamp`` (``YYYY-MM-DD HH:MM:SS[.f]``, local time); ``iso_ts`` (ISO-8601,
    UTC unless it carries an offset); ``bool`` (true/false); ``currency``.
    """

    name: str
    kind: str = "text"
    required: bool = True  # must be a column of the file
    nonempty: bool = False  # an empty value is a bad row
    values: tuple[str, ...] = ()  # allowed values (case-insensitive), empty = any

    @property
    def optional_value(self) -> bool:
        return not self.nonempty


def col(
    name: str,
    kind: str = "text",
    *,
    nonempty: bool = True,
    required: bool = True,
    values: tuple[str, ...] = (),
) -> Column:
    return Column(name, kind, required=required, nonempty=nonempty, values=values)


def opt(name: str, kind: str = "text", values: tuple[str, ...] = ()) -> Column:
    """A column whose value may be empty."""
    return Column(name, kind, required=True, nonempty=False, values=values)


@dataclass(frozen=True)
class Source:
    """One source of the landing folder and the raw table it loads into."""

    name: str  # also the raw table's name and the Dagster asset's name
    folder: str
    patterns: tuple[str, ...]
    fmt: str  # queue_log | cdr | csv
    columns: tuple[Column, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def table(self) -> str:
        return f"raw.{self.name}"


QUEUE_LOG_COLUMNS = (
    "time",
    "callid",
    "queuename",
    "agent",
    "event",
    "data1",
    "data2",
    "data3",
    "data4",
    "data5",
    "data6",
    "data_extra",
)

CDR_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
    "peeraccount",
    "linkedid",
    "sequence",
)
CDR_WIDTHS = (16, 17, 18, 21)

SOURCES: tuple[Source, ...] = (
    Source(
        "queue_log",
        "asterisk",
        ("queue_log*",),
        "queue_log",
        description="Asterisk queue_log events (native `|` file or a database CSV export).",
    ),
    Source(
        "cdr",
        "asterisk",
        ("Master*.csv",),
        "cdr",
        description="Asterisk cdr_csv call detail records (16, 17, 18 or 21 columns, no header).",
    ),
    Source(
        "vicidial_list",
        "dialer",
        ("vicidial_list*.csv",),
        "csv",
        (
            col("lead_id", "int"),
            col("entry_date", "timestamp"),
            col("list_id", "int"),
            opt("status"),
            opt("phone_number"),
            col("called_count", "int"),
            Column("campaign_id", required=False),
        ),
        "VICIdial leads export: one row a lead (database record).",
    ),
    Source(
        "vicidial_log",
        "dialer",
        ("vicidial_log*.csv",),
        "csv",
        (
            col("uniqueid"),
            col("lead_id", "int"),
            col("list_id", "int"),
            opt("campaign_id"),
            col("call_date", "timestamp"),
            col("start_epoch", "int"),
            opt("end_epoch", "int"),
            opt("length_in_sec", "int"),
            col("status"),
            opt("phone_number"),
            opt("user"),
            opt("term_reason"),
        ),
        "VICIdial outbound call log export: one row a dial attempt.",
    ),
    Source(
        "crm_contacts",
        "crm",
        ("contacts*.csv",),
        "csv",
        (
            col("contact_id"),
            col("contact_ts", "iso_ts"),
            col("channel"),
            col("direction", values=("inbound", "outbound")),
            opt("customer_id"),
            opt("case_id"),
            opt("agent"),
            opt("queue"),
            opt("campaign_id"),
            opt("callid"),
            opt("resolved", "bool"),
        ),
        "CRM contacts on every channel.",
    ),
    Source(
        "crm_cases",
        "crm",
        ("cases*.csv",),
        "csv",
        (
            col("case_id"),
            opt("customer_id"),
            opt("client_id"),
            opt("category"),
            col("opened_ts", "iso_ts"),
            opt("closed_ts", "iso_ts"),
            col("status", values=("open", "resolved", "closed_unresolved")),
        ),
        "CRM cases (tickets).",
    ),
    Source(
        "crm_orders",
        "crm",
        ("orders*.csv",),
        "csv",
        (
            col("order_id"),
            col("order_ts", "iso_ts"),
            opt("client_id"),
            opt("campaign_id"),
            opt("lead_id"),
            opt("customer_id"),
            opt("agent"),
            col("amount", "number"),
            opt("cost", "number"),
            col("currency", "currency"),
            col("items_count", "int"),
            col("status", values=("paid", "cancelled", "refunded")),
        ),
        "CRM sales orders.",
    ),
    Source(
        "crm_surveys",
        "crm",
        ("surveys*.csv",),
        "csv",
        (
            col("response_id"),
            col("response_ts", "iso_ts"),
            opt("contact_id"),
            col("survey", values=("csat", "nps")),
            col("score", "number"),
        ),
        "CSAT and NPS answers.",
    ),
    Source(
        "wfm_schedules",
        "wfm",
        ("schedules*.csv",),
        "csv",
        (
            col("agent"),
            col("start_ts", "iso_ts"),
            col("end_ts", "iso_ts"),
            col("activity", values=("work", "break", "lunch", "training", "meeting", "off")),
        ),
        "WFM agent schedules.",
    ),
    Source(
        "hr_esat",
        "hr",
        ("esat*.csv",),
        "csv",
        (
            col("response_id"),
            col("response_ts", "iso_ts"),
            opt("agent"),
            opt("team"),
            col("score", "number"),
        ),
        "Employee satisfaction answers.",
    ),
)

SOURCES_BY_NAME = {s.name: s for s in SOURCES}

# Score ranges checked at load (a score outside its scale cannot be read as an answer).
SCORE_RANGES = {("crm_surveys", "csat"): (1, 5), ("crm_surveys", "nps"): (0, 10), ("hr_esat", None): (1, 5)}


def table_columns(source: Source) -> tuple[str, ...]:
    """The raw table's data columns (all text), in order."""
    if source.fmt == "queue_log":
        return QUEUE_LOG_COLUMNS
    if source.fmt == "cdr":
        return CDR_COLUMNS
    return tuple(c.name for c in source.columns)


# queue_log: which data fields each event must carry, and which must be numbers.
# (required numeric fields, optional numeric fields); positions are data field numbers 1..6.
QUEUE_LOG_NUMERIC: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "RINGNOANSWER": ((1,), ()),
    "RINGCANCELED": ((1,), ()),
    "CONNECT": ((1,), (3,)),
    "COMPLETECALLER": ((1, 2), (3,)),
    "COMPLETEAGENT": ((1, 2), (3,)),
    "ABANDON": ((3,), (1, 2)),
    "EXITWITHTIMEOUT": ((3,), (1, 2)),
    "EXITEMPTY": ((3,), (1, 2)),
    "EXITWITHKEY": ((4,), (2, 3)),
    "WITHDRAW": ((3,), (1, 2)),
    "TRANSFER": ((3, 4), (5,)),
    "BLINDTRANSFER": ((3, 4), (5,)),
    "AGENTLOGOFF": ((), (2,)),
    "ENTERQUEUE": ((), (3,)),
}
# ATTENDEDTRANSFER: hold/talk in data3/data4, or data4/data5 when data1 is LINK.
ATTENDED_NUMERIC = ((3, 4), (5,))
ATTENDED_LINK_NUMERIC = ((4, 5), (6,))
