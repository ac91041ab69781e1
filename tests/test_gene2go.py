"""gene2go transform: mapping tables against the pinned Biolink model, exact edges and nodes from real rows.

Real rows are from the bundled sample (sample/gene2go.gz: the four-human-genes excerpt of gene2go,
2025-02, followed by the head of the all-species file, 2026-08, under one header). Rows marked
CONSTRUCTED are not from NCBI: they cover qualifiers the samples lack, evidence merging and bad input.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from conftest import edge_id, run_koza, write_rows

from ncbi_gene_kg.accounting import Tally
from ncbi_gene_kg.biolink import is_category, is_predicate, schema_view
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.tables import load_table

SAMPLE = SAMPLE_DIR / "gene2go.gz"
HEADER = "#tax_id\tGeneID\tGO_ID\tEvidence\tQualifier\tGO_term\tPubMed\tCategory"

MF = "biolink:MacromolecularMachineToMolecularActivityAssociation"
BP = "biolink:MacromolecularMachineToBiologicalProcessAssociation"
CC = "biolink:MacromolecularMachineToCellularComponentAssociation"

# The relations GO annotations use (GAF 2.2 / GPAD 2.0), each with the predicate the issue asks for.
GO_QUALIFIERS = {
    "enables": "biolink:enables",
    "contributes_to": "biolink:contributes_to",
    "involved_in": "biolink:actively_involved_in",
    "acts_upstream_of": "biolink:acts_upstream_of",
    "acts_upstream_of_positive_effect": "biolink:acts_upstream_of_positive_effect",
    "acts_upstream_of_negative_effect": "biolink:acts_upstream_of_negative_effect",
    "acts_upstream_of_or_within": "biolink:acts_upstream_of_or_within",
    "acts_upstream_of_or_within_positive_effect": "biolink:acts_upstream_of_or_within_positive_effect",
    "acts_upstream_of_or_within_negative_effect": "biolink:acts_upstream_of_or_within_negative_effect",
    "located_in": "biolink:located_in",
    "part_of": "biolink:part_of",
    "is_active_in": "biolink:active_in",
    "colocalizes_with": "biolink:colocalizes_with",
}
EXPERIMENTAL_AND_CURATED = [
    "EXP",
    "IDA",
    "IPI",
    "IMP",
    "IGI",
    "IEP",
    "HTP",
    "HDA",
    "HMP",
    "HGI",
    "HEP",
    "TAS",
    "NAS",
    "IC",
]
COMPUTATIONAL = ["ISS", "ISO", "ISA", "ISM", "IGC", "IBA", "IBD", "IKR", "IRD", "RCA"]


def run(tmp_path: Path, rows: list[str] | None = None, taxa: str | None = None):
    """Run config/gene2go.yaml on the bundled sample or on ``rows`` (under the gene2go header)."""
    path = SAMPLE if rows is None else write_rows(tmp_path / "gene2go", HEADER, rows)
    out = run_koza("gene2go", [path], tmp_path / "out", **({"taxa": taxa} if taxa else {}))
    return out.edges, out.nodes, out.account


def edge(
    subject,
    predicate,
    object_,
    category,
    relation,
    evidence,
    pmids,
    level,
    agent,
    negated=False,
    source="infores:go",
    aggregator="infores:ncbi-gene",
) -> dict[str, str]:
    return {
        "id": edge_id(subject, predicate, object_, source, negated),
        "subject": subject,
        "predicate": predicate,
        "object": object_,
        "category": category,
        "negated": "true" if negated else "",
        "original_predicate": relation,
        "has_evidence": "|".join(evidence),
        "publications": "|".join(f"PMID:{p}" for p in pmids),
        "knowledge_level": level,
        "agent_type": agent,
        "primary_knowledge_source": source,
        "aggregator_knowledge_source": aggregator,
    }


def find(edges, subject, predicate, object_) -> list[dict[str, str]]:
    return [e for e in edges if (e["subject"], e["predicate"], e["object"]) == (subject, predicate, object_)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return run(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def sample_rows() -> list[list[str]]:
    with gzip.open(SAMPLE, "rt") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]


# --- mapping tables against the pinned Biolink model --------------------------------------------


def test_qualifier_table_maps_every_go_qualifier_to_a_biolink_predicate():
    table = {row["qualifier"]: row for row in load_table("go_qualifier_to_predicate")}
    assert {q: row["predicate"] for q, row in table.items()} == GO_QUALIFIERS
    for qualifier, row in table.items():
        # A Biolink upgrade that drops or renames a predicate fails here.
        assert is_predicate(row["predicate"]), f"{row['predicate']} ({qualifier}) is not a Biolink predicate"
        slot = schema_view().get_slot(row["predicate"].removeprefix("biolink:").replace("_", " "))
        assert row["relation"] in slot.exact_mappings, f"{row['relation']} is not an exact mapping of {slot.name}"
    assert not is_predicate("biolink:is_active_in")
    # The relation is the group key of an edge: one per qualifier.
    assert len({row["relation"] for row in table.values()}) == len(table)


def test_category_table_uses_biolink_classes_that_allow_the_edge_slots():
    rows = load_table("go_category")
    assert {r["Category"] for r in rows} == {"Function", "Process", "Component"}
    for row in rows:
        assert is_category(row["association_category"]) and is_category(row["node_category"])
        # biolink:MacromolecularMachineToMolecularActivityAssociation -> "macromolecular machine to ..."
        name = re.sub(r"(?<!^)([A-Z])", r" \1", row["association_category"].removeprefix("biolink:")).lower()
        assert {
            "negated",
            "has evidence",
            "publications",
            "original predicate",
            "knowledge level",
            "agent type",
            "primary knowledge source",
            "aggregator knowledge source",
        } <= set(schema_view().class_slots(name))


def test_evidence_tables_cover_every_go_evidence_code():
    eco = {row["evidence_code"]: row["eco_id"] for row in load_table("go_evidence_to_eco")}
    levels = {
        row["evidence_code"]: (row["knowledge_level"], row["agent_type"])
        for row in load_table("go_evidence_knowledge_level")
    }
    assert set(eco) == set(levels) | {"ND"}
    assert all(re.fullmatch(r"ECO:[0-9]{7}", e) for e in eco.values())
    assert eco["IEA"] == "ECO:0007669" and eco["IDA"] == "ECO:0000314" and eco["ND"] == "ECO:0000307"
    assert levels == (
        {"IEA": ("prediction", "automated_agent")}
        | {c: ("prediction", "manual_validation_of_automated_agent") for c in COMPUTATIONAL}
        | {c: ("knowledge_assertion", "manual_agent") for c in EXPERIMENTAL_AND_CURATED}
    )
    # precedence: 1 manual, 2 reviewed computational, 3 electronic; one (knowledge_level, agent_type) each
    precedence = {
        (row["knowledge_level"], row["agent_type"]): row["precedence"]
        for row in load_table("go_evidence_knowledge_level")
    }
    assert precedence == {
        ("knowledge_assertion", "manual_agent"): "1",
        ("prediction", "manual_validation_of_automated_agent"): "2",
        ("prediction", "automated_agent"): "3",
    }
    enums = schema_view().all_enums()
    assert {lv for lv, _ in levels.values()} <= set(enums["KnowledgeLevelEnum"].permissible_values)
    assert {ag for _, ag in levels.values()} <= set(enums["AgentTypeEnum"].permissible_values)


# --- the bundled sample ------------------------------------------------------------------------


def test_sample_row_accounting(sample):
    _, _, account = sample
    assert (account.read, account.emitted, account.balanced) == (376, 364, True)
    assert account.out_of_scope == {
        "taxon not in scope": Tally(
            12, ["gene2go.gz:366", "gene2go.gz:367", "gene2go.gz:368", "gene2go.gz:369", "gene2go.gz:370"]
        )
    }
    assert account.rejected == {} and account.dropped_values == {}


def test_sample_counts_and_unique_ids(sample):
    edges, nodes, _ = sample
    # 364 rows, 303 distinct (gene, qualifier, GO term, negation)
    assert len(edges) == 303
    assert len({e["id"] for e in edges}) == 303
    assert len(nodes) == 264
    assert len({n["id"] for n in nodes}) == 264


def test_every_qualifier_and_evidence_code_in_the_sample_is_mapped(sample, sample_rows):
    edges, _, _ = sample
    human = [r for r in sample_rows if r[0] == "9606"]
    qualifiers = {r[4].removeprefix("NOT ") for r in human}
    assert qualifiers == set(GO_QUALIFIERS) - {
        "contributes_to",
        "acts_upstream_of_or_within_positive_effect",
        "acts_upstream_of_or_within_negative_effect",
    }
    assert {e["predicate"] for e in edges} == {GO_QUALIFIERS[q] for q in qualifiers}
    eco = {row["evidence_code"]: row["eco_id"] for row in load_table("go_evidence_to_eco")}
    codes = {r[3] for r in human}
    assert codes == {"EXP", "IBA", "IDA", "IEA", "IEP", "IGI", "IMP", "IPI", "ISA", "ISS", "NAS", "TAS"}
    assert {x for e in edges for x in e["has_evidence"].split("|")} == {eco[c] for c in codes}


def test_tp53_chromatin_evidence_merged_into_one_edge(sample):
    # 9606 7157 GO:0000785 IDA located_in chromatin 15710329|17805299|22521434|23629966|24289924 Component
    # 9606 7157 GO:0000785 IMP located_in chromatin 30089260 Component
    # 9606 7157 GO:0000785 ISA located_in chromatin - Component
    edges, _, _ = sample
    assert find(edges, "NCBIGene:7157", "biolink:located_in", "GO:0000785") == [
        edge(
            "NCBIGene:7157",
            "biolink:located_in",
            "GO:0000785",
            CC,
            "RO:0001025",
            ["ECO:0000247", "ECO:0000314", "ECO:0000315"],
            [15710329, 17805299, 22521434, 23629966, 24289924, 30089260],
            "knowledge_assertion",
            "manual_agent",
        ),
    ]


def test_brca1_ubiquitin_transferase_activity(sample):
    # 9606 672 GO:0004842 IBA enables ubiquitin-protein transferase activity - Function
    # 9606 672 GO:0004842 IDA enables ubiquitin-protein transferase activity 12890688|17349954|19117993|20351172
    # 9606 672 GO:0004842 TAS enables ubiquitin-protein transferase activity - Function
    edges, _, _ = sample
    assert find(edges, "NCBIGene:672", "biolink:enables", "GO:0004842") == [
        edge(
            "NCBIGene:672",
            "biolink:enables",
            "GO:0004842",
            MF,
            "RO:0002327",
            ["ECO:0000304", "ECO:0000314", "ECO:0000318"],
            [12890688, 17349954, 19117993, 20351172],
            "knowledge_assertion",
            "manual_agent",
        ),
    ]


def test_brca1_iea_rows(sample):
    # 9606 672 GO:0001216 IEA enables DNA-binding transcription activator activity - Function
    # 9606 672 GO:0006302 IDA / IMP / TAS involved_in double-strand break repair (no IEA: manual wins anyway)
    # 9606 55876 GO:0005886 IEA located_in plasma membrane - Component (the only located_in row for it)
    edges, _, _ = sample
    assert find(edges, "NCBIGene:672", "biolink:enables", "GO:0001216") == [
        edge(
            "NCBIGene:672",
            "biolink:enables",
            "GO:0001216",
            MF,
            "RO:0002327",
            ["ECO:0007669"],
            [],
            "prediction",
            "automated_agent",
        ),
    ]
    assert find(edges, "NCBIGene:55876", "biolink:located_in", "GO:0005886") == [
        edge(
            "NCBIGene:55876",
            "biolink:located_in",
            "GO:0005886",
            CC,
            "RO:0001025",
            ["ECO:0007669"],
            [],
            "prediction",
            "automated_agent",
        ),
    ]


def test_strongest_evidence_sets_the_knowledge_level(tmp_path):
    rows = [  # real rows: 9606 7157 GO:0000785 ISA located_in chromatin, and GO:0008285 ISS acts_upstream_of
        "9606\t7157\tGO:0000785\tISA\tlocated_in\tchromatin\t-\tComponent",
        # CONSTRUCTED: an IEA row for the same edge
        "9606\t7157\tGO:0000785\tIEA\tlocated_in\tchromatin\t-\tComponent",
    ]
    edges, _, _ = run(tmp_path, rows)
    assert edges == [
        edge(
            "NCBIGene:7157",
            "biolink:located_in",
            "GO:0000785",
            CC,
            "RO:0001025",
            ["ECO:0000247", "ECO:0007669"],
            [],
            "prediction",
            "manual_validation_of_automated_agent",
        )
    ]


def test_negated_row_is_never_merged_with_the_positive_edge(sample):
    # 9606 55876 GO:0070269 IBA involved_in pyroptotic inflammatory response - Process
    # 9606 55876 GO:0070269 IDA NOT involved_in pyroptotic inflammatory response 36899106|36991122|36991125
    # 9606 55876 GO:0070269 IDA involved_in pyroptotic inflammatory response 32299851|36157507|36899106|...
    edges, _, _ = sample
    assert find(edges, "NCBIGene:55876", "biolink:actively_involved_in", "GO:0070269") == [
        edge(
            "NCBIGene:55876",
            "biolink:actively_involved_in",
            "GO:0070269",
            BP,
            "RO:0002331",
            ["ECO:0000314", "ECO:0000318"],
            [32299851, 36157507, 36899106, 36991122, 36991125],
            "knowledge_assertion",
            "manual_agent",
        ),
        edge(
            "NCBIGene:55876",
            "biolink:actively_involved_in",
            "GO:0070269",
            BP,
            "RO:0002331",
            ["ECO:0000314"],
            [36899106, 36991122, 36991125],
            "knowledge_assertion",
            "manual_agent",
            negated=True,
        ),
    ]


def test_is_active_in_and_colocalizes_with(sample):
    # 9606 55876 GO:0005886 IDA is_active_in plasma membrane 28154144|32299851|36157507|36899106 Component
    # 9606 7157 GO:0016604 IDA colocalizes_with nuclear body 10360174 Component
    edges, _, _ = sample
    assert find(edges, "NCBIGene:55876", "biolink:active_in", "GO:0005886") == [
        edge(
            "NCBIGene:55876",
            "biolink:active_in",
            "GO:0005886",
            CC,
            "RO:0002432",
            ["ECO:0000314"],
            [28154144, 32299851, 36157507, 36899106],
            "knowledge_assertion",
            "manual_agent",
        )
    ]
    assert find(edges, "NCBIGene:7157", "biolink:colocalizes_with", "GO:0016604") == [
        edge(
            "NCBIGene:7157",
            "biolink:colocalizes_with",
            "GO:0016604",
            CC,
            "RO:0002325",
            ["ECO:0000314"],
            [10360174],
            "knowledge_assertion",
            "manual_agent",
        )
    ]


def test_acts_upstream_of_forms(sample):
    # 9606 672 GO:0044027 IMP acts_upstream_of_positive_effect ... 20820192 Process
    # 9606 7157 GO:1902749 IMP acts_upstream_of_negative_effect ... 10962037 Process
    # 9606 7157 GO:0051726 ISS acts_upstream_of regulation of cell cycle 30514107 Process
    # 9606 94103 GO:0010508 IDA / IMP acts_upstream_of_or_within positive regulation of autophagy 28747345
    edges, _, _ = sample
    assert find(edges, "NCBIGene:672", "biolink:acts_upstream_of_positive_effect", "GO:0044027") == [
        edge(
            "NCBIGene:672",
            "biolink:acts_upstream_of_positive_effect",
            "GO:0044027",
            BP,
            "RO:0004034",
            ["ECO:0000315"],
            [20820192],
            "knowledge_assertion",
            "manual_agent",
        )
    ]
    assert find(edges, "NCBIGene:7157", "biolink:acts_upstream_of_negative_effect", "GO:1902749") == [
        edge(
            "NCBIGene:7157",
            "biolink:acts_upstream_of_negative_effect",
            "GO:1902749",
            BP,
            "RO:0004035",
            ["ECO:0000315"],
            [10962037],
            "knowledge_assertion",
            "manual_agent",
        )
    ]
    assert find(edges, "NCBIGene:7157", "biolink:acts_upstream_of", "GO:0051726") == [
        edge(
            "NCBIGene:7157",
            "biolink:acts_upstream_of",
            "GO:0051726",
            BP,
            "RO:0002263",
            ["ECO:0000250"],
            [30514107],
            "prediction",
            "manual_validation_of_automated_agent",
        )
    ]
    assert find(edges, "NCBIGene:94103", "biolink:acts_upstream_of_or_within", "GO:0010508") == [
        edge(
            "NCBIGene:94103",
            "biolink:acts_upstream_of_or_within",
            "GO:0010508",
            BP,
            "RO:0002264",
            ["ECO:0000314", "ECO:0000315"],
            [28747345],
            "knowledge_assertion",
            "manual_agent",
        )
    ]


def test_no_evidence_code_or_pmid_is_lost(sample, sample_rows):
    edges, _, _ = sample
    eco = {row["evidence_code"]: row["eco_id"] for row in load_table("go_evidence_to_eco")}
    relation = {row["qualifier"]: row["relation"] for row in load_table("go_qualifier_to_predicate")}
    for _tax, gene, go, code, qualifier, _name, pubmed, _aspect in (r for r in sample_rows if r[0] == "9606"):
        negated = "true" if qualifier.startswith("NOT ") else ""
        matches = [
            e
            for e in edges
            if (e["subject"], e["object"], e["original_predicate"], e["negated"])
            == (f"NCBIGene:{gene}", go, relation[qualifier.removeprefix("NOT ")], negated)
            and eco[code] in e["has_evidence"].split("|")
        ]
        assert len(matches) == 1, (gene, go, code, qualifier)
        pmids = set() if pubmed == "-" else {f"PMID:{p}" for p in pubmed.split("|")}
        assert pmids <= set(filter(None, matches[0]["publications"].split("|")))


def test_go_nodes(sample):
    _, nodes, _ = sample
    by_id = {n["id"]: n for n in nodes}
    assert by_id["GO:0070269"] == {
        "id": "GO:0070269",
        "category": "biolink:BiologicalProcess",
        "name": "pyroptotic inflammatory response",
        "provided_by": "infores:ncbi-gene",
    }
    assert by_id["GO:0004842"]["category"] == "biolink:MolecularActivity"
    assert by_id["GO:0005886"] == {
        "id": "GO:0005886",
        "category": "biolink:CellularComponent",
        "name": "plasma membrane",
        "provided_by": "infores:ncbi-gene",
    }
    # GO terms of rows outside the taxon scope only (Citrus sinensis, 2711) get no node.
    assert "GO:0004449" not in by_id
    assert [n["id"] for n in nodes] == sorted(by_id)


def test_output_is_deterministic(sample, tmp_path):
    edges, nodes, _ = sample
    again_edges, again_nodes, _ = run(tmp_path)
    assert again_edges == edges and again_nodes == nodes


def test_sample_validates_with_kgx_offline(tmp_path):
    from ncbi_gene_kg.biolink import use_offline_model

    use_offline_model()
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    run(tmp_path)
    validator = Validator()
    files = [str(tmp_path / "out" / f"gene2go_{kind}.tsv") for kind in ("nodes", "edges")]
    Transformer(stream=True).transform({"filename": files, "format": "tsv"}, inspector=validator)
    assert validator.get_errors() == {}


# --- provenance by taxon -----------------------------------------------------------------------


def test_all_taxa_provenance(tmp_path):
    edges, nodes, account = run(tmp_path, taxa="all")
    assert account.emitted == 376 and account.out_of_scope == {}
    # 2711 102577933 GO:0006099 IEA involved_in tricarboxylic acid cycle 22301074|30032202 Process
    # Citrus sinensis is not a GO Consortium species: NCBI computed this annotation (InterProScan).
    assert find(edges, "NCBIGene:102577933", "biolink:actively_involved_in", "GO:0006099") == [
        edge(
            "NCBIGene:102577933",
            "biolink:actively_involved_in",
            "GO:0006099",
            BP,
            "RO:0002331",
            ["ECO:0007669"],
            [22301074, 30032202],
            "prediction",
            "automated_agent",
            source="infores:ncbi-gene",
            aggregator="",
        )
    ]
    # 3483 115694674 / 115694675 GO:0005524 IEA enables ATP binding: one node for both rows.
    assert [n for n in nodes if n["id"] == "GO:0005524"] == [
        {
            "id": "GO:0005524",
            "category": "biolink:MolecularActivity",
            "name": "ATP binding",
            "provided_by": "infores:ncbi-gene",
        }
    ]
    human = [e for e in edges if e["subject"] in {"NCBIGene:672", "NCBIGene:7157", "NCBIGene:55876", "NCBIGene:94103"}]
    assert {(e["primary_knowledge_source"], e["aggregator_knowledge_source"]) for e in human} == {
        ("infores:go", "infores:ncbi-gene")
    }


def test_unlisted_taxon_with_curated_evidence_is_go_consortium(tmp_path):
    rows = [
        # real: 2711 102578042 GO:0016117 IEA involved_in carotenoid biosynthetic process 22301074 Process
        "2711\t102578042\tGO:0016117\tIEA\tinvolved_in\tcarotenoid biosynthetic process\t22301074\tProcess",
        # CONSTRUCTED: the same gene with a curated (IDA) annotation, which only GO Consortium files carry
        "2711\t102578042\tGO:0005739\tIDA\tlocated_in\tmitochondrion\t-\tComponent",
    ]
    edges, _, _ = run(tmp_path, rows, taxa="all")
    assert {(e["object"], e["primary_knowledge_source"], e["aggregator_knowledge_source"]) for e in edges} == {
        ("GO:0016117", "infores:go", "infores:ncbi-gene"),
        ("GO:0005739", "infores:go", "infores:ncbi-gene"),
    }


# --- constructed rows: qualifiers the samples lack, bad input -----------------------------------


def test_constructed_rows_for_qualifiers_the_samples_lack(tmp_path):
    rows = [  # CONSTRUCTED (real genes and GO terms, made-up annotations)
        "9606\t672\tGO:0004842\tIDA\tcontributes_to\tubiquitin-protein transferase activity\t12890688\tFunction",
        "9606\t7157\tGO:0006974\tIMP\tacts_upstream_of_or_within_positive_effect\tDNA damage response\t-\tProcess",
        "9606\t7157\tGO:0042981\tIGI\tacts_upstream_of_or_within_negative_effect\tregulation of apoptotic process"
        "\t-\tProcess",
        "9606\t672\tGO:0004842\tIDA\tNOT|contributes_to\tubiquitin-protein transferase activity\t-\tFunction",
    ]
    edges, _, account = run(tmp_path, rows)
    assert account.emitted == 4 and account.rejected == {}
    assert sorted((e["predicate"], e["category"], e["original_predicate"], e["negated"]) for e in edges) == [
        ("biolink:acts_upstream_of_or_within_negative_effect", BP, "RO:0004033", ""),
        ("biolink:acts_upstream_of_or_within_positive_effect", BP, "RO:0004032", ""),
        ("biolink:contributes_to", MF, "RO:0002326", ""),
        ("biolink:contributes_to", MF, "RO:0002326", "true"),
    ]


def test_bad_input_is_counted_never_guessed(tmp_path):
    good = "9606\t7157\tGO:0016604\tIDA\tcolocalizes_with\tnuclear body\t10360174\tComponent"  # real
    rows = [  # all but the first are CONSTRUCTED
        good,
        "9606\t7157\tGO:0016604\tIDA\tis_located_near\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:0016604\tIDA\t-\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:0016604\tXYZ\tlocated_in\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:16604\tIDA\tlocated_in\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:0016604\tIDA\tenables\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:0016604\tIDA\tlocated_in\tnuclear body\t-\tLocation",
        "9606\tTP53\tGO:0016604\tIDA\tlocated_in\tnuclear body\t-\tComponent",
        "9606\t7157\tGO:0016604\tIDA\tlocated_in\tnuclear body\t-",
        "9606\t7157\tGO:0008150\tND\tinvolved_in\tbiological_process\t-\tProcess",
        "9606\t7157\tGO:0005634\tIDA\tlocated_in\tnucleus\t7720704|PMC123||123456789012345678901\tComponent",
    ]
    edges, nodes, account = run(tmp_path, rows)
    assert (account.read, account.emitted, account.balanced) == (11, 2, True)
    assert {reason: t.examples for reason, t in account.rejected.items()} == {
        "unknown Qualifier": ["gene2go:3"],
        "missing Qualifier": ["gene2go:4"],
        "unknown Evidence code": ["gene2go:5"],
        "malformed GO_ID": ["gene2go:6"],
        "Qualifier does not apply to the Category": ["gene2go:7"],
        "unknown Category": ["gene2go:8"],
        "GeneID is not a number": ["gene2go:9"],
        "wrong column count": ["gene2go:10"],
    }
    assert account.out_of_scope == {
        "evidence code ND (no biological data available): not an assertion": Tally(1, ["gene2go:11"])
    }
    assert account.dropped_values == {"PubMed id is not a number": Tally(3, ["gene2go:12", "gene2go:12", "gene2go:12"])}
    assert [(e["predicate"], e["object"], e["publications"]) for e in edges] == [
        ("biolink:colocalizes_with", "GO:0016604", "PMID:10360174"),
        ("biolink:located_in", "GO:0005634", "PMID:7720704"),
    ]
    assert [n["id"] for n in nodes] == ["GO:0005634", "GO:0016604"]


def test_go_term_name_conflict_is_resolved_deterministically_and_counted(tmp_path):
    rows = [
        "9606\t7157\tGO:0005634\tIDA\tlocated_in\tnucleus\t7720704\tComponent",  # real
        "9606\t7157\tGO:0005634\tIMP\tlocated_in\tnucleus\t16479015\tComponent",  # real
        "9606\t672\tGO:0005634\tIDA\tlocated_in\tcell nucleus\t-\tComponent",  # CONSTRUCTED other name
        "9606\t672\tGO:0016604\tIDA\tlocated_in\tnuclear body\t-\tComponent",  # real
        "9606\t7157\tGO:0016604\tIDA\tcolocalizes_with\tnuclear bodies\t10360174\tComponent",  # CONSTRUCTED
    ]
    _, nodes, account = run(tmp_path, rows)
    # Most rows win; a tie goes to the name first in sort order.
    assert {n["id"]: n["name"] for n in nodes} == {"GO:0005634": "nucleus", "GO:0016604": "nuclear bodies"}
    assert account.dropped_values == {
        "GO_term differs from the name chosen for its GO_ID": Tally(2, ["gene2go:4", "gene2go:5"])
    }
