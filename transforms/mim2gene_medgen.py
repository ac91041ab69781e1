"""mim2gene_medgen -> gene-to-OMIM-phenotype edges, OMIM Disease nodes and OMIM gene xrefs on Gene nodes.

The file is human-only (no tax_id column). A phenotype row with a GeneID becomes one edge per value of its
Source column, NCBIGene:<GeneID> -> OMIM:<MIM number> (biolink:GeneToDiseaseAssociation): the Source value
gives the primary knowledge source, knowledge level and agent type (mappings/mim2gene_sources.tsv), the
Comment values give the predicate, qualifier, confidence level and allelic requirement and are all kept in
the edge description (mappings/mim2gene_comments.tsv). Rows that give the same edge (gene, predicate,
phenotype, knowledge source, qualifier) become one. Each phenotype is a biolink:Disease node with its
MedGen concept as xref (mappings/medgen_cui_prefixes.tsv). A gene row (the gene's own OMIM entry) becomes
an xref on a Gene node row for that gene, which the merge folds into gene_info's node. A few MIM numbers
are listed both as a gene (of a chromosomal region or fragile-site record) and as a phenotype: they are
counted in a warning, and the merge keeps the Disease node and removes the number from Gene xrefs.
The type of every MIM number is kept for gene_info, which keeps a MIM dbXref only when it names a gene
(ncbi_gene_kg.omim). docs/sources/mim2gene_medgen.md explains the choices.
"""

from ncbi_gene_kg import kgx, provenance
from ncbi_gene_kg.curie import resolve
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.omim import MIM_TYPES
from ncbi_gene_kg.sql import gene_curie, items, one, string_list
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import TaxonScope

NAME = "mim2gene_medgen"
COLUMNS = ["MIM number", "GeneID", "type", "Source", "MedGenCUI", "Comment"]
HUMAN = "9606"
EDGE_CATEGORY = "biolink:GeneToDiseaseAssociation"
DISEASE = "biolink:Disease"
GENE = "biolink:Gene"
DESCRIPTION_PREFIX = "mim2gene_medgen Comment: "
# The columns of an edge's identity (kgx.edge_key): rows alike in these are one edge.
EDGE_IDENTITY = (*kgx.EDGE_IDENTITY, "association_basis_qualifier")


def split(column: str) -> str:
    """SQL for the values of a ';'-separated cell: trimmed, empty ones left out, NULL as an empty list."""
    values = f"list_transform(string_split(coalesce({column}, ''), ';'), x -> trim(x))"
    return f"list_filter({values}, x -> x <> '')"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out; the known Source values come from the mapping table.

    The file has no tax_id column: its rows are all human, so with 9606 outside the taxon scope every
    row is out of scope and nothing is checked.
    """
    if scope.tax_ids is not None and HUMAN not in scope.tax_ids:
        return RowRules({}, {"human-only file, 9606 not in scope": "TRUE"}, taxon_column=None)
    sources = string_list(row["Source"] for row in load_table("mim2gene_sources"))
    gene_phenotype = "type = 'phenotype' AND GeneID IS NOT NULL"
    rejected = {
        **not_a_number("MIM number"),
        "GeneID is not a number": "NOT coalesce(regexp_full_match(GeneID, '[0-9]+'), true)",
        "unknown type": "type NOT IN ('gene', 'phenotype')",
        "phenotype row without a Source": f"{gene_phenotype} AND Source IS NULL",
        "no known Source value": f"{gene_phenotype} AND NOT list_has_any({split('Source')}, [{sources}])",
    }
    filtered = {
        "no gene to link (GeneID '-')": "GeneID IS NULL",
        "no type (type '-')": "type IS NULL",
    }
    return RowRules(rejected, filtered, taxon_column=None)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    omim = resolve("MIM").prefix
    assert omim is not None, "bioregistry knows OMIM"
    mim2gene_sources = register_table(source.con, "mim2gene_sources")
    mim2gene_comments = register_table(source.con, "mim2gene_comments")
    phenotypes = phenotype_rows(source, source.emitted)
    row_sources = source_values(source, phenotypes, mim2gene_sources)
    row_comments = comment_values(source, phenotypes, mim2gene_comments)
    row_effects = comment_effects(source, phenotypes, row_comments, mim2gene_comments)
    edge_rows = edges_by_row(source, omim, phenotypes, row_sources, row_effects, mim2gene_sources)
    edge_comments = comments_by_edge(source, edge_rows, row_comments)
    source.edges(f"""
        SELECT subject, predicate, object, '{EDGE_CATEGORY}' AS category,
               association_basis_qualifier, has_confidence_level, allelic_requirement,
               '{DESCRIPTION_PREFIX}' || c.comments                   AS description,
               knowledge_level, agent_type, primary_knowledge_source,
               CASE WHEN primary_knowledge_source <> '{provenance.NCBI_GENE}'
                    THEN ['{provenance.NCBI_GENE}'] END                AS aggregator_knowledge_source
        FROM (
            SELECT edge_key, subject, predicate, object, primary_knowledge_source,
                   association_basis_qualifier,
                   min(knowledge_level)         AS knowledge_level,
                   min(agent_type)              AS agent_type,
                   -- one provisional row makes the edge provisional
                   max(has_confidence_level)    AS has_confidence_level,
                   max(allelic_requirement)     AS allelic_requirement
            FROM {edge_rows} GROUP BY ALL
        ) e
        LEFT JOIN {edge_comments} c USING (edge_key)
    """)
    source.nodes(disease_nodes(source, omim, phenotypes))
    source.nodes(gene_nodes(source, omim))
    source.drop_values(f"""
        SELECT unnest([CASE WHEN Source IS NOT NULL THEN 'Source on a gene row (not used)' END,
                       CASE WHEN MedGenCUI IS NOT NULL THEN 'MedGenCUI on a gene row (not used)' END,
                       CASE WHEN Comment IS NOT NULL THEN 'Comment on a gene row (not used)' END]) AS reason,
               _file, _line
        FROM {source.emitted} WHERE type = 'gene'
    """)
    both_gene_and_phenotype(source)
    mim_types(source)


def mim_types(source: InputTables) -> None:
    """Keep table MIM_TYPES (mim, gene, phenotype) for gene_info: how the file's rows type each MIM number.

    It reads every scanned row but the rejected ones, in scope or not: a gene row without a GeneID still says
    the entry is a gene.
    """
    source.side_table(
        MIM_TYPES,
        f"""
        SELECT "MIM number" AS mim, bool_or(type = 'gene') AS gene, bool_or(type = 'phenotype') AS phenotype
        FROM {source.name} r
        ANTI JOIN (SELECT _file, _line FROM {source.name}_classified WHERE _rejected IS NOT NULL) x
             ON x._file = r._file AND x._line = r._line
        WHERE type IN ('gene', 'phenotype')
        GROUP BY "MIM number"
    """,
    )


def both_gene_and_phenotype(source: InputTables) -> None:
    """Warn of MIM numbers listed as a gene and as a phenotype (one OMIM entry cannot be both).

    It reads every scanned row (view ``source.name``), emitted or not.
    """
    n, examples = one(
        source.sql(f"""
        SELECT count(*), list(example ORDER BY first_row)[1:5] FROM (
            SELECT "MIM number" || ' (gene of ' || string_agg(DISTINCT GeneID, ', ' ORDER BY GeneID)
                   FILTER (WHERE type = 'gene') || '; phenotype of ' ||
                   coalesce(string_agg(DISTINCT GeneID, ', ' ORDER BY GeneID) FILTER (WHERE type = 'phenotype'),
                            'no gene') || ')' AS example, min((_file, _line)) AS first_row
            FROM {source.name} WHERE type IN ('gene', 'phenotype') GROUP BY "MIM number"
            HAVING count(DISTINCT type) = 2)
    """)
    )
    if n:
        source.warnings.append(
            f"{n} MIM numbers are listed both as gene and as phenotype, e.g. {'; '.join(examples)}: "
            "each stays a phenotype (a Disease node where a row links it to a gene); the merge "
            "removes it from Gene xrefs"
        )


def phenotype_rows(source: InputTables, rows: str) -> str:
    """Table phenotype_rows: the phenotype rows of ``rows`` (the file's emitted rows) as _file, _line, mim,
    GeneID, Source, MedGenCUI, Comment."""
    return source.table(
        "phenotype_rows",
        f"""
        SELECT _file, _line, "MIM number" AS mim, GeneID, Source, MedGenCUI, Comment
        FROM {rows} WHERE type = 'phenotype'
    """,
    )


def row_values(source: InputTables, table: str, rows: str, column: str) -> str:
    """Table ``table`` (_file, _line, pos, value): each row's distinct values of the ';'-separated ``column``
    of ``rows``, the first one kept."""
    return source.table(
        table,
        f"""
        SELECT _file, _line, pos, value FROM (
            SELECT _file, _line, {items("parts")}
            FROM (SELECT _file, _line, {split(column)} AS parts FROM {rows})
        )
        QUALIFY row_number() OVER (PARTITION BY _file, _line, value ORDER BY pos) = 1
    """,
    )


def source_values(source: InputTables, phenotypes: str, mim2gene_sources: str) -> str:
    """Table row_sources (_file, _line, pos, value): the Source values of each row of ``phenotypes``; values
    not in ``mim2gene_sources`` (the mapping table) are counted."""
    row_sources = row_values(source, "row_sources", phenotypes, "Source")
    source.drop_values(
        f"SELECT 'unknown Source value ' || value AS reason, _file, _line FROM {row_sources} "
        f"WHERE value NOT IN (SELECT Source FROM {mim2gene_sources})"
    )
    return row_sources


def comment_values(source: InputTables, phenotypes: str, mim2gene_comments: str) -> str:
    """Table row_comments (_file, _line, pos, value): the Comment values of each row of ``phenotypes``; values
    not in ``mim2gene_comments`` (the mapping table) are counted."""
    row_comments = row_values(source, "row_comments", phenotypes, "Comment")
    source.drop_values(
        "SELECT 'unknown Comment value ' || value || ' (kept in the description only)' "
        f"AS reason, _file, _line FROM {row_comments} "
        f"WHERE value NOT IN (SELECT Comment FROM {mim2gene_comments} WHERE Comment <> '-')"
    )
    return row_comments


def comment_effects(source: InputTables, phenotypes: str, row_comments: str, mim2gene_comments: str) -> str:
    """Table row_effects: per row of ``phenotypes``, the predicate, association_basis_qualifier,
    has_confidence_level and allelic_requirement its Comment values (``row_comments``) set by
    ``mim2gene_comments`` (the mapping table)."""
    # What the Comment values of a row set; a row whose values set no predicate takes the '-' row's.
    return source.table(
        "row_effects",
        f"""
        SELECT p._file, p._line,
               coalesce(e.predicate, d.predicate) AS predicate,
               CASE WHEN e.predicate IS NULL THEN d.association_basis_qualifier
                    ELSE e.association_basis_qualifier END AS association_basis_qualifier,
               e.has_confidence_level, e.allelic_requirement
        FROM {phenotypes} p
        LEFT JOIN (
            SELECT r._file, r._line, min(c.predicate) AS predicate,
                   min(c.association_basis_qualifier) AS association_basis_qualifier,
                   min(c.has_confidence_level) AS has_confidence_level,
                   min(c.allelic_requirement) AS allelic_requirement
            FROM {row_comments} r JOIN {mim2gene_comments} c ON c.Comment = r.value
            GROUP BY r._file, r._line
        ) e ON e._file = p._file AND e._line = p._line
        CROSS JOIN (SELECT * FROM {mim2gene_comments} WHERE Comment = '-') d
    """,
    )


def edges_by_row(
    source: InputTables, omim: str, phenotypes: str, row_sources: str, row_effects: str, mim2gene_sources: str
) -> str:
    """Table edge_rows: one row per row of ``phenotypes`` and known Source value (``row_sources``), the edge it
    gives (its knowledge source from ``mim2gene_sources``, predicate and qualifiers from ``row_effects``) and
    its edge_key; edges given twice are counted."""
    key = kgx.edge_key(dict.fromkeys(EDGE_IDENTITY, "VARCHAR"))
    edge_rows = source.table(
        "edge_rows",
        f"""
        SELECT *, {key} AS edge_key FROM (
            SELECT p._file, p._line, s.pos,
                   {gene_curie("p.GeneID")} AS subject, e.predicate, '{omim}:' || p.mim AS object,
                   t.primary_knowledge_source, t.knowledge_level, t.agent_type,
                   e.association_basis_qualifier, e.has_confidence_level, e.allelic_requirement
            FROM {phenotypes} p
            JOIN {row_sources} s ON s._file = p._file AND s._line = p._line
            JOIN {mim2gene_sources} t ON t.Source = s.value
            JOIN {row_effects} e ON e._file = p._file AND e._line = p._line
        )
    """,
    )
    # Edges given twice: by two Source values of one row with the same knowledge source (GeneMap; OMIM),
    # or by a row repeating an earlier row's edge.
    source.drop_values(f"""
        SELECT CASE WHEN first_row = (_file, _line)
                    THEN 'same edge as another Source value of the row (same knowledge source)'
                    ELSE 'duplicate edge (same gene, predicate, phenotype, knowledge source and qualifier '
                         || 'as an earlier row)' END AS reason, _file, _line
        FROM (SELECT _file, _line,
                     row_number() OVER w AS n, first_value((_file, _line)) OVER w AS first_row
              FROM {edge_rows} WINDOW w AS (PARTITION BY edge_key ORDER BY _file, _line, pos))
        WHERE n > 1
    """)
    return edge_rows


def comments_by_edge(source: InputTables, edge_rows: str, row_comments: str) -> str:
    """Table edge_comments (edge_key, comments): per edge of ``edge_rows``, the Comment values
    (``row_comments``) of every row behind it, '; '-separated."""
    # The Comment values of every row behind an edge, in the order they first occur.
    return source.table(
        "edge_comments",
        f"""
        SELECT edge_key, string_agg(value, '; ' ORDER BY first_seen) AS comments
        FROM (
            SELECT e.edge_key, c.value, min((c._file, c._line, c.pos)) AS first_seen
            FROM (SELECT DISTINCT edge_key, _file, _line FROM {edge_rows}) e
            JOIN {row_comments} c ON c._file = e._file AND c._line = e._line
            GROUP BY e.edge_key, c.value
        )
        GROUP BY edge_key
    """,
    )


def disease_nodes(source: InputTables, omim: str, phenotypes: str) -> str:
    """A biolink:Disease node per OMIM phenotype of ``phenotypes`` (phenotype_rows' table: each has an edge),
    its MedGen concept as a registry CURIE xref: the query."""
    prefixes = []
    for rank, row in enumerate(load_table("medgen_cui_prefixes")):
        prefix = resolve(row["ncbi_db"])
        if prefix.prefix is None or prefix.pattern is None:
            raise RuntimeError(f"medgen_cui_prefixes: {row['ncbi_db']} has no registry prefix and pattern")
        prefixes.append({"rank": str(rank), "prefix": prefix.prefix, "pattern": prefix.pattern})
    medgen_cui_prefix = register_table(source.con, "medgen_cui_prefix", tuple(prefixes))
    cui_xrefs = source.table(
        "cui_xrefs",
        f"""
        SELECT r._file, r._line, arg_min(p.prefix || ':' || r.MedGenCUI, CAST(p.rank AS INTEGER)) AS xref
        FROM {phenotypes} r JOIN {medgen_cui_prefix} p ON regexp_full_match(r.MedGenCUI, p.pattern)
        GROUP BY r._file, r._line
    """,
    )
    names = ", ".join(p["prefix"] for p in prefixes)
    source.drop_values(f"""
        SELECT 'MedGenCUI matches no registry pattern ({names})' AS reason, r._file, r._line
        FROM {phenotypes} r ANTI JOIN {cui_xrefs} x ON x._file = r._file AND x._line = r._line
        WHERE r.MedGenCUI IS NOT NULL
    """)
    return f"""
        SELECT '{omim}:' || p.mim AS id, '{DISEASE}' AS category,
               list_sort(list_distinct(list(x.xref) FILTER (WHERE x.xref IS NOT NULL))) AS xref,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM {phenotypes} p LEFT JOIN {cui_xrefs} x ON x._file = p._file AND x._line = p._line
        GROUP BY p.mim
    """


def gene_nodes(source: InputTables, omim: str) -> str:
    """A Gene node row per gene, its own OMIM entries as xrefs (the query); the merge folds it into gene_info's
    node."""
    return f"""
        SELECT {gene_curie("GeneID")} AS id, '{GENE}' AS category,
               list_sort(list_distinct(list('{omim}:' || "MIM number"))) AS xref,
               '{provenance.NCBI_GENE}' AS provided_by
        FROM {source.emitted} WHERE type = 'gene'
        GROUP BY GeneID
    """


TRANSFORM = Transform(NAME, COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/mim2gene_medgen.yaml` (koza_adapter.py)
