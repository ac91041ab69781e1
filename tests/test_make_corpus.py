"""Smoke test of the benchmark corpus generator (bench/make_corpus.py) on its `tiny` profile."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "make_corpus.py"


def _load_module():
    spec = importlib.util.spec_from_file_location("make_corpus", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


mc = _load_module()
pytestmark = pytest.mark.skipif(not mc.DEFAULT_SAMPLES.is_dir(), reason="real NCBI samples not found")

TINY = mc.PROFILES["tiny"]
COLUMNS = {"gene_info": 16, "gene2go": 8, "gene_orthologs": 5, "gene_group": 5}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("tiny1"), tmp_path_factory.mktemp("tiny2")
    mc.generate("tiny", 7, first, jobs=1)
    mc.generate("tiny", 7, second, jobs=1)
    return first, second


def _rows(folder: Path, kind: str) -> list[list[str]]:
    with gzip.open(folder / mc.FILE_NAMES[kind], "rt", encoding="utf-8", newline="") as fh:
        header = fh.readline()
        assert header == mc.HEADERS[kind]
        return [line.rstrip("\n").split("\t") for line in fh]


@pytest.fixture(scope="module")
def gene_tax(corpora: tuple[Path, Path]) -> dict[int, int]:
    rows = _rows(corpora[0], "gene_info")
    tax = {int(r[1]): int(r[0]) for r in rows}
    assert len(tax) == len(rows), "GeneIDs must be unique across the corpus"
    return tax


def test_same_seed_gives_byte_identical_files(corpora: tuple[Path, Path]) -> None:
    first, second = corpora
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([*mc.FILE_NAMES.values(), "corpus.json"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_headers_column_counts_and_nulls(corpora: tuple[Path, Path]) -> None:
    for kind, n_cols in COLUMNS.items():
        rows = _rows(corpora[0], kind)
        assert rows, kind
        assert {len(r) for r in rows} == {n_cols}, kind
        assert not any("" in r for r in rows), f"{kind}: empty field instead of '-'"
    assert (corpora[0] / "mim2gene_medgen").read_bytes() == mc.load_samples().mim2gene.read_bytes()


def test_gene_info_rows_taxa_and_order(corpora: tuple[Path, Path], gene_tax: dict[int, int]) -> None:
    rows = _rows(corpora[0], "gene_info")
    assert len(rows) == TINY.gene_info
    keys = [(int(r[0]), int(r[1])) for r in rows]
    assert keys == sorted(keys), "gene_info is sorted by tax_id, then GeneID, like the real file"
    sizes = Counter(gene_tax.values())
    assert len(sizes) == TINY.n_taxa
    assert set(mc.MODEL_TAXA) <= set(sizes)
    model_share = sum(sizes[t] for t in mc.MODEL_TAXA) / len(rows)
    assert 0.04 < model_share < 0.12


def test_model_organism_rows_are_real_rows(corpora: tuple[Path, Path]) -> None:
    samples = mc.load_samples()
    with gzip.open(corpora[0] / "gene_info.gz", "rt", encoding="utf-8", newline="") as fh:
        lines = fh.readlines()
    for name, tax in mc.REAL_SPECIES.items():
        real = set(samples.species[name].lines)
        mine = [ln for ln in lines if ln.startswith(f"{tax}\t")]
        assert mine and all(ln in real for ln in mine), name
    with gzip.open(corpora[0] / "gene2go.gz", "rt", encoding="utf-8") as fh:
        go_rows = fh.read()
    for gene_id in mc.REAL_GO_GENES:  # the real gene2go rows of the four human genes are kept
        assert all(row in go_rows for row in samples.real_go[gene_id])


def test_gene2go_refers_to_corpus_genes(corpora: tuple[Path, Path], gene_tax: dict[int, int]) -> None:
    rows = _rows(corpora[0], "gene2go")
    assert abs(len(rows) - TINY.gene2go) < 0.05 * TINY.gene2go
    known = [int(r[1]) in gene_tax for r in rows]
    assert sum(known) / len(rows) > 0.98  # a few rows point to GeneIDs not in gene_info
    assert all(gene_tax[int(r[1])] == int(r[0]) for r in rows if int(r[1]) in gene_tax)
    assert {r[4].removeprefix("NOT ") for r in rows} <= {q for qs in mc.QUALIFIERS.values() for q in qs}
    assert {r[7] for r in rows} == {"Function", "Process", "Component"}
    tail_taxa = {int(r[0]) for r in rows} - set(mc.MODEL_TAXA)
    assert len(tail_taxa) > 10
    assert all(r[3] == "IEA" for r in rows if int(r[0]) in tail_taxa)
    model_rows = sum(int(r[0]) in mc.MODEL_TAXA for r in rows)
    assert model_rows > len(rows) / 2


def test_orthologs_and_groups_are_consistent(corpora: tuple[Path, Path], gene_tax: dict[int, int]) -> None:
    orthologs = _rows(corpora[0], "gene_orthologs")
    assert len(orthologs) == TINY.orthologs
    for tax, gene, rel, other_tax, other_gene in orthologs:
        assert rel == "Ortholog"
        assert gene_tax[int(gene)] == int(tax) and gene_tax[int(other_gene)] == int(other_tax)
    primaries = Counter(r[0] for r in orthologs)
    assert set(primaries) <= {"9606", "7227"} and primaries["9606"] > 0.9 * len(orthologs)
    assert len({r[3] for r in orthologs}) >= TINY.n_vert

    groups = _rows(corpora[0], "gene_group")
    inverse = {}
    for name, inv, _w in mc.GROUP_RELATIONS:
        inverse[name] = inv or name
        inverse[inv or name] = name
    present = {(r[1], r[2], r[4]) for r in groups}
    for tax, gene, rel, other_tax, other_gene in groups:
        assert tax == other_tax and gene_tax[int(gene)] == int(tax) == gene_tax[int(other_gene)]
        assert (other_gene, inverse[rel], gene) in present, "relations are listed from both ends"
