"""The merged graph that `make transform` builds from the bundled sample (issue: merge, validate, metadata)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import quiet_build, read_kgx, run_koza
from sample_graph import build_sample_graph

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.pipeline import find_inputs


def published(out: Path) -> dict[str, bytes]:
    """Every file of the graph published in ``out`` (the build folder behind ``.current``), by relative path."""
    build = (out / ".current").resolve()
    return {str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_graph(tmp_path_factory.getbasetemp())


def test_every_output_file_is_written(graph: Path) -> None:
    names = {p.name for p in graph.iterdir()}
    assert {
        "ncbi_gene_nodes.tsv",
        "ncbi_gene_edges.tsv",
        "ncbi_gene.tar.gz",
        "graph_metadata.json",
        "validation_report.json",
        "validation_report.md",
        "report.html",
        "report.json",
        "ncbi_gene.duckdb",
    } <= names
    assert "transforms" not in names  # only with --transform-files


def test_merged_counts_match_the_metadata_and_the_files(graph: Path) -> None:
    nodes, edges = read_kgx(graph / "ncbi_gene_nodes.tsv"), read_kgx(graph / "ncbi_gene_edges.tsv")
    stats = json.loads((graph / "graph_metadata.json").read_text())["statistics"]
    assert (stats["nodes"], stats["edges"]) == (len(nodes), len(edges))
    assert len({n["id"] for n in nodes}) == len(nodes) and len({e["id"] for e in edges}) == len(edges)
    by_category: dict[str, int] = {}
    for node in nodes:
        by_category[node["category"]] = by_category.get(node["category"], 0) + 1
    assert stats["nodes_by_category"] == dict(sorted(by_category.items()))
    report = json.loads((graph / "validation_report.json").read_text())
    assert report["valid"] and report["errors_total"] == 0
    for account in report["row_accounting"]:
        assert account["read"] == account["emitted"] + account["out_of_scope_total"] + account["rejected_total"]


def test_a_gene_in_several_files_is_one_node(graph: Path) -> None:
    nodes = [n for n in read_kgx(graph / "ncbi_gene_nodes.tsv") if n["id"] == "NCBIGene:672"]
    assert len(nodes) == 1
    brca1 = nodes[0]
    assert brca1["name"] == "BRCA1" and brca1["in_taxon"] == "NCBITaxon:9606"
    assert "OMIM:113705" in brca1["xref"].split("|")  # from gene_info's dbXrefs and mim2gene's gene entry
    assert "infores:ncbi-gene" in brca1["provided_by"].split("|")


def test_the_release_bundle_holds_the_graph(graph: Path) -> None:
    import tarfile

    with tarfile.open(graph / "ncbi_gene.tar.gz") as tar:
        assert tar.getnames() == [
            "ncbi_gene_nodes.tsv",
            "ncbi_gene_edges.tsv",
            "graph_metadata.json",
            "ncbi_gene_history.sssom.tsv",
        ]
        assert tar.extractfile("ncbi_gene_nodes.tsv").read() == (graph / "ncbi_gene_nodes.tsv").read_bytes()


def test_metadata_describes_inputs_and_versions(graph: Path) -> None:
    metadata = json.loads((graph / "graph_metadata.json").read_text())
    assert metadata["@type"] == "Dataset" and metadata["identifier"] == "infores:ncbi-gene"
    gene_info = next(f for f in metadata["isBasedOn"] if f["name"] == "gene_info.gz")
    assert gene_info["url"] == "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_info.gz"
    assert gene_info["size"] == (SAMPLE_DIR / "gene_info.gz").stat().st_size and len(gene_info["sha256"]) == 64
    assert gene_info["bundled_sample"] is True
    assert set(metadata["softwareVersions"]) >= {"biolink-model", "koza", "kgx"}
    assert metadata["taxonScope"]["name"] == "default" and "9606" in metadata["taxonScope"]["tax_ids"]


def test_negated_and_positive_go_edges_stay_two_edges(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    with gzip.open(data / "gene2go.gz", "rt") as fh:
        rows = fh.read().splitlines()
    negated = next(r for r in rows if "\tNOT " in r)
    positive = negated.replace("\tNOT ", "\t", 1)  # constructed: the same annotation, not negated
    (data / "gene2go.gz").write_bytes(gzip.compress(("\n".join([*rows, positive]) + "\n").encode(), mtime=0))
    quiet_build(data, tmp_path / "out")
    gene, term = negated.split("\t")[1], negated.split("\t")[2]
    edges = [
        e
        for e in read_kgx(tmp_path / "out/ncbi_gene_edges.tsv")
        if e["subject"] == f"NCBIGene:{gene}" and e["object"] == term
    ]
    assert sorted(e["negated"] for e in edges) == ["", "True"] or sorted(e["negated"] for e in edges) == ["", "true"]
    assert len({e["id"] for e in edges}) == 2


def test_an_invalid_edge_fails_the_build_and_keeps_the_old_graph(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    quiet_build(None, out)
    before = (out / "ncbi_gene_edges.tsv").read_bytes()
    from ncbi_gene_kg import build

    real_merge = build.merge

    def inject_then_merge(con, *args, **kwargs):
        con.execute("""
            INSERT INTO gene_orthologs_edges (id, subject, predicate, object, category, knowledge_level, agent_type,
                                              primary_knowledge_source)
            VALUES ('x', 'NCBIGene:7157', 'biolink:is_friends_with', 'NCBIGene:22059', 'biolink:Association',
                    'knowledge_assertion', 'manual_agent', 'infores:ncbi-gene')
        """)
        return real_merge(con, *args, **kwargs)

    monkeypatch.setattr(build, "merge", inject_then_merge)
    with pytest.raises(UserError, match=r"the graph did not validate: .*predicate not in the Biolink model"):
        quiet_build(SAMPLE_DIR, out)
    assert (out / "ncbi_gene_edges.tsv").read_bytes() == before
    assert [p.name for p in (out / ".builds").iterdir()] == [os.readlink(out / ".current").split("/")[-1]]


def test_transforms_side_by_side_give_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two transforms at once (the default on two cores) write what one at a time writes, byte for byte: every
    file, the graph database and each transform's own files."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for jobs, out in ((1, "one"), (2, "two")):
        quiet_build(SAMPLE_DIR, tmp_path / out, jobs=jobs, transform_files=True)
    files = published(tmp_path / "one")
    assert {"transforms/gene_info_nodes.tsv", "ncbi_gene.duckdb"} <= files.keys() == published(tmp_path / "two").keys()
    for name, content in files.items():
        assert content == published(tmp_path / "two")[name], name


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    quiet_build(SAMPLE_DIR, tmp_path / "a")
    quiet_build(SAMPLE_DIR, tmp_path / "b")
    files = published(tmp_path / "a")
    assert "ncbi_gene.duckdb" in files and files.keys() == published(tmp_path / "b").keys()
    for name, content in files.items():
        assert content == published(tmp_path / "b")[name], name
    assert json.loads((tmp_path / "a/graph_metadata.json").read_text())["dateCreated"] == "2023-11-14"
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


def test_koza_writes_what_the_build_stores_for_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`koza transform config/<name>.yaml` runs the same transform as the build: its KGX files hold the rows, in
    the same order and bytes, that the build stores for the source (written by `--transform-files`)."""
    monkeypatch.chdir(tmp_path)  # no data/ here: the build reads the bundled sample, as Koza does
    quiet_build(None, tmp_path / "out", transform_files=True, publications=True)
    built = tmp_path / "out" / "transforms"
    compared = 0
    for config in sorted(CONFIG_DIR.glob("*.yaml")):
        name = config.stem
        if name in ("taxa", "download"):
            continue
        koza = tmp_path / "koza" / name
        run_koza(name, find_inputs(SAMPLE_DIR, name), koza)
        for kind in ("nodes", "edges"):
            ours, theirs = built / f"{name}_{kind}.tsv", koza / f"{name}_{kind}.tsv"
            if ours.exists():
                assert theirs.read_bytes() == ours.read_bytes(), f"{name} {kind}"
                compared += 1
            else:  # Koza writes a header-only file for a kind its config declares
                assert not theirs.exists() or len(theirs.read_text().splitlines()) == 1, f"{name} {kind}"
    assert compared >= 15
