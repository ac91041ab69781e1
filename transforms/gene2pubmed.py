"""gene2pubmed -> biolink:Publication nodes and biolink:mentions edges from publications to genes (on request).

gene2pubmed is large (tens of millions of rows) and most graph users do not want a node per paper, so it
is read only when the transform field ``publications`` is true (the config's ``only_with``); otherwise the
build lists the file as present and unused, and does not read it. Each (PubMed record, gene)
pair becomes one edge ``PMID:<n> —biolink:mentions→ NCBIGene:<GeneID>``. docs/sources/gene2pubmed.md explains
the predicate and its direction.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = ["tax_id", "GeneID", "PubMed_ID"]

PREDICATE = "biolink:mentions"
CATEGORY = "biolink:InformationContentEntityToNamedThingAssociation"
NODE_CATEGORY = "biolink:Publication"
# Biolink requires publication_type on a Publication, from a vocabulary such as the DCMI types; every
# PubMed record (article, review, book chapter, ...) is a dctypes:Text. (The model's note that the term
# be a biolink:OntologyClass node cannot be followed: OntologyClass is a mixin, not a category, in 4.4.6.)
PUBLICATION_TYPE = "dctypes:Text"
# gene2pubmed gathers links from NCBI staff, model organism databases, GeneRIF submitters and the
# citations of sequence records; a row does not say which, so who made it (manual or automated) is
# not provided. What each row asserts is that the publication is about the gene.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "not_provided"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input, each a reason and an SQL condition."""
    return RowRules({**not_a_number("GeneID"), **not_a_number("tax_id"), **not_a_number("PubMed_ID")})


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    # Table mentions (_file, _line, pmid, gene): each emitted row's PubMed id and GeneID, as numbers.
    mentions = source.table(
        "mentions",
        f"""
        SELECT _file, _line, CAST(PubMed_ID AS BIGINT) AS pmid, CAST(GeneID AS BIGINT) AS gene
        FROM {source.emitted}
    """,
    )
    source.drop_values(f"""
        SELECT 'pair already given by an earlier row' AS reason, _file, _line FROM {mentions}
        QUALIFY row_number() OVER (PARTITION BY pmid, gene ORDER BY _file, _line) > 1
    """)
    source.edges(f"""
        SELECT * FROM (
            SELECT 'PMID:' || pmid                  AS subject,
                   '{PREDICATE}'                    AS predicate,
                   {gene_curie("gene")}              AS object,
                   '{CATEGORY}'                     AS category,
                   '{KNOWLEDGE_LEVEL}'              AS knowledge_level,
                   '{AGENT_TYPE}'                   AS agent_type,
                   '{provenance.NCBI_GENE}'         AS primary_knowledge_source,
                   CAST(NULL AS VARCHAR[])          AS aggregator_knowledge_source
            FROM {mentions} GROUP BY pmid, gene
        )
    """)
    source.nodes(f"""
        SELECT 'PMID:' || pmid AS id, '{NODE_CATEGORY}' AS category, ['{PUBLICATION_TYPE}'] AS publication_type,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM (SELECT DISTINCT pmid FROM {mentions})
    """)


TRANSFORM = Transform("gene2pubmed", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene2pubmed.yaml` (koza_adapter.py)
