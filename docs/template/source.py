"""TEMPLATE: copy to transforms/<name>.py and replace every "source" with the NCBI file name.

<name> -> what it becomes, in one line. Then what a row means and the choices made (predicate, knowledge
level, direction), briefly; the full mapping spec is docs/sources/<name>.md.

This template maps a gene-to-gene file (tax_id, GeneID, relationship, Other_tax_id, Other_GeneID) to one
edge per pair. Rows are classified in DuckDB by rules written as data ({reason: SQL condition}); every row
is emitted, out of scope or rejected, and every value left out of an emitted row is counted.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number, other_taxon_out_of_scope
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.taxa import TaxonScope

NAME = "source"  # the NCBI file name: DuckDB tables are named after it (source_emitted, ...)
COLUMNS = ["tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID"]

# One predicate for the whole file is a constant. When a column's values choose the predicate, put the
# mapping in a table, src/ncbi_gene_kg/mappings/<name>_<what>.tsv with its source cited in '#' lines, and
# join it in SQL (register_table; transforms/gene_group.py does this). Never an if/elif chain.
RELATIONSHIP = "Ortholog"
PREDICATE = "biolink:orthologous_to"
CATEGORY = "biolink:GeneToGeneHomologyAssociation"
# Why this knowledge level and agent type (what the file says about how a row was made).
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "computational_model"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out, each a reason and an SQL condition over COLUMNS.

    ``scope`` is the build's taxon scope, ``options`` the config's transform fields (ingest.flag and
    ingest.choice read them). The reference ingest guide lists these reasons; test_configs checks them.
    """
    # Bad input: counted with its reason and first file:line places, never emitted. First match wins; a row
    # with the wrong number of fields is always rejected (by open_source).
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("Other_GeneID"),
        **not_a_number("tax_id"),
        **not_a_number("Other_tax_id"),
        f"relationship is not {RELATIONSHIP}": f"relationship IS DISTINCT FROM '{RELATIONSHIP}'",
        "gene paired with itself": "GeneID = Other_GeneID",
    }
    # Valid rows this graph leaves out, {reason: SQL condition}: the scan checks tax_id (RowRules.taxon_column),
    # the other gene's taxon is checked here.
    filtered = other_taxon_out_of_scope(scope)
    return RowRules(rejected, filtered)


def transform(source: InputTables) -> None:
    """Map the emitted rows to KGX edges in one query (typed: lists as lists) and store them.

    ``source.emitted`` names the view of emitted rows; ``source.edges(query)`` / ``source.nodes(query)`` store
    the rows as the tables the merge reads (the query's columns are the config's edge_properties, but ``id``,
    which each edge gets from its identity). No ORDER BY: the graph is sorted once, by the merge.
    """
    pair = (
        "least(CAST(GeneID AS BIGINT), CAST(Other_GeneID AS BIGINT)) AS gene_a, "
        "greatest(CAST(GeneID AS BIGINT), CAST(Other_GeneID AS BIGINT)) AS gene_b"
    )
    # A row that adds nothing (its pair was given by an earlier row) is still counted.
    source.drop_values(f"""
        SELECT 'pair already given by an earlier row' AS reason, _file, _line
        FROM (SELECT _file, _line, {pair} FROM {source.emitted})
        QUALIFY row_number() OVER (PARTITION BY gene_a, gene_b ORDER BY _file, _line) > 1
    """)
    source.edges(f"""
        SELECT 'NCBIGene:' || gene_a           AS subject,
               '{PREDICATE}'                   AS predicate,
               'NCBIGene:' || gene_b           AS object,
               '{CATEGORY}'                    AS category,
               '{KNOWLEDGE_LEVEL}'             AS knowledge_level,
               '{AGENT_TYPE}'                  AS agent_type,
               '{provenance.NCBI_GENE}'        AS primary_knowledge_source,
               CAST(NULL AS VARCHAR[])         AS aggregator_knowledge_source
        FROM (SELECT DISTINCT {pair} FROM {source.emitted})
    """)


# What the transform is: the build calls it on its database; Koza calls it through the two hooks.
TRANSFORM = Transform(NAME, COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/source.yaml` (koza_adapter.py)
