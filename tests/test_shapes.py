"""Every shape of input builds: each NCBI file alone, each with gene_info, a graph without edges.

The inputs are the bundled sample's real rows. A build either makes a valid graph whose files agree
with its metadata, or stops with one line naming what is missing; no code path may assume a column
that some transform usually writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import quiet_build, read_kgx

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.pipeline import discover_sources, find_inputs

SOURCES = sorted(s.name for s in discover_sources())
# A transform that joins a second file runs only with it: alone, it is skipped and named.
NEEDS = {s.name: s.also_read_names for s in discover_sources() if s.also_reads}


def data_with(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        for path in find_inputs(SAMPLE_DIR, name):
            shutil.copy(path, folder / path.name)
    return folder


def build(data: Path, out: Path) -> tuple[list[dict], list[dict], dict, dict]:
    quiet_build(data, out, publications=True)
    metadata = json.loads((out / "graph_metadata.json").read_text())
    report = json.loads((out / "validation_report.json").read_text())
    return read_kgx(out / "ncbi_gene_nodes.tsv"), read_kgx(out / "ncbi_gene_edges.tsv"), metadata, report


def assert_whole(nodes: list[dict], edges: list[dict], metadata: dict, report: dict) -> None:
    assert report["valid"], report["errors"]
    assert (metadata["statistics"]["nodes"], metadata["statistics"]["edges"]) == (len(nodes), len(edges))
    ids = {n["id"] for n in nodes}
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)
    for account in report["row_accounting"]:
        assert account["read"] == account["emitted"] + account["out_of_scope_total"] + account["rejected_total"]


@pytest.mark.parametrize("name", SOURCES)
def test_each_file_alone(tmp_path: Path, name: str) -> None:
    data = data_with(tmp_path / "data", name)
    if name in NEEDS:
        with pytest.raises(
            UserError,
            match=rf"no NCBI Gene input files in .*; found but skipped: {name} \(needs "
            rf"{', '.join(NEEDS[name])}\)",
        ):
            build(data, tmp_path / "out")
        return
    nodes, edges, metadata, report = build(data, tmp_path / "out")
    assert_whole(nodes, edges, metadata, report)
    # Gene nodes come only from gene_info: alone, another file's gene rows and edges to genes are dropped.
    if name != "gene_info":
        assert not [n for n in nodes if n["category"] == "biolink:Gene"]


@pytest.mark.parametrize("name", [s for s in SOURCES if s != "gene_info"])
def test_each_file_with_gene_info(tmp_path: Path, name: str) -> None:
    data = data_with(tmp_path / "data", "gene_info", name, *NEEDS.get(name, ()))
    nodes, edges, metadata, report = build(data, tmp_path / "out")
    assert_whole(nodes, edges, metadata, report)
    gene_info = next(a for a in report["row_accounting"] if a["source"] == "gene_info")
    assert len([n for n in nodes if n["category"] == "biolink:Gene"]) == gene_info["emitted"]
    assert {a["source"] for a in report["row_accounting"]} == {"gene_info", name, *NEEDS.get(name, ())}


def test_a_graph_without_edges_has_an_empty_edge_file_with_the_core_header(tmp_path: Path) -> None:
    out = tmp_path / "out"
    nodes, edges, metadata, _ = build(data_with(tmp_path / "data", "gene_info"), out)
    assert edges == [] and metadata["statistics"]["edges"] == 0
    assert (out / "ncbi_gene_edges.tsv").read_text() == "id\tsubject\tpredicate\tobject\tcategory\tprovided_by\n"
    assert metadata["statistics"]["edges_by_predicate"] == {}
