"""gene2pubmed -> biolink:Publication nodes and biolink:mentions edges from publications to genes (on request).

gene2pubmed is large (tens of millions of rows) and most graph users do not want a node per paper, so it
is off unless the transform field ``publications`` is true. Off, nothing is written and every row in the
taxon scope is counted as out of scope ("publications not requested"); on, each (PubMed record, gene)
pair becomes one edge ``PMID:<n> —biolink:mentions→ NCBIGene:<GeneID>``. docs/sources/gene2pubmed.md explains
the predicate and its direction.
"""

from collections.abc import Iterable

import koza
from koza.transform import KozaTransform

from ncbi_gene_kg import kgx, provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, flag, not_a_number, open_source
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

NOT_REQUESTED = "publications not requested"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input, each a reason and an SQL condition; every row when publications are off."""
    if not flag(options, "publications", False):
        # Still scanned and counted, so that the accounting covers the file; only a row with the wrong
        # number of fields is rejected (a format change shows whether or not publications are wanted).
        return RowRules({}, {NOT_REQUESTED: "true"})
    return RowRules({**not_a_number("GeneID"), **not_a_number("tax_id"), **not_a_number("PubMed_ID")})


@koza.prepare_data()
def scan(koza: KozaTransform, data: Iterable) -> InputTables:
    """Koza's prepare_data hook: the file's rows in DuckDB, scoped and classified (ingest.open_source)."""
    return open_source(koza, data, "gene2pubmed", COLUMNS, row_rules)


@koza.transform()
def transform(koza: KozaTransform, source: InputTables) -> None:
    """Koza's transform hook: the emitted rows as KGX nodes and edges, then the row accounting."""
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
    kgx.write_edges(
        koza.writer,
        source.sql(f"""
        SELECT * EXCLUDE (first_row)
        FROM (
            SELECT 'PMID:' || pmid                  AS subject,
                   '{PREDICATE}'                    AS predicate,
                   {gene_curie("gene")}              AS object,
                   '{CATEGORY}'                     AS category,
                   '{KNOWLEDGE_LEVEL}'              AS knowledge_level,
                   '{AGENT_TYPE}'                   AS agent_type,
                   '{provenance.NCBI_GENE}'         AS primary_knowledge_source,
                   CAST(NULL AS VARCHAR[])          AS aggregator_knowledge_source,
                   min(struct_pack(file := _file, line := _line)) AS first_row
            FROM {mentions} GROUP BY pmid, gene
        )
        ORDER BY first_row
    """),
    )
    kgx.write_nodes(
        koza.writer,
        source.sql(f"""
        SELECT 'PMID:' || pmid AS id, '{NODE_CATEGORY}' AS category, ['{PUBLICATION_TYPE}'] AS publication_type,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM (SELECT DISTINCT pmid FROM {mentions}) ORDER BY pmid
    """),
    )
    source.finish(koza)
