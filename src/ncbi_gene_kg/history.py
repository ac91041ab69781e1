"""Discontinued GeneIDs in the merge: the history table and the remapping.

The gene_history transform writes ``gene_history_discontinued.tsv`` (:data:`HISTORY_TABLE`) beside its
empty KGX outputs: one row per discontinued GeneID in the taxon scope, with the current id its chain of
replacements ends at (NULL when the chain ends in a GeneID discontinued without replacement).
:func:`remap_discontinued` rewrites, in the merge's ``node_rows`` / ``edge_rows`` tables and before nodes
and edges are built, every node id, edge subject/object and xref that names a discontinued GeneID (the NCBI
files are produced at different times): to the current id, or the row or value is dropped when there is
none. gene_info's own rows are left as they are. Everything is counted.

The same table gives the SSSOM mapping set (sssom.py) and `ncbi-gene-kg resolve` (resolve.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from koza.io.writer.writer import KozaWriter

from ncbi_gene_kg.accounting import Tally, example_tallies
from ncbi_gene_kg.kgx import edge_id
from ncbi_gene_kg.sql import items, quote

HISTORY_TABLE = "gene_history_discontinued.tsv"
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
NODES_FILE = "ncbi_gene_nodes.tsv"
GENE = "NCBIGene"
EXEMPT_SOURCE = "gene_info"  # the gene records themselves: never rewritten


def side_output_dir(writer: KozaWriter) -> Path:
    """The folder a Koza writer writes its KGX files to (TSVWriter.dirname, JSONLWriter.output_dir)."""
    for attribute in ("dirname", "output_dir"):
        value = getattr(writer, attribute, None)
        if value is not None:
            return Path(value)
    raise TypeError(f"cannot tell the output folder of {type(writer).__name__}")


def load_history(con: duckdb.DuckDBPyConnection, history: Path, table: str = "discontinued_genes") -> bool:
    """Load the gene_history transform's table into temp table ``table``; False when the file is absent.

    Columns: HISTORY_COLUMNS plus ``old`` ('NCBIGene:<discontinued id>') and ``new`` ('NCBIGene:<current
    id>', NULL when there is none).
    """
    if not history.is_file():
        return False
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in HISTORY_COLUMNS) + "}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT '{GENE}:' || discontinued_id AS old, '{GENE}:' || current_id AS new, *
        FROM read_csv({quote(str(history))}, delim = '\t', quote = '', escape = '', header = true,
                      columns = {columns}, auto_detect = false)
    """)
    return True


def remap_discontinued(con: duckdb.DuckDBPyConnection, history: Path) -> dict[str, Tally]:
    """Rewrite discontinued GeneIDs in the merge's ``node_rows`` and ``edge_rows`` (before they are merged).

    ``history`` is the gene_history transform's ``gene_history_discontinued.tsv``; without it nothing
    changes. In every row but gene_info's: a node id, an edge subject or object, or an xref naming a
    discontinued GeneID becomes the current id. A row with no current id is dropped (an xref value is
    left out); so is a node row whose current gene already has a row from the same source (it would only
    conflict with it), a second node row of a source for the same current gene, and an edge whose two
    ends become the same gene. Returns a tally per reason (examples: ``old -> new``).
    """
    if not load_history(con, history):
        return {}
    found: dict[str, Tally] = {}
    found |= _remap_edges(con)
    found |= _remap_nodes(con)
    found |= _remap_xrefs(con)
    found |= example_tallies(
        con,
        f"""
        SELECT 'gene_info has a node for a discontinued GeneID (kept; gene_info and gene_history are from '
               || 'different dates)' AS reason, r.id || ' -> ' || coalesce(d.new, '-') AS example
        FROM node_rows r JOIN discontinued_genes d ON d.old = r.id WHERE r._source = '{EXEMPT_SOURCE}'
    """,
    )
    return dict(sorted(found.items()))


def _remap_edges(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE edge_remap AS
        SELECT *, CASE
                   WHEN (old_subject IS NOT NULL AND new_subject IS NULL)
                        OR (old_object IS NOT NULL AND new_object IS NULL)
                       THEN 'edge naming a discontinued GeneID without a current id (dropped)'
                   WHEN coalesce(new_subject, subject) = coalesce(new_object, object)
                       THEN 'edge whose two ends are the same gene once remapped (dropped)'
                   ELSE 'edge naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT e.rid, e._source, e.subject, e.object, s.old AS old_subject, s.new AS new_subject,
                   o.old AS old_object, o.new AS new_object
            FROM (SELECT rowid AS rid, _source, subject, object FROM edge_rows) e
            LEFT JOIN discontinued_genes s ON s.old = e.subject
            LEFT JOIN discontinued_genes o ON o.old = e.object
            WHERE s.old IS NOT NULL OR o.old IS NOT NULL
        )
    """)
    found = example_tallies(
        con,
        """
        SELECT _source || ' ' || outcome AS reason,
               subject || ' -> ' || object || CASE WHEN outcome LIKE '%(dropped)' THEN ''
                   ELSE ' as ' || coalesce(new_subject, subject) || ' -> ' || coalesce(new_object, object) END
                   AS example
        FROM edge_remap
    """,
    )
    con.execute("""
        UPDATE edge_rows SET subject = coalesce(m.new_subject, edge_rows.subject),
                             object = coalesce(m.new_object, edge_rows.object)
        FROM edge_remap m WHERE edge_rows.rowid = m.rid AND m.outcome NOT LIKE '%(dropped)'
    """)
    con.execute("DELETE FROM edge_rows WHERE rowid IN (SELECT rid FROM edge_remap WHERE outcome LIKE '%(dropped)')")
    # A remapped edge is another edge: its id follows from its new ends (the merge groups edges by id).
    columns = {c: "VARCHAR" for c in con.table("edge_rows").columns if not c.startswith("_")}
    con.execute(f"UPDATE edge_rows SET id = {edge_id(columns)} WHERE rowid IN (SELECT rid FROM edge_remap)")
    return found


def _remap_nodes(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
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
                   EXISTS (SELECT 1 FROM node_rows o WHERE o._source = r._source AND o.id = d.new) AS own,
                   row_number() OVER (PARTITION BY r._source, d.new
                                      ORDER BY d.discontinue_date DESC, CAST(d.discontinued_id AS BIGINT) DESC)
                       AS rank
            FROM (SELECT rowid AS rid, _source, id FROM node_rows WHERE _source <> '{EXEMPT_SOURCE}') r
            JOIN discontinued_genes d ON d.old = r.id
        )
    """)
    found = example_tallies(
        con,
        "SELECT _source || ' ' || outcome AS reason, old || ' -> ' || coalesce(new, '-') AS example FROM node_remap",
    )
    con.execute(
        "UPDATE node_rows SET id = m.new FROM node_remap m "
        "WHERE node_rows.rowid = m.rid AND m.outcome NOT LIKE '%(dropped)'"
    )
    con.execute("DELETE FROM node_rows WHERE rowid IN (SELECT rid FROM node_remap WHERE outcome LIKE '%(dropped)')")
    return found


def _remap_xrefs(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE xref_remap AS
        SELECT x.*, d.old IS NOT NULL AS discontinued, d.new,
               CASE WHEN d.new IS NULL THEN 'xref naming a discontinued GeneID without a current id (left out)'
                    WHEN d.new = x.id THEN 'xref naming a discontinued GeneID of the node itself (left out)'
                    ELSE 'xref naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT rid, _source, id, {items("parts")}
            FROM (SELECT rowid AS rid, _source, id, string_split(xref, '|') AS parts FROM node_rows
                  WHERE _source <> '{EXEMPT_SOURCE}' AND xref LIKE '%{GENE}:%')
        ) x LEFT JOIN discontinued_genes d ON d.old = x.value
    """)
    found = example_tallies(
        con,
        "SELECT _source || ' ' || outcome AS reason, id || ': ' || value || ' -> ' || "
        "coalesce(new, '-') AS example FROM xref_remap WHERE discontinued",
    )
    con.execute("""
        UPDATE node_rows SET xref = f.xref FROM (
            SELECT rid, nullif(string_agg(coalesce(new, value), '|' ORDER BY pos)
                               FILTER (WHERE outcome NOT LIKE '%(left out)' OR NOT discontinued), '') AS xref
            FROM xref_remap GROUP BY rid HAVING bool_or(discontinued)
        ) f WHERE node_rows.rowid = f.rid
    """)
    return found
