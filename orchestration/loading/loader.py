"""Incremental, idempotent loading of landing files into ``raw`` tables.

How a file is loaded:

* A manifest row per file records its size, a hash of the bytes loaded so far,
  the hash of its first line, the byte offset of the end of its last complete
  line and how many lines were read. A file is recognised by content, not by
  name: a rotated ``queue_log.1`` whose start matches what was loaded as
  ``queue_log`` loads only the lines past that point.
* Python reads the new bytes in newline-aligned chunks; DuckDB splits them into
  numbered lines, parses, validates and routes each line to the raw table or to
  ``raw.rejects`` (file, physical 1-based line number, raw text, reason). A big file
  goes in batches of about ``BATCH_BYTES``, so memory stays flat in the file's size
  (a quarter's queue_log is gigabytes); a line repeating one of an earlier batch is
  rejected as it would be in one batch.
* A last line without its newline is loaded, and remembered as partial: when
  the file grows, that row is replaced by the completed line.
* Each file's load is one transaction: a crash leaves nothing of it behind.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import sql
from .contract import SOURCES, Source, table_columns

CHUNK_BYTES = 16 * 1024 * 1024
# new bytes of a file parsed at once: about 4 M queue_log lines, a few hundred MB of DuckDB memory
BATCH_BYTES = 256 * 1024 * 1024
FIRST_LINE_MAX = 64 * 1024

Progress = Callable[[str], None]
ALREADY_LOADED = "duplicate of a line already loaded"
EARLIER_DUPLICATES = "_earlier_duplicates"  # this load's lines rejected as ALREADY_LOADED, by batch


class _Unreadable(Exception):
    """DuckDB's reader could not split the file into lines (not UTF-8, mixed line ends, a stray CR)."""


@dataclass
class FileResult:
    path: str
    status: str  # loaded | appended | unchanged | empty
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0


@dataclass
class SourceResult:
    source: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def found(self) -> bool:
        return bool(self.files)


def _quiet(_: str) -> None:
    return None


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` schema, every raw table, the manifest and the rejects table."""
    con.execute("create schema if not exists raw")
    con.execute("""
        create table if not exists raw.load_manifest (
            file_id integer primary key, source varchar not null, path varchar not null,
            size_bytes bigint not null, content_hash varchar not null, first_line_hash varchar not null,
            byte_offset bigint not null, lines_loaded bigint not null, partial_line boolean not null,
            rows_loaded bigint not null, rows_rejected bigint not null,
            first_loaded_at timestamp not null, last_loaded_at timestamp not null)""")
    con.execute("""
        create table if not exists raw.rejects (
            source varchar not null, file varchar not null, file_id integer not null,
            line_no bigint not null, raw_text varchar, reason varchar not null, rejected_at timestamp not null)""")
    for source in SOURCES:
        cols = ", ".join(f'"{c}" varchar' for c in table_columns(source))
        con.execute(f"""create table if not exists {source.table} (
            {cols}, _file_id integer not null, _line_no bigint not null, _line_hash uhugeint not null)""")


def _sha256(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    remaining = length
    with path.open("rb") as handle:
        while remaining > 0:
            block = handle.read(min(remaining, 8 * 1024 * 1024))
            if not block:
                break
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest()


@dataclass
class _Scan:
    sha256: str  # of bytes [0, size)
    newlines: int  # in [start, size)
    newline_end: int  # offset just past the last newline in [0, size) (start when none)
    ends_with_newline: bool
    has_cr: bool  # CRLF line ends (or stray carriage returns) somewhere in [start, size)


def _scan(path: Path, start: int, size: int) -> _Scan:
    """One pass over a file: the hash of all it holds up to `size`, and its newlines from `start`."""
    digest = hashlib.sha256()
    newlines = 0
    newline_end = start
    last_byte = b"\n"
    has_cr = False
    position = 0
    with path.open("rb") as handle:
        while position < size:
            block = handle.read(min(8 * 1024 * 1024, size - position))
            if not block:
                break
            digest.update(block)
            if position + len(block) > start:
                part = block[max(0, start - position) :]
                has_cr = has_cr or b"\r" in part
                count = part.count(b"\n")
                if count:
                    newlines += count
                    newline_end = position + len(block) - (len(block) - block.rfind(b"\n") - 1)
                last_byte = block[-1:]
            position += len(block)
    return _Scan(digest.hexdigest(), newlines, newline_end, last_byte == b"\n", has_cr)


@dataclass
class _Load:
    """The new part of one file, and where it goes."""

    source: Source
    path: Path
    rel: str  # as the manifest and rejects name it
    file_id: int
    first_line: bytes  # the file's first line (a CSV header)
    first_hash: str
    start_offset: int  # the byte the new lines start at
    start_line: int  # the physical line number they start at
    redo_line: int | None  # a last line loaded without its newline, read again completed
    size: int  # the byte they end at
    scan: _Scan

    @property
    def last_line(self) -> int:
        return self.start_line - 1 + self.scan.newlines + (0 if self.scan.ends_with_newline else 1)


def _first_line(path: Path) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(FIRST_LINE_MAX)
    return head.split(b"\n", 1)[0]


def _chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    """Bytes [start, end) of a file in pieces that end on a newline (but the last)."""
    with path.open("rb") as handle:
        handle.seek(start)
        carry = b""
        position = start
        while position < end:
            block = handle.read(min(CHUNK_BYTES, end - position))
            if not block:
                break
            position += len(block)
            block = carry + block
            # cut after the last newline; at the end of the range, keep everything
            cut = block.rfind(b"\n") + 1 if position < end else len(block)
            if cut:
                yield block[:cut]
            carry = block[cut:]
        if carry:
            yield carry


@dataclass
class _Batch:
    path: Path  # the file itself, or a temporary copy of the batch's bytes
    end: int  # the byte its lines end at in that file
    first_line: int  # physical line number of its first line
    last_line: int  # and of its last (one without its newline included)


def _batches(path: Path, start: int, end: int, first_line: int, last_line: int) -> Iterator[_Batch]:
    """Bytes [start, end) of a file, lines first_line..last_line, as batches of whole lines of about
    BATCH_BYTES each. The whole file in one batch is read where it is; anything else is copied to a
    temporary file (DuckDB's reader takes files, not byte ranges), deleted once it has been read."""
    if start == 0 and end == path.stat().st_size and end <= BATCH_BYTES:
        yield _Batch(path, end, first_line, last_line)
        return
    chunks = _chunks(path, start, end)
    chunk = next(chunks, None)
    while chunk is not None:
        with tempfile.NamedTemporaryFile(delete=False, suffix=".part") as handle:
            lines = 0
            while chunk is not None:
                handle.write(chunk)
                lines += chunk.count(b"\n")
                chunk = next(chunks, None)
                if handle.tell() >= BATCH_BYTES:
                    break
        part = Path(handle.name)
        try:
            end_line = last_line if chunk is None else first_line + lines - 1
            yield _Batch(part, part.stat().st_size, first_line, end_line)
        finally:
            part.unlink(missing_ok=True)
        first_line += lines


def source_files(landing: Path, source: Source) -> list[Path]:
    """The files of one source in a landing folder, in name order."""
    folder = landing / source.folder
    if not folder.is_dir():
        return []
    found: set[Path] = set()
    for pattern in source.patterns:
        found.update(p for p in folder.glob(pattern) if p.is_file())
    if source.name == "queue_log":
        found = {p for p in found if not p.name.endswith((".gz", ".bz2", ".xz", ".zip"))}
    return sorted(found)


class Loader:
    """Loads the landing folder's sources into a DuckDB warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, landing: Path, progress: Progress = _quiet):
        self.con = con
        self.landing = landing
        self.progress = progress
        con.execute("set TimeZone = 'UTC'")
        ensure_raw_schema(con)

    def load_source(self, source: Source) -> SourceResult:
        result = SourceResult(source.name)
        for path in source_files(self.landing, source):
            file_result = self.load_file(source, path)
            result.files.append(file_result)
            if file_result.status not in ("unchanged", "empty"):
                self.progress(
                    f"  {source.name}: {file_result.path} {file_result.status}, "
                    f"{file_result.rows_loaded:,} rows, {file_result.rows_rejected:,} rejected "
                    f"({file_result.seconds:.1f} s)"
                )
        return result

    def load_all(self) -> list[SourceResult]:
        return [self.load_source(s) for s in SOURCES]

    # -- one file ----------------------------------------------------------------------------------

    def _match(self, source: Source, path: Path, size: int, first_line_hash: str) -> tuple | None:
        """The manifest row this file continues (same first line, same loaded prefix), if any."""
        candidates = self.con.execute(
            """select file_id, size_bytes, content_hash, byte_offset, lines_loaded, partial_line
               from raw.load_manifest
               where source = ? and first_line_hash = ? and size_bytes <= ?
               order by size_bytes desc""",
            [source.name, first_line_hash, size],
        ).fetchall()
        for row in candidates:
            if _sha256(path, row[1]) == row[2]:
                return row
        return None

    def load_file(self, source: Source, path: Path) -> FileResult:
        started = time.monotonic()
        rel = str(path.relative_to(self.landing)) if path.is_relative_to(self.landing) else str(path)
        size = path.stat().st_size
        if size == 0:
            return FileResult(rel, "empty")
        first = _first_line(path)
        first_hash = hashlib.sha256(first).hexdigest()
        match = self._match(source, path, size, first_hash)
        if match is not None and match[1] == size:
            return FileResult(rel, "unchanged")

        if match is None:
            file_id = self.con.execute(
                "select coalesce(max(file_id), 0) + 1 from raw.load_manifest"
            ).fetchone()[0]
            start_offset, start_line, status, redo_line = 0, 1, "loaded", None
        else:
            file_id, _, _, start_offset, lines_loaded, partial = match
            status = "appended"
            # an unterminated last line loaded before is read again, completed
            redo_line = lines_loaded if partial else None
            start_line = lines_loaded if partial else lines_loaded + 1

        scan = _scan(path, start_offset, size)
        load = _Load(
            source, path, rel, file_id, first, first_hash, start_offset, start_line, redo_line, size, scan
        )
        try:
            loaded, rejected = self._load(load, fast=True)
        except _Unreadable:
            # not UTF-8, mixed line ends or a stray CR: the load again, read in Python
            loaded, rejected = self._load(load, fast=False)
        return FileResult(rel, status, loaded, rejected, time.monotonic() - started)

    def _load(self, load: _Load, fast: bool) -> tuple[int, int]:
        """One transaction: the line to redo removed, each batch of new lines parsed and routed, the
        manifest row written. A crash or an error leaves nothing of it behind."""
        con = self.con
        con.execute("begin transaction")
        try:
            if load.redo_line is not None:
                con.execute(
                    f"delete from {load.source.table} where _file_id = ? and _line_no = ?",
                    [load.file_id, load.redo_line],
                )
                con.execute(
                    "delete from raw.rejects where file_id = ? and line_no = ?",
                    [load.file_id, load.redo_line],
                )
            con.execute(f"create or replace temp table {EARLIER_DUPLICATES} (_h uhugeint, line_no bigint)")
            parse, has_header = self._parse_sql(load)
            loaded = rejected = 0
            for batch in _batches(load.path, load.start_offset, load.size, load.start_line, load.last_line):
                if fast:
                    self._lines_by_reader(batch, load.scan.has_cr)
                else:
                    self._lines_by_chunks(batch)
                batch_loaded, batch_rejected = self._load_lines(
                    load, parse, has_header and batch.first_line == 1
                )
                loaded += batch_loaded
                rejected += batch_rejected
            con.execute("delete from raw.load_manifest where file_id = ?", [load.file_id])
            con.execute(
                """insert into raw.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?,
                     ?, ?, now()::timestamp, now()::timestamp)""",
                [
                    load.file_id,
                    load.source.name,
                    load.rel,
                    load.size,
                    load.scan.sha256,
                    load.first_hash,
                    load.scan.newline_end,
                    load.last_line,
                    not load.scan.ends_with_newline,
                    loaded,
                    rejected,
                ],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.execute("drop table if exists _lines")
            con.execute(f"drop table if exists {EARLIER_DUPLICATES}")
        return loaded, rejected

    def _parse_sql(self, load: _Load) -> tuple[str, bool]:
        """The SELECT that parses this file's numbered lines, and whether its line 1 is a header."""
        source, path = load.source, load.path
        header: list[str] | None = None
        if source.fmt == "csv" or (source.fmt == "queue_log" and path.suffix.lower() == ".csv"):
            header = [
                h.strip().lower()
                for h in next(csv.reader([load.first_line.decode("utf-8", "replace").rstrip("\r")]), [])
            ]
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0].lstrip("\ufeff")
        if source.fmt == "queue_log":
            parse = sql.queue_log_csv(header) if header is not None else sql.queue_log_native()
        elif source.fmt == "cdr":
            parse = sql.cdr()
        else:
            assert header is not None
            parse = sql.csv_with_header(source, header)
        return parse, header is not None

    def _load_lines(self, load: _Load, parse: str, has_header: bool) -> tuple[int, int]:
        """Parse the numbered lines in ``_lines`` (one batch) with ``parse``; good rows to the raw
        table, the rest to rejects. A line repeating an earlier one of this load, in this batch or an
        earlier one, is a duplicate of that line; one repeating a line loaded before, of the warehouse."""
        con = self.con
        source = load.source
        if has_header:
            con.execute("delete from _lines where line_no = 1")
        columns = table_columns(source)
        quoted = ", ".join(f'"{c}"' for c in columns)
        con.execute(
            f"""
            create or replace temp table _parsed as
            with parsed as ({parse}),
            hashed as (
              select *, md5_number(line) as _h from parsed
            ), occurrences as (
              -- where each text occurs in this load: this batch, the lines earlier batches loaded and
              -- those they rejected as loaded before
              select _h, line_no from hashed
              union all
              select _line_hash, _line_no from {source.table}
              where _file_id = ? and _line_no >= ? and _line_hash in (select _h from hashed)
              union all
              select _h, line_no from {EARLIER_DUPLICATES} where _h in (select _h from hashed)
            ), repeated as (
              -- a group, not a window (a sort)
              select _h, min(line_no) as _first from occurrences group by _h having count(*) > 1
            )
            select h.* exclude (reason),
              case when h.reason is not null then h.reason
                   when r._first < h.line_no then 'duplicate of line ' || r._first || ' of this file'
                   when h._h in (select _line_hash from {source.table}) then {sql.lit(ALREADY_LOADED)}
              end as reason
            from hashed h left join repeated r on r._h = h._h""",
            [load.file_id, load.start_line],
        )
        con.execute(
            f"""insert into {source.table} ({quoted}, _file_id, _line_no, _line_hash)
                        select {quoted}, ?, line_no, _h from _parsed where reason is null""",
            [load.file_id],
        )
        con.execute(
            """insert into raw.rejects
                       select ?, ?, ?, line_no, line, reason, now()::timestamp
                       from _parsed where reason is not null order by line_no""",
            [source.name, load.rel, load.file_id],
        )
        con.execute(
            f"insert into {EARLIER_DUPLICATES} select _h, line_no from _parsed where reason = ?",
            [ALREADY_LOADED],
        )
        loaded, rejected = con.execute(
            "select count(*) filter (where reason is null), count(*) filter (where reason is not null) "
            "from _parsed"
        ).fetchone()
        con.execute("drop table _parsed")
        return loaded, rejected

    def _lines_by_reader(self, batch: _Batch, has_cr: bool) -> None:
        """Numbered lines via DuckDB's CSV reader (one column, no quoting): the fast path."""
        # rows past the batch's last line were appended while we read: the next run takes them. A file
        # with carriage returns is read with CRLF line ends (a stray CR or a bare LF in it fails the
        # reader: the slower one reads it)
        try:
            self.con.execute(
                """create or replace temp table _lines as
                select line_no, line from (
                  select ? + n - 1 as line_no, line
                  from (select row_number() over () as n, line
                        from read_csv(?, columns = {'line': 'VARCHAR'}, delim = ?, quote = '', escape = '',
                                      header = false, auto_detect = false, new_line = ?)))
                where line_no <= ? and line <> ''""",
                [batch.first_line, str(batch.path), "\x01", "\\r\\n" if has_cr else "\\n", batch.last_line],
            )
        except duckdb.Error as error:
            raise _Unreadable(str(error)) from error

    def _lines_by_chunks(self, batch: _Batch) -> None:
        """Numbered lines by splitting newline-aligned chunks in DuckDB (undecodable bytes replaced)."""
        con = self.con
        con.execute("create or replace temp table _chunks (start_line bigint, body varchar)")
        line = batch.first_line
        for chunk in _chunks(batch.path, 0, batch.end):
            con.execute("insert into _chunks values (?, ?)", [line, chunk.decode("utf-8", errors="replace")])
            line += chunk.count(b"\n")
        con.execute(r"""
            create or replace temp table _lines as
            select start_line + i - 1 as line_no, rtrim(part, chr(13)) as line
            from (select start_line, unnest(parts) as part, generate_subscripts(parts, 1) as i
                  from (select start_line, string_split(body, chr(10)) as parts from _chunks))
            where rtrim(part, chr(13)) <> ''""")
        con.execute("drop table _chunks")


def load_landing(
    warehouse: Path, landing: Path, progress: Progress = _quiet, sources: list[str] | None = None
) -> list[SourceResult]:
    """Load every source (or the named ones) of a landing folder into a warehouse file."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        loader = Loader(con, landing, progress)
        chosen = [s for s in SOURCES if sources is None or s.name in sources]
        return [loader.load_source(s) for s in chosen]
