"""gene_info -> biolink:Gene nodes, on real rows from tests/data/ncbi/gene_info."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import TransformOutput, run_koza, write_rows

GENE_INFO_HEADER = (
    "#tax_id\tGeneID\tSymbol\tLocusTag\tSynonyms\tdbXrefs\tchromosome\tmap_location\tdescription\ttype_of_gene\t"
    "Symbol_from_nomenclature_authority\tFull_name_from_nomenclature_authority\tNomenclature_status\t"
    "Other_designations\tModification_date\tFeature_type"
)


@pytest.fixture(scope="module")
def human(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> TransformOutput:
    return run_koza(
        "gene_info", [real_data / "gene_info/Homo_sapiens.2022-11.gene_info.gz"], tmp_path_factory.mktemp("human")
    )


def real_row(path: Path, gene_id: str) -> str:
    with gzip.open(path, "rt") as fh:
        return next(line.rstrip("\n") for line in fh if line.split("\t")[1] == gene_id)


def test_tp53_node_fields(human: TransformOutput) -> None:
    assert human.node("NCBIGene:7157") == {
        "id": "NCBIGene:7157",
        "category": "biolink:Gene",
        "name": "TP53",
        "symbol": "TP53",
        "full_name": "tumor protein p53",
        "description": "tumor protein p53",
        "synonym": "BCC7|BMFS5|LFS1|P53|TRP53",
        "xref": "OMIM:191170|HGNC:11998|ENSEMBL:ENSG00000141510",
        "in_taxon": "NCBITaxon:9606",
        "in_taxon_label": "Homo sapiens",
        "type": "SO:0001217",
        "provided_by": "infores:ncbi-gene",
        "chromosome": "17",
        "map_location": "17p13.1",
    }


def test_brca1_node_fields(human: TransformOutput) -> None:
    brca1 = human.node("NCBIGene:672")
    assert brca1["name"] == brca1["symbol"] == "BRCA1"
    assert brca1["full_name"] == "BRCA1 DNA repair associated"
    assert brca1["synonym"] == "BRCAI|BRCC1|BROVCA1|FANCS|IRIS|PNCA4|PPP1R53|PSCP|RNF53"
    # AllianceGenome:HGNC:1100 is the HGNC id again: one xref, not two
    assert brca1["xref"] == "OMIM:113705|HGNC:1100|ENSEMBL:ENSG00000012048"


def test_every_human_row_is_accounted_for(human: TransformOutput) -> None:
    account = human.account
    assert account.read == 108_767
    assert account.balanced
    assert account.emitted == len(human.nodes) == 108_767 - account.n_out_of_scope - account.n_rejected
    assert account.rejected == {}


def test_no_dash_or_empty_list_items_anywhere(human: TransformOutput) -> None:
    for node in human.nodes:
        for key, value in node.items():
            assert value != "-", (node["id"], key)
            assert "||" not in value and not value.startswith("|") and not value.endswith("|"), (node["id"], key)


def test_null_synonyms_and_nomenclature_name(human: TransformOutput, real_data: Path) -> None:
    # ND5 (4540): Synonyms '-' -> no synonym; no nomenclature full name -> full_name falls back to description
    row = real_row(real_data / "gene_info/Homo_sapiens.2022-11.gene_info.gz", "4540").split("\t")
    node = human.node("NCBIGene:4540")
    assert node["synonym"] == ("" if row[4] == "-" else row[4])
    assert node["full_name"] == (row[11] if row[11] != "-" else row[8])


def test_unknown_xref_prefix_is_counted_not_emitted(human: TransformOutput) -> None:
    # IMGT/GENE-DB is in no prefix registry: CD1D (912) keeps its other xrefs
    assert human.node("NCBIGene:912")["xref"] == "OMIM:188410|HGNC:1637|ENSEMBL:ENSG00000158473"
    tally = human.account.dropped_values["unknown xref prefix IMGT/GENE-DB"]
    assert tally.count == 680  # zcat Homo_sapiens.2022-11.gene_info.gz | grep -o IMGT/GENE-DB: | wc -l
    assert all(":" in example for example in tally.examples)
    assert not any("IMGT" in n["xref"] for n in human.nodes)


def test_mirbase_xref(human: TransformOutput) -> None:
    assert "mirbase:MI0000060" in human.node("NCBIGene:406881")["xref"].split("|")


def test_mouse_gene_with_mgi_xrefs(real_data: Path, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "gene_info",
        GENE_INFO_HEADER,
        [real_row(real_data / "gene_info/Mus_musculus.2023-03.gene_info.gz", "22059")],
    )
    trp53 = run_koza("gene_info", [path], tmp_path).node("NCBIGene:22059")
    assert trp53["xref"] == "MGI:98834|ENSEMBL:ENSMUSG00000059552"
    assert trp53["in_taxon"] == "NCBITaxon:10090"
    assert trp53["in_taxon_label"] == "Mus musculus"
    assert trp53["synonym"] == "Tp53|bbl|bfy|bhy|p44|p53"


def test_fly_and_fish_genes(real_data: Path, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "gene_info",
        GENE_INFO_HEADER,
        [
            real_row(real_data / "gene_info/Drosophila_melanogaster.2021-07.gene_info.gz", "2768677"),
            real_row(real_data / "gene_info/Danio_rerio.2021-07.gene_info.gz", "30590"),
        ],
    )
    out = run_koza("gene_info", [path], tmp_path)
    p53 = out.node("NCBIGene:2768677")
    assert p53["xref"] == "FB:FBgn0039044"
    assert p53["full_name"] == "p53"  # no nomenclature full name: the description
    assert p53["synonym"].split("|")[:3] == ["CG10873", "CG31325", "CG33336"]
    assert out.node("NCBIGene:30590")["xref"] == "ZFIN:ZDB-GENE-990415-270|ENSEMBL:ENSDARG00000035559"


def test_every_dbxref_prefix_in_the_shared_samples(real_data: Path, tmp_path: Path) -> None:
    files = sorted((real_data / "gene_info").glob("*.gene_info.gz"))
    out = run_koza("gene_info", files, tmp_path, taxa="all")
    emitted = {x.split(":", 1)[0] for n in out.nodes for x in n["xref"].split("|") if x}
    assert emitted == {"OMIM", "HGNC", "MGI", "ENSEMBL", "ZFIN", "FB", "mirbase"}
    assert set(out.account.dropped_values) == {"unknown xref prefix IMGT/GENE-DB"}


def test_vega_xref(real_data: Path, tmp_path: Path) -> None:
    row = next(
        line.rstrip("\n")
        for line in (real_data / "gene_info/human_mito_excerpt.gene_info").open()
        if line.startswith("9606\t57514\t")
    )
    out = run_koza("gene_info", [write_rows(tmp_path / "gene_info", GENE_INFO_HEADER, [row])], tmp_path)
    assert out.node("NCBIGene:57514")["xref"] == (
        "OMIM:610911|HGNC:29216|ENSEMBL:ENSG00000031081|vega:OTTHUMG00000159362"
    )


def test_newentry_placeholders_are_counted(real_data: Path, tmp_path: Path) -> None:
    out = run_koza("gene_info", [real_data / "gene_info/all_species_head.2026-08.gene_info"], tmp_path, taxa="all")
    assert out.account.read == 7
    assert out.account.out_of_scope["placeholder NEWENTRY record"].examples == [
        "all_species_head.2026-08.gene_info:2",
        "all_species_head.2026-08.gene_info:3",
    ]
    assert len(out.nodes) == 5 and not any(n["name"] == "NEWENTRY" for n in out.nodes)


def test_taxon_scope_is_an_exact_match(real_data: Path, tmp_path: Path) -> None:
    tp53 = real_row(real_data / "gene_info/Homo_sapiens.2022-11.gene_info.gz", "7157")
    constructed = "96060" + tp53[len("9606") :].replace("\t7157\t", "\t999999999\t", 1)  # constructed: taxon 96060
    path = write_rows(tmp_path / "gene_info", GENE_INFO_HEADER, [tp53, constructed])
    out = run_koza("gene_info", [path], tmp_path, taxa="9606")
    assert [n["id"] for n in out.nodes] == ["NCBIGene:7157"]
    assert out.account.out_of_scope["taxon not in scope"].examples == ["gene_info:3"]


def test_wrong_column_count_is_rejected_with_line_numbers(real_data: Path, tmp_path: Path) -> None:
    # human_mito_excerpt.gene_info has real rows with 15 and 17 fields under a 16-column header
    out = run_koza("gene_info", [real_data / "gene_info/human_mito_excerpt.gene_info"], tmp_path)
    assert out.account.rejected["wrong column count"].examples == [
        "human_mito_excerpt.gene_info:2",
        "human_mito_excerpt.gene_info:11",
        "human_mito_excerpt.gene_info:31",
        "human_mito_excerpt.gene_info:33",
    ]
    assert out.account.out_of_scope["taxon not in scope"].count == 2  # two rows of taxon 9598
    assert out.account.read == 37 - 1
    assert out.account.balanced
    assert len(out.nodes) == out.account.emitted == 30
