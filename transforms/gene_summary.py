"""gene_summary -> the description of Gene nodes: one summary per gene, the text kept as it is.

Each gene gets one node row whose description is its summary and whose provided_by names the resource
that wrote it (mappings/gene_summary_sources.tsv) beside infores:ncbi-gene. A gene with summaries from
several Sources keeps the one of the first Source in that table (then the first in the file); the others
are counted. The merge makes this description win over gene_info's, which is a name (docs/sources/gene_summary.md).

The text is not changed, with one exception. A summary cannot hold a tab or a newline (the file is
tab-separated, one row per line), and the KGX writers do not need quoting (TSV is written unquoted, JSON
Lines escapes what JSON needs), so quotes pass through as they are. But KGX TSV has no escape for its list
delimiter: a reader (kgx's among them) splits any value holding '|' into a list, and the graph no longer
validates. A '|' is therefore stored (and written in every format) as '¦' (U+00A6 BROKEN BAR), and counted.
"""

from ncbi_gene_kg import provenance
from ncbi_gene_kg.ingest import InputTables, Options, RowRules, Transform, not_a_number
from ncbi_gene_kg.koza_adapter import koza_hooks
from ncbi_gene_kg.sql import gene_curie
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import TaxonScope

NAME = "gene_summary"
COLUMNS = ["tax_id", "GeneID", "Source", "Summary"]
GENE = "biolink:Gene"
LIST_DELIMITER, STAND_IN = "|", "\u00a6"


def row_rules(scope: TaxonScope, options: Options) -> RowRules:
    """Rows rejected as bad input and rows left out, each a reason and an SQL condition."""
    rejected = {**not_a_number("GeneID"), **not_a_number("tax_id")}
    return RowRules(rejected, {"no summary text": "Summary IS NULL OR trim(Summary) = ''"})


def transform(source: InputTables) -> None:
    """The emitted rows as KGX nodes and edges."""
    summary_sources = register_table(
        source.con,
        "summary_sources",
        tuple({**row, "rank": str(rank)} for rank, row in enumerate(load_table("gene_summary_sources"))),
    )
    summaries = ranked_summaries(source, source.emitted, summary_sources)
    text = f"replace(Summary, '{LIST_DELIMITER}', '{STAND_IN}')"
    source.drop_values(f"""
        SELECT 'vertical bar (U+007C) in a summary written as a broken bar (U+00A6): KGX TSV splits values '
               || 'on it' AS reason, _file, _line
        FROM {summaries} WHERE n = 1 AND contains(Summary, '{LIST_DELIMITER}')
    """)
    source.nodes(f"""
        SELECT {gene_curie("GeneID")} AS id, '{GENE}' AS category, {text} AS description,
               list_filter(['{provenance.NCBI_GENE}', infores], x -> x IS NOT NULL) AS provided_by
        FROM {summaries} WHERE n = 1
    """)


def ranked_summaries(source: InputTables, rows: str, summary_sources: str) -> str:
    """Table summaries: the rows of ``rows`` (emitted gene_summary rows), each with its n among its gene's.

    Columns _file, _line, GeneID, Source, Summary, infores (of the Source, from ``summary_sources``), rank
    (the Source's place in that table) and n: 1 for the summary the gene keeps (first Source, then first
    in the file). Rows with no or an unknown Source (their summary kept) and the summaries not kept are
    counted as dropped values.
    Returns the table's name.
    """
    ranked = source.table(
        "ranked",
        f"""
        SELECT e._file, e._line, e.GeneID, e.Source, e.Summary, s.infores,
               coalesce(CAST(s.rank AS INTEGER), 1000000) AS rank
        FROM {rows} e LEFT JOIN {summary_sources} s ON s.Source = e.Source
    """,
    )
    source.drop_values(f"""
        SELECT CASE WHEN Source IS NULL THEN 'no summary Source (summary kept)'
                    ELSE 'unknown summary Source ' || Source || ' (summary kept)' END AS reason, _file, _line
        FROM {ranked} WHERE infores IS NULL
    """)
    summaries = source.table(
        "summaries",
        f"""
        SELECT *, row_number() OVER (PARTITION BY GeneID ORDER BY rank, _file, _line) AS n FROM {ranked}
    """,
    )
    source.drop_values(
        "SELECT 'another summary of the gene comes first (Source order, then file order)' "
        f"AS reason, _file, _line FROM {summaries} WHERE n > 1"
    )
    return summaries


TRANSFORM = Transform(NAME, COLUMNS, row_rules, transform)
scan, write = koza_hooks(TRANSFORM)  # Koza's hooks: `koza transform config/gene_summary.yaml` (koza_adapter.py)
