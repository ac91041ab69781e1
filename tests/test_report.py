"""The build report: report.json's figures checked against the graph files, the page self-contained and
rendered in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import read_kgx
from headless_chromium import ink, load_page, require_chromium
from sample_graph import build_sample_graph

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.report import REPORT_HTML, REPORT_JSON, compute_figures, write_report
from ncbi_gene_kg.tables import load_table

GO_CATEGORIES = {row["node_category"] for row in load_table("go_category")}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_graph(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def report(built: Path) -> dict:
    """report.json of the sample graph (written by the build; by write_report where the build has no hook)."""
    if not (built / REPORT_JSON).exists():
        write_report(built)
    return json.loads((built / REPORT_JSON).read_text())


@pytest.fixture(scope="session")
def graph(built: Path) -> tuple[list[dict], list[dict]]:
    return read_kgx(built / "ncbi_gene_nodes.tsv"), read_kgx(built / "ncbi_gene_edges.tsv")


def test_make_transform_writes_the_report(built: Path) -> None:
    assert (built / REPORT_HTML).is_file(), "the transform command did not write report.html"
    assert (built / REPORT_JSON).is_file()


def test_counts_agree_with_the_build_metadata(built: Path, report: dict) -> None:
    """Computed with DuckDB from the TSV files, the counts equal those build.py computed on the merge."""
    stats = json.loads((built / "graph_metadata.json").read_text())["statistics"]
    assert report["nodes"]["total"] == stats["nodes"] > 0
    assert report["edges"]["total"] == stats["edges"] > 0
    assert report["nodes"]["by_category"] == stats["nodes_by_category"]
    assert {t["taxon"]: t["count"] for t in report["nodes"]["by_taxon"]} == stats["nodes_by_taxon"]
    assert report["edges"]["by_predicate"] == stats["edges_by_predicate"]
    assert report["edges"]["by_primary_knowledge_source"] == stats["edges_by_primary_knowledge_source"]
    assert sum(r["count"] for r in report["edges"]["by_predicate_and_source"]) == stats["edges"]


def test_inputs_accounting_and_validation_come_from_the_build(built: Path, report: dict) -> None:
    metadata = json.loads((built / "graph_metadata.json").read_text())
    validation = json.loads((built / "validation_report.json").read_text())
    assert report["inputs"] == metadata["isBasedOn"]
    assert report["build"]["bundled_sample"] is True
    assert report["build"]["software_versions"]["duckdb"] == metadata["softwareVersions"]["duckdb"]
    accounts = {a["source"]: a for a in validation["row_accounting"]}
    assert {a["source"] for a in report["row_accounting"]} == set(accounts) >= {"gene_info"}
    for a in report["row_accounting"]:
        assert a["read"] == a["emitted"] + a["out_of_scope"] + a["rejected"] == accounts[a["source"]]["read"]
        reasons = {r["reason"]: r["count"] for r in a["reasons"] if r["kind"] == "out of scope"}
        assert reasons == {k: t["count"] for k, t in accounts[a["source"]]["out_of_scope"].items()}
    assert report["validation"]["valid"] is validation["valid"] is True
    assert report["validation"]["errors_total"] == 0
    conflicts = sum(t["count"] for t in validation["conflicts"].values())
    assert report["validation"]["conflicts_total"] == conflicts
    assert all("\x1f" not in e for p in report["validation"]["conflicts"] for e in p["examples"])


def test_go_figures_count_the_gene_to_go_term_edges(report: dict, graph: tuple[list[dict], list[dict]]) -> None:
    nodes, edges = graph
    category = {n["id"]: n["category"] for n in nodes}
    go_edges = [e for e in edges if category.get(e["object"]) in GO_CATEGORIES]
    go = report["go_annotations"]
    assert go["total"] == len(go_edges) > 0
    assert go["negated"] == sum(e["negated"].lower() == "true" for e in go_edges)
    assert go["genes_annotated"] == len({e["subject"] for e in go_edges})
    per_aspect = {a["aspect"]: a["annotations"] for a in go["aspects"]}
    assert set(per_aspect) == {"molecular function", "biological process", "cellular component"}
    assert sum(per_aspect.values()) == len(go_edges)
    # every edge has an evidence class; one with codes of several classes counts in each
    cells = go["by_aspect_and_evidence_class"]
    for aspect, n in per_aspect.items():
        assert sum(c["count"] for c in cells if c["aspect"] == aspect) >= n
    assert "experimental" in go["evidence_classes"]
    iea = sum(c["count"] for c in go["by_aspect_and_evidence_code"] if c["evidence_code"] == "IEA")
    assert iea == sum("ECO:0007669" in e["has_evidence"].split("|") for e in go_edges) > 0


def test_ortholog_matrix(report: dict, graph: tuple[list[dict], list[dict]]) -> None:
    nodes, edges = graph
    taxon = {n["id"]: n["in_taxon"] for n in nodes}
    pairs = Counter(
        frozenset((taxon[e["subject"]], taxon[e["object"]]))
        for e in edges
        if e["predicate"] == "biolink:orthologous_to"
    )
    o = report["orthologs"]
    assert o["total"] == sum(pairs.values()) > 0
    index = {t["taxon"]: i for i, t in enumerate(o["taxa"])}
    assert len(index) == 16 and o["taxa"][0] == {"taxon": "NCBITaxon:9606", "label": "Homo sapiens"}
    human, mouse = index["NCBITaxon:9606"], index["NCBITaxon:10090"]
    assert (
        o["matrix"][human][mouse]
        == o["matrix"][mouse][human]
        == pairs[frozenset({"NCBITaxon:9606", "NCBITaxon:10090"})]
        > 0
    )
    assert all(o["matrix"][i][j] == o["matrix"][j][i] for i in range(len(index)) for j in range(len(index)))


def test_degree_distribution(report: dict, graph: tuple[list[dict], list[dict]]) -> None:
    nodes, edges = graph
    degree = Counter(n["id"] for n in nodes) - Counter(n["id"] for n in nodes)
    for e in edges:
        degree[e["subject"]] += 1
        degree[e["object"]] += 1
    expected = Counter(degree.get(n["id"], 0) for n in nodes)
    d = report["degree"]
    assert {row["degree"]: row["nodes"] for row in d["distribution"]} == dict(expected)
    assert sum(b["nodes"] for b in d["bins"]) == len(nodes)
    assert d["max"] == max(degree.values())
    top = d["top_nodes"][0]
    assert top["degree"] == d["max"] and degree[top["id"]] == d["max"]


def test_the_page_is_self_contained_and_reproducible(built: Path, tmp_path: Path) -> None:
    html = (built / REPORT_HTML).read_text()
    assert "<script" not in html and "stylesheet" not in html and "@import" not in html
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert len(sources) >= 6 and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert not re.findall(r"url\((?!data:)", html)
    for name in ("ncbi_gene.duckdb", "graph_metadata.json", "validation_report.json", "changes.json"):
        (tmp_path / name).write_bytes((built / name).read_bytes())
    # another process (another string hash seed) gives the same bytes
    script = f"import pathlib, ncbi_gene_kg.report as r; r.write_report(pathlib.Path({str(tmp_path)!r}))"
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    write_report(built)
    assert (tmp_path / REPORT_HTML).read_bytes() == (built / REPORT_HTML).read_bytes()
    assert (tmp_path / REPORT_JSON).read_bytes() == (built / REPORT_JSON).read_bytes()


def test_a_graph_without_edges(tmp_path: Path) -> None:
    """A build of gene_info alone (node-only): no GO, ortholog or degree plot to draw, still a page."""
    with duckdb.connect(str(tmp_path / "ncbi_gene.duckdb")) as con:  # the tables a node-only build makes
        con.execute("""
            CREATE TABLE nodes AS SELECT 'NCBIGene:1' AS id, 'biolink:Gene' AS category, 'A1BG' AS name,
                                         ['NCBITaxon:9606'] AS in_taxon, 'Homo sapiens' AS in_taxon_label
        """)
        con.execute("""
            CREATE TABLE edges (id VARCHAR, subject VARCHAR, predicate VARCHAR, object VARCHAR, category VARCHAR,
                                provided_by VARCHAR[])
        """)
    (tmp_path / "graph_metadata.json").write_text(json.dumps({"taxonScope": {"name": "9606", "tax_ids": ["9606"]}}))
    (tmp_path / "validation_report.json").write_text(
        json.dumps({"valid": True, "errors_total": 0, "row_accounting": []})
    )
    html_path, _ = write_report(tmp_path)
    figures = compute_figures(tmp_path)
    assert figures["nodes"]["total"] == 1 and figures["edges"]["total"] == 0
    assert figures["go_annotations"]["total"] == 0 and figures["orthologs"]["total"] == 0
    assert figures["orthologs"]["matrix"] == [[0]]
    assert figures["degree"]["bins"] == [{"bin": "0", "nodes": 1}]
    assert "No GO annotation in this graph." in html_path.read_text()


def test_no_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no built graph"):
        write_report(tmp_path)


def test_the_report_renders_in_chromium(built: Path, report: dict) -> None:
    chromium = require_chromium()
    page = load_page(
        built / REPORT_HTML,
        full_page=True,
        chromium=chromium,
        selectors=("#total-nodes", "#total-edges", "#validation-result", "#accounting-table"),
    )
    assert page.console_errors == []
    assert page.outside_requests == [] and page.failed_requests == []
    assert page.broken_images == []
    assert page.element_texts["#total-nodes"] == f"{report['nodes']['total']:,}"
    assert page.element_texts["#total-edges"] == f"{report['edges']['total']:,}"
    assert page.element_texts["#validation-result"] == "PASS"
    for a in report["row_accounting"]:
        row = rf"{a['source']}\t.*\t{a['read']:,}\t{a['emitted']:,}\t"
        assert re.search(row, page.element_texts["#accounting-table"])
    for predicate, n in report["edges"]["by_predicate"].items():
        assert re.search(rf"{re.escape(predicate)}\t{n:,}\t", page.text)
    assert f"{report['go_annotations']['total']:,} annotation edges" in page.text
    share, colours = ink(page.screenshot)
    assert share > 0.05 and colours > 50, "the screenshot is blank"
