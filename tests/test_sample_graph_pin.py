"""The bundled sample's graph, pinned: every optimization of the data path must leave it byte-identical.

`ncbi-gene-kg transform --transform-files` runs on the bundled sample (SOURCE_DATE_EPOCH=0) and the sha256 of
each output file, its lines sorted, is compared with the value recorded here; so is the row accounting
(counts and file:line examples) of every input, and, for the graph's files, the sha256 of the file as it is
(its order: nodes by id, edges by subject, predicate, object, id). When a change is *meant* to alter the
graph, rerun with ``PIN_PRINT=1 pytest tests/test_sample_graph_pin.py -s`` and paste the new values with the
reason in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edge_id, read_kgx

PINNED = {
    "ncbi_gene_nodes.tsv": "438575f2040c3e35",
    "ncbi_gene_edges.tsv": "6f28f34788585049",
    "transforms/gene2ensembl_nodes.tsv": "9ac066e26ebb43f0",
    "transforms/gene2go_edges.tsv": "f0cc287c4ee86869",
    "transforms/gene2go_nodes.tsv": "871a860008ef59a2",
    "transforms/gene2refseq_edges.tsv": "6769599ccaa95fe4",
    "transforms/gene2refseq_nodes.tsv": "7682563e7ea3de73",
    "transforms/gene_group_edges.tsv": "46efdd9f631b86f1",
    "transforms/gene_info_nodes.tsv": "23b776570bdf2451",
    "transforms/gene_neighbors_edges.tsv": "18cf16a377771fa8",
    "transforms/gene_neighbors_nodes.tsv": "fc49be9e907d8f38",
    "transforms/gene_orthologs_edges.tsv": "295fdd86d1e48b37",
    "transforms/gene_summary_nodes.tsv": "64441936966a53d8",
    "transforms/mim2gene_medgen_edges.tsv": "fca9b80f0b70319c",
    "transforms/mim2gene_medgen_nodes.tsv": "9f9aa2f39563c1c6",
    "ncbi_gene_nodes.tsv as written": "0d2a3749ba3a5081",
    "ncbi_gene_edges.tsv as written": "c70efb4c02a64203",
    "row_accounting": "1d251654d8dae107",
}


def sorted_sha256(path: Path) -> str:
    """sha256 of the file's lines in byte order (the first 16 hex digits)."""
    lines = sorted(path.read_bytes().splitlines(keepends=True))
    return hashlib.sha256(b"".join(lines)).hexdigest()[:16]


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pin")  # no data/ here: the build reads the bundled sample
    command = [str(Path(sys.executable).with_name("ncbi-gene-kg")), "transform", "--out", "out", "--transform-files"]
    done = subprocess.run(
        command, cwd=work, env={**os.environ, "SOURCE_DATE_EPOCH": "0"}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return work / "out"


def test_an_edge_has_one_id_from_its_transform_to_the_graph(sample_out: Path) -> None:
    """Each merged edge's id is the one docs/merge.md defines (recomputed here from its columns), and the
    id its transform wrote (no edge of the sample is remapped)."""
    written = {e["id"] for path in (sample_out / "transforms").glob("*_edges.tsv") for e in read_kgx(path)}
    merged = read_kgx(sample_out / "ncbi_gene_edges.tsv")
    for e in merged:
        qualifiers = {k: v for k, v in e.items() if k.endswith("_qualifier") or k == "qualifiers"}
        negated = e.get("negated") == "true"
        assert e["id"] == edge_id(
            e["subject"], e["predicate"], e["object"], e["primary_knowledge_source"], negated, **qualifiers
        )
    assert len(merged) == 607 and {e["id"] for e in merged} <= written


def test_sample_graph_is_pinned(sample_out: Path) -> None:
    found = {
        str(p.relative_to(sample_out)): sorted_sha256(p)
        for p in [
            sample_out / "ncbi_gene_nodes.tsv",
            sample_out / "ncbi_gene_edges.tsv",
            *sorted((sample_out / "transforms").glob("*.tsv")),
        ]
    }
    for name in ("ncbi_gene_nodes.tsv", "ncbi_gene_edges.tsv"):
        found[f"{name} as written"] = hashlib.sha256((sample_out / name).read_bytes()).hexdigest()[:16]
    accounting = json.loads((sample_out / "validation_report.json").read_text())["row_accounting"]
    found["row_accounting"] = hashlib.sha256(json.dumps(accounting, sort_keys=True).encode()).hexdigest()[:16]
    if os.environ.get("PIN_PRINT"):
        print(json.dumps(found, indent=4))
    assert found == PINNED
