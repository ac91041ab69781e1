"""Merge the per-transform KGX files into one graph, in DuckDB (never the whole graph in Python).

Rules (docs/merge.md):
- Nodes are unique by id. Rows for the same id merge: list properties (multivalued in Biolink) are
  the union, sorted; single-valued properties must agree, and where they do not the value of the
  first source in ``SOURCE_ORDER`` is kept and the conflict is reported.
- A Gene node exists only where gene_info has the gene: other files (mim2gene_medgen's OMIM gene
  entries) add properties to gene_info's node; their rows for genes gene_info lacks (outside the
  taxon scope, or discontinued) are dropped and counted.
- Edges are unique by their id, which every transform gave them from their identity (subject, predicate,
  object, negated, primary_knowledge_source and qualifiers: :func:`ncbi_gene_kg.kgx.edge_key`), so an
  edge keeps the id its transform wrote (the remapping of discontinued genes gives new ids to the rows
  it rewrites).
- An edge whose subject or object is not a node is dropped and counted (dangling).
- An xref that is the id of a node of another category is removed and counted: one CURIE names one
  thing. (mim2gene_medgen lists a few OMIM entries both as a region's gene entry and as a phenotype;
  the entry is the phenotype's, so it stays a Disease node and is no Gene xref.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ncbi_gene_kg.accounting import EXAMPLES, Tally, example_tallies
from ncbi_gene_kg.biolink import is_multivalued
from ncbi_gene_kg.ensembl import disagreements
from ncbi_gene_kg.history import HISTORY_TABLE, remap_discontinued
from ncbi_gene_kg.kgx import identity_columns, tsv_cell
from ncbi_gene_kg.sources import merge_order, property_preferences
from ncbi_gene_kg.sql import ident, scalar, string_list

# Precedence when single-valued properties conflict (each config's merge_rank), and the source a category's
# nodes must come from.
SOURCE_ORDER = merge_order()
NODE_AUTHORITY = {"biolink:Gene": "gene_info"}
# Single-valued node properties whose sources rank otherwise than SOURCE_ORDER (a config's preferred_for): an
# intended override, not a conflict. gene_summary's description (RefSeq's summary) wins over gene_info's.
NODE_PROPERTY_SOURCE_ORDER = property_preferences()
NODE_CORE = ["id", "category", "name", "description", "xref", "provided_by", "synonym"]
EDGE_CORE = ["id", "subject", "predicate", "object", "category", "provided_by"]


@dataclass
class MergeResult:
    """What the merge did: counts of rows and of the merged graph, and each class of problem with examples."""

    nodes: int = 0
    edges: int = 0
    node_rows: int = 0
    edge_rows: int = 0
    conflicts: dict[str, Tally] = field(default_factory=dict)
    dropped_nodes: dict[str, Tally] = field(default_factory=dict)
    dangling_edges: dict[str, Tally] = field(default_factory=dict)
    remapped: dict[str, Tally] = field(default_factory=dict)
    disagreements: dict[str, Tally] = field(default_factory=dict)
    xref_collisions: dict[str, Tally] = field(default_factory=dict)


def _load(con: duckdb.DuckDBPyConnection, table: str, files: list[Path], core: list[str]) -> list[str]:
    """Union the KGX TSV files into ``table`` with a ``_source`` (transform name) and ``_rank`` column.

    With no files the table is empty, with the ``core`` columns.
    """
    if not files:
        columns = ", ".join(f"{c} VARCHAR" for c in core)
        con.execute(f"CREATE TEMP TABLE {table} ({columns}, _source VARCHAR, _rank INTEGER)")
        return list(core)
    paths = string_list(str(f) for f in files)
    order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_ORDER))
    con.execute(
        f"""
        CREATE TEMP TABLE {table} AS
        SELECT * EXCLUDE (filename), regexp_extract(filename, '([^/]+)_(nodes|edges)\\.tsv$', 1) AS _source,
               CASE regexp_extract(filename, '([^/]+)_(nodes|edges)\\.tsv$', 1) {order} ELSE {len(SOURCE_ORDER)} END
                   AS _rank
        FROM read_csv([{paths}], delim = '\t', quote = '', escape = '', header = true, all_varchar = true,
                      union_by_name = true, filename = true, auto_detect = false)
        """
    )
    return [c for c in con.table(table).columns if not c.startswith("_")]


def _rank(column: str, precedence: dict[str, list[str]]) -> str:
    """SQL ranking a row's source for ``column``: the sources ``precedence`` names first, then SOURCE_ORDER."""
    order = precedence.get(column)
    if not order:
        return "_rank"
    whens = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(order))
    return f"CASE _source {whens} ELSE {len(order)} + _rank END"


def _merged_columns(columns: list[str], single: set[str], precedence: dict[str, list[str]]) -> list[str]:
    """SQL aggregating each column over the rows of one id/key: list union or first-ranked value."""
    out = []
    for c in columns:
        if is_multivalued(c) and c not in single:
            out.append(
                f"nullif(array_to_string(list_sort(list_distinct(flatten(list(string_split({ident(c)}, '|'))"
                f"))), '|'), '') AS {ident(c)}"
            )
        else:
            out.append(
                f"arg_min({ident(c)}, {_rank(c, precedence)}) FILTER (WHERE {ident(c)} IS NOT NULL) AS {ident(c)}"
            )
    return out


def _conflicts(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    columns: list[str],
    single: set[str],
    label: str,
    precedence: dict[str, list[str]],
) -> dict[str, Tally]:
    """Single-valued properties with more than one distinct value for the same id/key.

    For a property in ``precedence`` only the values of the first-ranked source present can conflict.
    """
    found = {}
    for c in columns:
        if is_multivalued(c) and c not in single:
            continue
        rows_of = table
        if c in precedence:
            rank = _rank(c, precedence)
            rows_of = (
                f"(SELECT * FROM {table} WHERE {ident(c)} IS NOT NULL "
                f"QUALIFY {rank} = min({rank}) OVER (PARTITION BY {key}))"
            )
        rows = con.execute(
            f"""
            SELECT count(*), list(example ORDER BY example)[1:{EXAMPLES}] FROM (
                SELECT {key} || ': ' || string_agg(DISTINCT {ident(c)}, ' vs ' ORDER BY {ident(c)}) AS example
                FROM {rows_of} WHERE {ident(c)} IS NOT NULL GROUP BY {key}
                HAVING count(DISTINCT {ident(c)}) > 1)
            """
        ).fetchone() or (0, [])
        if rows[0]:
            found[f"{label} {c}"] = Tally(rows[0], rows[1])
    return found


def _collapse(
    con: duckdb.DuckDBPyConnection,
    rows: str,
    key: str,
    columns: list[str],
    single: set[str],
    out: str,
    label: str,
    precedence: dict[str, list[str]] | None = None,
) -> dict[str, Tally]:
    """Table ``out``: one row per ``key`` of ``rows``; returns the conflicts of single-valued properties.

    Only keys with several rows are aggregated (most ids have one row), so the cost stays with them.
    """
    con.execute(f"CREATE TEMP TABLE {rows}_multi AS SELECT {key} AS _k FROM {rows} GROUP BY {key} HAVING count(*) > 1")
    con.execute(f"CREATE TEMP VIEW {rows}_dups AS SELECT * FROM {rows} SEMI JOIN {rows}_multi ON _k = {key}")
    conflicts = _conflicts(
        con,
        f"{rows}_dups",
        key,
        [c for c in columns if c not in single or c == "category"],
        single,
        label,
        precedence or {},
    )
    listed = ", ".join(ident(c) for c in columns)
    con.execute(
        f"""
        CREATE TEMP TABLE {out} AS
        SELECT {listed} FROM {rows} ANTI JOIN {rows}_multi ON _k = {key}
        UNION ALL
        SELECT {", ".join(_merged_columns(columns, single, precedence or {}))} FROM {rows}_dups GROUP BY {key}
        """
    )
    return conflicts


def _remove_colliding_xrefs(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    """Remove from table ``nodes`` each xref that is the id of a node of another category; count them."""
    con.execute("""
        CREATE TEMP TABLE xref_collisions AS
        SELECT x.id, x.category, x.value, o.category AS other_category
        FROM (SELECT id, category, unnest(string_split(xref, '|')) AS value FROM nodes WHERE xref IS NOT NULL) x
        JOIN nodes o ON o.id = x.value AND o.category <> x.category
    """)
    collisions = example_tallies(
        con,
        """
        SELECT 'xref of a ' || category || ' node is the id of a ' || other_category || ' node (xref removed)'
               AS reason, id || ' xref ' || value AS example
        FROM xref_collisions
    """,
    )
    con.execute("""
        UPDATE nodes SET xref = c.kept
        FROM (SELECT n.id, nullif(array_to_string(list_filter(string_split(n.xref, '|'),
                                                              v -> NOT list_contains(b.bad, v)), '|'), '') AS kept
              FROM nodes n JOIN (SELECT id, list(value) AS bad FROM xref_collisions GROUP BY id) b USING (id)) c
        WHERE nodes.id = c.id
    """)
    return collisions


def ordered(columns: list[str], core: list[str]) -> list[str]:
    """KGX column order: the core columns present first, then the others by name."""
    return [c for c in core if c in columns] + sorted(c for c in columns if c not in core)


def _copy(con: duckdb.DuckDBPyConnection, query: str, columns: list[str], path: Path) -> None:
    """Write ``query`` as KGX TSV; the one output column is named by the header line itself."""
    line = " || '\t' || ".join(tsv_cell(c, "VARCHAR") for c in columns)
    con.execute(
        f"COPY (SELECT {line} AS {ident(chr(9).join(columns))} FROM ({query})) "
        f"TO '{path}' (FORMAT csv, HEADER true, QUOTE '', ESCAPE '')"
    )


def merge(con: duckdb.DuckDBPyConnection, transforms_dir: Path, out_dir: Path, name: str = "ncbi_gene") -> MergeResult:
    """Merge ``<transforms_dir>/*_nodes.tsv`` and ``*_edges.tsv`` into ``<out_dir>/<name>_nodes.tsv`` / ``_edges.tsv``.

    Leaves tables ``nodes`` and ``edges`` (the merged graph, all VARCHAR) in ``con`` for validation
    and statistics.
    """
    result = MergeResult()
    node_columns = _load(con, "node_rows", sorted(transforms_dir.glob("*_nodes.tsv")), NODE_CORE)
    edge_columns = _load(con, "edge_rows", sorted(transforms_dir.glob("*_edges.tsv")), EDGE_CORE)
    result.node_rows = scalar(con, "SELECT count(*) FROM node_rows")
    result.edge_rows = scalar(con, "SELECT count(*) FROM edge_rows")
    # Before anything is merged: ids of discontinued genes (the files are of different dates), cross-checks.
    result.remapped = remap_discontinued(con, transforms_dir / HISTORY_TABLE)
    result.disagreements = disagreements(con)

    authority = " OR ".join(
        f"(r.category = '{c}' AND r._source <> '{s}' AND NOT EXISTS (SELECT 1 FROM node_rows a "
        f"WHERE a.id = r.id AND a._source = '{s}'))"
        for c, s in NODE_AUTHORITY.items()
    )
    result.dropped_nodes = example_tallies(
        con,
        f"SELECT r._source || ' ' || r.category || ' row for an id that ' || "
        f"'its authoritative source does not have' AS reason, r.id AS example "
        f"FROM node_rows r WHERE {authority}",
    )
    con.execute(f"DELETE FROM node_rows r WHERE {authority}")
    single = {"id", "category"}
    result.conflicts = _collapse(
        con, "node_rows", "id", node_columns, single, "nodes", "node", NODE_PROPERTY_SOURCE_ORDER
    )

    if "xref" in node_columns:
        result.xref_collisions = _remove_colliding_xrefs(con)

    identity = set(identity_columns(edge_columns)) | {"id"}  # one value per id: no conflict to look for
    result.conflicts |= _collapse(con, "edge_rows", "id", edge_columns, identity, "merged_edges", "edge")
    result.dangling_edges = example_tallies(
        con,
        """
        SELECT predicate || ' edge whose ' || CASE WHEN s.id IS NULL THEN 'subject' ELSE 'object' END
               || ' is not a node' AS reason, e.subject || ' -> ' || e.object AS example
        FROM merged_edges e LEFT JOIN nodes s ON s.id = e.subject LEFT JOIN nodes o ON o.id = e.object
        WHERE s.id IS NULL OR o.id IS NULL
    """,
    )
    con.execute(
        "CREATE TEMP TABLE edges AS SELECT e.* FROM merged_edges e "
        "SEMI JOIN nodes s ON s.id = e.subject SEMI JOIN nodes o ON o.id = e.object"
    )

    nodes_cols = ordered(node_columns, NODE_CORE)
    edges_cols = ordered(edge_columns, EDGE_CORE)
    _copy(con, "SELECT * FROM nodes ORDER BY id", nodes_cols, out_dir / f"{name}_nodes.tsv")
    _copy(con, "SELECT * FROM edges ORDER BY subject, predicate, object, id", edges_cols, out_dir / f"{name}_edges.tsv")
    result.nodes = scalar(con, "SELECT count(*) FROM nodes")
    result.edges = scalar(con, "SELECT count(*) FROM edges")
    return result
