"""gene_info -> biolink:Gene nodes, one per gene record in the taxon scope.

Its dbXrefs become registry CURIE xrefs; a MIM number stays one only when mim2gene_medgen, when it is in the
build, types it as a gene (ncbi_gene_kg.omim): the config runs this transform after mim2gene_medgen's.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.curie import register_prefixes, resolve
from ncbi_gene_kg.graphdb import has_table
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.omim import MIM_TYPES, NOT_TYPED, TYPED_PHENOTYPE
from ncbi_gene_kg.sql import gene_curie, items, scalar
from ncbi_gene_kg.tables import register_table
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = [
    "tax_id",
    "GeneID",
    "Symbol",
    "Synonyms",
    "dbXrefs",
    "chromosome",
    "map_location",
    "description",
    "type_of_gene",
    "Full_name_from_nomenclature_authority",
]


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out, each a reason and an SQL condition."""
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("tax_id"),
        "missing Symbol": "Symbol IS NULL",
        # A gene has one record; a second row for it (overlapping per-species files) is not a second gene.
        "duplicate GeneID (an earlier row has it)": "row_number() OVER (PARTITION BY GeneID ORDER BY _file, _line) > 1",
    }
    # Placeholders that let GeneRIFs be filed for organisms without gene records; not genes.
    filtered = {"placeholder NEWENTRY record": "Symbol = 'NEWENTRY'"}
    return RowRules(rejected, filtered)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    xrefs = gene_xrefs(source, source.emitted)
    so_terms = register_table(source.con, "gene_type_to_so")
    taxon_labels = source.taxon_labels()
    source.drop_values(
        f"SELECT 'unknown type_of_gene ' || type_of_gene AS reason, _file, _line FROM {source.emitted} "
        f"WHERE type_of_gene NOT IN (SELECT type_of_gene FROM {so_terms})"
    )
    source.nodes(f"""
        SELECT {gene_curie("g.GeneID")}                                  AS id,
               'biolink:Gene'                                           AS category,
               g.Symbol                                                 AS name,
               g.Symbol                                                 AS symbol,
               coalesce(g.Full_name_from_nomenclature_authority, g.description) AS full_name,
               g.description                                            AS description,
               string_split(g.Synonyms, '|')                            AS synonym,
               x.xref                                                   AS xref,
               'NCBITaxon:' || g.tax_id                                 AS in_taxon,
               t.label                                                  AS in_taxon_label,
               so.so_id                                                 AS type,
               '{provenance.NCBI_GENE}'                                 AS provided_by,
               -- outside the Biolink model (the config's non_biolink_properties): where the gene sits
               string_split(g.chromosome, '|')                          AS chromosome,
               string_split(g.map_location, '|')                        AS map_location
        FROM {source.emitted} g
        LEFT JOIN {xrefs} x USING (_file, _line)
        LEFT JOIN {taxon_labels} t ON t.tax_id = g.tax_id
        LEFT JOIN {so_terms} so ON so.type_of_gene = g.type_of_gene
    """)


def gene_xrefs(source: InputTables, genes: str) -> str:
    """Table gene_xrefs (_file, _line, xref list): the dbXrefs of each row of ``genes`` as registry CURIEs.

    Each row's xrefs are in the order the row gives them, deduplicated; a dbXref with an unknown prefix
    or an identifier that does not match its prefix's pattern is left out and counted as a dropped value.
    Returns the table's name.
    """
    dbxrefs = source.table(
        "dbxrefs",
        f"""
        WITH raw AS (
            SELECT _file, _line, {items("parts")}
            FROM (SELECT _file, _line, string_split(dbXrefs, '|') AS parts FROM {genes}
                  WHERE dbXrefs IS NOT NULL)
        )
        SELECT _file, _line, pos, value, split_part(value, ':', 1) AS db,
               substr(value, strpos(value, ':') + 1) AS local FROM raw
    """,
    )
    names = [row[0] for row in source.sql(f"SELECT DISTINCT db FROM {dbxrefs}").fetchall()]
    db_prefix = register_prefixes(source.con, "db_prefix", names)
    # AllianceGenome:HGNC:5 names the gene by its model organism database's CURIE: resolve that.
    inner = source.sql(
        f"SELECT DISTINCT split_part(local, ':', 1) FROM {dbxrefs} JOIN {db_prefix} p ON p.name = db "
        "WHERE p.local_is_curie"
    ).fetchall()
    inner_prefix = register_prefixes(source.con, "inner_prefix", [row[0] for row in inner])
    resolved = source.table(
        "resolved_xrefs",
        f"""
        SELECT _file, _line, pos, value, db, prefix, pattern,
               -- NCBI repeats some prefixes inside the identifier (HGNC:HGNC:5, MGI:MGI:1)
               CASE WHEN starts_with(id, db || ':') THEN substr(id, length(db) + 2) ELSE id END AS local
        FROM (SELECT x._file, x._line, x.pos, x.value,
               coalesce(i.name, x.db) AS db,
               coalesce(i.prefix, p.prefix) AS prefix,
               coalesce(i.pattern, p.pattern) AS pattern,
               CASE WHEN p.local_is_curie THEN substr(x.local, strpos(x.local, ':') + 1) ELSE x.local END AS id
        FROM {dbxrefs} x JOIN {db_prefix} p ON p.name = x.db
        LEFT JOIN {inner_prefix} i ON p.local_is_curie AND i.name = split_part(x.local, ':', 1))
    """,
    )
    source.drop_values(f"""
        SELECT CASE WHEN prefix IS NULL THEN 'unknown xref prefix ' || db
                    ELSE 'xref identifier does not match the ' || prefix || ' pattern' END AS reason, _file, _line
        FROM {resolved}
        WHERE prefix IS NULL OR (pattern IS NOT NULL AND NOT regexp_full_match(local, pattern))
    """)
    valid = source.table(
        "valid_xrefs",
        f"""
        SELECT _file, _line, pos, prefix || ':' || local AS curie, prefix, local FROM {resolved}
        WHERE prefix IS NOT NULL AND (pattern IS NULL OR regexp_full_match(local, pattern))
    """,
    )
    not_genes = mim_xrefs_not_genes(source, valid)
    return source.table(
        "gene_xrefs",
        f"""
        SELECT _file, _line, list(curie ORDER BY pos) AS xref
        FROM (
            SELECT _file, _line, pos, curie FROM {valid} v
            ANTI JOIN {not_genes} n ON n._file = v._file AND n._line = v._line AND n.pos = v.pos
            QUALIFY row_number() OVER (PARTITION BY _file, _line, curie ORDER BY pos) = 1
        )
        GROUP BY _file, _line
    """,
    )


def mim_xrefs_not_genes(source: InputTables, xrefs: str) -> str:
    """Table mim_not_genes (_file, _line, pos, reason): the MIM xrefs of ``xrefs`` that mim2gene_medgen does not
    type as a gene, counted as dropped values; none when mim2gene_medgen is not in the build, which is said in a
    warning (the MIM xrefs are kept as given). Returns the table's name."""
    omim = resolve("MIM").prefix
    if not has_table(source.con, MIM_TYPES):
        if n := scalar(source.con, f"SELECT count(*) FROM {xrefs} WHERE prefix = '{omim}'"):
            source.warnings.append(
                f"mim2gene_medgen is not in the build: {n} MIM dbXrefs kept as given, not typed as gene or "
                "phenotype (a phenotype's MIM number may be among them)"
            )
        return source.table("mim_not_genes", f"SELECT _file, _line, pos FROM {xrefs} WHERE false")
    not_genes = source.table(
        "mim_not_genes",
        f"""
        SELECT x._file, x._line, x.pos,
               CASE WHEN t.mim IS NULL THEN '{NOT_TYPED}' ELSE '{TYPED_PHENOTYPE}' END AS reason
        FROM {xrefs} x LEFT JOIN {MIM_TYPES} t ON t.mim = x.local
        WHERE x.prefix = '{omim}' AND NOT coalesce(t.gene, false)
    """,
    )
    source.drop_values(f"SELECT reason, _file, _line FROM {not_genes}")
    return not_genes


TRANSFORM = Transform("gene_info", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_info.yaml` (koza_adapter.py)
