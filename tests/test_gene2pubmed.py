"""gene2pubmed -> Publication nodes and mentions edges, read by the build only when requested; on real rows.

Rows: tests/data/ncbi/gene2pubmed (four_human_genes.2025-02: BRCA1, TP53, GSDMB, ORMDL3;
all_species_head.2026-08: the first rows of the all-species file, taxa outside the default scope).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import edge_id, quiet_build, run_koza, write_rows

from ncbi_gene_kg.biolink import is_category, is_predicate, schema_view
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.pipeline import plan

FOUR_GENES = "gene2pubmed/four_human_genes.2025-02.gene2pubmed"
ALL_SPECIES_HEAD = "gene2pubmed/all_species_head.2026-08.gene2pubmed"


def rows(path: Path) -> tuple[str, list[str]]:
    text = path.read_text().splitlines()
    return text[0], text[1:]


@pytest.fixture(scope="module")
def on(real_data: Path, tmp_path_factory: pytest.TempPathFactory):
    return run_koza("gene2pubmed", [real_data / FOUR_GENES], tmp_path_factory.mktemp("on"), publications="true")


def test_biolink_terms():
    assert is_predicate("biolink:mentions") and is_category("biolink:Publication")
    association = schema_view().get_class("information content entity to named thing association")
    assert association.slot_usage["subject"].domain == "publication"
    assert association.slot_usage["predicate"].subproperty_of == "mentions"
    assert is_category("biolink:InformationContentEntityToNamedThingAssociation")
    assert "PMID" in schema_view().get_class("publication").id_prefixes
    assert schema_view().get_class("publication").slot_usage["publication type"].required


def test_off_by_default_the_file_is_not_read(real_data: Path, tmp_path: Path):
    """Without publications the build lists gene2pubmed as present and unused and never opens it: a cut gzip
    (it would be a fatal error once read) does not stop the build."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "gene_info.gz").write_bytes((SAMPLE_DIR / "gene_info.gz").read_bytes())
    whole = gzip.compress((real_data / FOUR_GENES).read_bytes())
    (data / "gene2pubmed.gz").write_bytes(whole[: len(whole) // 2])
    planned, result = plan(data, {"publications": False})
    assert [job.source.name for job in planned] == ["gene_info"]
    assert result.unused == ["gene2pubmed (present; read only with publications)"]
    quiet_build(data, tmp_path / "off")
    report = json.loads((tmp_path / "off" / "validation_report.json").read_text())
    assert [a["source"] for a in report["row_accounting"]] == ["gene_info"]
    # the absent companions first (gene2ensembl, ...), then the file present but off
    assert report["inputs_not_read"] == [*result.skipped, "gene2pubmed (present; read only with publications)"]
    assert "gene2ensembl" in result.skipped
    listed = "".join(f"- {name}\n" for name in report["inputs_not_read"])
    assert f"## Inputs not read\n\n{listed}\n" in (tmp_path / "off" / "validation_report.md").read_text()
    with pytest.raises(UserError, match="gene2pubmed.gz: truncated or corrupt compressed file"):
        quiet_build(data, tmp_path / "on", publications=True)


def test_on_one_edge_per_row(on):
    assert (on.account.read, on.account.emitted, on.account.n_out_of_scope, on.account.n_rejected) == (
        15_253,
        15_253,
        0,
        0,
    )
    assert len(on.edges) == 15_253 and len({e["id"] for e in on.edges}) == 15_253
    assert on.account.dropped_values == {}


def test_tp53_first_publication(on):
    (first,) = [e for e in on.edges if e["subject"] == "PMID:1088347"]
    assert first == {
        "id": edge_id("PMID:1088347", "biolink:mentions", "NCBIGene:7157"),
        "subject": "PMID:1088347",
        "predicate": "biolink:mentions",
        "object": "NCBIGene:7157",
        "category": "biolink:InformationContentEntityToNamedThingAssociation",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "not_provided",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
    }
    assert on.node("PMID:1088347") == {
        "id": "PMID:1088347",
        "category": "biolink:Publication",
        "publication_type": "dctypes:Text",
        "provided_by": "infores:ncbi-gene",
    }


def test_one_node_per_publication(on, real_data: Path):
    _, data = rows(real_data / FOUR_GENES)
    per_pmid = Counter(int(row.split("\t")[2]) for row in data)
    assert [n["id"] for n in on.nodes] == sorted(f"PMID:{p}" for p in per_pmid)  # by id
    # a paper on two of the genes is one node with two edges
    edges = Counter(e["subject"] for e in on.edges)
    assert {f"PMID:{p}": n for p, n in per_pmid.items()} == edges
    assert max(per_pmid.values()) > 1


def test_taxon_scope(real_data: Path, tmp_path: Path):
    out = run_koza("gene2pubmed", [real_data / ALL_SPECIES_HEAD], tmp_path, publications="true")
    assert out.edges == [] and out.nodes == []
    assert out.account.out_of_scope["taxon not in scope"].count == 20
    out = run_koza("gene2pubmed", [real_data / ALL_SPECIES_HEAD], tmp_path / "all", publications="true", taxa="all")
    assert len(out.edges) == 20 and out.account.emitted == 20
    assert ("PMID:15925900", "NCBIGene:310495631") in {(e["subject"], e["object"]) for e in out.edges}


def test_bad_and_repeated_rows(real_data: Path, tmp_path: Path):
    header, data = rows(real_data / FOUR_GENES)
    constructed = [
        "9606\t7157\tPMC12345",  # CONSTRUCTED: not a PubMed id
        "9606\t7157",  # CONSTRUCTED: truncated
        data[0],
    ]  # CONSTRUCTED: a real row repeated
    path = write_rows(tmp_path / "gene2pubmed", header, data[:3] + constructed)
    out = run_koza("gene2pubmed", [path], tmp_path / "out", publications="true")
    assert {r: t.count for r, t in out.account.rejected.items()} == {
        "PubMed_ID is not a number": 1,
        "wrong column count": 1,
    }
    assert out.account.dropped_values["pair already given by an earlier row"].examples == ["gene2pubmed:7"]
    assert len(out.edges) == 3 and out.account.emitted == 4 and out.account.balanced


@pytest.mark.parametrize(
    ("value", "read"), [(True, True), ("true", True), ("yes", True), ("1", True), (False, False), ("off", False)]
)
def test_flag_values(value: bool | str, read: bool):
    planned, result = plan(SAMPLE_DIR, {"publications": value})
    assert ("gene2pubmed" in {job.source.name for job in planned}) is read
    assert bool(result.unused) is not read


def test_bad_flag_value_is_a_clear_error():
    with pytest.raises(UserError, match="publications 'maybe' is not true or false"):
        plan(SAMPLE_DIR, {"publications": "maybe"})


def test_bundled_sample(tmp_path: Path):
    out = run_koza("gene2pubmed", [SAMPLE_DIR / "gene2pubmed.gz"], tmp_path)
    assert out.account.read == 337
    assert {r: t.count for r, t in out.account.out_of_scope.items()} == {"taxon not in scope": 20}
    assert (len(out.edges), len(out.nodes), out.account.emitted) == (317, 292, 317)
