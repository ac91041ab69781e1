"""gene_group -> gene-gene edges: readthrough, region and pseudogene relationships, one edge per pair.

NCBI reports every relationship from both genes (a 'Region member' row and its mirrored 'Region parent'
row). The mapping table ``gene_group_relationships`` gives each relationship its predicate and the
direction of the edge, so that a row and its mirror map to the same edge, written once. Both genes must
be in the taxon scope (their nodes come from gene_info).
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number, other_taxon_out_of_scope
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, string_list
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = ["tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID"]
ORTHOLOG = "Ortholog"  # discontinued in gene_group in 2018; orthology comes from gene_orthologs
# The relationships are NCBI's statements, made by RefSeq curation and NCBI's annotation pipelines; the
# file does not say which made a given row. See docs/sources/gene_group.md.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "not_provided"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out (Ortholog rows; the other gene outside the taxon scope)."""
    known = string_list([row["relationship"] for row in load_table("gene_group_relationships")] + [ORTHOLOG])
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("Other_GeneID"),
        **not_a_number("tax_id"),
        **not_a_number("Other_tax_id"),
        "missing relationship": "relationship IS NULL",
        "unknown relationship (not in gene_group_relationships.tsv)": f"relationship NOT IN ({known})",
        "gene related to itself": "GeneID = Other_GeneID",
    }
    filtered = {"Ortholog row (orthology comes from gene_orthologs)": f"relationship = '{ORTHOLOG}'"}
    # the scan checks tax_id; the other gene's taxon is checked here
    return RowRules(rejected, filtered | other_taxon_out_of_scope(scope))


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    relationships = register_table(source.con, "gene_group_relationships")
    # Each row as the statement it makes, oriented by the mapping table: a row and its mirror agree.
    statements = source.table(
        "gene_group_statements",
        f"""
        WITH oriented AS (
            SELECT g._file, g._line, m.predicate, m.category,
                   CAST(g.GeneID AS BIGINT) AS gene, CAST(g.Other_GeneID AS BIGINT) AS other,
                   m.direction, CASE m.direction WHEN 'reverse' THEN m.inverse ELSE g.relationship END
                       AS original_predicate
            FROM {source.emitted} g JOIN {relationships} m USING (relationship)
        )
        SELECT _file, _line, predicate, category, original_predicate,
               CASE direction WHEN 'forward' THEN gene WHEN 'reverse' THEN other ELSE least(gene, other) END
                   AS subject_gene,
               CASE direction WHEN 'forward' THEN other WHEN 'reverse' THEN gene ELSE greatest(gene, other) END
                   AS object_gene
        FROM oriented
    """,
    )
    # One edge per (subject, predicate, object): its original_predicate is the relationship of its rows
    # (two relationships mapped to one predicate and direction: the first by name is kept, the other counted).
    source.drop_values(f"""
        SELECT CASE WHEN original_predicate = first_value(original_predicate) OVER edge
                    THEN 'relationship already given by an earlier row (NCBI reports both genes'' rows)'
                    ELSE 'another relationship for the same edge (original_predicate keeps the first by name)'
               END AS reason, _file, _line
        FROM {statements}
        WINDOW edge AS (PARTITION BY subject_gene, predicate, object_gene ORDER BY original_predicate, _file, _line)
        QUALIFY row_number() OVER edge > 1
    """)
    source.edges(f"""
        WITH edges AS (
            SELECT subject_gene, object_gene, predicate, category, min(original_predicate) AS original_predicate,
                   {gene_curie("subject_gene")} AS subject, {gene_curie("object_gene")} AS object,
                   '{provenance.NCBI_GENE}' AS primary_knowledge_source
            FROM {statements} GROUP BY subject_gene, object_gene, predicate, category
        )
        SELECT subject, predicate, object, category, original_predicate,
               '{KNOWLEDGE_LEVEL}'     AS knowledge_level,
               '{AGENT_TYPE}'          AS agent_type,
               primary_knowledge_source,
               CAST(NULL AS VARCHAR[]) AS aggregator_knowledge_source
        FROM edges
    """)


TRANSFORM = Transform("gene_group", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_group.yaml` (koza_adapter.py)
