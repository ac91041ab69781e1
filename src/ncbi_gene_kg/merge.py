"""Merge the transforms' typed tables into the graph's two tables, in DuckDB (never the graph in Python).

Rules (docs/merge.md):
- Nodes are unique by id. Rows for the same id merge: list properties (multivalued in Biolink) are
  the union, sorted; single-valued properties must agree, and where they do not the value of the
  first source in ``SOURCE_ORDER`` is kept and the conflict is reported.
- A Gene node exists only where gene_info has the gene: other files (mim2gene_medgen's OMIM gene
  entries) add properties to gene_info's node; their rows for genes gene_info lacks (outside the
  taxon scope, or discontinued) are dropped and counted.
- Edges are unique by their id, which every transform gave them from their identity (subject, predicate,
  object, negated, primary_knowledge_source and qualifiers: :func:`ncbi_gene_kg.kgx.edge_key`), so an
  edge keeps the id its transform stored (the remapping of discontinued genes gives new ids to the rows
  it rewrites).
- An edge whose subject or object is not a node is dropped and counted (dangling).
- An xref that is the id of a node of another category is removed and counted: one CURIE names one
  thing. (mim2gene_medgen lists a few OMIM entries both as a region's gene entry and as a phenotype;
  the entry is the phenotype's, so it stays a Disease node and is no Gene xref.)

How: the sources' tables are read where they are. Only what needs work is copied: the node rows of the
sources other than gene_info (small beside it), the edges that name a discontinued GeneID, and the rows of
ids that occur more than once, which are aggregated. A transform stores each edge once, and gene_info each
gene once (its rows rules reject a second row of a GeneID), so an id can occur twice only across tables,
and edge tables can share an id only when they share a predicate. The graph's tables ``nodes`` and
``edges`` are then made once, sorted (nodes by id; edges by subject, predicate, object, id), in the
database given (the published graph database); every output is written from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from ncbi_gene_kg.accounting import EXAMPLES, Tally, example_tallies
from ncbi_gene_kg.ensembl import disagreements
from ncbi_gene_kg.history import exempt_rows, load_history, remap_edges, remap_node_rows
from ncbi_gene_kg.ingest import Kind, table_of
from ncbi_gene_kg.kgx import EDGE_CORE, NODE_CORE, identity_columns, is_list, kgx_type, ordered
from ncbi_gene_kg.sources import merge_order, property_preferences
from ncbi_gene_kg.sql import ident, scalar

# Precedence when single-valued properties conflict (each config's merge_rank), and the source a category's
# nodes must come from.
SOURCE_ORDER = merge_order()
NODE_AUTHORITY = {"biolink:Gene": "gene_info"}
# Single-valued node properties whose sources rank otherwise than SOURCE_ORDER (a config's preferred_for): an
# intended override, not a conflict. gene_summary's description (RefSeq's summary) wins over gene_info's.
NODE_PROPERTY_SOURCE_ORDER = property_preferences()
# The graph's row order: every output is written in it.
NODE_ORDER = "id"
EDGE_ORDER = "subject, predicate, object, id"


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


def _tables(con: duckdb.DuckDBPyConnection, kind: Kind) -> dict[str, str]:
    """{source: table} of the transforms' node or edge tables in ``con``'s database, in SOURCE_ORDER."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary"
        ).fetchall()
    }
    return {s: table_of(s, kind) for s in SOURCE_ORDER if table_of(s, kind) in present}


def _columns(con: duckdb.DuckDBPyConnection, tables: Iterable[str], core: list[str]) -> list[str]:
    """Every column of ``tables``, in KGX order; the core columns when there is no table (a graph without edges
    has an edge table, and file, with the core columns)."""
    return ordered({c for t in tables for c in con.table(t).columns}, core) or list(core)


def _rows(con: duckdb.DuckDBPyConnection, source: str, table: str, columns: list[str], where: str = "") -> str:
    """SQL for ``table``'s rows with every one of ``columns`` (NULL where it has none), ``_source``, ``_rank``."""
    have = set(con.table(table).columns)
    cells = [ident(c) if c in have else f"CAST(NULL AS {kgx_type(c)}) AS {ident(c)}" for c in columns]
    rank = SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER)
    return f"SELECT {', '.join(cells)}, '{source}' AS _source, {rank} AS _rank FROM {table} {where}"


def _rank(column: str, precedence: dict[str, list[str]]) -> str:
    """SQL ranking a row's source for ``column``: the sources ``precedence`` names first, then SOURCE_ORDER."""
    order = precedence.get(column)
    if not order:
        return "_rank"
    whens = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(order))
    return f"CASE _source {whens} ELSE {len(order)} + _rank END"


def _merged(column: str, single: set[str], precedence: dict[str, list[str]]) -> str:
    """SQL aggregating ``column`` over the rows of one id: list union (sorted) or the first-ranked value."""
    c = ident(column)
    if is_list(column) and column not in single:
        return f"nullif(list_sort(list_distinct(flatten(list({c}) FILTER (WHERE {c} IS NOT NULL)))), []) AS {c}"
    return f"arg_min({c}, {_rank(column, precedence)}) FILTER (WHERE {c} IS NOT NULL) AS {c}"


def _conflicts(
    con: duckdb.DuckDBPyConnection, rows: str, columns: list[str], label: str, precedence: dict[str, list[str]]
) -> dict[str, Tally]:
    """Single-valued properties with more than one distinct value among the rows of one id (``rows``).

    For a property in ``precedence`` only the values of the first-ranked source present can conflict.
    """
    found = {}
    for column in columns:
        c = ident(column)
        rows_of = rows
        if column in precedence:
            rank = _rank(column, precedence)
            rows_of = (
                f"(SELECT * FROM {rows} WHERE {c} IS NOT NULL QUALIFY {rank} = min({rank}) OVER (PARTITION BY id))"
            )
        n, examples = con.execute(f"""
            SELECT count(*), list(example ORDER BY example)[1:{EXAMPLES}] FROM (
                SELECT id || ': ' || string_agg(DISTINCT CAST({c} AS VARCHAR), ' vs ' ORDER BY CAST({c} AS VARCHAR))
                       AS example
                FROM {rows_of} WHERE {c} IS NOT NULL GROUP BY id HAVING count(DISTINCT {c}) > 1)
        """).fetchone() or (0, [])
        if n:
            found[f"{label} {column}"] = Tally(n, examples)
    return found


def _collapse(
    con: duckdb.DuckDBPyConnection,
    rows: str,
    columns: list[str],
    single: set[str],
    out: str,
    label: str,
    precedence: dict[str, list[str]],
) -> dict[str, Tally]:
    """Temp table ``out``: one row per id of ``rows`` (the rows of ids that occur more than once); returns the
    conflicts of single-valued properties (``single`` are equal on every row of an id: not compared)."""
    compared = [c for c in columns if not (is_list(c) and c not in single) and (c not in single or c == "category")]
    conflicts = _conflicts(con, rows, compared, label, precedence)
    merged = ", ".join(_merged(c, single, precedence) for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT {merged} FROM {rows} GROUP BY id")
    return conflicts


def merge(con: duckdb.DuckDBPyConnection, graph: str = "graph") -> MergeResult:
    """Merge the transforms' tables in ``con`` into tables ``<graph>.nodes`` and ``<graph>.edges`` (``graph`` is an
    attached database; the tables are made once, sorted). Leaves temp tables for the reports of the build."""
    result = MergeResult()
    node_tables, edge_tables = _tables(con, "node"), _tables(con, "edge")
    result.node_rows = sum(scalar(con, f"SELECT count(*) FROM {t}") for t in node_tables.values())
    result.edge_rows = sum(scalar(con, f"SELECT count(*) FROM {t}") for t in edge_tables.values())
    history = load_history(con)
    node_columns = _columns(con, node_tables.values(), NODE_CORE)
    nodes = _merge_nodes(con, node_tables, node_columns, history, result)
    listed = ", ".join(map(ident, node_columns))
    if "xref" in node_columns:
        result.xref_collisions = _colliding_xrefs(con, nodes)
        if result.xref_collisions:  # removed as the table is made (an UPDATE would move the rows)
            kept = "nullif(list_filter(xref, v -> NOT list_contains(c.bad, v)), [])"
            listed = listed.replace('"xref"', f"CASE WHEN c.bad IS NULL THEN xref ELSE {kept} END AS xref")
            nodes = f"{nodes} LEFT JOIN (SELECT id, list(value) AS bad FROM xref_collisions GROUP BY id) c USING (id)"
    con.execute(f"CREATE TABLE {graph}.nodes AS SELECT {listed} FROM {nodes} ORDER BY {NODE_ORDER}")
    edge_columns = _columns(con, edge_tables.values(), EDGE_CORE)
    edges = _merge_edges(con, edge_tables, edge_columns, history, result)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dangling_edges AS
        SELECT e.id, e.predicate, e.subject, e.object, s.id IS NULL AS no_subject
        FROM (SELECT id, predicate, subject, object FROM {edges}) e
        LEFT JOIN {graph}.nodes s ON s.id = e.subject LEFT JOIN {graph}.nodes o ON o.id = e.object
        WHERE s.id IS NULL OR o.id IS NULL
    """)
    result.dangling_edges = example_tallies(
        con,
        "SELECT predicate || ' edge whose ' || CASE WHEN no_subject THEN 'subject' ELSE 'object' END "
        "|| ' is not a node' AS reason, subject || ' -> ' || object AS example FROM dangling_edges",
    )
    kept = "ANTI JOIN dangling_edges USING (id)" if result.dangling_edges else ""
    con.execute(
        f"CREATE TABLE {graph}.edges AS SELECT {', '.join(map(ident, edge_columns))} FROM {edges} {kept} "
        f"ORDER BY {EDGE_ORDER}"
    )
    result.remapped = dict(sorted(result.remapped.items()))
    result.nodes = scalar(con, f"SELECT count(*) FROM {graph}.nodes")
    result.edges = scalar(con, f"SELECT count(*) FROM {graph}.edges")
    return result


def _merge_nodes(
    con: duckdb.DuckDBPyConnection, tables: dict[str, str], columns: list[str], history: bool, result: MergeResult
) -> str:
    """The merged node rows (a view over the tables and the few rows that needed work); returns its name."""
    authority = {s for s in NODE_AUTHORITY.values() if s in tables}
    others = {s: t for s, t in tables.items() if s not in authority}
    parts = [_rows(con, s, t, columns) for s, t in others.items()]
    empty = (
        f"SELECT {', '.join(f'CAST(NULL AS {kgx_type(c)}) AS {ident(c)}' for c in columns)}, '' AS _source, 0 AS _rank"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE other_node_rows AS {' UNION ALL '.join(parts) or empty + ' LIMIT 0'}")
    genes = {s: t for s, t in tables.items() if s in authority}
    if history:
        result.remapped |= remap_node_rows(con, "other_node_rows")
        for table in genes.values():
            result.remapped |= exempt_rows(con, table)
    result.disagreements = disagreements(con, tables)
    # A node of an authority's category comes from that authority (gene_info's genes).
    lacking = " OR ".join(
        f"(r.category = '{c}' AND NOT EXISTS (SELECT 1 FROM {tables[s]} a WHERE a.id = r.id))"
        if s in tables
        else f"r.category = '{c}'"
        for c, s in NODE_AUTHORITY.items()
    )
    result.dropped_nodes = example_tallies(
        con,
        f"SELECT r._source || ' ' || r.category || ' row for an id that its authoritative source does not have' "
        f"AS reason, r.id AS example FROM other_node_rows r WHERE {lacking}",
    )
    con.execute(f"DELETE FROM other_node_rows r WHERE {lacking}")
    # Ids with more than one row: within the other sources, or also in an authority's table.
    shared = " UNION ".join(f"SELECT id FROM other_node_rows SEMI JOIN {t} USING (id)" for t in genes.values())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE multi_nodes AS
        SELECT id FROM other_node_rows GROUP BY id HAVING count(*) > 1 {"UNION " + shared if shared else ""}
    """)
    rows = [_rows(con, s, t, columns, "SEMI JOIN multi_nodes USING (id)") for s, t in genes.items()]
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW multi_node_rows AS
        {" UNION ALL ".join([*rows, "SELECT * FROM other_node_rows SEMI JOIN multi_nodes USING (id)"])}
    """)
    result.conflicts |= _collapse(
        con, "multi_node_rows", columns, {"id", "category"}, "merged_nodes", "node", NODE_PROPERTY_SOURCE_ORDER
    )
    listed = ", ".join(map(ident, columns))
    kept = [
        f"SELECT {listed} FROM ({_rows(con, s, t, columns)}) ANTI JOIN multi_nodes USING (id)" for s, t in genes.items()
    ]
    kept.append(f"SELECT {listed} FROM other_node_rows ANTI JOIN multi_nodes USING (id)")
    kept.append(f"SELECT {listed} FROM merged_nodes")
    con.execute(f"CREATE OR REPLACE TEMP VIEW merged_node_rows AS {' UNION ALL '.join(kept)}")
    return "merged_node_rows"


def _colliding_xrefs(con: duckdb.DuckDBPyConnection, nodes: str) -> dict[str, Tally]:
    """Temp table ``xref_collisions``: each xref of the rows of ``nodes`` that is the id of a node of another
    category (the graph leaves them out); a tally per category pair."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE xref_collisions AS
        SELECT x.id, x.category, x.value, o.category AS other_category
        FROM (SELECT id, category, unnest(xref) AS value FROM {nodes} WHERE xref IS NOT NULL) x
        JOIN (SELECT id, category FROM {nodes}) o ON o.id = x.value AND o.category <> x.category
    """)
    return example_tallies(
        con,
        """
        SELECT 'xref of a ' || category || ' node is the id of a ' || other_category || ' node (xref removed)'
               AS reason, id || ' xref ' || value AS example
        FROM xref_collisions
    """,
    )


def _merge_edges(
    con: duckdb.DuckDBPyConnection, tables: dict[str, str], columns: list[str], history: bool, result: MergeResult
) -> str:
    """The merged edge rows (a view over the tables and the few rows that needed work); returns its name."""
    parts = {s: _rows(con, s, t, columns) for s, t in tables.items()}
    if history and tables:
        remap, remapped = remap_edges(con, tables)
        result.remapped |= remapped
        for source in tables:
            if scalar(con, f"SELECT count(*) FROM {remap} WHERE _source = '{source}'"):
                parts[source] = (
                    f"SELECT * FROM ({parts[source]}) e WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {remap} m WHERE m._source = '{source}' AND m.id = e.id)"
                )
        if scalar(con, "SELECT count(*) FROM remapped_edges"):
            parts["(remapped)"] = _rows(con, "(remapped)", "remapped_edges", columns).replace(
                "'(remapped)' AS _source", "_source"
            )
    if not parts:
        cells = ", ".join(f"CAST(NULL AS {kgx_type(c)}) AS {ident(c)}" for c in columns)
        con.execute(f"CREATE OR REPLACE TEMP VIEW merged_edge_rows AS SELECT {cells} LIMIT 0")
        return "merged_edge_rows"
    con.execute(f"CREATE OR REPLACE TEMP TABLE multi_edges AS {_shared_edge_ids(con, parts)}")
    listed = ", ".join(map(ident, columns))
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW multi_edge_rows AS
        {" UNION ALL ".join(f"SELECT * FROM ({p}) SEMI JOIN multi_edges USING (id)" for p in parts.values())}
    """)
    identity = set(identity_columns(columns)) | {"id"}  # one value per id: no conflict to look for
    result.conflicts |= _collapse(con, "multi_edge_rows", columns, identity, "merged_edges", "edge", {})
    kept = [f"SELECT {listed} FROM ({p}) ANTI JOIN multi_edges USING (id)" for p in parts.values()]
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW merged_edge_rows AS
        {" UNION ALL ".join([*kept, f"SELECT {listed} FROM merged_edges"])}
    """)
    return "merged_edge_rows"


def _shared_edge_ids(con: duckdb.DuckDBPyConnection, parts: dict[str, str]) -> str:
    """SQL for the ids that more than one of ``parts`` (edge row sets, each unique by id) holds.

    Edges of two sets can share an id only if they share a predicate; of each group of sets that do, the
    largest is probed (a semi join), and the others are counted together.
    """
    predicates = {
        s: {p for (p,) in con.execute(f"SELECT DISTINCT predicate FROM ({q})").fetchall()} for s, q in parts.items()
    }
    groups: list[set[str]] = []
    for source in parts:
        joined = [g for g in groups if any(predicates[source] & predicates[o] for o in g)]
        groups = [g for g in groups if g not in joined] + [set().union({source}, *joined)]
    sizes = {s: scalar(con, f"SELECT count(*) FROM ({q})") for s, q in parts.items()}
    found = ["SELECT NULL::VARCHAR AS id WHERE false"]
    for group in (g for g in groups if len(g) > 1):
        # The remapped rows are never the probed set: they may repeat an id among themselves.
        largest = max((s for s in group if s != "(remapped)"), key=lambda s: sizes[s])
        rest = " UNION ALL ".join(f"SELECT id FROM ({parts[s]})" for s in sorted(group - {largest}))
        found.append(f"SELECT id FROM ({rest}) GROUP BY id HAVING count(*) > 1")
        found.append(f"SELECT id FROM ({rest}) SEMI JOIN ({parts[largest]}) USING (id)")
    return " UNION ".join(found)
