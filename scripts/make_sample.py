"""Build sample/gene_info.gz: the real gene_info rows of every gene the other bundled samples name.

The bundled sample must be a consistent small release: each gene that an edge in sample/ refers to
has its gene_info row, so the merged sample graph has no dangling edges but the ones that show the
rule (genes of taxa with no gene_info file in tests/data/ncbi). Rows are copied unchanged from
tests/data/ncbi/gene_info, in file order, plus a few rows that exercise the other paths: NEWENTRY
placeholders, out-of-scope small taxa, an unknown xref prefix and a miRBase xref.

Run: .venv/bin/python scripts/make_sample.py (deterministic; rerun when a sample file changes).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENE_INFO = ROOT / "tests" / "data" / "ncbi" / "gene_info"
SAMPLE = ROOT / "sample"

# Files under sample/ whose GeneID columns name genes (column names as in their headers); gene_neighbors'
# list columns hold several GeneIDs separated by '|'.
GENE_COLUMNS = {"GeneID", "Other_GeneID", "GeneIDs_on_left", "GeneIDs_on_right", "overlapping_GeneIDs"}
EXTRA_GENES = {
    "22059",  # mouse Trp53: MGI xrefs
    "2768677",  # fly p53: FLYBASE xref
    "30590",  # zebrafish tp53: ZFIN xref
    "912",  # CD1D: IMGT/GENE-DB xref, a prefix no registry knows
    "406881",  # MIRLET7A1: miRBase xref
}
SPECIES_FILES = [
    "Homo_sapiens.2022-11.gene_info.gz",
    "Mus_musculus.2023-03.gene_info.gz",
    "Danio_rerio.2021-07.gene_info.gz",
    "Drosophila_melanogaster.2021-07.gene_info.gz",
]
SMALL_TAXA_ROWS = 20  # the first rows of small_taxa: out of the default scope


def referenced_genes() -> set[str]:
    genes = set(EXTRA_GENES)
    for path in sorted(SAMPLE.iterdir()):
        if path.name.startswith("gene_info") or not path.is_file():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as fh:
            header = fh.readline().lstrip("#").rstrip("\n").split("\t")
            columns = [i for i, name in enumerate(header) if name in GENE_COLUMNS]
            for line in fh:
                fields = line.rstrip("\n").split("\t")
                genes.update(
                    gene
                    for i in columns
                    if i < len(fields)
                    for gene in fields[i].split("|")
                    if re.fullmatch(r"\d+", gene)
                )
    return genes


def main() -> None:
    genes = referenced_genes()
    lines: list[str] = []
    header = ""
    for name in SPECIES_FILES:
        with gzip.open(GENE_INFO / name, "rt") as fh:
            header = fh.readline()
            lines += [line for line in fh if line.split("\t", 2)[1] in genes]
    with gzip.open(GENE_INFO / "small_taxa.2019-08.gene_info.gz", "rt") as fh:
        fh.readline()
        lines += [fh.readline() for _ in range(SMALL_TAXA_ROWS)]
    with (GENE_INFO / "all_species_head.2026-08.gene_info").open() as fh:
        fh.readline()
        lines += fh.readlines()  # NEWENTRY placeholders
    found = {line.split("\t", 2)[1] for line in lines}
    data = (header + "".join(lines)).encode()
    (SAMPLE / "gene_info.gz").write_bytes(gzip.compress(data, mtime=0))
    missing = sorted(genes - found, key=int)
    print(
        f"sample/gene_info.gz: {len(lines)} rows, {len(data):,} bytes; "
        f"{len(missing)} referenced genes have no row in tests/data/ncbi (other taxa): {' '.join(missing[:20])}"
    )


if __name__ == "__main__":
    main()
