"""gene_info's chromosome and map_location: node properties outside the Biolink model, declared in its config,
typed in every output, named in the metadata, the RIG and the validation report, left out by --biolink-strict."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import read_kgx
from sample_graph import build_sample

from ncbi_gene_kg.biolink import _slots, is_slot
from ncbi_gene_kg.card import gene_card, render_text
from ncbi_gene_kg.graphdb import GRAPH_DB
from ncbi_gene_kg.paths import PROJECT_ROOT
from ncbi_gene_kg.sources import non_biolink_properties

OUTSIDE = ["chromosome", "map_location"]
TP53 = "NCBIGene:7157"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("graph"), formats=["tsv", "jsonl", "parquet"])


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("strict"), biolink_strict=True)


def test_the_model_has_no_slot_for_them() -> None:
    assert sorted(non_biolink_properties()) == OUTSIDE
    assert not any(is_slot(name) for name in OUTSIDE)
    # nor anything else for a chromosome, a band or a locus (Biolink 4.4, the pinned model)
    assert not [s for s in _slots() if any(word in s for word in ("chromosom", "band", "locus", "cytogen"))]


def test_every_output_has_them_with_their_type(graph: Path) -> None:
    tsv = {n["id"]: n for n in read_kgx(graph / "ncbi_gene_nodes.tsv")}
    assert (tsv[TP53]["chromosome"], tsv[TP53]["map_location"]) == ("17", "17p13.1")
    jsonl = {n["id"]: n for n in map(json.loads, (graph / "ncbi_gene_nodes.jsonl").read_text().splitlines())}
    assert (jsonl[TP53]["chromosome"], jsonl[TP53]["map_location"]) == (["17"], ["17p13.1"])
    con = duckdb.connect()
    parquet = con.execute(
        f"SELECT chromosome, map_location FROM '{graph / 'ncbi_gene_nodes.parquet'}' WHERE id = '{TP53}'"
    ).fetchone()
    assert parquet == (["17"], ["17p13.1"])
    types = {
        r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{graph / 'ncbi_gene_nodes.parquet'}'").fetchall()
    }
    assert types["chromosome"] == types["map_location"] == "VARCHAR[]"
    db = duckdb.connect(str(graph / GRAPH_DB), read_only=True)
    types = {r[0]: r[1] for r in db.execute("DESCRIBE nodes").fetchall()}
    assert types["chromosome"] == types["map_location"] == "VARCHAR[]"
    # '-' (NCBI's null) is never written; only Gene nodes have them
    assert db.execute("SELECT count(*) FROM nodes WHERE list_contains(chromosome, '-')").fetchone() == (0,)
    assert db.execute(
        "SELECT DISTINCT category FROM nodes WHERE chromosome IS NOT NULL OR map_location IS NOT NULL"
    ).fetchall() == [("biolink:Gene",)]


def test_metadata_rig_and_validation_declare_them(graph: Path) -> None:
    metadata = json.loads((graph / "graph_metadata.json").read_text())
    assert sorted(metadata["nonBiolinkProperties"]) == OUTSIDE
    assert metadata["nonBiolinkProperties"]["chromosome"]["type"] == "list of strings"
    assert metadata["nonBiolinkProperties"]["chromosome"]["source"] == "gene_info"
    rig = yaml.safe_load((graph / "ncbi_gene_rig.yaml").read_text())
    assert [p["property"] for p in rig["target_info"]["non_biolink_properties"]] == OUTSIDE
    report = json.loads((graph / "validation_report.json").read_text())
    assert report["valid"]
    assert (
        "node properties outside the Biolink model, as declared (non_biolink_properties of config/gene_info.yaml): "
        "chromosome, map_location; --biolink-strict leaves them out"
    ) in report["notes"]
    card = render_text(gene_card(graph, "TP53"))
    assert "location     chromosome 17, map location 17p13.1" in card


def test_biolink_strict_leaves_them_out(graph: Path, strict: Path) -> None:
    nodes = read_kgx(strict / "ncbi_gene_nodes.tsv")
    assert not set(OUTSIDE) & set(nodes[0])
    # nothing else changes: the same nodes with the same other values
    assert nodes == [{k: v for k, v in n.items() if k not in OUTSIDE} for n in read_kgx(graph / "ncbi_gene_nodes.tsv")]
    assert json.loads((strict / "graph_metadata.json").read_text())["nonBiolinkProperties"] == {}
    rig = yaml.safe_load((strict / "ncbi_gene_rig.yaml").read_text())
    assert rig["target_info"]["non_biolink_properties"] == []
    report = json.loads((strict / "validation_report.json").read_text())
    assert report["valid"] and not [n for n in report["notes"] if "outside the Biolink model" in n]
    assert "location     not in the graph" in render_text(gene_card(strict, "TP53"))


@pytest.mark.parametrize(("value", "passed"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_make_passes_biolink_strict(value: str, passed: bool) -> None:
    dry = subprocess.run(
        ["make", "-n", "transform", f"BIOLINK_STRICT={value}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ("--biolink-strict" in dry) is passed
