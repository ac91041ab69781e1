"""gene_neighbors -> gene locations and gene-gene neighbor / overlap edges (docs/sources/gene_neighbors.md).

A row is one gene on one genomic sequence (a placement). On the chosen assemblies (``assemblies``:
``reference`` by default, or ``all``) the genes listed on its left and right become
``biolink:genetic_neighborhood_of`` edges and the overlapping genes ``biolink:overlaps`` edges, one edge per
unordered pair (both predicates are symmetric). With ``locations: true`` (the default) each placement also becomes a
``biolink:has_sequence_location`` edge from the gene to a node for the RefSeq sequence, with interbase
coordinates: NCBI's positions are 0-based and inclusive, so the interbase start is ``start_position`` and the
interbase end ``end_position + 1``.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, choice, flag, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, ident
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = [
    "tax_id",
    "GeneID",
    "genomic_accession.version",
    "start_position",
    "end_position",
    "orientation",
    "chromosome",
    "GeneIDs_on_left",
    "GeneIDs_on_right",
    "overlapping_GeneIDs",
    "assembly",
]
ACCESSION = ident("genomic_accession.version")
ASSEMBLIES = ("reference", "all")
ORTHOLOG_SCOPES = ("both", "either")

LOCATION_PREDICATE = "biolink:has_sequence_location"
# Biolink 4.4.6 GenomicSequenceLocalization pins its subject to NucleicAcidEntity, which a Gene is not, so
# koza biolink-check reports it BAD_SUBJECT; its parent SequenceAssociation ("an association between a
# sequence feature and a nucleic acid entity it is localized to") pins nothing. See the doc page.
LOCATION_CATEGORY = "biolink:SequenceAssociation"
SEQUENCE_CATEGORY = "biolink:NucleicAcidEntity"
SEQUENCE_PREFIX = "refseq"  # bioregistry's prefix for RefSeq (Biolink's prefix map has none), as gene2refseq
NEIGHBOR_PREDICATES = {  # column -> predicate
    "GeneIDs_on_left": "biolink:genetic_neighborhood_of",
    "GeneIDs_on_right": "biolink:genetic_neighborhood_of",
    "overlapping_GeneIDs": "biolink:overlaps",
}
PAIR_CATEGORY = "biolink:GeneToGeneAssociation"
# Positions are NCBI's genome annotation; neighbors and overlaps are computed from them by program.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "automated_agent"

REJECTED = {  # bad input
    **not_a_number("GeneID"),
    **not_a_number("tax_id"),
    **not_a_number("start_position"),
    **not_a_number("end_position"),
    "missing genomic_accession.version": f"{ACCESSION} IS NULL",
    "end_position before start_position": "TRY_CAST(end_position AS BIGINT) < TRY_CAST(start_position AS BIGINT)",
    # '-' (the minus strand) is read as NULL like every '-'; '?' is NCBI's undefined orientation.
    "orientation is not +, - or ?": "orientation IS NOT NULL AND orientation NOT IN ('+', '?')",
}
NO_ASSEMBLY = {
    "RefSeqGene NG_ sequence (no assembly): counted, not placed": f"starts_with({ACCESSION}, 'NG_')",
    "no assembly ('-')": "assembly IS NULL",
}
NOT_REFERENCE = {
    "not the taxon's reference assembly": "NOT starts_with(assembly, 'Reference ')",
    "alternate locus or patch of the reference assembly": (
        r"regexp_full_match(assembly, 'Reference \S+ (ALT_REF_LOCI_[0-9]+|PATCHES)')"
    ),
}


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input, and rows left out: no assembly, or (by default) not the reference assembly.

    Neighbors lie on the row's own sequence, so they share its taxon: the scan's taxon scope puts both
    ends in scope, and ortholog_scope both/either keep the same pairs (the field is only checked).
    """
    choice(options, "ortholog_scope", ORTHOLOG_SCOPES)
    every_assembly = choice(options, "assemblies", ASSEMBLIES) == "all"
    return RowRules(REJECTED, NO_ASSEMBLY if every_assembly else NO_ASSEMBLY | NOT_REFERENCE)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    placements = source.table(
        "placements",
        f"""
        SELECT _file, _line, CAST(GeneID AS BIGINT) AS gene, tax_id, {ACCESSION} AS accession,
               CAST(start_position AS BIGINT) AS start0, CAST(end_position AS BIGINT) AS end0,
               coalesce(orientation, '-') AS strand, chromosome, assembly,
               split_part(assembly, ' ', 2) AS genome_build,
               GeneIDs_on_left, GeneIDs_on_right, overlapping_GeneIDs
        FROM {source.emitted}
    """,
    )
    with_locations = locations(source.options)
    if with_locations:
        write_locations(source, placements)
    write_pairs(source, placements)
    if with_locations:
        write_sequences(source, placements)


def locations(options: Options) -> bool:
    """The ``locations`` field (config default true): location edges and the RefSeq sequence nodes.

    Their ``refseq:`` ids are in no Biolink prefix (the build lets kgx accept registry prefixes) and their
    minus strand is '-' (StrandEnum's, allowed there only); see docs/sources/gene_neighbors.md.
    """
    return flag(options, "locations", True)


def write_locations(source: InputTables, placements: str) -> None:
    """One edge per gene and sequence of ``placements``: NCBI's 0-based inclusive [start, end] is interbase
    [start, end + 1)."""
    source.drop_values(f"""
        SELECT 'another placement of the gene on the same sequence (the first row kept)' AS reason, _file, _line
        FROM {placements} QUALIFY row_number() OVER (PARTITION BY gene, accession ORDER BY _file, _line) > 1
    """)
    source.edges(f"""
        WITH located AS (
            SELECT *, {gene_curie("gene")} AS subject, '{LOCATION_PREDICATE}' AS predicate,
                   '{SEQUENCE_PREFIX}:' || accession AS object,
                   '{provenance.NCBI_GENE}' AS primary_knowledge_source
            FROM {placements} QUALIFY row_number() OVER (PARTITION BY gene, accession ORDER BY _file, _line) = 1
        )
        SELECT subject, predicate, object,
               '{LOCATION_CATEGORY}'       AS category,
               start0                      AS start_interbase_coordinate,
               end0 + 1                    AS end_interbase_coordinate,
               strand,
               genome_build,
               '{KNOWLEDGE_LEVEL}'         AS knowledge_level,
               '{AGENT_TYPE}'              AS agent_type,
               primary_knowledge_source,
               CAST(NULL AS VARCHAR[])     AS aggregator_knowledge_source
        FROM located
    """)


def write_pairs(source: InputTables, placements: str) -> None:
    """One edge per unordered pair and predicate, however many rows of ``placements`` (both genes, every
    assembly) list it."""
    listed_rows = " UNION ALL ".join(
        f"SELECT _file, _line, gene, '{predicate}' AS predicate, unnest(string_split({ident(column)}, '|')) AS other "
        f"FROM {placements} WHERE {ident(column)} IS NOT NULL"
        for column, predicate in NEIGHBOR_PREDICATES.items()
    )
    listed = source.table("listed", listed_rows)
    source.drop_values(f"""
        SELECT CASE WHEN NOT regexp_full_match(other, '[0-9]+') THEN 'neighbor GeneID is not a number'
                    ELSE 'gene listed as its own neighbor' END AS reason, _file, _line
        FROM {listed} WHERE NOT regexp_full_match(other, '[0-9]+') OR CAST(other AS BIGINT) = gene
    """)
    pairs = source.table(
        "pairs",
        f"""
        SELECT _file, _line, predicate, least(gene, CAST(other AS BIGINT)) AS gene_a,
               greatest(gene, CAST(other AS BIGINT)) AS gene_b
        FROM {listed} WHERE regexp_full_match(other, '[0-9]+') AND CAST(other AS BIGINT) <> gene
    """,
    )
    source.drop_values(f"""
        SELECT 'pair already given by an earlier row (NCBI lists a pair from both genes and on every assembly)'
               AS reason, _file, _line
        FROM {pairs} QUALIFY row_number() OVER (PARTITION BY predicate, gene_a, gene_b ORDER BY _file, _line) > 1
    """)
    source.edges(f"""
        WITH edges AS (
            SELECT DISTINCT gene_a, gene_b, {gene_curie("gene_a")} AS subject, predicate,
                   {gene_curie("gene_b")} AS object, '{provenance.NCBI_GENE}' AS primary_knowledge_source
            FROM {pairs}
        )
        SELECT subject, predicate, object,
               '{PAIR_CATEGORY}'           AS category,
               CAST(NULL AS BIGINT)        AS start_interbase_coordinate,
               CAST(NULL AS BIGINT)        AS end_interbase_coordinate,
               CAST(NULL AS VARCHAR)       AS strand,
               CAST(NULL AS VARCHAR)       AS genome_build,
               '{KNOWLEDGE_LEVEL}'         AS knowledge_level,
               '{AGENT_TYPE}'              AS agent_type,
               primary_knowledge_source,
               CAST(NULL AS VARCHAR[])     AS aggregator_knowledge_source
        FROM edges
    """)


def write_sequences(source: InputTables, placements: str) -> None:
    """A node per RefSeq sequence with a placement in ``placements``: its chromosome and assembly named (most
    rows' values)."""
    sequences = source.table(
        "sequences",
        f"""
        SELECT accession, mode(tax_id ORDER BY tax_id) AS tax_id, mode(chromosome ORDER BY chromosome) AS chromosome,
               mode(assembly ORDER BY assembly) AS assembly
        FROM {placements} GROUP BY accession
    """,
    )
    source.drop_values(f"""
        SELECT 'chromosome, assembly or tax_id differs from the one chosen for the sequence' AS reason, _file, _line
        FROM {placements} p JOIN {sequences} s USING (accession)
        WHERE p.tax_id <> s.tax_id OR p.assembly <> s.assembly OR p.chromosome IS DISTINCT FROM s.chromosome
    """)
    source.nodes(f"""
        SELECT '{SEQUENCE_PREFIX}:' || accession                         AS id,
               '{SEQUENCE_CATEGORY}'                                     AS category,
               CASE WHEN chromosome IS NULL THEN accession
                    ELSE 'chromosome ' || chromosome || ' (' || split_part(assembly, ' ', 2) || ')' END AS name,
               accession || ': ' || CASE WHEN chromosome IS NULL THEN 'a sequence'
                                         ELSE 'chromosome ' || chromosome END
                         || ' of the assembly ' || assembly              AS description,
               'NCBITaxon:' || tax_id                                    AS in_taxon,
               '{provenance.NCBI_GENE}'                                  AS provided_by
        FROM {sequences}
    """)


TRANSFORM = Transform("gene_neighbors", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_neighbors.yaml` (koza_adapter.py)
