"""A transform whose config says ``runs_after`` starts once those transforms are done, and reads their tables:
gene_info reads mim2gene_medgen's types of MIM numbers (ncbi_gene_kg.omim)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sample_data

from ncbi_gene_kg.omim import NOT_TYPED
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.pipeline import discover_sources, plan, run_transforms, start_order
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.taxa import load_scope


def test_runs_after_is_read_from_the_config() -> None:
    sources = {s.name: s for s in discover_sources()}
    assert sources["gene_info"].runs_after == ("mim2gene_medgen",)
    assert [s.name for s in sources.values() if s.runs_after] == ["gene_info"]


def test_what_others_wait_for_starts_first_then_the_largest() -> None:
    planned, _ = plan(SAMPLE_DIR, {})
    ordered = [job.source.name for job in start_order(planned)]
    assert ordered[0] == "mim2gene_medgen"  # the sample's smallest file but one
    sizes = [sum(p.stat().st_size for p in job.paths) for job in start_order(planned)[1:]]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("jobs", [1, 2])
def test_gene_info_types_its_mim_xrefs_by_mim2gene_medgen(tmp_path: Path, jobs: int) -> None:
    data = sample_data(tmp_path, "gene_info.gz", "mim2gene_medgen")
    result = run_transforms(connect(), load_scope("default"), data, jobs=jobs)
    (gene_info,) = [a for run in result.runs for a in run.accounts if a.source == "gene_info"]
    # MIM:613531, the dbXref of GeneID 11191 (PTENP1) on line 132, is in no row of the 2026-04 mim2gene_medgen
    assert {reason: (t.count, t.examples) for reason, t in gene_info.dropped_values.items() if "MIM" in reason} == {
        NOT_TYPED: (1, ["gene_info.gz:132"])
    }
    assert gene_info.warnings == []


def test_without_mim2gene_medgen_the_mim_xrefs_are_kept_and_the_build_says_so(tmp_path: Path) -> None:
    data = sample_data(tmp_path, "gene_info.gz")
    (run,) = run_transforms(connect(), load_scope("default"), data).runs
    (gene_info,) = run.accounts
    assert not [reason for reason in gene_info.dropped_values if "MIM" in reason]
    assert gene_info.warnings == [
        "mim2gene_medgen is not in the build: 171 MIM dbXrefs kept as given, not typed as gene or phenotype "
        "(a phenotype's MIM number may be among them)"
    ]
