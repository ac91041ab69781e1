"""DuckDB's COPY into Python's hands: the bytes of a COPY go through a named pipe to a consumer thread.

Every file the build writes from its tables is one COPY, and graph_metadata.json lists each file's sha256:
the consumer hashes the bytes as they are written (:func:`copy_to_file`), so no file is read back to be
hashed. The same pipe appends a COPY to a file another writer holds open (:func:`copy_into`: Koza's TSV
writer, whose file already has its header line).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
from isal import igzip_threaded

from ncbi_gene_kg.sql import quote

CHUNK = 1 << 20
# gzip level of the compressed files, the tarball's too (ISA-L's 2 of 0-3: about zlib's 6 in size, several times
# faster).
GZIP_LEVEL = 2
# One preformatted text column per line, written as it is: no quoting (a '"' is data), no header.
LINES = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t'"


@dataclass(frozen=True)
class Written:
    """A file written by the build: its path, size in bytes and sha256 (hex)."""

    path: Path
    size: int
    sha256: str


def _through_pipe(con: duckdb.DuckDBPyConnection, query: str, options: str, consume: Callable[[bytes], object]) -> None:
    """Run ``COPY (query) TO <pipe> (options)``, handing every chunk DuckDB writes to ``consume`` in a thread."""
    error: list[BaseException] = []
    with tempfile.TemporaryDirectory(prefix="ncbi-gene-kg-") as tmp:
        pipe = os.path.join(tmp, "copy")
        os.mkfifo(pipe)

        def pump() -> None:
            try:
                with open(pipe, "rb") as source:
                    while chunk := source.read(CHUNK):
                        consume(chunk)
            except BaseException as failure:  # handed to the caller below
                error.append(failure)

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        try:
            con.execute(f"COPY ({query}) TO {quote(pipe)} ({options})")
        finally:
            # Should DuckDB fail before it opened the pipe, the pump is still waiting for a writer.
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            thread.join()
    if error:
        raise error[0]


def copy_to_file(
    con: duckdb.DuckDBPyConnection, query: str, path: Path, options: str = LINES, header: bytes = b""
) -> Written:
    """Write ``query`` to ``path`` with one COPY (``options``: DuckDB's COPY options; by default each row is one
    preformatted line), after ``header``; the sha256 is computed as the bytes are written."""
    with HashedFile(path, header) as sink:
        _through_pipe(con, query, options, sink.write)
    return sink.written


def copy_into(con: duckdb.DuckDBPyConnection, query: str, sink: BinaryIO) -> None:
    """Append the lines of ``query`` (one preformatted text column) to an open binary file."""
    _through_pipe(con, query, LINES, sink.write)


def write_text(path: Path, text: str) -> Written:
    """Write a small text file (UTF-8), hashing it on the way."""
    data = text.encode("utf-8")
    path.write_bytes(data)
    return Written(path, len(data), hashlib.sha256(data).hexdigest())


class HashedFile(io.RawIOBase):
    """A file being written at ``path``, starting with ``header``, hashed and counted as it is written (a compressor
    or a copy writes into it); :attr:`written` once it is closed."""

    def __init__(self, path: Path, header: bytes = b"") -> None:
        super().__init__()
        self.path, self.file, self.digest, self.size = path, path.open("wb"), hashlib.sha256(), 0
        self.write(header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        """Append ``data`` (bytes, or a view of them)."""
        self.digest.update(data)
        self.size += self.file.write(data)
        return len(data)

    def close(self) -> None:
        """Close the file."""
        if not self.closed:
            self.file.close()
        super().close()

    @property
    def written(self) -> Written:
        """The file as written: its path, size and sha256."""
        return Written(self.path, self.size, self.digest.hexdigest())


def copy_to_gzip(con: duckdb.DuckDBPyConnection, queries: list[str], path: Path) -> Written:
    """Write the lines of ``queries`` (one preformatted text column each, one COPY each, in turn) to ``path`` as one
    gzip stream, compressed on two threads (ISA-L, as the tarball) while DuckDB writes; the sha256 is the
    compressed file's, computed as it is written."""
    with HashedFile(path) as sink, igzip_threaded.open(sink, "wb", compresslevel=GZIP_LEVEL, threads=2) as gz:
        for query in queries:
            _through_pipe(con, query, LINES, gz.write)
    return sink.written
