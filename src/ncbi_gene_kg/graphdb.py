"""Query a built graph: the merged KGX TSV files in OUT, read by DuckDB (never loaded whole into Python).

The build report and the gene card both read the graph this way, so they work on the full-size graph
as they do on the bundled sample, and neither re-runs a transform.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.sql import ident, quote

GRAPH = "ncbi_gene"
# KGX TSV as merge.py writes it: tab-separated, no quoting (a '"' is data), every value a string. union_by_name
# takes the columns from the header line without sniffing (auto_detect = false alone wants a column list).
KGX_TSV = (
    "delim = '\t', quote = '', escape = '', header = true, all_varchar = true, union_by_name = true, "
    "auto_detect = false"
)


def graph_files(out_dir: Path, name: str = GRAPH) -> tuple[Path, Path]:
    """The merged node and edge files of the graph in ``out_dir``.

    >>> graph_files(Path("output"))
    (PosixPath('output/ncbi_gene_nodes.tsv'), PosixPath('output/ncbi_gene_edges.tsv'))
    """
    return out_dir / f"{name}_nodes.tsv", out_dir / f"{name}_edges.tsv"


def open_graph(out_dir: Path, name: str = GRAPH) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with views ``nodes`` and ``edges`` over the graph's KGX files in ``out_dir``.

    A view re-reads its file on each query: copy the columns you need into a table for many queries.

    Raises:
        UserError: when ``out_dir`` holds no built graph.
    """
    nodes, edges = graph_files(out_dir, name)
    missing = [p.name for p in (nodes, edges) if not p.is_file()]
    if missing:
        raise UserError(
            f"no built graph in {out_dir} ({', '.join(missing)} missing): run `make transform` "
            "first, or point --graph at its output folder"
        )
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for table, path in (("nodes", nodes), ("edges", edges)):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_csv({quote(str(path))}, {KGX_TSV})")
    return con


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of ``table`` (KGX files carry only the properties some row has)."""
    return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def column_or_null(con: duckdb.DuckDBPyConnection, table: str, column: str, alias: str | None = None) -> str:
    """SQL for ``column`` of ``table`` if the file has it, else a NULL of that name."""
    name = ident(alias or column)
    return f"{ident(column)} AS {name}" if column in columns(con, table) else f"NULL::VARCHAR AS {name}"
