"""Scanning NCBI Gene files with DuckDB: columns by header name, the taxon scope applied in the scan.

Every file is read as whole lines (no quoting: NCBI files are plain tab-separated and a ``"`` is data)
in one pass and numbered as it streams, so that each row keeps its line number for the row
accounting. Rows outside the taxon scope are kept only as a line number (never split, never seen by
Python); rows in scope are split on tabs, only the required fields kept (in a list) and exposed
through a view with one column per header name, where NCBI's '-' is NULL.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import tempfile
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

import duckdb
from isal import igzip, isal_zlib

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.sql import ident, quote, scalar
from ncbi_gene_kg.taxa import TaxonScope

NULL = "-"
_LEGACY_HEADER = re.compile(r"^#Format:\s*(?P<names>.*?)\s*(\(.*\))?\s*$")


@dataclass(frozen=True)
class Header:
    """The column names of an NCBI file and the (1-based) line they are on."""

    columns: tuple[str, ...]
    line_no: int


MEMORY_LIMIT_MB = 3000


def connect(
    spill: Path | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    preserve_order: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database with a memory bound (3 GB), beyond which it spills to ``spill`` (default: a
    folder in the system temp folder). The bound and the threads are the database's, shared by all its cursors.
    ``preserve_order=False`` lets DuckDB spill more freely, for work whose every output is ordered by its own keys.
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit or f"{MEMORY_LIMIT_MB}MB",
        "preserve_insertion_order": preserve_order,
        "temp_directory": str(spill or Path(tempfile.gettempdir()) / f"ncbi-gene-kg-duckdb-{os.getpid()}"),
    }
    con = duckdb.connect(":memory:", config=config)
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def open_text(path: Path) -> TextIO:
    """Open a plain or gzip-compressed NCBI file as text (by content, not by name)."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="\n")
    return path.open(encoding="utf-8", errors="replace", newline="\n")


def read_header(path: Path) -> Header:
    """Find the header line: ``#col1<TAB>col2…``, the legacy ``#Format: col1 col2 … (…)``, or a bare first line.

    Raises UserError for an empty file or one whose first line is data.
    """
    try:
        with open_text(path) as fh:
            first = fh.readline()
    except (OSError, EOFError, zlib.error) as error:
        raise UserError(f"{path}: cannot read the header ({error})") from error
    if not first.strip():
        raise UserError(f"{path}: the file is empty")
    line = first.rstrip("\r\n")
    if line.endswith("\r") or first.endswith("\r\n"):
        raise UserError(f"{path}: Windows (CRLF) line endings; convert the file with dos2unix first")
    if legacy := _LEGACY_HEADER.match(line):
        return Header(tuple(legacy["names"].split()), 1)
    names = line.removeprefix("#").split("\t")
    if line.startswith("#") or not names[0].isdigit():
        return Header(tuple(name.strip() for name in names), 1)
    raise UserError(f"{path}: no header line (the first line is data: {line[:60]!r})")


def column_index(header: Header, path: Path, required: Sequence[str]) -> dict[str, int]:
    """Map each required column to its 1-based position; a missing one is a fatal error naming it."""
    positions = {name: i + 1 for i, name in enumerate(header.columns)}
    missing = [name for name in required if name not in positions]
    if missing:
        raise UserError(
            f"{path}: required column {', '.join(repr(m) for m in missing)} not in the header "
            f"(found: {', '.join(header.columns)})"
        )
    return positions


@dataclass
class Pump:
    """Feeds a file's text to DuckDB through a named pipe, checking what DuckDB cannot.

    DuckDB reads a truncated gzip file without complaint, so compressed files are decompressed here
    (python-isal's igzip, which checks the length and CRC at the end) and a cut file becomes an error naming how
    many lines it held. With ``repair`` set, lines that are not UTF-8 are decoded with U+FFFD
    replacement characters and their line numbers kept.
    """

    path: Path
    repair: bool = False
    lines: int = 0
    repaired: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def run(self, fifo: str) -> None:
        """Copy the file's text into the named pipe ``fifo``; an error is kept in ``error`` for the reader."""
        try:
            with self._open() as source, open(fifo, "wb") as sink:
                if self.repair:
                    for number, line in enumerate(source, 1):
                        try:
                            line.decode("utf-8")
                        except UnicodeDecodeError:
                            line = line.decode("utf-8", errors="replace").encode("utf-8")
                            self.repaired.append(number)
                        sink.write(line)
                        self.lines = number
                else:
                    while chunk := source.read(1 << 20):
                        self.lines += chunk.count(b"\n")
                        sink.write(chunk)
        except (OSError, EOFError, zlib.error, isal_zlib.error) as error:  # type: ignore[misc]  # isal's is untyped
            self.error = error

    def _open(self) -> BinaryIO:
        # ISA-L's gzip reader: several times faster than zlib's, and it checks the length and CRC too.
        return igzip.open(self.path, "rb") if is_gzip(self.path) else self.path.open("rb")


def is_gzip(path: Path) -> bool:
    """Whether the file is gzip-compressed, by its first two bytes (not its name)."""
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


@contextmanager
def readable(path: Path, repair: bool = False) -> Iterator[tuple[str, Pump | None]]:
    """A path DuckDB can read: the file itself when plain, else a named pipe fed by a :class:`Pump`."""
    if not repair and not is_gzip(path):
        yield str(path), None
        return
    pump = Pump(path, repair)
    with tempfile.TemporaryDirectory(prefix="ncbi-gene-kg-") as tmp:
        fifo = os.path.join(tmp, "lines")
        os.mkfifo(fifo)
        thread = threading.Thread(target=pump.run, args=(fifo,), daemon=True)
        thread.start()
        try:
            yield fifo, pump
        finally:
            # If DuckDB stopped early (or never opened the pipe), let the pump see a closed pipe.
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            thread.join()


def _load_sql(table: str, source: str, header: Header, keep: Sequence[int], in_scope: str) -> str:
    """One pass over the file's lines: a row per data row with its line number.

    ``row_number() OVER ()`` numbers the lines as they stream (a streaming window: it keeps the scan
    in file order, it stores nothing). ``_n_fields`` is 0 for rows outside the taxon scope and the
    field count for rows in scope; ``_fields`` holds the fields at the ``keep`` positions (1-based)
    of rows in scope only, so a row out of scope costs a line number and a NULL.
    """
    kept = ", ".join(f"f[{i}]" for i in keep)
    return f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT _line, coalesce(len(f), 0)::USMALLINT AS _n_fields,
               CASE WHEN f IS NOT NULL THEN [{kept}] END AS _fields
        FROM (
            SELECT _line, CASE WHEN {in_scope} THEN string_split(line, '\t') END AS f
            FROM (
                SELECT row_number() OVER () AS _line, line
                FROM read_csv({quote(source)}, columns = {{'line': 'VARCHAR'}}, delim = '\x01',
                              quote = '', escape = '', header = false, auto_detect = false,
                              strict_mode = false)
            )
            WHERE _line > {header.line_no} AND line IS NOT NULL AND NOT starts_with(line, '#')
        )
        """


def nth_field(position: int) -> str:
    """SQL for the field at ``position`` (1-based) of a raw line: an anchored regular expression, which reads only
    as far as the field (split_part splits the whole line: on the full corpus's 20 M gene_info lines, 6 s more).

    >>> line = "SELECT 'a' || chr(9) || 'b' || chr(9) || 'c' AS line"
    >>> duckdb.sql(f"SELECT {nth_field(1)}, {nth_field(3)} FROM ({line})").fetchone()
    ('a', 'c')
    """
    skipped = f"(?:[^\\t]*\\t){{{position - 1}}}" if position > 1 else ""
    return f"regexp_extract(line, '^{skipped}([^\\t]*)', 1)"


def load_lines(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, header: Header, keep: Sequence[int], in_scope: str
) -> list[int]:
    """Load one file's data rows into table ``table`` (see :func:`_load_sql`); returns the lines whose
    invalid UTF-8 was replaced.

    The line number is computed by DuckDB as the lines stream, not taken from the table's row order:
    DuckDB's CREATE TABLE AS does not always keep the order of a piped CSV source (a 20 M-line
    gene2go.gz came out with a block of rows moved to the end, even in one thread).
    """
    for repair in (False, True):
        try:
            with readable(path, repair) as (source, pump):
                con.execute(_load_sql(table, source, header, keep, in_scope))
        except duckdb.Error as error:
            if not repair and "unicode" in str(error).lower():
                continue
            raise UserError(f"{path}: cannot be read ({str(error).splitlines()[0]})") from error
        if pump and pump.error:
            raise UserError(
                f"{path}: truncated or corrupt compressed file after {pump.lines:,} lines "
                f"({pump.error}); download it again"
            ) from pump.error
        return pump.repaired if pump else []
    raise AssertionError("unreachable")


def scan_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    paths: Sequence[Path],
    required: Sequence[str],
    scope: TaxonScope,
    taxon_column: str | None = "tax_id",
) -> list[Header]:
    """Scan ``paths`` into DuckDB: view ``<table>_lines`` (every data row) and view ``<table>``.

    ``<table>_lines`` has ``_file``, ``_line``, ``_n_fields`` and ``_fields`` (the required fields
    in ``required`` order, NULL when the row is outside the taxon scope, where ``_n_fields`` is 0: the
    column to filter on, a number read much faster than a list); it reads one table per
    file, ``<table>_lines_<i>``. The view ``<table>`` has ``_file``, ``_line``, ``_n_fields``,
    ``_n_columns`` and one column per required name, '-' read as NULL; only rows in scope. All files
    must share the same header.
    Table ``<table>_repaired`` (_file, _line) lists lines whose invalid UTF-8 bytes were replaced.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_repaired (_file VARCHAR, _line BIGINT)")
    headers: list[Header] = []
    parts = []
    for i, path in enumerate(paths):
        header = read_header(path)
        positions = column_index(header, path, required)
        if headers and header.columns != headers[0].columns:
            raise UserError(f"{path}: header differs from {paths[0]}'s")
        headers.append(header)
        in_scope = "TRUE"
        if taxon_column and scope.tax_ids is not None:
            taxa = ", ".join(quote(t) for t in scope.tax_ids)
            in_scope = f"{nth_field(positions[taxon_column])} IN ({taxa})"
        part = f"{table}_lines_{i}"
        repaired = load_lines(con, part, path, header, [positions[name] for name in required], in_scope)
        if repaired:
            con.executemany(f"INSERT INTO {table}_repaired VALUES (?, ?)", [(path.name, n) for n in repaired])
        lines = f"SELECT {quote(path.name)} AS _file, _line, _n_fields, _fields FROM {part}"
        if not scalar(con, f"SELECT count(*) FROM ({lines})"):
            raise UserError(f"{path}: no data rows (the file holds only its header)")
        parts.append(lines)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_lines AS {' UNION ALL '.join(parts)}")
    columns = ",\n".join(f"nullif(_fields[{i}], '{NULL}') AS {ident(name)}" for i, name in enumerate(required, 1))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW {table} AS
        SELECT _file, _line, _n_fields, {len(headers[0].columns)} AS _n_columns,
               {columns}
        FROM {table}_lines WHERE _n_fields > 0
        """
    )
    return headers
