"""gene2pubmed -> Publication nodes and mentions edges, off unless requested; on real rows.

Rows: tests/data/ncbi/gene2pubmed (four_human_genes.2025-02: BRCA1, TP53, GSDMB, ORMDL3;
all_species_head.2026-08: the first rows of the all-species file, taxa outside the default scope).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import edge_id, run_koza, write_rows

from ncbi_gene_kg.biolink import is_category, is_predicate, schema_view
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import SAMPLE_DIR

FOUR_GENES = "gene2pubmed/four_human_genes.2025-02.gene2pubmed"
ALL_SPECIES_HEAD = "gene2pubmed/all_species_head.2026-08.gene2pubmed"
NOT_REQUESTED = "publications not requested"


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


def test_off_by_default_every_row_is_counted(real_data: Path, tmp_path: Path):
    out = run_koza("gene2pubmed", [real_data / FOUR_GENES], tmp_path)
    assert out.nodes == [] and out.edges == []
    account = out.account
    assert (account.read, account.emitted, account.n_rejected) == (15_253, 0, 0)
    assert account.out_of_scope[NOT_REQUESTED].count == 15_253
    assert account.out_of_scope[NOT_REQUESTED].examples == [
        f"four_human_genes.2025-02.gene2pubmed:{n}" for n in range(2, 7)
    ]
    assert account.balanced


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
    assert on.edges[0] == {
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
    assert [n["id"] for n in on.nodes] == [f"PMID:{p}" for p in sorted(per_pmid)]
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
    assert out.edges[0]["subject"] == "PMID:15925900" and out.edges[0]["object"] == "NCBIGene:310495631"


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
    ("value", "expected"), [(True, 3), ("true", 3), ("yes", 3), ("1", 3), (False, 0), ("false", 0), ("off", 0)]
)
def test_flag_values(real_data: Path, tmp_path: Path, value: bool | str, expected: int):
    header, data = rows(real_data / FOUR_GENES)
    path = write_rows(tmp_path / "gene2pubmed", header, data[:3])
    assert len(run_koza("gene2pubmed", [path], tmp_path / "out", publications=value).edges) == expected


def test_bad_flag_value_is_a_clear_error(real_data: Path, tmp_path: Path):
    with pytest.raises(UserError, match="publications 'maybe' is not true or false"):
        run_koza("gene2pubmed", [real_data / ALL_SPECIES_HEAD], tmp_path, publications="maybe")


def test_bundled_sample(tmp_path: Path):
    off = run_koza("gene2pubmed", [SAMPLE_DIR / "gene2pubmed.gz"], tmp_path / "off")
    assert off.account.read == 337 and off.edges == []
    assert {r: t.count for r, t in off.account.out_of_scope.items()} == {NOT_REQUESTED: 317, "taxon not in scope": 20}
    on = run_koza("gene2pubmed", [SAMPLE_DIR / "gene2pubmed.gz"], tmp_path / "on", publications="true")
    assert (len(on.edges), len(on.nodes), on.account.emitted) == (317, 292, 317)
