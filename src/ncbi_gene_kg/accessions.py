"""Sequence accessions (gene2accession, ``transform --accessions``): the lookup table `resolve` reads.

Not part of the graph: ``OUT/ncbi_gene_accessions.duckdb`` maps every RNA, protein and genomic accession of
the genes in scope (with and without version) and each gene's genomic placements to the gene.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.history import GENE
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sql import one, quote, scalar, string_list
from ncbi_gene_kg.taxa import TaxonScope

ACCESSIONS_FILE = "ncbi_gene_accessions.duckdb"
ACCESSION_COLUMNS = {  # gene2accession column -> kind of sequence (NCBI Gene FTP README, section gene2accession)
    "RNA_nucleotide_accession.version": "RNA",
    "protein_accession.version": "protein",
    "genomic_nucleotide_accession.version": "genomic",
    "mature_peptide_accession.version": "mature peptide",
}
GENE2ACCESSION_COLUMNS = [
    "tax_id",
    "GeneID",
    *ACCESSION_COLUMNS,
    "start_position_on_the_genomic_accession",
    "end_position_on_the_genomic_accession",
    "orientation",
    "assembly",
]
# RefSeq (NM_000546, NC_000017) and INSDC accessions (nucleotide U43746, AC060780; protein AAA59989; WGS
# contigs AAAA01000001), with an optional version, and for a genomic accession an optional 1-based position.
ACCESSION_PATTERN = re.compile(
    r"(?P<accession>[A-Z]{2}_[0-9]{5,}|[A-Z][0-9]{5}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{8}|[A-Z]{3}[0-9]{5}"
    r"|[A-Z]{3}[0-9]{7}|[A-Z]{4,6}[0-9]{8,})(?:\.(?P<version>[0-9]+))?(?::(?P<position>[0-9]+))?"
)
MAX_CANDIDATES = 20  # genes listed for an accession that names many (a chromosome without a position)


def index_accessions(data_dir: Path, out_dir: Path, scope: TaxonScope) -> dict[str, Any]:
    """Write OUT/ncbi_gene_accessions.duckdb from DATA's gene2accession: every accession of every gene in scope.

    Table ``accessions`` (accession without version, its version, kind, gene, tax_id; one row per distinct
    value, indexed on the accession) and table ``placements`` (a gene's genomic accession.version with its
    0-based inclusive start and end, for positions). The lookup table of `ncbi-gene-kg resolve`, not part of
    the graph. Returns the row accounting (read, emitted, out of scope, rejected by reason).
    """
    from ncbi_gene_kg.accounting import TAXON_OUT_OF_SCOPE, WRONG_COLUMN_COUNT, case_of, tallies
    from ncbi_gene_kg.ingest import not_a_number  # imports Koza: only when the table is built
    from ncbi_gene_kg.pipeline import find_inputs
    from ncbi_gene_kg.scan import scan_files

    paths = find_inputs(data_dir, "gene2accession")
    if not paths:
        raise UserError(
            f"--accessions: no gene2accession or gene2accession.gz in {data_dir} (fetch "
            "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2accession.gz into it; `make download` "
            "leaves it out, it is 4 GB)"
        )
    con = connect(preserve_order=False)
    scan_files(con, "g2a", paths, GENE2ACCESSION_COLUMNS, scope)
    rejected = {WRONG_COLUMN_COUNT: "_n_fields <> _n_columns"} | not_a_number("GeneID") | not_a_number("tax_id")
    con.execute(f"CREATE TEMP TABLE g2a_classified AS SELECT *, {case_of(rejected)} AS _rejected FROM g2a")
    emitted = "(SELECT * FROM g2a_classified WHERE _rejected IS NULL)"
    tmp = out_dir / f".{ACCESSIONS_FILE}.part"
    tmp.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    con.execute(f"ATTACH {quote(str(tmp))} AS lookup")
    listed = " UNION ALL ".join(
        f"SELECT split_part(\"{column}\", '.', 1) AS accession, \"{column}\" AS version, '{kind}' AS kind, "
        f'CAST(GeneID AS BIGINT) AS gene, tax_id FROM {emitted} WHERE "{column}" IS NOT NULL'
        for column, kind in ACCESSION_COLUMNS.items()
    )
    con.execute(f"CREATE TABLE lookup.accessions AS SELECT DISTINCT * FROM ({listed}) ORDER BY accession, gene")
    con.execute("CREATE INDEX accession_index ON lookup.accessions (accession)")
    con.execute(f"""
        CREATE TABLE lookup.placements AS
        SELECT DISTINCT "genomic_nucleotide_accession.version" AS version,
               CAST(start_position_on_the_genomic_accession AS BIGINT) AS start0,
               CAST(end_position_on_the_genomic_accession AS BIGINT) AS end0,
               CAST(GeneID AS BIGINT) AS gene, tax_id, assembly
        FROM {emitted}
        WHERE "genomic_nucleotide_accession.version" IS NOT NULL
          AND regexp_full_match(start_position_on_the_genomic_accession, '[0-9]+')
          AND regexp_full_match(end_position_on_the_genomic_accession, '[0-9]+')
        ORDER BY version, start0
    """)
    con.execute("CREATE INDEX placement_index ON lookup.placements (version)")
    read, out_of_scope = one(con, "SELECT count(*), count(*) FILTER (WHERE _n_fields = 0) FROM g2a_lines")
    account = {
        "files": [p.name for p in paths],
        "read": read,
        "emitted": scalar(con, "SELECT count(*) FROM g2a_classified WHERE _rejected IS NULL"),
        "out_of_scope": {TAXON_OUT_OF_SCOPE: out_of_scope} if out_of_scope else {},
        "rejected": {
            reason: t.count
            for reason, t in tallies(
                con, "SELECT _rejected AS reason, _file, _line FROM g2a_classified WHERE _rejected IS NOT NULL"
            ).items()
        },
        "accessions": scalar(con, "SELECT count(*) FROM lookup.accessions"),
    }
    con.execute("DETACH lookup")
    con.close()
    tmp.replace(out_dir / ACCESSIONS_FILE)
    return account


def accession_matches(out_dir: Path, query: str, taxa: list[str] | None) -> tuple[str, list[tuple[str, str]]] | None:
    """(how it matched, [(GeneID CURIE, tax_id)]) for an accession query, or None when it is not one or unknown.

    The accession is looked up without its version (``NM_000546.6`` and ``NM_000546`` find the same gene); with
    a position (``NC_000017.11:7668421``, 1-based, on that version) only the genes placed over it count.
    """
    found = ACCESSION_PATTERN.fullmatch(query.strip().upper())
    path = out_dir / ACCESSIONS_FILE
    if not found or not path.is_file():
        return None
    in_taxa = "" if taxa is None else f" AND tax_id IN ({string_list(t.split(':', 1)[1] for t in taxa)})"
    # Values are written into the SQL (quoted; the accession is letters, digits and '_' by the pattern): a
    # query with parameters costs DuckDB's Python binding most of a second the first time, a literal one ms.
    with duckdb.connect(str(path), read_only=True) as con:
        if found["position"]:
            version = found["accession"] + (f".{found['version']}" if found["version"] else "")
            column = "version" if found["version"] else "split_part(version, '.', 1)"
            position = int(found["position"])
            rows = con.execute(
                f"SELECT DISTINCT gene, tax_id FROM placements WHERE {column} = {quote(version)} "
                f"AND start0 < {position} AND {position} <= end0 + 1{in_taxa} ORDER BY gene"
            ).fetchall()
            how = f"position on genomic accession {version}"
        else:
            listed = con.execute(
                "SELECT kind, version, gene, tax_id FROM accessions "
                f"WHERE accession = {quote(found['accession'])}{in_taxa}"
            ).fetchall()
            rows = sorted({(gene, tax_id) for _, _, gene, tax_id in listed})
            kinds = sorted({kind for kind, _, _, _ in listed})
            versions = sorted({version for _, version, _, _ in listed})
            asked = found["accession"] + (f".{found['version']}" if found["version"] else "")
            how = f"{'/'.join(kinds)} accession {asked}"
            if found["version"] and asked not in versions:
                how += f" (gene2accession has {', '.join(versions)})"
    if not rows:
        return None
    return how, [(f"{GENE}:{gene}", tax_id) for gene, tax_id in rows]
