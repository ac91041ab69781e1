"""The large tier: whole real files through the whole build, checked against counts taken from the raw rows.

Inputs (tests/data/ncbi, origins in its README): the whole human, mouse, fly and zebrafish gene_info
subsets plus the small-taxa file, concatenated under one header (278,889 rows, as a download of those
taxa would be), the whole mim2gene_medgen (28,601 rows) and the five-taxa gene_history excerpt. The
expected counts are computed here from the raw lines with plain Python, not with the project's code.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REAL_DATA, quiet_build, read_kgx

from ncbi_gene_kg.omim import NOT_TYPED, TYPED_PHENOTYPE
from ncbi_gene_kg.paths import CONFIG_DIR

pytestmark = pytest.mark.large

GENE_INFO = [
    "Homo_sapiens.2022-11",
    "Mus_musculus.2023-03",
    "Drosophila_melanogaster.2021-07",
    "Danio_rerio.2021-07",
    "small_taxa.2019-08",
]
MIM2GENE = REAL_DATA / "mim2gene_medgen/mim2gene_medgen.2026-04"
HISTORY = REAL_DATA / "gene_history/five_taxa.2019-03.gene_history"
DEFAULT_TAXA = {str(t["tax_id"]) for t in yaml.safe_load((CONFIG_DIR / "taxa.yaml").read_text())["scopes"]["default"]}


def raw_rows(path: Path) -> list[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]


def gene_info_rows(*names: str) -> tuple[str, list[list[str]]]:
    with gzip.open(REAL_DATA / f"gene_info/{names[0]}.gene_info.gz", "rt") as fh:
        header = fh.readline()
    return header, [row for name in names for row in raw_rows(REAL_DATA / f"gene_info/{name}.gene_info.gz")]


def write_gene_info(folder: Path, *names: str) -> list[list[str]]:
    header, rows = gene_info_rows(*names)
    text = header + "".join("\t".join(row) + "\n" for row in rows)
    (folder / "gene_info.gz").write_bytes(gzip.compress(text.encode(), compresslevel=1, mtime=0))
    return rows


def genes_in_scope(rows: list[list[str]]) -> dict[str, list[str]]:
    """GeneID -> row, for the default scope's taxa, placeholders (Symbol NEWENTRY) left out."""
    return {row[1]: row for row in rows if row[0] in DEFAULT_TAXA and row[2] != "NEWENTRY"}


def mim_types() -> dict[str, set[str]]:
    """MIM number -> the types mim2gene_medgen's rows give it ('gene', 'phenotype')."""
    types: dict[str, set[str]] = {}
    for row in raw_rows(MIM2GENE):
        types.setdefault(row[0], set()).add(row[2])
    return types


def mim_dbxrefs(genes: dict[str, list[str]]) -> list[tuple[str, str, int]]:
    """(GeneID, MIM number, index of the row in ``genes``) of every MIM dbXref of the rows of ``genes``."""
    return [
        (gene, x.removeprefix("MIM:"), i)
        for i, (gene, row) in enumerate(genes.items())
        for x in row[5].split("|")
        if x.startswith("MIM:")
    ]


def build(data: Path, out: Path) -> tuple[list[dict], list[dict], dict, dict]:
    quiet_build(data, out)
    return (
        read_kgx(out / "ncbi_gene_nodes.tsv"),
        read_kgx(out / "ncbi_gene_edges.tsv"),
        json.loads((out / "graph_metadata.json").read_text()),
        json.loads((out / "validation_report.json").read_text()),
    )


@pytest.fixture(scope="module")
def genes_only(tmp_path_factory: pytest.TempPathFactory):
    """A node-only graph of 254 thousand genes: gene_info alone, as Monarch's ncbi-gene ingest publishes."""
    data = tmp_path_factory.mktemp("genes_only")
    rows = write_gene_info(data, *GENE_INFO)
    return rows, build(data, data / "out")


def test_one_node_per_gene_in_scope(genes_only) -> None:
    rows, (nodes, edges, metadata, report) = genes_only
    assert len(rows) == 278_889
    expected = genes_in_scope(rows)
    assert len(expected) == 254_437
    assert report["valid"] and edges == []
    assert [n["id"] for n in nodes] == sorted(f"NCBIGene:{g}" for g in expected)
    by_taxon = Counter(f"NCBITaxon:{row[0]}" for row in expected.values())
    assert metadata["statistics"]["nodes_by_taxon"] == dict(sorted(by_taxon.items()))
    (account,) = report["row_accounting"]
    assert account["read"] == len(rows) and account["emitted"] == len(expected)
    assert account["out_of_scope"]["placeholder NEWENTRY record"]["count"] == sum(
        1 for row in rows if row[0] in DEFAULT_TAXA and row[2] == "NEWENTRY"
    )
    assert "kgx validated a stratified sample" in " ".join(report["notes"])
    # without mim2gene_medgen the MIM dbXrefs cannot be typed: kept, and the build says so
    n_mim = len(mim_dbxrefs(expected))
    assert n_mim == 18_215
    assert account["warnings"] == [
        f"mim2gene_medgen is not in the build: {n_mim} MIM dbXrefs kept as given, not typed as gene or phenotype "
        "(a phenotype's MIM number may be among them)"
    ]
    assert sum(x.startswith("OMIM:") for n in nodes for x in n["xref"].split("|")) == n_mim


def test_every_gene_has_its_chromosome_and_band_as_its_row_gives_them(genes_only) -> None:
    rows, (nodes, *_) = genes_only
    by_id = {n["id"]: n for n in nodes}
    expected = genes_in_scope(rows)
    for gene, row in expected.items():  # every gene of the five files, the 108,693 human ones among them
        node = by_id[f"NCBIGene:{gene}"]
        assert (node["chromosome"], node["map_location"]) == tuple("" if v == "-" else v for v in row[6:8]), gene
    human = [row for row in expected.values() if row[0] == "9606"]
    assert len(human) == 108_693
    assert sum(row[6] == "X|Y" for row in human) == 111  # pseudo-autosomal genes: chromosome X and Y
    assert by_id["NCBIGene:7157"]["chromosome"] == "17" and by_id["NCBIGene:7157"]["map_location"] == "17p13.1"


def test_tp53(genes_only) -> None:
    _, (nodes, *_) = genes_only
    tp53 = next(n for n in nodes if n["id"] == "NCBIGene:7157")
    assert (tp53["name"], tp53["in_taxon"], tp53["category"]) == ("TP53", "NCBITaxon:9606", "biolink:Gene")
    assert {"HGNC:11998", "OMIM:191170", "ENSEMBL:ENSG00000141510"} <= set(tp53["xref"].split("|"))
    assert tp53["full_name"] == "tumor protein p53"


def test_every_species_keeps_its_own_identifiers(genes_only) -> None:
    _, (nodes, *_) = genes_only
    by_id = {n["id"]: n for n in nodes}
    assert "MGI:98834" in by_id["NCBIGene:22059"]["xref"].split("|")  # mouse Trp53
    assert by_id["NCBIGene:22059"]["in_taxon"] == "NCBITaxon:10090"
    assert "FB:FBgn0039044" in by_id["NCBIGene:2768677"]["xref"].split("|")  # fly p53
    assert "ZFIN:ZDB-GENE-990415-270" in by_id["NCBIGene:30590"]["xref"].split("|")  # zebrafish tp53


@pytest.fixture(scope="module")
def human_with_diseases(tmp_path_factory: pytest.TempPathFactory):
    """Human gene_info, the whole mim2gene_medgen and gene_history: genes, diseases, discontinued ids."""
    data = tmp_path_factory.mktemp("human")
    rows = write_gene_info(data, GENE_INFO[0])
    (data / "mim2gene_medgen").write_bytes(MIM2GENE.read_bytes())
    (data / "gene_history").write_bytes(HISTORY.read_bytes())
    return rows, build(data, data / "out")


def test_gene_disease_edges_match_the_raw_file(human_with_diseases) -> None:
    rows, (nodes, edges, metadata, report) = human_with_diseases
    assert report["valid"]
    genes = genes_in_scope(rows)
    mim = raw_rows(MIM2GENE)
    assert len(mim) == 28_601
    phenotype = [r for r in mim if r[2] == "phenotype" and r[1] != "-"]
    linked = {(f"NCBIGene:{r[1]}", f"OMIM:{r[0]}") for r in phenotype if r[1] in genes}
    disease_edges = [e for e in edges if e["category"] == "biolink:GeneToDiseaseAssociation"]
    assert {(e["subject"], e["object"]) for e in disease_edges} == linked
    diseases = {n["id"] for n in nodes if n["category"] == "biolink:Disease"}
    assert diseases == {f"OMIM:{r[0]}" for r in phenotype}
    assert len([n for n in nodes if n["category"] == "biolink:Gene"]) == len(genes)


def test_an_omim_entry_that_is_gene_and_phenotype_is_a_disease_not_a_gene_xref(human_with_diseases) -> None:
    rows, (nodes, edges, _, report) = human_with_diseases
    by_id = {n["id"]: n for n in nodes}
    # 188400 (DiGeorge syndrome) is the `gene` entry of GeneID 1714 (DGCR, a region) and a phenotype of TBX1.
    assert by_id["OMIM:188400"]["category"] == "biolink:Disease"
    assert "OMIM:188400" not in by_id["NCBIGene:1714"]["xref"].split("|")
    assert ("NCBIGene:6899", "OMIM:188400") in {(e["subject"], e["object"]) for e in edges}
    # Independently: every OMIM number a gene row or a gene's dbXrefs gives that is also a Disease node (a
    # dbXref to a number not typed gene was left out by gene_info already: not a collision).
    diseases = {i for i, n in by_id.items() if n["category"] == "biolink:Disease"}
    genes, types = genes_in_scope(rows), mim_types()
    claimed = {(f"NCBIGene:{g}", f"OMIM:{m}") for g, m, _ in mim_dbxrefs(genes) if "gene" in types.get(m, set())}
    claimed |= {(f"NCBIGene:{r[1]}", f"OMIM:{r[0]}") for r in raw_rows(MIM2GENE) if r[2] == "gene" and r[1] in genes}
    collisions = {(g, x) for g, x in claimed if x in diseases}
    (tally,) = report["xref_collisions"].values()
    assert tally["count"] == len(collisions) == 2  # 188400 on DGCR, 136570 on FRA16E
    assert not [n for n in nodes if n["category"] == "biolink:Gene" and set(n["xref"].split("|")) & diseases]
    (mim_account,) = [a for a in report["row_accounting"] if a["source"] == "mim2gene_medgen"]
    both = Counter()
    for r in raw_rows(MIM2GENE):
        both[r[0]] |= {"gene": 1, "phenotype": 2}.get(r[2], 0)
    assert sum(1 for v in both.values() if v == 3) == 9
    assert any(
        w.startswith(
            "9 MIM numbers are listed both as gene and as phenotype, e.g. 115470 (gene of 1055; phenotype of no gene)"
        )
        for w in mim_account["warnings"]
    )


def test_a_gene_keeps_a_mim_xref_only_when_mim2gene_medgen_types_it_gene(human_with_diseases) -> None:
    rows, (nodes, _, _, report) = human_with_diseases
    genes, types = genes_in_scope(rows), mim_types()
    dbxrefs = mim_dbxrefs(genes)
    removed = [(g, m, i) for g, m, i in dbxrefs if "gene" not in types.get(m, set())]
    phenotypes = [(g, m) for g, m, _ in removed if m in types]
    absent = [(g, m) for g, m, _ in removed if m not in types]
    # the figures: 1,303 human rows have a MIM dbXref that the 2026-04 file types only as a phenotype
    assert len({g for g, _ in phenotypes}) == 1_303 and len(phenotypes) == 1_303
    (account,) = [a for a in report["row_accounting"] if a["source"] == "gene_info"]
    dropped = account["dropped_values"]
    assert dropped[TYPED_PHENOTYPE]["count"] == len(phenotypes)
    assert dropped[NOT_TYPED]["count"] == len(absent) == 154  # NCBIGene:172 AFG3L1P -> MIM:603020, …
    # examples: the first rows, file:line (line 1 is the header; genes_in_scope keeps the file's order)
    lines = {gene: n + 2 for n, gene in enumerate(row[1] for row in rows)}
    first = sorted({lines[g] for g, _ in phenotypes})[:5]
    assert dropped[TYPED_PHENOTYPE]["examples"] == [f"gene_info.gz:{n}" for n in first]
    # every removed pair is gone, every other MIM dbXref is on its gene unless it is a Disease node
    by_id = {n["id"]: n for n in nodes}
    diseases = {i for i, n in by_id.items() if n["category"] == "biolink:Disease"}
    on_genes = {
        (n["id"].removeprefix("NCBIGene:"), x.removeprefix("OMIM:"))
        for n in nodes
        if n["category"] == "biolink:Gene"
        for x in n["xref"].split("|")
        if x.startswith("OMIM:")
    }
    raw = {(g, m) for g, m, _ in dbxrefs}
    assert raw - on_genes == {(g, m) for g, m, _ in removed} | {(g, m) for g, m in raw if f"OMIM:{m}" in diseases}
    assert all("gene" in types[m] for _, m in on_genes)
    for gene, mim in (("6377", "181510"), ("100009675", "611107"), ("6104", "312612")):  # SCZD1, MRT4, RP6
        assert (gene, mim) in phenotypes and f"OMIM:{mim}" not in by_id[f"NCBIGene:{gene}"]["xref"].split("|")


def test_gene_history_builds_with_genes(human_with_diseases) -> None:
    _, (_, _, _, report) = human_with_diseases
    (history,) = [a for a in report["row_accounting"] if a["source"] == "gene_history"]
    raw = raw_rows(HISTORY)[1:]  # this excerpt's header lacks the '#'
    assert history["read"] == len(raw) == 1_089
    assert history["emitted"] == sum(1 for r in raw if r[0] in DEFAULT_TAXA)
