"""Where gene2ensembl and gene_info's dbXrefs disagree on a gene's Ensembl genes (counted in the merge).

NCBI's README warns that the Ensembl gene ids in gene_info's dbXrefs and the matches in gene2ensembl are
not always concordant. The merge unions the two (no duplicates); :func:`disagreements` counts, per gene
and Ensembl gene, what only one of them states, before the nodes are merged.
"""

from __future__ import annotations

import duckdb

from ncbi_gene_kg.accounting import EXAMPLES, Tally

GENE_INFO, GENE2ENSEMBL = "gene_info", "gene2ensembl"
ENSEMBL = "ENSEMBL:"
GENE = "biolink:Gene"


def disagreements(
    con: duckdb.DuckDBPyConnection, tables: dict[str, str], others: str = "other_node_rows"
) -> dict[str, Tally]:
    """Ensembl genes only gene2ensembl or only gene_info's dbXrefs give a gene: a tally per reason.

    ``tables`` are the transforms' node tables by source; gene2ensembl's rows are read from ``others`` (the
    merge's node rows of the sources but gene_info, discontinued GeneIDs remapped). Only genes both sources
    describe are compared: a gene2ensembl row for a gene gene_info lacks is dropped by the merge (and counted
    there), and a gene gene2ensembl has no match for is no disagreement. Examples are
    ``NCBIGene:883 ENSEMBL:ENSG00000286112``.
    """
    if GENE_INFO not in tables or GENE2ENSEMBL not in tables:
        return {}
    genes = tables[GENE_INFO]
    rows = con.execute(f"""
        WITH ensembl AS (
            SELECT id, xref FROM {others} WHERE _source = '{GENE2ENSEMBL}' AND category = '{GENE}'
        ), xrefs AS (
            SELECT DISTINCT r.id, r._source, x.xref
            FROM (SELECT g.id, '{GENE_INFO}' AS _source, g.xref FROM {genes} g SEMI JOIN ensembl e USING (id)
                  UNION ALL
                  SELECT id, '{GENE2ENSEMBL}', xref FROM ensembl e SEMI JOIN {genes} g USING (id)) r,
                 unnest(r.xref) AS x(xref)
            WHERE starts_with(x.xref, '{ENSEMBL}')
        )
        SELECT reason, count(*), list(example ORDER BY example)[1:{EXAMPLES}] FROM (
            SELECT CASE _source
                       WHEN '{GENE2ENSEMBL}' THEN 'Ensembl gene in gene2ensembl, not in the gene''s gene_info dbXrefs'
                       ELSE 'Ensembl gene in gene_info dbXrefs, not in the gene''s gene2ensembl rows' END AS reason,
                   id || ' ' || xref AS example
            FROM xrefs a
            WHERE NOT EXISTS (SELECT 1 FROM xrefs b WHERE b.id = a.id AND b.xref = a.xref AND b._source <> a._source)
        ) GROUP BY reason ORDER BY reason
    """).fetchall()
    return {reason: Tally(n, examples) for reason, n, examples in rows}
