"""gene2ensembl -> Ensembl gene xrefs on Gene nodes; optionally Ensembl transcript and protein nodes.

gene2ensembl has one row per transcript NCBI matched between its annotation and Ensembl's. Each gene gets
one node row with its Ensembl genes as ``ENSEMBL:`` xrefs (the prefix and pattern gene_info's dbXrefs use,
so the merge unions the two without duplicates); :func:`ncbi_gene_kg.ensembl.disagreements` counts, in the
merge, where gene2ensembl and gene_info's dbXrefs name different Ensembl genes for a gene.

With the transform field ``ensembl_products: true`` the matched Ensembl transcripts (biolink:RNAProduct)
and proteins (biolink:Protein) become nodes, the RefSeq accessions they were matched with their xrefs,
each with a biolink:has_gene_product edge from the gene. Ids are written without their version, as the
other transforms write Ensembl and RefSeq ids. docs/sources/gene2ensembl.md explains the choices.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.curie import resolve
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, flag, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, quote, unversioned
from ncbi_gene_kg.taxa import TaxonScope

NAME = "gene2ensembl"
RNA, RNA_ENSEMBL = '"RNA_nucleotide_accession.version"', "Ensembl_rna_identifier"
PROTEIN, PROTEIN_ENSEMBL = '"protein_accession.version"', "Ensembl_protein_identifier"
COLUMNS = [
    "tax_id",
    "GeneID",
    "Ensembl_gene_identifier",
    "RNA_nucleotide_accession.version",
    "Ensembl_rna_identifier",
    "protein_accession.version",
    "Ensembl_protein_identifier",
]
GENE = "biolink:Gene"
PRODUCTS = {"biolink:RNAProduct": (RNA_ENSEMBL, RNA), "biolink:Protein": (PROTEIN_ENSEMBL, PROTEIN)}
PREDICATE = "biolink:has_gene_product"
EDGE_CATEGORY = "biolink:GeneToGeneProductRelationship"
# NCBI's annotation pipeline computes the matches by comparing features (no curator per row): an assertion
# by an automated agent.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "automated_agent"


def _pattern(name: str) -> tuple[str, str]:
    """The CURIE prefix of a database and its identifier pattern as an SQL literal."""
    prefix = resolve(name)
    if prefix.prefix is None or prefix.pattern is None:
        raise RuntimeError(f"{name} has no registry prefix and pattern")
    return prefix.prefix, quote(prefix.pattern)


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out, each a reason and an SQL condition."""
    _, ensembl = _pattern("Ensembl")
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("tax_id"),
        "missing Ensembl_gene_identifier": "Ensembl_gene_identifier IS NULL",
    }
    # Ensembl Genomes rows name genes with INSDC-derived ids (gene-A5N79_gp34) that are no ENSEMBL CURIE.
    filtered = {
        "Ensembl gene identifier does not match the ENSEMBL pattern": (
            f"NOT regexp_full_match(Ensembl_gene_identifier, {ensembl})"
        ),
    }
    return RowRules(rejected, filtered)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    ensembl, _ = _pattern("Ensembl")
    taxon_labels = source.taxon_labels()
    source.nodes(f"""
        SELECT {gene_curie("g.GeneID")} AS id, '{GENE}' AS category,
               list_sort(list_distinct(list('{ensembl}:' || g.Ensembl_gene_identifier))) AS xref,
               'NCBITaxon:' || g.tax_id AS in_taxon, any_value(t.label) AS in_taxon_label,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM {source.emitted} g LEFT JOIN {taxon_labels} t ON t.tax_id = g.tax_id
        GROUP BY g.GeneID, g.tax_id
    """)
    if flag(source.options, "ensembl_products", False):
        products = gene_products(source, source.emitted, ensembl)
        write_products(source, products, taxon_labels)


def gene_products(source: InputTables, rows: str, ensembl: str) -> str:
    """Table products (_file, _line, tax_id, GeneID, category, id, xref): the products ``rows`` match.

    One row per Ensembl transcript or protein of a row of ``rows`` (emitted gene2ensembl rows): its
    category (biolink:RNAProduct or biolink:Protein), its unversioned id with prefix ``ensembl``, and the
    RefSeq accession it was matched with as its xref. A product id or an accession that does not match its
    pattern is counted as a dropped value (a product without a valid id is left out, an invalid accession
    gives no xref). Returns the table's name.
    """
    _, ensembl_pattern = _pattern("Ensembl")
    refseq, refseq_pattern = _pattern("RefSeq")
    selects = []
    for category, (ensembl_column, refseq_column) in PRODUCTS.items():
        selects.append(f"""
            SELECT _file, _line, tax_id, GeneID, '{category}' AS category,
                   {unversioned(ensembl_column)} AS product, {unversioned(refseq_column)} AS accession,
                   '{ensembl_column}' AS what
            FROM {rows} WHERE {ensembl_column} IS NOT NULL
        """)
    product_rows = source.table("product_rows", " UNION ALL ".join(selects))
    source.drop_values(f"""
        SELECT what || ' does not match the ENSEMBL pattern' AS reason, _file, _line FROM {product_rows}
        WHERE NOT regexp_full_match(product, {ensembl_pattern})
        UNION ALL
        SELECT 'RefSeq accession matched to ' || what || ' does not match the RefSeq pattern' AS reason, _file, _line
        FROM {product_rows} WHERE accession IS NOT NULL AND NOT regexp_full_match(accession, {refseq_pattern})
    """)
    return source.table(
        "products",
        f"""
        SELECT _file, _line, tax_id, GeneID, category, '{ensembl}:' || product AS id,
               CASE WHEN regexp_full_match(accession, {refseq_pattern}) THEN '{refseq}:' || accession END AS xref
        FROM {product_rows} WHERE regexp_full_match(product, {ensembl_pattern})
    """,
    )


def write_products(source: InputTables, products: str, taxon_labels: str) -> None:
    """RNAProduct and Protein nodes for the ``products`` (table of :func:`gene_products`), has_gene_product edges."""
    source.nodes(f"""
        SELECT p.id, p.category, list_sort(list_distinct(list(p.xref) FILTER (WHERE p.xref IS NOT NULL))) AS xref,
               'NCBITaxon:' || p.tax_id AS in_taxon, any_value(t.label) AS in_taxon_label,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM {products} p LEFT JOIN {taxon_labels} t ON t.tax_id = p.tax_id
        GROUP BY p.id, p.category, p.tax_id
    """)
    source.edges(f"""
        SELECT subject, predicate, object, '{EDGE_CATEGORY}' AS category,
               '{KNOWLEDGE_LEVEL}' AS knowledge_level, '{AGENT_TYPE}' AS agent_type, primary_knowledge_source
        FROM (
            SELECT DISTINCT {gene_curie("GeneID")} AS subject, '{PREDICATE}' AS predicate, id AS object,
                   '{provenance.NCBI_GENE}' AS primary_knowledge_source
            FROM {products}
        )
    """)


TRANSFORM = Transform(NAME, COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene2ensembl.yaml` (koza_adapter.py)
