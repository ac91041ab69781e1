"""gene_group transform and its relationship mapping table.

CONSTRUCTED fixtures: no real gene_group rows were available (see tests/data/ncbi/README.md). The
rows below use real human GeneIDs and symbols from Homo_sapiens gene_info (2022-11) and the relationship
values of the NCBI Gene README; which genes are paired is made up to be plausible (INS-IGF2 readthrough
and its parents INS and IGF2, the IGH locus and IGHV1-2, PTEN and PTENP1, BRCA1 and BRCA1P1, readthrough
loci sharing parents), not copied from NCBI. Every relationship value appears, symmetric pairs in both
directions (as NCBI reports them), one pair from one side only, plus an unknown value.
"""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import edge_id, in_graph_order
from koza.runner import KozaRunner

from ncbi_gene_kg import biolink
from ncbi_gene_kg.paths import CONFIG_DIR
from ncbi_gene_kg.tables import load_table

CONFIG = str(CONFIG_DIR / "gene_group.yaml")
HEADER = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID"
NCBI_RELATIONSHIPS = {  # NCBI Gene README, section gene_group
    "Potential readthrough sibling",
    "Readthrough child",
    "Readthrough parent",
    "Readthrough sibling",
    "Region member",
    "Region parent",
    "Related functional gene",
    "Related pseudogene",
}
ROWS = [  # constructed (see the module docstring); line numbers in comments
    "9606\t672\tRelated pseudogene\t9606\t394269",  # 2  BRCA1 -> BRCA1P1 (one side only)
    "9606\t3481\tReadthrough child\t9606\t723961",  # 3  IGF2 -> INS-IGF2
    "9606\t3492\tRegion member\t9606\t28474",  # 4  IGH -> IGHV1-2
    "9606\t3630\tReadthrough child\t9606\t723961",  # 5  INS -> INS-IGF2
    "9606\t5728\tRelated pseudogene\t9606\t11191",  # 6  PTEN -> PTENP1
    "9606\t11191\tRelated functional gene\t9606\t5728",  # 7  PTENP1 -> PTEN
    "9606\t28474\tRegion parent\t9606\t3492",  # 8  IGHV1-2 -> IGH
    "9606\t57653\tReadthrough sibling\t9606\t100499484",  # 9  SUGT1P4-STRA6LP-CCDC180 -> SUGT1P4-STRA6LP
    "9606\t723961\tReadthrough parent\t9606\t3481",  # 10 INS-IGF2 -> IGF2
    "9606\t723961\tReadthrough parent\t9606\t3630",  # 11 INS-IGF2 -> INS
    "9606\t100499484\tReadthrough sibling\t9606\t57653",  # 12
    "9606\t100533464\tPotential readthrough sibling\t9606\t106707243",  # 13 PRH1-PRR4 -> PRH1-TAS2R14
    "9606\t106707243\tPotential readthrough sibling\t9606\t100533464",  # 14
]
EXPECTED = [  # (subject, predicate, object, original_predicate, category)
    ("3492", "biolink:has_part", "28474", "Region member", "biolink:GeneToGeneAssociation"),
    ("11191", "biolink:homologous_to", "5728", "Related functional gene", "biolink:GeneToGeneHomologyAssociation"),
    (
        "57653",
        "biolink:related_to_at_instance_level",
        "100499484",
        "Readthrough sibling",
        "biolink:GeneToGeneAssociation",
    ),
    ("394269", "biolink:homologous_to", "672", "Related functional gene", "biolink:GeneToGeneHomologyAssociation"),
    ("723961", "biolink:overlaps", "3481", "Readthrough parent", "biolink:GeneToGeneAssociation"),
    ("723961", "biolink:overlaps", "3630", "Readthrough parent", "biolink:GeneToGeneAssociation"),
    (
        "100533464",
        "biolink:related_to_at_instance_level",
        "106707243",
        "Potential readthrough sibling",
        "biolink:GeneToGeneAssociation",
    ),
]


def run(tmp_path: Path, rows: list[str] | None = None, **extra_fields: str):
    """Run the transform on ``rows`` (the bundled sample if None); returns edges and row accounting."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = None
    if rows is not None:
        (tmp_path / "gene_group").write_text("\n".join([HEADER, *rows]) + "\n")
        files = [str(tmp_path / "gene_group")]
    out = tmp_path / "out"
    _, runner = KozaRunner.from_config_file(
        CONFIG, output_dir=str(out), input_files=files, overrides={"transform": {"extra_fields": extra_fields}}
    )
    runner.run()
    with (out / "gene_group_edges.tsv").open() as fh:
        edges = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert not (out / "gene_group_nodes.tsv").exists()
    return edges, runner.transform_metadata["row_accounting"]


def edge(subject: str, predicate: str, obj: str, original: str, category: str) -> dict[str, str]:
    s, o = f"NCBIGene:{subject}", f"NCBIGene:{obj}"
    return {
        "id": edge_id(s, predicate, o),
        "subject": s,
        "predicate": predicate,
        "object": o,
        "category": category,
        "original_predicate": original,
        "knowledge_level": "knowledge_assertion",
        "agent_type": "not_provided",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
    }


def test_every_relationship_one_edge_per_pair(tmp_path):
    edges, account = run(tmp_path, ROWS)
    assert edges == in_graph_order([edge(*e) for e in EXPECTED])
    assert (account["read"], account["emitted"], account["rejected"], account["out_of_scope"]) == (13, 13, {}, {})
    # 13 rows, 7 edges: the 6 mirrored rows are counted, not lost.
    assert account["dropped_values"] == {
        "relationship already given by an earlier row (NCBI reports both genes' rows)": {
            "count": 6,
            "examples": [f"gene_group:{n}" for n in (7, 8, 10, 11, 12)],
        }
    }


def test_a_row_and_its_mirror_give_the_same_edge(tmp_path):
    region = edge(*EXPECTED[0])
    assert run(tmp_path / "member", [ROWS[2]])[0] == [region]
    assert run(tmp_path / "parent", [ROWS[6]])[0] == [region]
    sibling = edge(*EXPECTED[6])
    assert run(tmp_path / "left", [ROWS[11]])[0] == [sibling]
    assert run(tmp_path / "right", [ROWS[12]])[0] == [sibling]


def test_two_relationships_of_one_pair_make_one_edge(tmp_path):
    # CONSTRUCTED: the sibling pair of rows 9 and 12 also listed as potential siblings (both map to
    # related_to_at_instance_level, symmetric). One edge (its id is the identity's, which has no
    # original_predicate); the first relationship by name is kept and the other's rows are counted.
    potential = [r.replace("Readthrough sibling", "Potential readthrough sibling") for r in (ROWS[7], ROWS[10])]
    edges, account = run(tmp_path, [ROWS[7], ROWS[10], *potential])
    assert edges == [edge("57653", *EXPECTED[2][1:3], "Potential readthrough sibling", EXPECTED[2][4])]
    assert account["dropped_values"] == {
        "another relationship for the same edge (original_predicate keeps the first by name)": {
            "count": 2,
            "examples": ["gene_group:2", "gene_group:3"],
        },
        "relationship already given by an earlier row (NCBI reports both genes' rows)": {
            "count": 1,
            "examples": ["gene_group:5"],
        },
    }


def test_unknown_relationship_and_ortholog_rows(tmp_path):
    rows = [
        ROWS[2],
        "9606\t3492\tRelated gene\t9606\t28474",  # constructed: not an NCBI relationship value
        "9606\t7157\tOrtholog\t10090\t22059",  # real row of gene_orthologs (pre-2018 gene_group had them)
        "9606\t3492\t-\t9606\t28474",
        "9606\t3492\tRegion member\t9606\t3492",
    ]
    edges, account = run(tmp_path, rows)
    assert edges == [edge(*EXPECTED[0])]
    assert account["rejected"] == {
        "gene related to itself": {"count": 1, "examples": ["gene_group:6"]},
        "missing relationship": {"count": 1, "examples": ["gene_group:5"]},
        "unknown relationship (not in gene_group_relationships.tsv)": {"count": 1, "examples": ["gene_group:3"]},
    }
    assert account["out_of_scope"] == {
        "Ortholog row (orthology comes from gene_orthologs)": {"count": 1, "examples": ["gene_group:4"]}
    }
    assert account["read"] == account["emitted"] + account["rejected_total"] + account["out_of_scope_total"]


def test_both_genes_must_be_in_scope(tmp_path):
    # Constructed cross-species row (human IGH with mouse Trp53): the other gene is out of a human-only scope.
    rows = [ROWS[2], "9606\t3492\tRegion member\t10090\t22059"]
    edges, account = run(tmp_path / "human", rows, taxa="9606")
    assert edges == [edge(*EXPECTED[0])]
    assert account["out_of_scope"] == {"other gene's taxon not in scope": {"count": 1, "examples": ["gene_group:3"]}}
    edges, account = run(tmp_path / "mouse", rows, taxa="10090")
    assert edges == []
    assert account["out_of_scope"] == {"taxon not in scope": {"count": 2, "examples": ["gene_group:2", "gene_group:3"]}}
    edges, account = run(tmp_path / "all", rows, taxa="all")
    assert len(edges) == 2 and account["out_of_scope"] == {}


def test_bundled_sample_is_the_constructed_rows(tmp_path):
    edges, account = run(tmp_path)
    assert edges == in_graph_order([edge(*e) for e in EXPECTED])
    assert (account["read"], account["emitted"]) == (13, 13)


def test_mapping_table_covers_ncbi_values_with_valid_biolink_terms():
    table = {row["relationship"]: row for row in load_table("gene_group_relationships")}
    assert set(table) == NCBI_RELATIONSHIPS
    view = biolink.schema_view()
    for name, row in table.items():
        assert biolink.is_predicate(row["predicate"]), row
        assert biolink.is_category(row["category"]), row
        inverse = table[row["inverse"]]
        assert inverse["inverse"] == name
        assert (inverse["predicate"], inverse["category"]) == (row["predicate"], row["category"])
        symmetric = bool(view.get_slot(row["predicate"].removeprefix("biolink:").replace("_", " ")).symmetric)
        if row["direction"] == "symmetric":
            assert inverse is row and symmetric, row
        else:
            # A forward row and the reverse row of its inverse state the same edge.
            assert {row["direction"], inverse["direction"]} == {"forward", "reverse"}, row
        if row["category"] == "biolink:GeneToGeneHomologyAssociation":
            assert "homologous to" in view.slot_ancestors(row["predicate"].removeprefix("biolink:").replace("_", " "))
