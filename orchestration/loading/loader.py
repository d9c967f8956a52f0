"""Incremental, idempotent loading of landing files into ``raw`` tables.

How a file is loaded:

* A manifest row per file records its size, a hash of the bytes loaded so far,
  the hash of its first line, the byte offset of the end of its last complete
  line and how many lines were read. A file is recognised by content, not by
  name: a rotated ``queue_log.1`` whose start matches what was loaded as
  ``queue_log`` loads only the lines past that point.
* Python reads the new bytes in newline-aligned chunks; DuckDB splits them into
  numbered lines, parses, validates and routes each line to the raw table or to
  ``raw.rejects`` (file, physical 1-based line number, raw text, reason).
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
FIRST_LINE_MAX = 64 * 1024

Progress = Callable[[str], None]


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

        # Read the new lines first, outside the transaction: a failed fast read must not abort it.
        scan = _scan(path, start_offset, size)
        lines_total = start_line - 1 + scan.newlines + (0 if scan.ends_with_newline else 1)
        try:
            self._lines_by_reader(
                path, start_offset, size, start_line, lines_total - start_line + 1, scan.has_cr
            )
        except duckdb.Error:
            # not UTF-8, or a control character the reader splits on: read it in Python instead
            self._lines_by_chunks(path, start_offset, size, start_line)

        self.con.execute("begin transaction")
        try:
            if redo_line is not None:
                self.con.execute(
                    f"delete from {source.table} where _file_id = ? and _line_no = ?", [file_id, redo_line]
                )
                self.con.execute(
                    "delete from raw.rejects where file_id = ? and line_no = ?", [file_id, redo_line]
                )
            loaded, rejected = self._load_lines(source, path, rel, file_id, first)
            self.con.execute("delete from raw.load_manifest where file_id = ?", [file_id])
            self.con.execute(
                """insert into raw.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?,
                     ?, ?, now()::timestamp, now()::timestamp)""",
                [
                    file_id,
                    source.name,
                    rel,
                    size,
                    scan.sha256,
                    first_hash,
                    scan.newline_end,
                    lines_total,
                    not scan.ends_with_newline,
                    loaded,
                    rejected,
                ],
            )
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        finally:
            self.con.execute("drop table if exists _lines")
        return FileResult(rel, status, loaded, rejected, time.monotonic() - started)

    def _load_lines(
        self, source: Source, path: Path, rel: str, file_id: int, first_line: bytes
    ) -> tuple[int, int]:
        """Parse the numbered lines in ``_lines``; good rows to the raw table, the rest to rejects."""
        con = self.con
        header: list[str] | None = None
        if source.fmt == "csv" or (source.fmt == "queue_log" and path.suffix.lower() == ".csv"):
            header = [
                h.strip().lower()
                for h in next(csv.reader([first_line.decode("utf-8", "replace").rstrip("\r")]), [])
            ]
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0].lstrip("\ufeff")
            con.execute("delete from _lines where line_no = 1")
        if source.fmt == "queue_log":
            parse = sql.queue_log_csv(header) if header is not None else sql.queue_log_native()
        elif source.fmt == "cdr":
            parse = sql.cdr()
        else:
            assert header is not None
            parse = sql.csv_with_header(source, header)

        columns = table_columns(source)
        quoted = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"""
            create or replace temp table _parsed as
            with parsed as ({parse}),
            hashed as (
              select *, md5_number(line) as _h from parsed
            ), repeated as (
              -- lines whose text occurs more than once in this load: a group, not a window (a sort)
              select _h, min(line_no) as _first from hashed group by _h having count(*) > 1
            )
            select h.* exclude (reason),
              case when h.reason is not null then h.reason
                   when r._first < h.line_no then 'duplicate of line ' || r._first || ' of this file'
                   when h._h in (select _line_hash from {source.table}) then 'duplicate of a line already loaded'
              end as reason
            from hashed h left join repeated r on r._h = h._h""")
        con.execute(
            f"""insert into {source.table} ({quoted}, _file_id, _line_no, _line_hash)
                        select {quoted}, ?, line_no, _h from _parsed where reason is null""",
            [file_id],
        )
        con.execute(
            """insert into raw.rejects
                       select ?, ?, ?, line_no, line, reason, now()::timestamp
                       from _parsed where reason is not null order by line_no""",
            [source.name, rel, file_id],
        )
        loaded, rejected = con.execute(
            "select count(*) filter (where reason is null), count(*) filter (where reason is not null) "
            "from _parsed"
        ).fetchone()
        con.execute("drop table _parsed")
        return loaded, rejected

    def _lines_by_reader(
        self, path: Path, start: int, size: int, start_line: int, count: int, has_cr: bool
    ) -> None:
        """Numbered lines via DuckDB's CSV reader (one column, no quoting): the fast path."""
        tail: Path | None = None
        target = path
        if start > 0 or size < path.stat().st_size:
            with tempfile.NamedTemporaryFile(delete=False, suffix=".part") as handle:
                for chunk in _chunks(path, start, size):
                    handle.write(chunk)
                tail = Path(handle.name)
            target = tail
        try:
            # rows past `count` were appended while we read: the next run takes them
            # (stripping carriage returns is costly: only where the scan saw one)
            line = "rtrim(line, chr(13))" if has_cr else "line"
            self.con.execute(
                f"""create or replace temp table _lines as
                select line_no, line from (
                  select ? + n - 1 as line_no, {line} as line
                  from (select row_number() over () as n, line
                        from read_csv(?, columns = {{'line': 'VARCHAR'}}, delim = ?, quote = '', escape = '',
                                      header = false, auto_detect = false, new_line = ?)))
                where line_no < ? + ? and line <> ''""",
                [start_line, str(target), "\x01", "\\n", start_line, count],
            )
        finally:
            if tail is not None:
                tail.unlink(missing_ok=True)

    def _lines_by_chunks(self, path: Path, start: int, size: int, start_line: int) -> None:
        """Numbered lines by splitting newline-aligned chunks in DuckDB (undecodable bytes replaced)."""
        con = self.con
        con.execute("create or replace temp table _chunks (start_line bigint, body varchar)")
        line = start_line
        for chunk in _chunks(path, start, size):
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
