"""gene_history -> table gene_history_discontinued: each discontinued GeneID and the current id it ends at.

gene_history is not Biolink content (a discontinued id is not a node), so this transform writes no node or
edge. It classifies the rows (taxon scope applied in the scan), keeps one row per discontinued GeneID and
follows each replacement chain (A replaced by B, B later replaced by C: A's current id is C; a chain that
ends in '-' has no current id). The result is the table ``gene_history_discontinued`` beside the KGX tables
(``gene_history_discontinued.tsv`` through Koza), which :func:`ncbi_gene_kg.history.remap_discontinued`
(merge), the SSSOM mapping set (sssom.py) and `ncbi-gene-kg resolve` read.
docs/sources/gene_history.md explains the choices.
"""

from ncbi_gene_kg.history import HISTORY_COLUMNS, HISTORY_TABLE
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.taxa import TaxonScope

NAME = "gene_history"
COLUMNS = ["tax_id", "GeneID", "Discontinued_GeneID", "Discontinued_Symbol", "Discontinue_Date"]
# Longer replacement chains than this are reported as loops (real chains are a few steps long).
MAX_CHAIN = 100


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input, each a reason and an SQL condition (none is left out)."""
    rejected = {
        **not_a_number("Discontinued_GeneID"),
        # '-' (NULL) is a GeneID discontinued without replacement
        "GeneID is neither a number nor '-'": "NOT coalesce(regexp_full_match(GeneID, '[0-9]+'), true)",
        **not_a_number("tax_id"),
        "Discontinue_Date is not a date (YYYYMMDD)": "try_strptime(Discontinue_Date, '%Y%m%d') IS NULL",
        "GeneID replaced by itself": "GeneID = Discontinued_GeneID",
    }
    return RowRules(rejected)


def transform(source: InputTables) -> None:
    """The emitted rows as the table of discontinued GeneIDs (no node, no edge)."""
    kept = discontinued_rows(source, source.emitted)
    history = replacement_chains(source, kept)
    source.side_table(HISTORY_TABLE, f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {history}")


def discontinued_rows(source: InputTables, rows: str) -> str:
    """Table history0: one row of ``rows`` (gene_history's emitted rows) per discontinued GeneID (its latest
    row, should NCBI list an id twice): tax_id, discontinued_id, discontinued_symbol, discontinue_date
    (YYYY-MM-DD), replaced_by, _file, _line.

    Duplicates are rare: they are found by a grouping and only their rows are ranked (a window over every
    row costs minutes at TAXA=all).
    """
    listed_again = source.table(
        "listed_again",
        f"""
        SELECT _file, _line FROM (
            SELECT _file, _line, row_number() OVER (PARTITION BY Discontinued_GeneID
                                                    ORDER BY Discontinue_Date DESC, _file, _line) AS n
            FROM {rows}
            WHERE Discontinued_GeneID IN (SELECT Discontinued_GeneID FROM {rows}
                                          GROUP BY Discontinued_GeneID HAVING count(*) > 1)
        ) WHERE n > 1
    """,
    )
    source.drop_values(
        f"SELECT 'discontinued GeneID listed again (its latest row kept)' AS reason, _file, _line FROM {listed_again}"
    )
    return source.table(
        "history0",
        f"""
        SELECT tax_id, Discontinued_GeneID AS discontinued_id, Discontinued_Symbol AS discontinued_symbol,
               strftime(strptime(Discontinue_Date, '%Y%m%d'), '%Y-%m-%d') AS discontinue_date,
               GeneID AS replaced_by, _file, _line
        FROM {rows} e
        WHERE NOT EXISTS (SELECT 1 FROM {listed_again} a WHERE a._file = e._file AND a._line = e._line)
    """,
    )


def replacement_chains(source: InputTables, discontinued: str) -> str:
    """Table history: the rows of ``discontinued`` (discontinued_rows' table) with current_id (where the chain
    of replacements ends), via (the ids between) and chain_end ('current', 'discontinued' or 'loop').

    Most replacements are current genes; only those whose replacement was itself discontinued are walked
    (a recursive join over every row costs minutes at TAXA=all). A chain that comes back to an id it passed
    (or runs longer than MAX_CHAIN) has no current id; it is counted as a loop.
    """
    chain_starts = source.table(
        "chain_starts",
        f"""
        SELECT discontinued_id, replaced_by FROM {discontinued}
        WHERE replaced_by IN (SELECT discontinued_id FROM {discontinued})
    """,
    )
    chain_ends = source.table(
        "chain_ends",
        f"""
        WITH RECURSIVE walk(discontinued_id, current_id, via, steps) AS (
            SELECT discontinued_id, replaced_by, []::VARCHAR[], 0 FROM {chain_starts}
            UNION ALL
            SELECT w.discontinued_id, n.replaced_by, list_append(w.via, w.current_id), w.steps + 1
            FROM walk w JOIN {discontinued} n ON n.discontinued_id = w.current_id
            WHERE w.current_id <> w.discontinued_id AND NOT list_contains(w.via, w.current_id)
              AND w.steps < {MAX_CHAIN}
        )
        SELECT discontinued_id, e.current_id, e.via, e.steps
        FROM (SELECT discontinued_id, arg_max(struct_pack(current_id, via, steps), steps) AS e
              FROM walk GROUP BY discontinued_id)
    """,
    )
    loops = (
        "c.current_id IS NOT NULL AND (c.current_id = c.discontinued_id OR list_contains(c.via, c.current_id) "
        f"OR c.steps >= {MAX_CHAIN})"
    )
    source.drop_values(f"""
        SELECT 'replacement chain loops back (no current id recorded)' AS reason, h._file, h._line
        FROM {discontinued} h JOIN {chain_ends} c USING (discontinued_id) WHERE {loops}
    """)
    return source.table(
        "history",
        f"""
        SELECT h.tax_id, h.discontinued_id, h.discontinued_symbol, h.discontinue_date, h.replaced_by,
               CASE WHEN c.discontinued_id IS NULL THEN h.replaced_by WHEN NOT ({loops}) THEN c.current_id END
                   AS current_id,
               nullif(array_to_string(c.via, '|'), '') AS via,
               CASE WHEN c.discontinued_id IS NULL THEN CASE WHEN h.replaced_by IS NULL THEN 'discontinued'
                                                             ELSE 'current' END
                    WHEN {loops} THEN 'loop' WHEN c.current_id IS NULL THEN 'discontinued' ELSE 'current' END
                   AS chain_end,
               h._file, h._line
        FROM {discontinued} h LEFT JOIN {chain_ends} c USING (discontinued_id)
    """,
    )


TRANSFORM = Transform(NAME, COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_history.yaml` (koza_adapter.py)
