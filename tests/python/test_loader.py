"""The landing-folder loader: formats, rejects, idempotency, appends, crashes (no dbt needed)."""

from __future__ import annotations

import csv
import random

import duckdb
import pytest

from orchestration.loading import loader as loader_module
from orchestration.loading import sql
from tests.python.conftest import FIXTURES, Warehouse, write

# Every event of the contract's table, with the data fields Asterisk writes (0 to 6).
EVERY_EVENT = [
    "1700000000|NONE|NONE|NONE|QUEUESTART|",
    "1700000001|MANAGER|q1|Local/1001@from-queue/n|ADDMEMBER|",
    "1700000001|MANAGER|q1|SIP/1002|ADDMEMBER|PAUSED",
    "1700000002|NONE|NONE|Agent/1003|AGENTLOGIN|PJSIP/1003-00000001",
    "1700000010|1700000010.1|q1|NONE|ENTERQUEUE||0612345678|1",
    "1700000011|1700000010.1|q1|Alice|RINGNOANSWER|15000",
    "1700000012|1700000010.1|q1|Bob|RINGCANCELED|2000",
    "1700000015|1700000010.1|q1|Alice|CONNECT|5|1700000010.2|3",
    "1700000075|1700000010.1|q1|Alice|COMPLETECALLER|5|60|1",
    "1700000076|1700000076.3|q1|Alice|COMPLETEAGENT|1|10|1",
    "1700000077|1700000077.4|q1|NONE|ABANDON|1|1|12",
    "1700000078|1700000078.5|q1|NONE|EXITWITHTIMEOUT|1|1|90",
    "1700000079|1700000079.6|q1|NONE|EXITEMPTY|1|1|3",
    "1700000080|1700000080.7|q1|NONE|EXITWITHKEY|0|2|2|40",
    "1700000081|1700000081.8|q1|NONE|WITHDRAW|1|1|30|left by API",
    "1700000082|1700000082.9|q1|Alice|TRANSFER|200|from-internal|4|70|1",
    "1700000083|1700000083.10|q1|Alice|BLINDTRANSFER|q2|xfer|4|71|1",
    "1700000084|1700000084.11|q1|Alice|ATTENDEDTRANSFER|BRIDGE|b251a3a7|4|72|1",
    "1700000085|1700000085.12|q1|Alice|ATTENDEDTRANSFER|LINK|Local/200@x|PJSIP/200-1|4|73|1",
    "1700000086|1700000086.13|q1|Alice|AGENTDUMP",
    "1700000087|1700000087.14|q1|NONE|SYSCOMPAT",
    "1700000088|NONE|NONE|Agent/1003|AGENTLOGOFF|PJSIP/1003-00000001|86",
    "1700000089|MANAGER|q1|SIP/1002|REMOVEMEMBER|",
    "1700000090|NONE|q1|Alice|PAUSE|Lunch",
    "1700000091|NONE|q1|Alice|UNPAUSE|",
    "1700000092|NONE|NONE|Alice|PAUSEALL|Break",
    "1700000093|NONE|NONE|Alice|UNPAUSEALL|",
    "1700000094|NONE|NONE|NONE|CONFIGRELOAD|",
    "1700000095|1700000095.15|q1|NONE|DID|5551000",
    "1700000096|NONE|q1|Alice|PENALTY|2",
    "1700000097|NONE|q1|Alice|RINGINUSE|1",
    "1700000098|1700000098.16|q1|NONE|OUTCALL|a|b|c|d|e|f|g|h",
    "1700000099|1700000099.17|q1|NONE|MY_CUSTOM_EVENT|x",
    "1700000100.5|pbx-01-1700000100.18|q1|NONE|ENTERQUEUE||+49 (30) 1234-5678|1",
]


def test_every_event_loads_with_its_fields(wh: Warehouse) -> None:
    write(wh.landing / "asterisk" / "queue_log", "\n".join(EVERY_EVENT) + "\n")
    assert wh.load(["queue_log"]) == {"queue_log": (len(EVERY_EVENT), 0)}
    rows = wh.rows(
        "select _line_no, time, callid, event, data1, data6, data_extra from raw.queue_log order by 1"
    )
    assert [r[0] for r in rows] == list(range(1, len(EVERY_EVENT) + 1))
    by_event = {r[3]: r for r in rows}
    assert by_event["MY_CUSTOM_EVENT"][4] == "x"  # custom events are kept
    assert by_event["AGENTDUMP"][4] is None  # zero data fields
    link = [r for r in rows if r[3] == "ATTENDEDTRANSFER"][-1]
    assert link[4] == "LINK" and link[5] == "1"  # six data fields
    outcall = by_event["OUTCALL"]
    assert outcall[6] == "g|h"  # fields past six are kept, joined
    fractional = rows[-1]
    assert fractional[1] == "1700000100.5" and fractional[2] == "pbx-01-1700000100.18"


@pytest.mark.parametrize(
    ("line", "reason_start"),
    [
        ("1700000000|cid|q1|NONE", "too few fields: 4"),
        ("abc|cid|q1|NONE|ENTERQUEUE||1|1", "epoch is not a number"),
        ("1700000000|cid|q1|NONE||x", "event name is empty or not an upper-case word"),
        ("1700000000|cid|q1|NONE|enterqueue||1|1", "event name is empty or not an upper-case word"),
        ("1700000000|cid|q1|Alice|CONNECT|abc|x|3", "not a number in data1 (hold s) of CONNECT"),
        ("1700000000|cid|q1|Alice|CONNECT", "too few fields for CONNECT: data1 (hold s) is missing"),
        ("1700000000|cid|q1|Alice|COMPLETECALLER|5", "too few fields for COMPLETECALLER: data2 (talk s)"),
        ("1700000000|cid|q1|NONE|ABANDON|1|1", "too few fields for ABANDON: data3 (wait s)"),
        ("1700000000|cid|q1|NONE|EXITWITHKEY|0|1|1|soon", "not a number in data4 (wait s) of EXITWITHKEY"),
        ("1700000000|cid|q1|Alice|RINGNOANSWER|", "not a number in data1 (ring time ms) of RINGNOANSWER"),
        ("1700000000|cid|q1|Alice|ATTENDEDTRANSFER|LINK|a|b|x|73|1", "not a number in data4 (hold s)"),
    ],
)
def test_bad_queue_log_lines_are_rejected_with_reason(wh: Warehouse, line: str, reason_start: str) -> None:
    good = "1700000000|NONE|NONE|NONE|QUEUESTART|"
    write(wh.landing / "asterisk" / "queue_log", f"{good}\n{line}\n1700000001|c2|q1|NONE|ENTERQUEUE||1|1\n")
    assert wh.load(["queue_log"]) == {"queue_log": (2, 1)}
    (reject,) = wh.rows("select file, line_no, raw_text, reason from raw.rejects")
    assert reject[0] == "asterisk/queue_log"
    assert reject[1] == 2
    assert reject[2] == line
    assert reject[3].startswith(reason_start), reject[3]


def test_duplicates_within_and_across_files(wh: Warehouse) -> None:
    lines = ["1700000000|c1|q1|NONE|ENTERQUEUE||1|1", "1700000005|c1|q1|NONE|ABANDON|1|1|5"]
    write(wh.landing / "asterisk" / "queue_log", "\n".join([lines[0], lines[0], lines[1]]) + "\n")
    write(
        wh.landing / "asterisk" / "queue_log-20231114", lines[1] + "\n1700000009|c9|q1|NONE|ENTERQUEUE||1|1\n"
    )
    assert wh.load(["queue_log"]) == {"queue_log": (3, 2)}
    rejects = wh.rows("select file, line_no, reason from raw.rejects order by file")
    assert rejects == [
        ("asterisk/queue_log", 2, "duplicate of line 1 of this file"),
        ("asterisk/queue_log-20231114", 1, "duplicate of a line already loaded"),
    ]


def test_blank_lines_and_crlf_keep_physical_line_numbers(wh: Warehouse) -> None:
    write(wh.landing / "asterisk" / "queue_log", "1700000000|c1|q1|NONE|ENTERQUEUE||1|1\r\n\r\nbad\r\n")
    assert wh.load(["queue_log"]) == {"queue_log": (1, 1)}
    assert wh.rows("select line_no, raw_text from raw.rejects") == [(3, "bad")]
    assert wh.rows("select data3 from raw.queue_log") == [("1",)]


def test_mixed_line_ends_and_a_stray_carriage_return_load_line_by_line(wh: Warehouse) -> None:
    """CRLF and LF lines in one file, and a CR inside a line (kept: it is not a line end)."""
    write(
        wh.landing / "asterisk" / "queue_log",
        "1700000000|c1|q1|NONE|ENTERQUEUE||1|1\r\n1700000001|c2|q1|NONE|ENTERQUEUE||1|1\n"
        "1700000002|c3|q1|NONE|ENTERQUEUE|a\rb|1|1\r\n",
    )
    assert wh.load(["queue_log"]) == {"queue_log": (3, 0)}
    assert wh.rows("select _line_no, callid, data1 from raw.queue_log order by 1") == [
        (1, "c1", ""),
        (2, "c2", ""),
        (3, "c3", "a\rb"),
    ]


def test_same_file_twice_adds_nothing(wh: Warehouse) -> None:
    write(wh.landing / "asterisk" / "queue_log", "\n".join(EVERY_EVENT) + "\n")
    wh.load()
    assert wh.load() == {"queue_log": (0, 0)}
    assert wh.rows("select count(*) from raw.queue_log") == [(len(EVERY_EVENT),)]
    # a copy under another name is recognised by content
    write(wh.landing / "asterisk" / "queue_log.1", "\n".join(EVERY_EVENT) + "\n")
    assert wh.load() == {"queue_log": (0, 0)}
    assert wh.rows("select count(*) from raw.rejects") == [(0,)]


def test_grown_queue_log_loads_only_new_lines(wh: Warehouse) -> None:
    path = write(wh.landing / "asterisk" / "queue_log", "\n".join(EVERY_EVENT[:10]) + "\n")
    assert wh.load() == {"queue_log": (10, 0)}
    with path.open("a") as handle:
        handle.write("\n".join(EVERY_EVENT[10:20]) + "\n")
    assert wh.load() == {"queue_log": (10, 0)}
    assert wh.rows("select count(*), count(distinct _line_no), max(_line_no) from raw.queue_log") == [
        (20, 20, 20)
    ]
    (manifest,) = wh.rows("select lines_loaded, byte_offset, size_bytes, partial_line from raw.load_manifest")
    assert manifest == (20, path.stat().st_size, path.stat().st_size, False)


def test_unterminated_last_line_is_replaced_when_completed(wh: Warehouse) -> None:
    path = write(
        wh.landing / "asterisk" / "queue_log", "1700000000|c1|q1|NONE|ENTERQUEUE||1|1\n1700000005|c1|q1|NO"
    )
    assert wh.load() == {"queue_log": (1, 1)}  # the half line cannot be read yet
    with path.open("a") as handle:
        handle.write("NE|ABANDON|1|1|5\n1700000009|c9|q1|NONE|ENTERQUEUE||1|1")
    assert wh.load() == {"queue_log": (2, 0)}
    assert wh.rows("select _line_no, event from raw.queue_log order by 1") == [
        (1, "ENTERQUEUE"),
        (2, "ABANDON"),
        (3, "ENTERQUEUE"),
    ]
    assert wh.rows("select count(*) from raw.rejects") == [(0,)]


def test_rotated_file_loads_only_what_was_not_loaded(wh: Warehouse) -> None:
    live = wh.landing / "asterisk" / "queue_log"
    write(live, "\n".join(EVERY_EVENT[:5]) + "\n")
    wh.load()
    # logrotate: the live file (grown meanwhile) becomes queue_log.1, a new one starts
    live.rename(wh.landing / "asterisk" / "queue_log.1")
    with (wh.landing / "asterisk" / "queue_log.1").open("a") as handle:
        handle.write("\n".join(EVERY_EVENT[5:8]) + "\n")
    write(live, "\n".join(EVERY_EVENT[8:12]) + "\n")
    assert wh.load() == {"queue_log": (7, 0)}
    assert wh.rows("select count(*) from raw.queue_log") == [(12,)]


def test_crash_mid_file_leaves_nothing_and_next_run_loads_it_whole(wh: Warehouse, monkeypatch) -> None:
    write(wh.landing / "asterisk" / "queue_log", "\n".join(EVERY_EVENT) + "\n")
    original = loader_module.Loader._load_lines
    written = {}

    def crash_after_rows_are_written(self, *args, **kwargs):
        original(self, *args, **kwargs)
        written["rows"] = self.con.execute("select count(*) from raw.queue_log").fetchone()[0]
        raise RuntimeError("power cut")

    monkeypatch.setattr(loader_module.Loader, "_load_lines", crash_after_rows_are_written)
    with pytest.raises(RuntimeError):
        wh.load()
    assert written["rows"] == len(EVERY_EVENT)  # the rows were in, inside the transaction
    monkeypatch.setattr(loader_module.Loader, "_load_lines", original)
    assert wh.rows("select count(*) from raw.queue_log") == [(0,)]
    assert wh.rows("select count(*) from raw.load_manifest") == [(0,)]
    assert wh.load() == {"queue_log": (len(EVERY_EVENT), 0)}


def test_undecodable_bytes_fall_back_and_still_load(wh: Warehouse) -> None:
    path = wh.landing / "asterisk" / "queue_log"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"1700000000|c1|q1|NONE|ENTERQUEUE||M\xfcller|1\n1700000001|c1|q1|NONE|ABANDON|1|1|1\n")
    assert wh.load() == {"queue_log": (2, 0)}
    assert wh.rows("select data2 from raw.queue_log where event = 'ENTERQUEUE'") == [("M\ufffdller",)]


def test_queue_log_database_exports_load_as_the_same_events(wh: Warehouse) -> None:
    write(
        wh.landing / "asterisk" / "queue_log_export.csv",
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2023-11-14 22:13:20,c1,q1,NONE,ENTERQUEUE,,0612345678,1,,\n"
        '2023-11-14 22:13:25.500000,c1,q1,"King, Judy",CONNECT,5,c1.2,3,,\n'
        "not a time,c1,q1,NONE,ABANDON,1,1,5,,\n",
    )
    write(
        wh.landing / "asterisk" / "queue_log_single.csv",
        "time,callid,queuename,agent,event,data\n2023-11-14 22:14:00,c2,q1,Alice,COMPLETECALLER,5|60|1\n",
    )
    assert wh.load() == {"queue_log": (3, 1)}
    rows = wh.rows("select callid, agent, event, data1, data2, data3 from raw.queue_log order by time")
    assert rows == [
        ("c1", "NONE", "ENTERQUEUE", None, "0612345678", "1"),
        ("c1", "King, Judy", "CONNECT", "5", "c1.2", "3"),
        ("c2", "Alice", "COMPLETECALLER", "5", "60", "1"),
    ]
    assert wh.rows("select line_no, reason from raw.rejects") == [
        (4, "timestamp does not parse in time: 'not a time'")
    ]


CDR_16 = '"","0612345678","100","from-pstn","""Caller"" <0612345678>","SIP/trunk-1","SIP/100-2","Dial","SIP/100,30","2023-11-14 22:13:20","2023-11-14 22:13:25","2023-11-14 22:14:20",60,55,"ANSWERED","DOCUMENTATION"'


@pytest.mark.parametrize(
    "extra", ["", ',"1700000000.1"', ',"1700000000.1","vip"', ',"1700000000.1","vip","","1700000000.1","7"']
)
def test_cdr_of_every_width_loads(wh: Warehouse, extra: str) -> None:
    write(wh.landing / "asterisk" / "Master.csv", CDR_16 + extra + "\n")
    assert wh.load() == {"cdr": (1, 0)}
    (row,) = wh.rows('select clid, lastdata, "end", billsec, uniqueid, sequence from raw.cdr')
    assert row[:4] == ('"Caller" <0612345678>', "SIP/100,30", "2023-11-14 22:14:20", "55")
    assert row[4] == ("1700000000.1" if extra else None)
    assert row[5] == ("7" if extra.endswith('"7"') else None)


@pytest.mark.parametrize(
    ("line", "reason_start"),
    [
        (CDR_16 + ',"x","y","z"', "unexpected number of fields: 19"),
        ('"","0612345678","100"', "too few fields: 3"),
        (CDR_16.replace(",60,55,", ",sixty,55,"), "not a number in duration"),
        (CDR_16.replace("2023-11-14 22:13:20", "yesterday"), "timestamp does not parse in start"),
        (CDR_16.replace('"ANSWERED"', 'ANS"WERED'), "malformed CSV quoting"),
    ],
)
def test_bad_cdr_lines_are_rejected(wh: Warehouse, line: str, reason_start: str) -> None:
    write(wh.landing / "asterisk" / "Master.csv", f"{CDR_16}\n{line}\n")
    assert wh.load() == {"cdr": (1, 1)}
    (reason,) = wh.rows("select reason from raw.rejects")[0]
    assert reason.startswith(reason_start), reason


def test_quoting_lines_split_alike_each_way() -> None:
    """The split at quote characters gives the RFC 4180 regular expression's fields and verdict on
    every line, and on a well-formed one the fields Python's csv module reads."""
    rng = random.Random(4180)
    alphabet = ['"', '"', ",", ",", "a", "b", " ", '""']
    made = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20_000)}
    lines = sorted(line for line in made if '"' in line)
    con = duckdb.connect()
    con.execute("create table _lines as select unnest($1) as line", [lines])
    by_parts = con.execute(
        f"select line, {sql._QUOTE_PARTS_FIELDS}, {sql._QUOTE_PARTS_WELLFORMED} "
        "from (select line, string_split(line, '\"') as parts from _lines) order by line"
    ).fetchall()
    by_regex = con.execute(
        f"select line, {sql._csv_unquoted('pieces')}, {sql._csv_wellformed('pieces', 'line')} "
        f"from (select line, {sql._csv_pieces('line')} as pieces from _lines) order by line"
    ).fetchall()
    wellformed = [row for row in by_parts if row[2]]
    assert len(by_parts) == len(lines) and 1_000 < len(wellformed) < len(lines) - 1_000
    assert [(r[0], r[2]) for r in by_parts] == [(r[0], r[2]) for r in by_regex]
    assert [r[:2] for r in by_parts if r[2]] == [r[:2] for r in by_regex if r[2]]
    for line, fields, _ in wellformed:
        assert fields == next(csv.reader([line], strict=True)), line


def test_a_quoting_line_with_a_unit_separator_keeps_its_fields(wh: Warehouse) -> None:
    odd = CDR_16.replace('"SIP/trunk-1"', '"SIP/trunk,\x1f1"')
    write(wh.landing / "asterisk" / "Master.csv", f"{CDR_16}\n{odd}\n")
    assert wh.load() == {"cdr": (2, 0)}
    assert wh.rows("select channel, clid, lastdata from raw.cdr order by _line_no") == [
        ("SIP/trunk-1", '"Caller" <0612345678>', "SIP/100,30"),
        ("SIP/trunk,\x1f1", '"Caller" <0612345678>', "SIP/100,30"),
    ]


def test_vicidial_exports_with_extra_and_missing_columns(wh: Warehouse) -> None:
    write(
        wh.landing / "dialer" / "vicidial_list.csv",
        "lead_id,entry_date,modify_date,list_id,status,phone_number,called_count,vendor_lead_code\n"
        "1,2023-11-01 08:00:00,2023-11-02 08:00:00,101,NEW,0612345678,0,V1\n"
        "2,2023-11-01 08:00:00,2023-11-02 08:00:00,101,SALE,0612345679,three,V2\n",
    )
    write(
        wh.landing / "dialer" / "vicidial_log.csv",
        "uniqueid,lead_id,list_id,campaign_id,call_date,start_epoch,end_epoch,length_in_sec,status,phone_number,user,term_reason,alt_dial\n"
        "1698825600.1,1,101,CAMP1,2023-11-01 09:00:00,1698829200,1698829260,60,SALE,0612345678,vd1,AGENT,MAIN\n",
    )
    assert wh.load() == {"vicidial_list": (1, 1), "vicidial_log": (1, 0)}
    assert wh.rows("select lead_id, list_id, campaign_id from raw.vicidial_list") == [("1", "101", None)]
    assert wh.rows("select line_no, reason from raw.rejects") == [
        (3, "not a whole number in called_count: 'three'")
    ]


def test_file_without_a_required_column_is_rejected_line_by_line(wh: Warehouse) -> None:
    write(wh.landing / "dialer" / "vicidial_log.csv", "uniqueid,lead_id\n1,2\n3,4\n")
    assert wh.load() == {"vicidial_log": (0, 2)}
    reasons = wh.rows("select line_no, reason from raw.rejects order by 1")
    assert [r[0] for r in reasons] == [2, 3]
    assert reasons[0][1].startswith("file lacks required column(s): list_id, campaign_id, call_date")


@pytest.mark.parametrize(
    ("source_file", "header", "bad", "reason"),
    [
        (
            "crm/orders.csv",
            "order_id,order_ts,client_id,campaign_id,lead_id,customer_id,agent,amount,cost,currency,items_count,status",
            "O2,2023-11-01T10:00:00Z,acme,,,C1,,10.00,,XYZ,1,paid",
            "unknown currency in currency: 'XYZ'",
        ),
        (
            "crm/orders.csv",
            "order_id,order_ts,client_id,campaign_id,lead_id,customer_id,agent,amount,cost,currency,items_count,status",
            "O2,2023-11-01T10:00:00Z,acme,,,C1,,ten,,EUR,1,paid",
            "not a number in amount: 'ten'",
        ),
        (
            "crm/contacts.csv",
            "contact_id,contact_ts,channel,direction,customer_id,case_id,agent,queue,campaign_id,callid,resolved",
            "K2,2023-13-45T10:00:00Z,chat,inbound,C1,,,,,,true",
            "timestamp does not parse in contact_ts",
        ),
        (
            "crm/surveys.csv",
            "response_id,response_ts,contact_id,survey,score",
            "S2,2023-11-01T10:00:00+02:00,K1,csat,6",
            "score out of range for csat (1-5): 6",
        ),
        (
            "crm/cases.csv",
            "case_id,customer_id,client_id,category,opened_ts,closed_ts,status",
            "X2,C1,acme,billing,2023-11-01T10:00:00Z,,pending",
            "not one of open/resolved/closed_unresolved in status",
        ),
        (
            "wfm/schedules.csv",
            "agent,start_ts,end_ts,activity",
            "1001,2023-11-01T08:00:00Z",
            "too few fields: 2 (header has 4)",
        ),
        (
            "hr/esat.csv",
            "response_id,response_ts,agent,team,score",
            "E2,2023-11-01T10:00:00Z,1001,t1,9",
            "score out of range for (1-5): 9",
        ),
    ],
)
def test_bad_crm_rows_are_rejected(
    wh: Warehouse, source_file: str, header: str, bad: str, reason: str
) -> None:
    good = {
        "crm/orders.csv": "O1,2023-11-01T10:00:00Z,acme,,,C1,,10.00,,EUR,1,paid",
        "crm/contacts.csv": "K1,2023-11-01T10:00:00Z,chat,inbound,C1,,,,,,true",
        "crm/surveys.csv": "S1,2023-11-01T10:00:00Z,K1,nps,10",
        "crm/cases.csv": "X1,C1,acme,billing,2023-11-01T10:00:00Z,,open",
        "wfm/schedules.csv": "1001,2023-11-01T08:00:00Z,2023-11-01T16:00:00Z,work",
        "hr/esat.csv": "E1,2023-11-01T10:00:00Z,1001,t1,4",
    }[source_file]
    write(wh.landing / source_file, f"{header}\n{good}\n{bad}\n")
    loaded = wh.load()
    assert list(loaded.values()) == [(1, 1)]
    assert wh.rows("select line_no, raw_text from raw.rejects") == [(3, bad)]
    (got,) = wh.rows("select reason from raw.rejects")[0]
    assert got.startswith(reason), got


def test_real_asterisk_22_files_load_without_rejects(wh: Warehouse) -> None:
    for name in ("queue_log", "Master.csv"):
        (wh.landing / "asterisk").mkdir(exist_ok=True)
        (wh.landing / "asterisk" / name).write_bytes((FIXTURES / "asterisk-22" / name).read_bytes())
    assert wh.load() == {"queue_log": (222, 0), "cdr": (180, 0)}
    assert wh.rows("select count(*) from raw.queue_log where event = 'ATTENDEDTRANSFER'") == [(1,)]


def _loaded_and_rejected(wh: Warehouse, table: str) -> tuple[list[tuple], list[tuple]]:
    rows = wh.rows(f"select * exclude (_file_id) from {table} order by _file_id, _line_no")
    rejects = wh.rows("select file, line_no, raw_text, reason from raw.rejects order by file, line_no")
    return rows, rejects


def _batched(monkeypatch, batch_bytes: int) -> list[int]:
    """Batches of about batch_bytes (read in pieces of a quarter of that); returns the list each
    load's batch count is appended to."""
    counts: list[int] = []
    original = loader_module._batches

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(0)
        for batch in original(*args, **kwargs):
            counts[-1] += 1
            yield batch

    monkeypatch.setattr(loader_module, "BATCH_BYTES", batch_bytes)
    monkeypatch.setattr(loader_module, "CHUNK_BYTES", max(batch_bytes // 4, 1))
    monkeypatch.setattr(loader_module, "_batches", counted)
    return counts


@pytest.mark.parametrize("variant", ["plain", "crlf", "undecodable"])
def test_a_file_loaded_in_batches_gives_what_one_batch_gives(tmp_path, monkeypatch, variant: str) -> None:
    """Duplicates across batches (of this file, of a line loaded before, of a line rejected as
    loaded before), bad lines, blank lines and an unterminated last line, with LF or CRLF line
    ends. Undecodable bytes in a late batch send the whole load again to the slower reader."""
    earlier = "1700000000|c0|q1|NONE|ENTERQUEUE||1|1"
    body = [EVERY_EVENT[0], earlier, "not a line", "", *EVERY_EVENT[1:20], EVERY_EVENT[0], earlier]
    body += [*EVERY_EVENT[20:], "1700000200|c9|q1|NONE|ENTERQUEUE||Müller|1", EVERY_EVENT[3], earlier]
    newline = "\r\n" if variant == "crlf" else "\n"
    text = (newline.join(body) + newline + "1700000300|c9|q1|NONE|ABANDON|1|1|5").encode()
    if variant == "undecodable":
        text = text.replace("Müller".encode(), b"M\xfcller")
    results = []
    for batch_bytes in (loader_module.BATCH_BYTES, 200):
        (tmp_path / str(batch_bytes)).mkdir()
        wh = Warehouse(tmp_path / str(batch_bytes))
        counts = _batched(monkeypatch, batch_bytes)
        write(wh.landing / "asterisk" / "queue_log.1", earlier + "\n")
        assert wh.load() == {"queue_log": (1, 0)}
        (wh.landing / "asterisk" / "queue_log").write_bytes(text)
        assert wh.load() == {"queue_log": (len(EVERY_EVENT) + 2, 6)}
        results.append((counts, _loaded_and_rejected(wh, "raw.queue_log")))
        monkeypatch.undo()
    (one_batch, (rows, rejects)), (batched, batched_result) = results
    # the earlier file's load, then this one's: again after the fast reader failed (at a late batch)
    loads = 3 if variant == "undecodable" else 2
    assert one_batch == [1] * loads and len(batched) == loads and batched[-1] > 5, batched
    if variant == "undecodable":
        assert 1 < batched[1] < batched[2], batched
    assert batched_result == (rows, rejects)
    assert [(r[1], r[3]) for r in rejects] == [
        (2, "duplicate of a line already loaded"),
        (3, "too few fields: 1 (a queue_log line has at least epoch|callid|queuename|agent|event)"),
        (24, "duplicate of line 1 of this file"),
        (25, "duplicate of line 2 of this file"),
        (41, "duplicate of line 7 of this file"),
        (42, "duplicate of line 2 of this file"),
    ]
    assert rows[-1][-2:-1] == (43,) and rows[-1][4] == "ABANDON"  # the unterminated last line, loaded


def test_a_grown_file_loads_its_new_lines_in_batches(tmp_path, monkeypatch) -> None:
    """An append to a file loaded before (its unterminated line completed) in many batches."""
    wh = Warehouse(tmp_path)
    path = write(wh.landing / "asterisk" / "queue_log", "\n".join(EVERY_EVENT[:10]) + "\n1700000005|c1|q1|NO")
    assert wh.load() == {"queue_log": (10, 1)}
    counts = _batched(monkeypatch, 200)
    with path.open("a") as handle:
        handle.write("NE|ABANDON|1|1|5\n" + "\n".join([*EVERY_EVENT[10:], EVERY_EVENT[2]]) + "\n")
    assert wh.load() == {"queue_log": (len(EVERY_EVENT) - 10 + 1, 1)}
    assert counts[0] > 3
    assert wh.rows("select count(*), min(_line_no), max(_line_no) from raw.queue_log") == [
        (len(EVERY_EVENT) + 1, 1, len(EVERY_EVENT) + 1)
    ]
    assert wh.rows("select line_no, reason from raw.rejects") == [
        (len(EVERY_EVENT) + 2, "duplicate of a line already loaded")  # loaded by the run before
    ]


def test_a_csv_loaded_in_batches_reads_its_header_once(tmp_path, monkeypatch) -> None:
    """The header is line 1 of the first batch only; a bad row and a duplicate in late batches."""
    header = "lead_id,entry_date,modify_date,list_id,status,phone_number,called_count"
    rows = [f"{i},2023-11-01 08:00:00,2023-11-02 08:00:00,101,NEW,06123456{i:02d},0" for i in range(1, 21)]
    rows += ["21,2023-11-01 08:00:00,2023-11-02 08:00:00,101,NEW,0612345621,three", rows[0]]
    results = []
    for batch_bytes in (loader_module.BATCH_BYTES, 200):
        (tmp_path / str(batch_bytes)).mkdir()
        wh = Warehouse(tmp_path / str(batch_bytes))
        counts = _batched(monkeypatch, batch_bytes)
        write(wh.landing / "dialer" / "vicidial_list.csv", "\n".join([header, *rows]) + "\n")
        assert wh.load() == {"vicidial_list": (20, 2)}
        results.append((counts, _loaded_and_rejected(wh, "raw.vicidial_list")))
        monkeypatch.undo()
    (one_batch, one_result), (batched, batched_result) = results
    assert one_batch == [1] and batched[0] > 5, batched
    assert batched_result == one_result
    assert [(r[1], r[3]) for r in one_result[1]] == [
        (22, "not a whole number in called_count: 'three'"),
        (23, "duplicate of line 2 of this file"),
    ]
