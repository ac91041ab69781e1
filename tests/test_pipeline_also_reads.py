"""The pipeline passes a transform the other NCBI files its config names under ``also_reads``."""

from __future__ import annotations

from pathlib import Path

from conftest import sample_data

from ncbi_gene_kg.pipeline import discover_sources, run_transforms
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.taxa import load_scope


def test_also_reads_is_read_from_the_config():
    sources = {s.name: s for s in discover_sources()}
    assert sources["gene2refseq"].also_read_names == ("gene_refseq_uniprotkb_collab",)
    assert sources["gene_info"].also_reads == ()


def test_the_collab_file_is_passed_and_accounted_for(tmp_path: Path):
    data = sample_data(tmp_path, "gene2refseq.gz", "gene_refseq_uniprotkb_collab.gz")
    result = run_transforms(connect(), load_scope("default"), data)
    (run,) = result.runs
    assert [p.name for p in run.inputs] == ["gene2refseq.gz", "gene_refseq_uniprotkb_collab.gz"]
    assert [(a.source, a.read, a.emitted) for a in run.accounts] == [
        ("gene2refseq", 150, 129),
        ("gene_refseq_uniprotkb_collab", 435, 425),
    ]


def test_without_the_collab_file_the_transform_is_skipped(tmp_path: Path):
    data = sample_data(tmp_path, "gene2refseq.gz", "gene_info.gz")
    result = run_transforms(connect(), load_scope("default"), data)
    assert [run.source.name for run in result.runs] == ["gene_info"]
    assert "gene2refseq (needs gene_refseq_uniprotkb_collab)" in result.skipped
