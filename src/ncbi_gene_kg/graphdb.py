"""Query a built graph: OUT/ncbi_gene.duckdb, the published graph database (never loaded whole into Python).

A build writes the graph's tables once, into ``ncbi_gene.duckdb`` beside the KGX files: ``nodes`` and
``edges``, typed (lists as lists, booleans as booleans) and sorted (nodes by id; edges by subject,
predicate, object, id), and ``gene_history`` when gene_history was an input (the SSSOM mapping set's rows).
The gene card, `resolve`, the Neo4j export and load read it; anyone can query it with DuckDB
(``duckdb output/ncbi_gene.duckdb -c "FROM nodes WHERE symbol = 'TP53'"``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.sql import ident, quote

GRAPH = "ncbi_gene"
GRAPH_DB = f"{GRAPH}.duckdb"


def graph_files(out_dir: Path, name: str = GRAPH) -> tuple[Path, Path]:
    """The merged node and edge files of the graph in ``out_dir``.

    >>> graph_files(Path("output"))
    (PosixPath('output/ncbi_gene_nodes.tsv'), PosixPath('output/ncbi_gene_edges.tsv'))
    """
    return out_dir / f"{name}_nodes.tsv", out_dir / f"{name}_edges.tsv"


def open_graph(out_dir: Path, name: str = GRAPH) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the graph database in ``out_dir`` (tables ``nodes``, ``edges``, …).

    Raises:
        UserError: when ``out_dir`` holds no built graph.
    """
    database = out_dir / f"{name}.duckdb"
    if not database.is_file():
        raise UserError(
            f"no built graph in {out_dir} ({database.name} missing): run `make transform` first, or point "
            "--graph at its output folder"
        )
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise UserError(f"{database}: cannot be opened ({str(error).splitlines()[0]})") from error
    con.execute("SET enable_progress_bar = false")
    return con


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of ``table`` (a graph has only the properties some record has)."""
    return list(con.table(table).columns)


def column_or_null(con: duckdb.DuckDBPyConnection, table: str, column: str, alias: str | None = None) -> str:
    """SQL for ``column`` of ``table`` if the graph has it, else a NULL of that name."""
    name = ident(alias or column)
    return f"{ident(column)} AS {name}" if column in columns(con, table) else f"NULL::VARCHAR AS {name}"


def has_table(con: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> bool:
    """Whether the connection's database (or the attached ``database``) has ``table``."""
    where = quote(database) if database else "current_database()"
    found = con.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = {quote(table)} AND database_name = {where}"
    ).fetchone()
    return bool(found and found[0])
