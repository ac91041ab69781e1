"""The SSSOM mapping set of discontinued GeneIDs: ``ncbi_gene_history.sssom.tsv``.

One mapping per discontinued GeneID in the history table (history.py) to its current id (IAO:0100001
"term replaced by"), or to ``sssom:NoTermFound``; written as the sssom library writes a mapping set (its
tests read the file back with that library).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import duckdb
import yaml

from ncbi_gene_kg import provenance
from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.curie import uri_prefix
from ncbi_gene_kg.graphdb import has_table
from ncbi_gene_kg.history import GENE, load_history
from ncbi_gene_kg.streams import Written, copy_to_file

SSSOM_FILE = "ncbi_gene_history.sssom.tsv"
HISTORY_MAPPINGS = "gene_history"  # the mapping set's rows, a table of the published graph database
# SSSOM: IAO:0100001 "term replaced by" is what OBO ontologies use from an obsolete term to its replacement.
PREDICATE = "IAO:0100001"
NO_TERM_FOUND = "sssom:NoTermFound"
DIRECT = "semapv:UnspecifiedMatching"  # NCBI's own record; how NCBI decided is not stated per row
CHAINED = "semapv:MappingChaining"  # the current id is reached through ids that were discontinued in turn
SSSOM_COLUMNS = [
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "mapping_cardinality",
    "mapping_date",
    "comment",
    "other",
]
# No published location yet: a URN that names the set; replace with the release URL once there is one.
MAPPING_SET_ID = "urn:ncbi-gene-kg:ncbi_gene_history"
GENE_HISTORY_URL = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_history.gz"
NCBI_LICENSE = "https://www.ncbi.nlm.nih.gov/home/about/policies/"
NCBITAXON = "NCBITaxon"
TAXON_KEY = "in_taxon="  # how the taxon is written in the SSSOM `other` column


def _sssom_metadata(build_version: str) -> dict:
    return {
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": build_version,
        "mapping_set_title": "NCBI Gene: discontinued GeneIDs and the GeneIDs that replace them",
        "mapping_set_description": (
            "One mapping per discontinued NCBI GeneID in the taxon scope, from NCBI Gene's gene_history file: "
            "to the current GeneID its chain of replacements ends at, or to sssom:NoTermFound when it was "
            "discontinued without replacement. mapping_date is the Discontinue_Date; `other` gives the taxon."
        ),
        "license": NCBI_LICENSE,
        "mapping_set_source": [GENE_HISTORY_URL],
        "mapping_provider": "https://www.ncbi.nlm.nih.gov/gene",
        "mapping_tool": "ncbi-gene-kg",
        "mapping_tool_version": version("ncbi-gene-kg"),
        "publication_date": build_version,
        "subject_source": provenance.NCBI_GENE,
        "object_source": provenance.NCBI_GENE,
    }


def sssom_curie_map() -> dict[str, str]:
    """Prefixes the mapping set uses beyond SSSOM's built-in ones: NCBIGene and IAO as the Biolink model
    expands them, infores as bioregistry does (the Biolink model has no infores prefix)."""
    biolink = prefix_map()
    infores = uri_prefix("infores")
    assert infores is not None, "bioregistry knows infores"
    return {GENE: biolink[GENE], "IAO": biolink["IAO"], "infores": infores}


def history_mappings(con: duckdb.DuckDBPyConnection, graph: str = "graph") -> bool:
    """Table ``<graph>.gene_history``: the mapping set's rows (:data:`SSSOM_COLUMNS`), one per discontinued GeneID
    in the scope, in GeneID order; False (no table) when gene_history was not an input.

    It is the published graph database's record of discontinued GeneIDs (`ncbi-gene-kg resolve` reads it) and
    the SSSOM file's rows. Object labels are the current genes' symbols from ``<graph>.nodes``.
    """
    if not load_history(con, "sssom_history"):
        return False
    node_columns = con.table(f"{graph}.nodes").columns
    symbol = "n.symbol" if "symbol" in node_columns else "n.name" if "name" in node_columns else "NULL"
    con.execute(f"""
        CREATE TABLE {graph}.{HISTORY_MAPPINGS} AS
        SELECT h.old AS subject_id, h.discontinued_symbol AS subject_label, '{PREDICATE}' AS predicate_id,
               coalesce(h.new, '{NO_TERM_FOUND}') AS object_id, {symbol} AS object_label,
               CASE WHEN h.new IS NOT NULL AND h.via IS NOT NULL THEN '{CHAINED}' ELSE '{DIRECT}' END
                   AS mapping_justification,
               CASE WHEN h.new IS NULL THEN '1:0'
                    WHEN count(*) OVER (PARTITION BY h.new) > 1 THEN 'n:1' ELSE '1:1' END AS mapping_cardinality,
               h.discontinue_date AS mapping_date,
               CASE h.chain_end
                   WHEN 'loop' THEN 'the chain of replacements loops back (' || h.old || ' -> {GENE}:'
                                    || replace(h.via, '|', ' -> {GENE}:') || ' -> ...); no current id'
                   WHEN 'discontinued' THEN CASE WHEN h.replaced_by IS NULL THEN 'discontinued without replacement'
                       ELSE 'replaced by {GENE}:' || replace(h.via, '|', ', then {GENE}:')
                            || ', itself discontinued without replacement' END
                   ELSE CASE WHEN h.via IS NOT NULL THEN 'replaced by {GENE}:' || replace(h.via, '|', ', then {GENE}:')
                             || ', then ' || h.new END
               END AS comment,
               '{TAXON_KEY}{NCBITAXON}:' || h.tax_id AS other
        FROM sssom_history h LEFT JOIN {graph}.nodes n ON n.id = h.new
        ORDER BY CAST(h.discontinued_id AS BIGINT)
    """)
    columns = con.table(f"{graph}.{HISTORY_MAPPINGS}").columns
    if columns != SSSOM_COLUMNS:
        raise RuntimeError(f"SSSOM columns {columns} differ from {SSSOM_COLUMNS}")
    return True


def write_sssom(con: duckdb.DuckDBPyConnection, path: Path, build_version: str) -> Written | None:
    """Write the SSSOM mapping set of discontinued GeneIDs (table ``gene_history``, :func:`history_mappings`) to
    ``path``; None when there is no such table (gene_history was not an input).

    The metadata block is :func:`sssom_header`; the rows are formatted by DuckDB the way the sssom library's
    writer formats them (tab separated, quoted only where a value holds a tab, quote or newline), since there
    may be millions.
    """
    if not has_table(con, HISTORY_MAPPINGS):
        return None
    options = "FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '\"', ESCAPE '\"'"
    header = sssom_header(build_version) + "\t".join(SSSOM_COLUMNS) + "\n"
    return copy_to_file(con, f"SELECT * FROM {HISTORY_MAPPINGS}", path, options, header.encode("utf-8"))


def sssom_header(build_version: str) -> str:
    """The mapping set's metadata block: its metadata and curie map as YAML, each line behind '# ', as the sssom
    library's ``write_table`` writes it (tests/test_gene_history.py parses and validates the file with that
    library; loading the library on every build cost over a second).

    >>> sssom_header("2026-01-02").splitlines()[:2]
    ['# curie_map:', '#   IAO: http://purl.obolibrary.org/obo/IAO_']
    """
    metadata = _sssom_metadata(build_version) | {"curie_map": sssom_curie_map()}
    return "".join(f"# {line}\n" for line in yaml.safe_dump(metadata, allow_unicode=True).splitlines() if line)


# --- resolve -----------------------------------------------------------------------------------------------
