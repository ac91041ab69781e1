"""gene_orthologs transform: real rows from NCBI's gene_orthologs (TP53 and BRCA1 with their mouse, rat and
zebrafish orthologs, and orthologs outside the default taxon scope), run through Koza."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import edge_id, in_graph_order
from koza.runner import KozaRunner

from ncbi_gene_kg import biolink
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR

CONFIG = str(CONFIG_DIR / "gene_orthologs.yaml")
HEADER = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID"
# Real rows of tests/data/ncbi/gene_orthologs/four_human_genes.2025-02.gene_orthologs, in file order.
ROWS = [
    "9606\t7157\tOrtholog\t7918\t102690789",  # spotted gar: outside the default scope
    "9606\t7157\tOrtholog\t7955\t30590",  # zebrafish tp53
    "9606\t7157\tOrtholog\t10090\t22059",  # mouse Trp53
    "9606\t7157\tOrtholog\t10116\t24842",  # rat Tp53
    "9606\t672\tOrtholog\t9598\t449497",  # chimpanzee: outside the default scope
    "9606\t672\tOrtholog\t10090\t12189",  # mouse Brca1
    "9606\t672\tOrtholog\t10116\t497672",  # rat Brca1
]
PAIRS_IN_DEFAULT_SCOPE = [("672", "12189"), ("672", "497672"), ("7157", "22059"), ("7157", "24842"), ("7157", "30590")]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def run(tmp_path: Path, rows: list[str] | None = None, **extra_fields: str):
    """Run the transform on ``rows`` (the bundled sample if None); returns edges, nodes, row accounting."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = None if rows is None else [str(write(tmp_path / "gene_orthologs", rows))]
    out = tmp_path / "out"
    _, runner = KozaRunner.from_config_file(
        CONFIG, output_dir=str(out), input_files=files, overrides={"transform": {"extra_fields": extra_fields}}
    )
    runner.run()
    return (
        read(out / "gene_orthologs_edges.tsv"),
        read(out / "gene_orthologs_nodes.tsv"),
        runner.transform_metadata["row_accounting"],
    )


def read(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def edge(a: str, b: str) -> dict[str, str]:
    subject, obj = f"NCBIGene:{a}", f"NCBIGene:{b}"
    return {
        "id": edge_id(subject, "biolink:orthologous_to", obj),
        "subject": subject,
        "predicate": "biolink:orthologous_to",
        "object": obj,
        "category": "biolink:GeneToGeneHomologyAssociation",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "computational_model",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
    }


def test_both_genes_in_scope_by_default(tmp_path):
    edges, nodes, account = run(tmp_path, ROWS)
    assert edges == [edge(a, b) for a, b in PAIRS_IN_DEFAULT_SCOPE]
    assert nodes == []  # both ends are gene_info nodes
    assert account["read"] == 7
    assert account["emitted"] == 5
    assert account["out_of_scope"] == {
        "other gene's taxon not in scope": {"count": 2, "examples": ["gene_orthologs:2", "gene_orthologs:6"]}
    }
    assert account["rejected"] == {}
    assert account["dropped_values"] == {}


def test_edge_subject_is_the_smaller_gene_id(tmp_path):
    # NCBIGene:24842 (rat Tp53) > NCBIGene:7157 as strings, but not as numbers: the order is numeric.
    edges, _, _ = run(tmp_path, [ROWS[3]])
    assert [(e["subject"], e["object"]) for e in edges] == [("NCBIGene:7157", "NCBIGene:24842")]


def test_a_pair_listed_in_both_directions_makes_one_edge(tmp_path):
    # Constructed: ROWS[2] reversed (mouse Trp53 listed from the mouse side), and ROWS[2] repeated.
    reversed_row = "10090\t22059\tOrtholog\t9606\t7157"
    edges, _, account = run(tmp_path, [ROWS[2], reversed_row, ROWS[2]])
    assert edges == [edge("7157", "22059")]
    assert account["emitted"] == 3
    assert account["dropped_values"] == {
        "pair already given by an earlier row": {"count": 2, "examples": ["gene_orthologs:3", "gene_orthologs:4"]}
    }


def test_either_keeps_pairs_with_one_gene_in_scope_and_adds_its_node(tmp_path):
    edges, nodes, account = run(tmp_path, ROWS, ortholog_scope="either")
    assert edges == in_graph_order(
        [edge(a, b) for a, b in [*PAIRS_IN_DEFAULT_SCOPE, ("672", "449497"), ("7157", "102690789")]]
    )
    assert nodes == [  # by id
        {
            "id": "NCBIGene:102690789",
            "category": "biolink:Gene",
            "in_taxon": "NCBITaxon:7918",
            "provided_by": "infores:ncbi-gene",
        },
        {
            "id": "NCBIGene:449497",
            "category": "biolink:Gene",
            "in_taxon": "NCBITaxon:9598",
            "provided_by": "infores:ncbi-gene",
        },
    ]
    assert (account["read"], account["emitted"], account["out_of_scope"]) == (7, 7, {})


def test_either_keeps_rows_whose_own_taxon_is_out_of_scope(tmp_path):
    # Scope = mouse only: every row's tax_id (9606) is out of scope, its mouse ortholog is in.
    edges, nodes, account = run(tmp_path, ROWS, taxa="10090", ortholog_scope="either")
    assert edges == [edge("672", "12189"), edge("7157", "22059")]
    assert [(n["id"], n["in_taxon"]) for n in nodes] == [
        ("NCBIGene:672", "NCBITaxon:9606"),
        ("NCBIGene:7157", "NCBITaxon:9606"),
    ]
    assert account["out_of_scope"] == {
        "neither gene's taxon in scope": {"count": 5, "examples": [f"gene_orthologs:{n}" for n in (2, 3, 5, 6, 8)]}
    }


def test_both_drops_rows_whose_own_taxon_is_out_of_scope(tmp_path):
    edges, nodes, account = run(tmp_path, ROWS, taxa="10090")
    assert (edges, nodes) == ([], [])
    assert account["out_of_scope"] == {
        "taxon not in scope": {"count": 7, "examples": [f"gene_orthologs:{n}" for n in (2, 3, 4, 5, 6)]}
    }


def test_all_taxa_keeps_every_pair_without_nodes(tmp_path):
    for mode in ("both", "either"):
        edges, nodes, account = run(tmp_path / mode, ROWS, taxa="all", ortholog_scope=mode)
        assert len(edges) == 7 and nodes == []
        assert account["out_of_scope"] == {}


def test_rejected_rows_are_counted_with_reasons(tmp_path):
    # Constructed damage on real rows: another relationship, a '-' GeneID, a gene paired with itself.
    rows = [
        ROWS[2],
        "9606\t7157\tParalog\t10090\t22059",
        "9606\t-\tOrtholog\t10090\t22059",
        "9606\t7157\tOrtholog\t9606\t7157",
        "9606\t7157\tOrtholog\t10090",
    ]
    edges, _, account = run(tmp_path, rows)
    assert edges == [edge("7157", "22059")]
    assert account["rejected"] == {
        "GeneID is not a number": {"count": 1, "examples": ["gene_orthologs:4"]},
        "gene paired with itself": {"count": 1, "examples": ["gene_orthologs:5"]},
        "relationship is not Ortholog": {"count": 1, "examples": ["gene_orthologs:3"]},
        "wrong column count": {"count": 1, "examples": ["gene_orthologs:6"]},
    }
    assert account["read"] == account["emitted"] + account["rejected_total"] + account["out_of_scope_total"]


def test_unknown_ortholog_scope_is_an_error(tmp_path):
    with pytest.raises(UserError, match="ortholog_scope 'some' is not one of both, either"):
        run(tmp_path, ROWS, ortholog_scope="some")


def test_bundled_sample(tmp_path):
    edges, nodes, account = run(tmp_path)
    assert [(e["subject"], e["object"]) for e in edges] == [  # in the graph's order (strings)
        ("NCBIGene:66612", "NCBIGene:94103"),
        ("NCBIGene:672", "NCBIGene:12189"),
        ("NCBIGene:7157", "NCBIGene:22059"),
        ("NCBIGene:7157", "NCBIGene:30590"),
    ]
    assert nodes == []
    assert (account["read"], account["emitted"], account["out_of_scope_total"]) == (8, 4, 4)


def test_output_is_deterministic(tmp_path):
    first = run(tmp_path / "a", ROWS, ortholog_scope="either")
    second = run(tmp_path / "b", list(reversed(ROWS)), ortholog_scope="either")
    assert first[:2] == second[:2]


def test_predicate_and_categories_exist_in_biolink():
    assert biolink.is_predicate("biolink:orthologous_to")
    assert biolink.is_category("biolink:GeneToGeneHomologyAssociation")
    assert biolink.is_category("biolink:Gene")
