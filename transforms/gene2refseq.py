"""gene2refseq + gene_refseq_uniprotkb_collab -> biolink:has_gene_product edges from genes to UniProtKB proteins.

gene2refseq gives the RefSeq protein (NP_/XP_/YP_/WP_...) of each RefSeq record of a gene;
gene_refseq_uniprotkb_collab pairs RefSeq proteins with UniProtKB entries (method identical, similar or
uniprot). The two are joined in DuckDB on the RefSeq protein accession without its version, both within
the taxon scope, and each (gene, UniProtKB entry) becomes one edge with the knowledge_level and agent_type
of its strongest pairing (mappings/refseq_uniprotkb_method.tsv). Each UniProtKB entry becomes a Protein
node, in the taxon UniProtKB gives it, with the RefSeq proteins paired with it as xrefs. docs/sources/gene2refseq.md
explains the choices.

Both files are accounted for row by row (the collab file is the config's ``also_reads``: it reaches the
transform as ``source.joined``).
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.curie import resolve
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, unversioned
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import TaxonScope

COLLAB = "gene_refseq_uniprotkb_collab"
PROTEIN = '"protein_accession.version"'
COLUMNS = ["tax_id", "GeneID", "protein_accession.version"]

PREDICATE = "biolink:has_gene_product"
CATEGORY = "biolink:GeneToGeneProductRelationship"
NODE_CATEGORY = "biolink:Protein"

# A RefSeq accession: two letters, '_', digits, and a version (the collab file once omitted it).
ACCESSION = r"'[A-Z]{2}_[0-9]+(\.[0-9]+)?'"
NO_PARTNER = "RefSeq protein has no UniProtKB partner in gene_refseq_uniprotkb_collab"
NO_GENE = "RefSeq protein in no gene2refseq row in scope"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """gene2refseq's rows rejected as bad input and rows left out, each a reason and an SQL condition."""
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("tax_id"),
        "malformed protein_accession.version": f"NOT regexp_full_match({PROTEIN}, {ACCESSION})",
    }
    # Rows for a genomic or RNA RefSeq with no protein (NG_, NR_, and the genomic rows of NM_ records).
    filtered = {"no RefSeq protein in the row": f"{PROTEIN} IS NULL"}
    # Once the collab file is classified: a protein no valid pair names leaves its rows out. (Conditions
    # are handed no tables: <name>_emitted is the view classify() makes of a file's emitted rows.)
    partnered = f"SELECT {unversioned('NCBI_protein_accession')} FROM {COLLAB}_emitted"
    after_join = {NO_PARTNER: f"{unversioned(PROTEIN)} NOT IN ({partnered})"}
    return RowRules(rejected, filtered, filtered_after_join=after_join)


def collab_row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """The collab file's rows rejected as bad input, and those left out: no gene2refseq row in scope names
    the RefSeq protein (the taxon scope is applied on the RefSeq side: the pair is kept for the gene's
    taxon, UniProtKB's may differ)."""
    uniprot = resolve("UniProtKB").pattern
    methods = ", ".join(f"'{row['method']}'" for row in load_table("refseq_uniprotkb_method"))
    rejected = {
        "malformed NCBI_protein_accession": f"NOT coalesce(regexp_full_match(NCBI_protein_accession, {ACCESSION}), "
        "false)",
        "malformed UniProtKB_protein_accession": "NOT coalesce(regexp_full_match(UniProtKB_protein_accession, "
        f"'{uniprot}'), false)",
        **not_a_number("NCBI_tax_id"),
        **not_a_number("UniProtKB_tax_id"),
        "unknown method": f"method IS NULL OR method NOT IN ({methods})",
    }
    # gene2refseq_emitted is the view classify() makes of gene2refseq's emitted rows, which scan() classifies
    # before it classifies the collab file by these rules.
    refseq_proteins = f"SELECT DISTINCT {unversioned(PROTEIN)} FROM gene2refseq_emitted"
    no_gene = f"{unversioned('NCBI_protein_accession')} NOT IN ({refseq_proteins})"
    return RowRules(rejected, {NO_GENE: no_gene}, taxon_column="NCBI_tax_id")


def transform(source: InputTables) -> None:
    """The emitted rows of both files as KGX nodes and edges."""
    collab = source.joined[COLLAB]
    methods = register_table(source.con, "refseq_uniprotkb_method")
    taxon_labels = source.taxon_labels()
    gene_refseq = gene_refseqs(source, source.emitted)
    refseq_pairs = uniprot_pairs(collab, collab.emitted, methods)
    protein_taxa = protein_taxon(collab, refseq_pairs)
    protein_xrefs = refseq_xrefs(collab, refseq_pairs)
    source.edges(f"""
        SELECT {gene_curie("g.GeneID")}                         AS subject,
               '{PREDICATE}'                                   AS predicate,
               'UniProtKB:' || p.uniprot                       AS object,
               '{CATEGORY}'                                    AS category,
               arg_min(p.knowledge_level, p.rank)              AS knowledge_level,
               arg_min(p.agent_type, p.rank)                   AS agent_type,
               '{provenance.NCBI_GENE}'                        AS primary_knowledge_source,
               CAST(NULL AS VARCHAR[])                         AS aggregator_knowledge_source,
               ['{provenance.UNIPROT}']                        AS supporting_data_source
        FROM {gene_refseq} g JOIN {refseq_pairs} p USING (refseq)
        GROUP BY g.GeneID, p.uniprot
    """)
    source.nodes(f"""
        SELECT 'UniProtKB:' || n.uniprot AS id, '{NODE_CATEGORY}' AS category, x.xref,
               'NCBITaxon:' || n.tax_id AS in_taxon, t.label AS in_taxon_label,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM {protein_taxa} n
        LEFT JOIN {protein_xrefs} x USING (uniprot)
        LEFT JOIN {taxon_labels} t ON t.tax_id = n.tax_id
    """)


def gene_refseqs(source: InputTables, rows: str) -> str:
    """Table gene_refseq: one row per GeneID and RefSeq protein (refseq, unversioned) of ``rows`` (gene2refseq's
    emitted rows)."""
    return source.table(
        "gene_refseq",
        f"""
        SELECT DISTINCT GeneID, {unversioned(PROTEIN)} AS refseq FROM {rows}
    """,
    )


def uniprot_pairs(collab: InputTables, rows: str, methods: str) -> str:
    """Table refseq_pairs: each of ``rows`` (the collab file's emitted rows) as a RefSeq protein (refseq,
    unversioned) and UniProtKB entry (uniprot) with both tax_ids and the rank, knowledge_level and agent_type
    of its method (from ``methods``, the refseq_uniprotkb_method mapping table)."""
    refseq_pairs = collab.table(
        "refseq_pairs",
        f"""
        SELECT c._file, c._line, {unversioned("c.NCBI_protein_accession")} AS refseq,
               c.UniProtKB_protein_accession AS uniprot, c.NCBI_tax_id, c.UniProtKB_tax_id,
               CAST(m.rank AS INTEGER) AS rank, m.knowledge_level, m.agent_type
        FROM {rows} c JOIN {methods} m USING (method)
    """,
    )
    # The protein's taxon is UniProtKB's: the node is the UniProtKB entry (E. coli K-12 entries are in
    # 83333 where NCBI's genes are in 511145). Rows that disagree are counted; the pair is kept.
    collab.drop_values(f"""
        SELECT 'UniProtKB_tax_id differs from NCBI_tax_id (the protein takes UniProtKB_tax_id)' AS reason,
               _file, _line
        FROM {refseq_pairs} WHERE UniProtKB_tax_id <> NCBI_tax_id
    """)
    return refseq_pairs


def protein_taxon(collab: InputTables, refseq_pairs: str) -> str:
    """Table protein_taxa: one row per UniProtKB entry (uniprot) of ``refseq_pairs`` with its tax_id, the
    UniProtKB_tax_id most of its pairs give (the smallest on a tie); pairs that give another are counted."""
    protein_taxa = collab.table(
        "protein_taxa",
        f"""
        SELECT uniprot, arg_max(UniProtKB_tax_id, (n, -CAST(UniProtKB_tax_id AS BIGINT))) AS tax_id
        FROM (SELECT uniprot, UniProtKB_tax_id, count(*) AS n FROM {refseq_pairs} GROUP BY ALL)
        GROUP BY uniprot
    """,
    )
    collab.drop_values(f"""
        SELECT 'UniProtKB_tax_id differs from the taxon chosen for its UniProtKB accession' AS reason, _file, _line
        FROM {refseq_pairs} p JOIN {protein_taxa} t USING (uniprot) WHERE p.UniProtKB_tax_id <> t.tax_id
    """)
    return protein_taxa


def refseq_xrefs(collab: InputTables, refseq_pairs: str) -> str:
    """Table protein_xrefs: one row per UniProtKB entry (uniprot) of ``refseq_pairs`` with xref, the sorted
    RefSeq CURIEs of its pairs; a RefSeq accession that does not match the registry pattern is counted."""
    refseq = resolve("RefSeq")
    collab.drop_values(f"""
        SELECT 'RefSeq accession does not match the {refseq.prefix} pattern' AS reason, _file, _line
        FROM {refseq_pairs} WHERE NOT regexp_full_match(refseq, '{refseq.pattern}')
    """)
    return collab.table(
        "protein_xrefs",
        f"""
        SELECT uniprot, list_sort(list_distinct(list('{refseq.prefix}:' || refseq))) AS xref
        FROM {refseq_pairs} WHERE regexp_full_match(refseq, '{refseq.pattern}')
        GROUP BY uniprot
    """,
    )


TRANSFORM = Transform("gene2refseq", COLUMNS, row_rules, transform, also_reads={COLLAB: collab_row_rules})
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene2refseq.yaml` (koza_adapter.py)
