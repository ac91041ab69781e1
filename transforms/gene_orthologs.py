"""gene_orthologs -> biolink:orthologous_to edges, one per ortholog pair (both directions collapse to one).

The taxon scope is applied to both genes of a pair. ``ortholog_scope`` (a transform field of the config,
``both`` by default) keeps a pair when both genes are in the scope; ``either`` keeps it when at least
one is, and writes a minimal Gene node for each gene outside the scope (gene_info writes nodes only for
genes in the scope), so that no edge has an endpoint without a node.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import (
    InputTables,
    Options,
    RowRules,
    Transform,
    choice,
    not_a_number,
    other_taxon_out_of_scope,
)
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, scalar, string_list
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = ["tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID"]
ORTHOLOG_SCOPES = ("both", "either")

PREDICATE = "biolink:orthologous_to"
CATEGORY = "biolink:GeneToGeneHomologyAssociation"
# NCBI's ortholog pipeline states these pairs as orthologs (no score, not a ranked guess): an assertion made
# by rules encoded in an algorithm (protein similarity and local synteny). Curators review some pairs, but
# the file does not say which, so no row can claim manual validation. See docs/sources/gene_orthologs.md.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "computational_model"

BOTH_OUT_OF_SCOPE = "neither gene's taxon in scope"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out; with a taxon scope, the other gene's taxon too."""
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("Other_GeneID"),
        **not_a_number("tax_id"),
        **not_a_number("Other_tax_id"),
        "relationship is not Ortholog": "relationship IS DISTINCT FROM 'Ortholog'",
        "gene paired with itself": "GeneID = Other_GeneID",
    }
    if scope.tax_ids is None:  # every taxon: both genes are always in scope
        return RowRules(rejected)
    taxa = string_list(scope.tax_ids)
    if choice(options, "ortholog_scope", ORTHOLOG_SCOPES) == "both":
        # The scan drops rows whose tax_id is out of scope; the other gene's taxon is checked here.
        return RowRules(rejected, other_taxon_out_of_scope(scope))
    # either: a row whose tax_id is out of scope may still pair with a gene in scope, so the scan keeps all.
    both_outside = f"tax_id NOT IN ({taxa}) AND Other_tax_id NOT IN ({taxa})"
    return RowRules(rejected, {BOTH_OUT_OF_SCOPE: both_outside}, taxon_column=None)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    # A pair is ordered (smaller GeneID first): the predicate is symmetric, so a pair listed twice (in
    # either direction) makes one edge.
    pair = (
        "least(CAST(GeneID AS BIGINT), CAST(Other_GeneID AS BIGINT)) AS gene_a, "
        "greatest(CAST(GeneID AS BIGINT), CAST(Other_GeneID AS BIGINT)) AS gene_b"
    )
    ortholog_pairs = source.table(
        "ortholog_pairs", f"SELECT {pair}, count(*) AS n_rows FROM {source.emitted} GROUP BY ALL"
    )
    if scalar(source.con, f"SELECT count(*) FROM {ortholog_pairs} WHERE n_rows > 1"):
        source.drop_values(f"""
            SELECT 'pair already given by an earlier row' AS reason, _file, _line
            FROM (SELECT _file, _line, {pair} FROM {source.emitted})
            QUALIFY row_number() OVER (PARTITION BY gene_a, gene_b ORDER BY _file, _line) > 1
        """)
    source.edges(f"""
        WITH edges AS (
            SELECT gene_a, gene_b, {gene_curie("gene_a")} AS subject, '{PREDICATE}' AS predicate,
                   {gene_curie("gene_b")} AS object, '{provenance.NCBI_GENE}' AS primary_knowledge_source
            FROM {ortholog_pairs}
        )
        SELECT subject, predicate, object,
               '{CATEGORY}'                AS category,
               '{KNOWLEDGE_LEVEL}'         AS knowledge_level,
               '{AGENT_TYPE}'              AS agent_type,
               primary_knowledge_source,
               CAST(NULL AS VARCHAR[])     AS aggregator_knowledge_source
        FROM edges
    """)
    tax_ids = source.scope.tax_ids
    if choice(source.options, "ortholog_scope", ORTHOLOG_SCOPES) == "either" and tax_ids is not None:
        taxa = string_list(tax_ids)
        source.nodes(f"""
            WITH outside AS (
                SELECT CAST(GeneID AS BIGINT) AS gene, tax_id FROM {source.emitted}
                WHERE tax_id NOT IN ({taxa})
                UNION ALL
                SELECT CAST(Other_GeneID AS BIGINT), Other_tax_id FROM {source.emitted}
                WHERE Other_tax_id NOT IN ({taxa})
            )
            SELECT {gene_curie("gene")} AS id, 'biolink:Gene' AS category,
                   'NCBITaxon:' || min(tax_id) AS in_taxon, '{provenance.NCBI_GENE}' AS provided_by
            FROM outside GROUP BY gene
        """)


TRANSFORM = Transform("gene_orthologs", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_orthologs.yaml` (koza_adapter.py)
