"""Discontinued GeneIDs in the merge: the history table and the remapping.

The gene_history transform keeps table ``gene_history_discontinued`` (:data:`HISTORY_TABLE`) in the build's
database: one row per discontinued GeneID in the taxon scope, with the current id its chain of replacements
ends at (NULL when the chain ends in a GeneID discontinued without replacement). Before nodes and edges are
merged, every node id, edge subject/object and xref of the other sources that names a discontinued GeneID
(the NCBI files are produced at different times) is rewritten to the current id, or the row or value is
dropped when there is none (:func:`remap_node_rows`, :func:`remap_edges`). gene_info's own rows are left as
they are. Everything is counted.

The same table gives the SSSOM mapping set (sssom.py) and `ncbi-gene-kg resolve` (resolve.py), which reads
its copy in the published graph database (table ``gene_history``).
"""

from __future__ import annotations

import duckdb

from ncbi_gene_kg.accounting import Tally, example_tallies
from ncbi_gene_kg.kgx import edge_id
from ncbi_gene_kg.sql import items, scalar

HISTORY_TABLE = "gene_history_discontinued"
# chain_end: 'current' (current_id is set), 'discontinued' (the chain ends in a GeneID discontinued without
# replacement) or 'loop' (the chain comes back to an id it passed; no current id).
HISTORY_COLUMNS = [
    "tax_id",
    "discontinued_id",
    "discontinued_symbol",
    "discontinue_date",
    "replaced_by",
    "current_id",
    "via",
    "chain_end",
]
GENE = "NCBIGene"
EXEMPT_SOURCE = "gene_info"  # the gene records themselves: never rewritten
DROPPED = "%(dropped)"


def has_history(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the build's database holds the gene_history transform's table."""
    return bool(scalar(con, f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{HISTORY_TABLE}'"))


def load_history(con: duckdb.DuckDBPyConnection, table: str = "discontinued_genes") -> bool:
    """Temp table ``table``: the history table with ``old`` ('NCBIGene:<discontinued id>') and ``new``
    ('NCBIGene:<current id>', NULL when there is none); False when gene_history was not an input."""
    if not has_history(con):
        return False
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT '{GENE}:' || discontinued_id AS old, '{GENE}:' || current_id AS new, *
        FROM {HISTORY_TABLE}
    """)
    return True


def remap_node_rows(con: duckdb.DuckDBPyConnection, rows: str) -> dict[str, Tally]:
    """Rewrite discontinued GeneIDs in table ``rows`` (node rows of the sources but gene_info, with ``_source``).

    A node id naming a discontinued GeneID becomes the current id; the row is dropped when there is none, when
    the current gene already has a row from the same source (it would only conflict with it), or for a second
    row of a source for the same current gene. An xref naming one is remapped, or left out. Returns a tally
    per reason (examples: ``old -> new``). Needs :func:`load_history` first.
    """
    found = _remap_nodes(con, rows)
    if "xref" in con.table(rows).columns:
        found |= _remap_xrefs(con, rows)
    return found


def exempt_rows(con: duckdb.DuckDBPyConnection, gene_rows: str) -> dict[str, Tally]:
    """gene_info's rows (table ``gene_rows``) for discontinued GeneIDs: kept, counted."""
    return example_tallies(
        con,
        f"""
        SELECT 'gene_info has a node for a discontinued GeneID (kept; gene_info and gene_history are from '
               || 'different dates)' AS reason, r.id || ' -> ' || coalesce(d.new, '-') AS example
        FROM {gene_rows} r JOIN discontinued_genes d ON d.old = r.id
    """,
    )


def remap_edges(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> tuple[str, dict[str, Tally]]:
    """The edges of ``tables`` ({source: edge table}) that name a discontinued GeneID, remapped.

    Returns the name of temp table ``edge_remap`` (``_source``, ``id`` of the original edge, ``outcome``) and a
    tally per reason; the rewritten edges (new ends, and the new id their ends give) are in temp table
    ``remapped_edges`` (the edge columns and ``_source``). An edge with an end without current id, or whose two
    ends become the same gene, is dropped. Needs :func:`load_history` first.
    """
    parts = [
        f"""
        SELECT '{source}' AS _source, e.id, e.subject, e.object, s.old AS old_subject, s.new AS new_subject,
               o.old AS old_object, o.new AS new_object
        FROM {table} e
        LEFT JOIN discontinued_genes s ON s.old = e.subject
        LEFT JOIN discontinued_genes o ON o.old = e.object
        WHERE s.old IS NOT NULL OR o.old IS NOT NULL
        """
        for source, table in tables.items()
    ]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE edge_remap AS
        SELECT *, CASE
                   WHEN (old_subject IS NOT NULL AND new_subject IS NULL)
                        OR (old_object IS NOT NULL AND new_object IS NULL)
                       THEN 'edge naming a discontinued GeneID without a current id (dropped)'
                   WHEN coalesce(new_subject, subject) = coalesce(new_object, object)
                       THEN 'edge whose two ends are the same gene once remapped (dropped)'
                   ELSE 'edge naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM ({" UNION ALL ".join(parts)})
    """)
    found = example_tallies(
        con,
        f"""
        SELECT _source || ' ' || outcome AS reason,
               subject || ' -> ' || object || CASE WHEN outcome LIKE '{DROPPED}' THEN ''
                   ELSE ' as ' || coalesce(new_subject, subject) || ' -> ' || coalesce(new_object, object) END
                   AS example
        FROM edge_remap
    """,
    )
    rewritten = []
    for source, table in tables.items():
        columns = [c for c in con.table(table).columns if c != "id"]
        types = dict(zip(con.table(table).columns, (str(t) for t in con.table(table).types), strict=True))
        ends = {"subject": "coalesce(m.new_subject, e.subject)", "object": "coalesce(m.new_object, e.object)"}
        select = ", ".join(f"{ends.get(c, 'e.' + c)} AS {c}" for c in columns)
        # A remapped edge is another edge: its id follows from its new ends (the merge groups edges by id).
        rewritten.append(f"""
            SELECT {edge_id({c: types[c] for c in columns})} AS id, *, '{source}' AS _source FROM (
                SELECT {select} FROM {table} e JOIN edge_remap m ON m._source = '{source}' AND m.id = e.id
                WHERE m.outcome NOT LIKE '{DROPPED}')
        """)
    con.execute(f"CREATE OR REPLACE TEMP TABLE remapped_edges AS {' UNION ALL BY NAME '.join(rewritten)}")
    return "edge_remap", found


def _remap_nodes(con: duckdb.DuckDBPyConnection, rows: str) -> dict[str, Tally]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE node_remap AS
        SELECT *, CASE
                   WHEN new IS NULL THEN 'node row for a discontinued GeneID without a current id (dropped)'
                   WHEN own THEN 'node row for a discontinued GeneID whose current gene has its own row '
                                 || 'from the same source (dropped)'
                   WHEN rank > 1 THEN 'node row for a discontinued GeneID whose current gene has a row for '
                                      || 'a more recently discontinued GeneID (dropped)'
                   ELSE 'node row for a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT r.rid, r._source, d.old, d.new,
                   EXISTS (SELECT 1 FROM {rows} o WHERE o._source = r._source AND o.id = d.new) AS own,
                   row_number() OVER (PARTITION BY r._source, d.new
                                      ORDER BY d.discontinue_date DESC, CAST(d.discontinued_id AS BIGINT) DESC)
                       AS rank
            FROM (SELECT rowid AS rid, _source, id FROM {rows}) r
            JOIN discontinued_genes d ON d.old = r.id
        )
    """)
    found = example_tallies(
        con,
        "SELECT _source || ' ' || outcome AS reason, old || ' -> ' || coalesce(new, '-') AS example FROM node_remap",
    )
    con.execute(
        f"UPDATE {rows} SET id = m.new FROM node_remap m WHERE {rows}.rowid = m.rid AND m.outcome NOT LIKE '{DROPPED}'"
    )
    con.execute(f"DELETE FROM {rows} WHERE rowid IN (SELECT rid FROM node_remap WHERE outcome LIKE '{DROPPED}')")
    return found


def _remap_xrefs(con: duckdb.DuckDBPyConnection, rows: str) -> dict[str, Tally]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE xref_remap AS
        SELECT x.*, d.old IS NOT NULL AS discontinued, d.new,
               CASE WHEN d.new IS NULL THEN 'xref naming a discontinued GeneID without a current id (left out)'
                    WHEN d.new = x.id THEN 'xref naming a discontinued GeneID of the node itself (left out)'
                    ELSE 'xref naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT rid, _source, id, {items("xref")}
            FROM (SELECT rowid AS rid, _source, id, xref FROM {rows}
                  WHERE list_any_value(list_filter(xref, v -> starts_with(v, '{GENE}:'))) IS NOT NULL)
        ) x LEFT JOIN discontinued_genes d ON d.old = x.value
    """)
    found = example_tallies(
        con,
        "SELECT _source || ' ' || outcome AS reason, id || ': ' || value || ' -> ' || "
        "coalesce(new, '-') AS example FROM xref_remap WHERE discontinued",
    )
    con.execute(f"""
        UPDATE {rows} SET xref = f.xref FROM (
            SELECT rid, nullif(list(coalesce(new, value) ORDER BY pos)
                               FILTER (WHERE outcome NOT LIKE '%(left out)' OR NOT discontinued), []) AS xref
            FROM xref_remap GROUP BY rid HAVING bool_or(discontinued)
        ) f WHERE {rows}.rowid = f.rid
    """)
    return found
