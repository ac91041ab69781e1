"""The SSSOM mapping set of discontinued GeneIDs: ``ncbi_gene_history.sssom.tsv``.

One mapping per discontinued GeneID in the history table (history.py) to its current id (IAO:0100001
"term replaced by"), or to ``sssom:NoTermFound``; written with the sssom library, which also writes the
metadata.
"""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path

import bioregistry
import duckdb

from ncbi_gene_kg import provenance
from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.history import GENE, load_history
from ncbi_gene_kg.sql import scalar

SSSOM_FILE = "ncbi_gene_history.sssom.tsv"
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
    infores = bioregistry.get_uri_prefix("infores")
    assert infores is not None, "bioregistry knows infores"
    return {GENE: biolink[GENE], "IAO": biolink["IAO"], "infores": infores}


def write_sssom(
    con: duckdb.DuckDBPyConnection, history: Path, path: Path, build_version: str, nodes: str = "nodes"
) -> int:
    """Write the SSSOM mapping set of discontinued GeneIDs to ``path``; returns how many mappings.

    The metadata block and header come from the sssom library (``write_table`` on the mapping set with its
    metadata and prefix map); the rows are formatted by DuckDB the way that writer formats them (tab
    separated, quoted only where a value holds a tab, quote or newline), since there may be millions.
    Object labels are the current genes' symbols from the merged ``nodes`` table. Writes nothing and returns
    0 when ``history`` does not exist (gene_history was not an input).
    """
    if not load_history(con, history, "sssom_history"):
        return 0
    import pandas as pd
    from curies import Converter
    from sssom.util import MappingSetDataFrame
    from sssom.writers import write_table

    node_columns = con.table(nodes).columns
    symbol = "n.symbol" if "symbol" in node_columns else "n.name" if "name" in node_columns else "NULL"
    rows = con.sql(f"""
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
        FROM sssom_history h LEFT JOIN {nodes} n ON n.id = h.new
        ORDER BY CAST(h.discontinued_id AS BIGINT)
    """)
    if rows.columns != SSSOM_COLUMNS:
        raise RuntimeError(f"SSSOM columns {rows.columns} differ from {SSSOM_COLUMNS}")
    converter = Converter.from_prefix_map(sssom_curie_map())
    header = MappingSetDataFrame(
        df=pd.DataFrame(columns=SSSOM_COLUMNS), converter=converter, metadata=_sssom_metadata(build_version)
    )
    part = path.with_name(path.name + ".rows")
    rows.write_csv(str(part), sep="\t", header=False, quotechar='"', escapechar='"')
    with path.open("w", encoding="utf-8") as fh:
        write_table(header, fh, condense=False)
    with path.open("ab") as out, part.open("rb") as body:
        shutil.copyfileobj(body, out, 1 << 22)
    part.unlink()
    return int(scalar(con, "SELECT count(*) FROM sssom_history"))


# --- resolve -----------------------------------------------------------------------------------------------
