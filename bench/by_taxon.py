"""Seconds to write a built graph's two tables as KGX TSV with their by_taxon split (outputs.write_tsv) and as a
plain COPY of the same lines, in one process, alternating, twice each; prints the faster run of each.

    .venv/bin/python bench/by_taxon.py OUT WORK    # OUT: a build's folder (its ncbi_gene.duckdb); WORK: scratch
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ncbi_gene_kg.kgx import column_types, tsv_line
from ncbi_gene_kg.outputs import write_tsv
from ncbi_gene_kg.streams import LINES
from ncbi_gene_kg.taxa import load_scope

KINDS = ("nodes", "edges")


def plain_copy(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Each table's TSV lines as one COPY, no split."""
    for kind in KINDS:
        line = tsv_line(column_types(con.table(kind)))
        con.execute(f"COPY (SELECT {line} FROM {kind}) TO '{out}/{kind}.tsv' ({LINES})")


def with_by_taxon(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Each table's TSV and its by_taxon part, as the build writes them."""
    for kind in KINDS:
        write_tsv(con, kind, out, load_scope("default"))


def main() -> None:
    graph, work = map(Path, sys.argv[1:3])
    con = duckdb.connect()
    con.execute(f"ATTACH '{graph / 'ncbi_gene.duckdb'}' AS graph (READ_ONLY)")
    con.execute("USE graph")
    seconds: dict[str, list[float]] = {"plain": [], "split": []}
    for _ in range(2):
        for name, write in (("plain", plain_copy), ("split", with_by_taxon)):
            out = Path(tempfile.mkdtemp(dir=work))
            start = time.perf_counter()
            write(con, out)
            seconds[name].append(time.perf_counter() - start)
    print(min(seconds["plain"]), min(seconds["split"]))


if __name__ == "__main__":
    main()
