"""gene2go -> gene-to-GO-term edges (Biolink functional associations) and the GO term nodes they use.

One gene2go row is one (gene, GO term, evidence code, qualifier). Rows with the same gene, predicate,
GO term and negation become one edge (the project's edge key: subject, predicate, object, negated,
primary_knowledge_source): its has_evidence holds the ECO term of every evidence code, its
publications every PubMed id, and its knowledge_level/agent_type are those of its strongest evidence
code. The mapping tables are in ncbi_gene_kg/mappings (go_qualifier_to_predicate, go_category,
go_evidence_to_eco, go_evidence_knowledge_level, gene2go_go_annotation_taxa); docs/sources/gene2go.md
explains them.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie, one, string_list
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import TaxonScope

COLUMNS = ["tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "GO_term", "PubMed", "Category"]

# gene2go writes a negated annotation as `NOT involved_in` (GAF writes `NOT|involved_in`; both are read).
NOT_PREFIXES = "('NOT ', 'NOT|')"
PMID = "[0-9]{1,18}"  # a PubMed id (18 digits at most: it must fit a BIGINT)
PMIDS = rf"{PMID}(\|{PMID})*"  # a PubMed cell whose every id is a number


def relation(column: str = "Qualifier") -> str:
    """SQL for the qualifier without its negation: `NOT involved_in` -> `involved_in`."""
    return f"if({column}[1:4] IN {NOT_PREFIXES}, {column}[5:], {column})"


def negated(column: str = "Qualifier") -> str:
    """SQL: true for a negated qualifier (`NOT involved_in`), else false."""
    return f"({column}[1:4] IN {NOT_PREFIXES})"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out; the accepted values come from the mapping tables."""
    qualifiers = load_table("go_qualifier_to_predicate")
    categories = [row["Category"] for row in load_table("go_category")]
    codes = [row["evidence_code"] for row in load_table("go_evidence_knowledge_level")] + ["ND"]
    pairs = string_list(f"{row['qualifier']} {row['Category']}" for row in qualifiers)
    rejected = {
        **not_a_number("GeneID"),
        **not_a_number("tax_id"),
        "malformed GO_ID": "NOT coalesce(regexp_full_match(GO_ID, 'GO:[0-9]{7}'), false)",
        "missing Qualifier": "Qualifier IS NULL",
        "unknown Qualifier": f"{relation()} NOT IN ({string_list(row['qualifier'] for row in qualifiers)})",
        "unknown Category": f"Category IS NULL OR Category NOT IN ({string_list(categories)})",
        "Qualifier does not apply to the Category": f"{relation()} || ' ' || Category NOT IN ({pairs})",
        "missing Evidence code": "Evidence IS NULL",
        "unknown Evidence code": f"Evidence NOT IN ({string_list(codes)})",
    }
    filtered = {
        # ND: the curators found no biological data; the row records the absence of an annotation.
        "evidence code ND (no biological data available): not an assertion": "Evidence = 'ND'",
    }
    return RowRules(rejected, filtered)


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    predicates = register_table(source.con, "go_qualifier_to_predicate")
    categories = register_table(source.con, "go_category")
    eco_terms = register_table(source.con, "go_evidence_to_eco")
    knowledge_levels = register_table(source.con, "go_evidence_knowledge_level")
    go_annotation_taxa = register_table(source.con, "gene2go_go_annotation_taxa")
    annotated = annotations(source, source.emitted, predicates, categories, eco_terms, knowledge_levels)
    taxon_sources = primary_sources(source, annotated, go_annotation_taxa)
    source.drop_values(f"""
        SELECT 'PubMed id is not a number' AS reason, _file, _line
        FROM (SELECT _file, _line, unnest(string_split(PubMed, '|')) AS pmid FROM {source.emitted}
              WHERE NOT regexp_full_match(PubMed, '{PMIDS}'))
        WHERE NOT regexp_full_match(pmid, '{PMID}')
    """)
    terms = go_terms(source, annotated)
    groups = edge_groups(source, annotated, taxon_sources)
    source.edges(f"""
        SELECT subject, predicate, object, category, negated, original_predicate, has_evidence, publications,
               knowledge_level, agent_type, primary_knowledge_source,
               CASE WHEN primary_knowledge_source <> '{provenance.NCBI_GENE}'
                    THEN ['{provenance.NCBI_GENE}'] END AS aggregator_knowledge_source
        FROM (
            SELECT {gene_curie("g.GeneID")} AS subject, q.predicate, g.GO_ID AS object,
                   CASE WHEN g.negated THEN true END AS negated,  -- absent, not false, on positive edges
                   c.association_category AS category, g.relation AS original_predicate,
                   -- (most edges have one code and at most one PubMed id: no list work for them)
                   CASE WHEN NOT contains(g.eco_ids, '|') THEN [g.eco_ids]
                        ELSE list_sort(list_distinct(string_split(g.eco_ids, '|'))) END AS has_evidence,
                   CASE WHEN NOT contains(g.pubmed, '|') THEN ['PMID:' || g.pubmed]
                        ELSE string_split('PMID:' || array_to_string(
                            list_sort(list_distinct(CAST(string_split(g.pubmed, '|') AS BIGINT[]))), '|PMID:'), '|')
                   END AS publications,
                   l.knowledge_level, l.agent_type, g.primary_knowledge_source
            FROM {groups} g
            JOIN {predicates} q ON q.relation = g.relation
            JOIN {categories} c ON c.Category = q.Category
            JOIN (SELECT DISTINCT precedence, knowledge_level, agent_type FROM {knowledge_levels}) l
                 ON CAST(l.precedence AS INTEGER) = g.precedence
        )
    """)
    source.nodes(f"""
        SELECT GO_ID AS id, node_category AS category, name, '{provenance.NCBI_GENE}' AS provided_by
        FROM {terms}
    """)


def annotations(
    source: InputTables, rows: str, predicates: str, categories: str, eco_terms: str, knowledge_levels: str
) -> str:
    """Table annotations: each row of ``rows`` (emitted gene2go rows) with the values the mapping tables give it.

    Its columns: _file, _line, tax_id, GeneID, GO_ID, GO_term, Category, Evidence, PubMed (only the ids
    that are numbers), negated, and from the mapping tables relation (``predicates``), node_category
    (``categories``), eco_id (``eco_terms``) and precedence (``knowledge_levels``). Every row is mapped
    (else RuntimeError: the mapping tables disagree with the rejection rules). Returns the table's name.
    """
    annotated = source.table(
        "annotations",
        f"""
        SELECT e._file, e._line, e.tax_id, e.GeneID, e.GO_ID, e.GO_term, e.Category, e.Evidence,
               -- the PubMed ids that are numbers (the others are counted as dropped values)
               CASE WHEN regexp_full_match(e.PubMed, '{PMIDS}') THEN e.PubMed
                    ELSE nullif(array_to_string(list_filter(string_split(e.PubMed, '|'),
                                                            x -> regexp_full_match(x, '{PMID}')), '|'), '')
               END AS PubMed,
               {negated("e.Qualifier")} AS negated, q.relation, c.node_category, eco.eco_id,
               CAST(k.precedence AS INTEGER) AS precedence
        FROM {rows} e
        JOIN {predicates} q ON q.qualifier = {relation("e.Qualifier")}
        JOIN {categories} c ON c.Category = e.Category
        JOIN {eco_terms} eco ON eco.evidence_code = e.Evidence
        JOIN {knowledge_levels} k ON k.evidence_code = e.Evidence
    """,
    )
    mapped, emitted = one(source.sql(f"SELECT (SELECT count(*) FROM {annotated}), (SELECT count(*) FROM {rows})"))
    if mapped != emitted:  # the rejection rules and the mapping tables disagree: a bug, not bad input
        raise RuntimeError(f"gene2go: {emitted} rows emitted but {mapped} mapped; check the mapping tables")
    return annotated


def primary_sources(source: InputTables, annotated: str, go_annotation_taxa: str) -> str:
    """Table taxon_sources (tax_id, primary_knowledge_source): where each taxon's ``annotated`` rows come from.

    Returns the table's name.
    """
    # Where the annotation comes from: GO Consortium files for the taxa NCBI imports them for, else
    # NCBI's own InterProScan run (see mappings/gene2go_go_annotation_taxa.tsv).
    return source.table(
        "taxon_sources",
        f"""
        SELECT tax_id,
               CASE WHEN tax_id IN (SELECT tax_id FROM {go_annotation_taxa})
                         OR bool_or(Evidence <> 'IEA')
                    THEN '{provenance.GO}' ELSE '{provenance.NCBI_GENE}' END AS primary_knowledge_source
        FROM {annotated} GROUP BY tax_id
    """,
    )


def edge_groups(source: InputTables, annotated: str, taxon_sources: str) -> str:
    """Table edge_groups: the ``annotated`` rows of one edge (gene, relation, GO term, negation, primary source).

    The qualifier fixes the relation and the Category (a row pairing them otherwise is rejected), and the
    gene its taxon and so the primary source (the one ``taxon_sources`` gives it), so the group is the edge
    key. Most edges are one row (94 % on the full benchmark corpus): only the keys with several rows are
    aggregated, their evidence codes and PubMed ids collected as '|'-joined strings (cheaper to aggregate than
    lists at millions of rows), made sorted, distinct lists once per edge. Returns the table's name.
    """
    key = "GeneID, relation, GO_ID, negated"
    several = source.table("several_rows", f"SELECT {key} FROM {annotated} GROUP BY ALL HAVING count(*) > 1")
    return source.table(
        "edge_groups",
        f"""
        SELECT a.GeneID, a.relation, a.GO_ID, a.negated, s.primary_knowledge_source,
               a.eco_id AS eco_ids, a.PubMed AS pubmed, a.precedence
        FROM {annotated} a JOIN {taxon_sources} s USING (tax_id) ANTI JOIN {several} USING ({key})
        UNION ALL
        SELECT a.GeneID, a.relation, a.GO_ID, a.negated, s.primary_knowledge_source,
               string_agg(a.eco_id, '|') AS eco_ids, string_agg(a.PubMed, '|') AS pubmed,
               min(a.precedence) AS precedence
        FROM {annotated} a JOIN {taxon_sources} s USING (tax_id) SEMI JOIN {several} USING ({key})
        GROUP BY ALL
    """,
    )


def go_terms(source: InputTables, annotated: str) -> str:
    """Table go_terms (GO_ID, node_category, name): one node per GO_ID of ``annotated``, chosen deterministically.

    The name is the GO_term most rows give (ties: the first in sort order); the category likewise from
    Category. Rows that disagree with the choice are counted as dropped values. Returns the table's name.
    """
    terms = source.table(
        "go_terms",
        f"""
        WITH names AS (
            SELECT GO_ID, arg_max(GO_term, (n, -rank)) AS name
            FROM (SELECT GO_ID, GO_term, count(*) AS n,
                         rank() OVER (PARTITION BY GO_ID ORDER BY GO_term) AS rank
                  FROM {annotated} WHERE GO_term IS NOT NULL GROUP BY GO_ID, GO_term)
            GROUP BY GO_ID
        ), categories AS (
            SELECT GO_ID, arg_max(node_category, (n, -rank)) AS node_category
            FROM (SELECT GO_ID, node_category, count(*) AS n,
                         rank() OVER (PARTITION BY GO_ID ORDER BY node_category) AS rank
                  FROM {annotated} GROUP BY GO_ID, node_category)
            GROUP BY GO_ID
        )
        SELECT GO_ID, c.node_category, n.name
        FROM categories c LEFT JOIN names n USING (GO_ID)
    """,
    )
    source.drop_values(f"""
        SELECT 'GO_term differs from the name chosen for its GO_ID' AS reason, a._file, a._line
        FROM {annotated} a JOIN {terms} t USING (GO_ID) WHERE a.GO_term <> t.name
        UNION ALL
        SELECT 'Category differs from the one chosen for its GO_ID' AS reason, a._file, a._line
        FROM {annotated} a JOIN {terms} t USING (GO_ID) WHERE a.node_category <> t.node_category
    """)
    return terms


TRANSFORM = Transform("gene2go", COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene2go.yaml` (koza_adapter.py)
