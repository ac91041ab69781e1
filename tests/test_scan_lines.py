"""Line numbers of the scan: every row keeps the line it is on, in a file of many DuckDB row groups.

An attempt to take line numbers from the loaded table's row order (issue 17) moved rows: DuckDB does
not always keep a piped source's order in CREATE TABLE AS. This checks every row of a real 108,767-row
file (gzip, so read through the pump) against Python's own line count.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from ncbi_gene_kg.scan import connect, scan_files
from ncbi_gene_kg.taxa import load_scope

HUMAN = Path("gene_info") / "Homo_sapiens.2022-11.gene_info.gz"


def test_every_row_keeps_its_line_number(real_data: Path) -> None:
    path = real_data / HUMAN
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        expected = {n: line.split("\t", 2)[1] for n, line in enumerate(fh, 1) if not line.startswith("#")}
    con = connect()
    scan_files(con, "genes", [path], ["tax_id", "GeneID"], load_scope("all"))
    found = dict(con.execute("SELECT _line, GeneID FROM genes").fetchall())
    assert found == expected


def test_rows_out_of_scope_keep_their_line_numbers(real_data: Path) -> None:
    path = real_data / HUMAN
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        expected = sorted(n for n, line in enumerate(fh, 1) if not line.startswith(("#", "9606\t")))
    assert expected  # the subspecies rows (tax_id 63221)
    con = connect()
    scan_files(con, "genes", [path], ["tax_id", "GeneID"], load_scope("9606"))
    assert [
        n for (n,) in con.execute("SELECT _line FROM genes_lines WHERE _fields IS NULL ORDER BY _line").fetchall()
    ] == expected
