"""mim2gene_medgen transform: mapping tables against the pinned Biolink model, the whole real file, the
bundled sample, the taxon scope, and edge cases (constructed rows, marked as such)."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import REAL_DATA
from koza.runner import KozaRunner

from ncbi_gene_kg import provenance
from ncbi_gene_kg.biolink import is_category, is_predicate, schema_view
from ncbi_gene_kg.curie import is_known_prefix
from ncbi_gene_kg.omim import MIM_TYPES
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.tables import load_table

CONFIG = CONFIG_DIR / "mim2gene_medgen.yaml"
REAL = REAL_DATA / "mim2gene_medgen" / "mim2gene_medgen.2026-04"
HEADER = "#MIM number\tGeneID\ttype\tSource\tMedGenCUI\tComment"
DUPLICATE = "duplicate edge (same gene, predicate, phenotype, knowledge source and qualifier as an earlier row)"
SAME_SOURCE = "same edge as another Source value of the row (same knowledge source)"
NO_GENE = "no gene to link (GeneID '-')"
PROVISIONAL = "CIO:0000031"
SOMATIC = "HP:0001428"

needs_real_file = pytest.mark.skipif(not REAL.is_file(), reason=f"real file not found: {REAL}")


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def run(out: Path, input_file: Path | None = None, taxa: str | None = None) -> dict:
    """Run the transform through Koza; returns nodes, edges and the row accounting."""
    kwargs = {} if input_file is None else {"input_files": [str(input_file)]}
    if taxa is not None:
        kwargs["overrides"] = {"transform": {"extra_fields": {"taxa": taxa}}}
    _, runner = KozaRunner.from_config_file(str(CONFIG), output_dir=str(out), **kwargs)
    runner.run()
    return {
        "nodes": read_tsv(out / "mim2gene_medgen_nodes.tsv"),
        "edges": read_tsv(out / "mim2gene_medgen_edges.tsv"),
        "accounting": runner.transform_metadata["row_accounting"],
        "mim_types": {r["mim"]: (r["gene"], r["phenotype"]) for r in read_tsv(out / f"{MIM_TYPES}.tsv")},
    }


def edge_tuple(edge: dict[str, str]) -> tuple[str, ...]:
    return (
        edge["subject"],
        edge["predicate"],
        edge["object"],
        edge["primary_knowledge_source"],
        edge["association_basis_qualifier"],
        edge["has_confidence_level"],
        edge["allelic_requirement"],
        edge["description"],
    )


def write_rows(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "".join(row + "\n" for row in rows))
    return path


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict:
    if not REAL.is_file():
        pytest.skip(f"real file not found: {REAL}")
    return run(tmp_path_factory.mktemp("real"), REAL)


@pytest.fixture(scope="module")
def real_rows() -> list[list[str]]:
    """The real file read independently of the transform, with plain csv."""
    if not REAL.is_file():
        pytest.skip(f"real file not found: {REAL}")
    with REAL.open() as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == HEADER.split("\t")
    return rows[1:]


def values(cell: str) -> list[str]:
    return [] if cell == "-" else list(dict.fromkeys(v.strip() for v in cell.split(";") if v.strip()))


# --- mapping tables against the pinned Biolink model -------------------------------------------------


def test_config_properties_are_biolink_slots():
    config = yaml.safe_load(CONFIG.read_text())
    sv = schema_view()
    for prop in config["writer"]["node_properties"] + config["writer"]["edge_properties"]:
        assert sv.get_slot(prop.replace("_", " ")) is not None, prop
    association_slots = set(sv.class_slots("gene to disease association"))
    for prop in (
        "association_basis_qualifier",
        "allelic_requirement",
        "description",
        "knowledge_level",
        "agent_type",
        "primary_knowledge_source",
        "aggregator_knowledge_source",
    ):
        assert prop.replace("_", " ") in association_slots, prop
    # has_confidence_level is an association slot no class lists; kgx and our validation accept it.
    assert "association slot" in sv.slot_ancestors("has confidence level")


def test_comment_table_is_valid_biolink():
    sv = schema_view()
    allowed = set(sv.get_enum("GeneToDiseasePredicateEnum").permissible_values)
    bases = set(sv.get_enum("AssociationBasisEnum").permissible_values)
    pattern = sv.get_slot("allelic requirement").pattern
    rows = load_table("mim2gene_comments")
    assert [r["Comment"] for r in rows] == [
        "-",
        "nondisease",
        "susceptibility",
        "QTL 1",
        "QTL 2",
        "somatic",
        "question",
        "modifier",
    ]
    for row in rows:
        if row["predicate"]:
            assert is_predicate(row["predicate"]) and row["predicate"] in allowed
        if row["association_basis_qualifier"]:
            assert row["association_basis_qualifier"] in bases and row["predicate"] == "biolink:associated_with"
        if row["allelic_requirement"]:
            assert re.fullmatch(pattern, row["allelic_requirement"])
        if row["has_confidence_level"]:
            assert row["has_confidence_level"].startswith("CIO:") and is_known_prefix("CIO")
    # Only the default row and one value set a predicate, so predicates never compete within a row.
    assert [r["Comment"] for r in rows if r["predicate"]] == ["-", "susceptibility"]
    # The file does not say whether a gene is causal.
    assert "biolink:causes" not in {r["predicate"] for r in rows}


def test_source_table_is_valid():
    sv = schema_view()
    levels = set(sv.get_enum("KnowledgeLevelEnum").permissible_values)
    agents = set(sv.get_enum("AgentTypeEnum").permissible_values)
    known = {v for k, v in vars(provenance).items() if k.isupper()}
    by_infores = defaultdict(set)
    for row in load_table("mim2gene_sources"):
        assert row["primary_knowledge_source"] in known, row
        assert row["knowledge_level"] in levels and row["agent_type"] in agents
        by_infores[row["primary_knowledge_source"]].add((row["knowledge_level"], row["agent_type"]))
    # Source values sharing a knowledge source share its level and agent, so their edges merge cleanly.
    assert all(len(v) == 1 for v in by_infores.values())
    assert by_infores.keys() == {provenance.OMIM, provenance.GENEREVIEWS, provenance.MEDGEN, provenance.GENETESTS}


def test_categories_exist():
    for category in ("biolink:GeneToDiseaseAssociation", "biolink:Disease", "biolink:Gene"):
        assert is_category(category)


# --- the whole real file ------------------------------------------------------------------------------


@needs_real_file
def test_brca1_exact(real):
    edges = sorted(edge_tuple(e) for e in real["edges"] if e["subject"] == "NCBIGene:672")
    s = "mim2gene_medgen Comment: susceptibility"
    assert edges == [
        ("NCBIGene:672", "biolink:associated_with", "OMIM:114480", "infores:genereviews", "genetic", "", "", ""),
        ("NCBIGene:672", "biolink:associated_with", "OMIM:617883", "infores:omim", "genetic", "", "", ""),
        ("NCBIGene:672", "biolink:contributes_to", "OMIM:604370", "infores:genereviews", "", "", "", s),
        ("NCBIGene:672", "biolink:contributes_to", "OMIM:604370", "infores:omim", "", "", "", s),
        ("NCBIGene:672", "biolink:contributes_to", "OMIM:614320", "infores:omim", "", "", "", s),
    ]
    brca1 = [e for e in real["edges"] if e["subject"] == "NCBIGene:672"]
    assert {
        (e["category"], e["knowledge_level"], e["agent_type"], e["aggregator_knowledge_source"]) for e in brca1
    } == {("biolink:GeneToDiseaseAssociation", "knowledge_assertion", "manual_agent", "infores:ncbi-gene")}
    assert [n for n in real["nodes"] if n["id"] == "NCBIGene:672"] == [
        {"id": "NCBIGene:672", "category": "biolink:Gene", "xref": "OMIM:113705", "provided_by": "infores:ncbi-gene"}
    ]
    # The gene entry is an xref, never a Disease node or an edge.
    assert not any(n["id"] == "OMIM:113705" for n in real["nodes"])
    assert not any(e["object"] == "OMIM:113705" for e in real["edges"])
    diseases = {n["id"]: n for n in real["nodes"]}
    assert diseases["OMIM:604370"] == {
        "id": "OMIM:604370",
        "category": "biolink:Disease",
        "xref": "UMLS:C2676676",
        "provided_by": "infores:ncbi-gene",
    }
    assert diseases["OMIM:114480"]["xref"] == "UMLS:C0346153"


@needs_real_file
def test_tp53_exact(real):
    edges = sorted(
        (e["predicate"], e["object"], e["description"]) for e in real["edges"] if e["subject"] == "NCBIGene:7157"
    )
    s = "mim2gene_medgen Comment: susceptibility"
    assert edges == sorted(
        [
            ("biolink:associated_with", f"OMIM:{m}", "")
            for m in ("114480", "114550", "151623", "260350", "607107", "618165")
        ]
        + [
            ("biolink:contributes_to", f"OMIM:{m}", s)
            for m in ("114500", "137800", "202300", "259500", "260500", "614740")
        ]
    )
    assert {e["primary_knowledge_source"] for e in real["edges"] if e["subject"] == "NCBIGene:7157"} == {"infores:omim"}
    assert [n["xref"] for n in real["nodes"] if n["id"] == "NCBIGene:7157"] == ["OMIM:191170"]


@needs_real_file
def test_gsdmb_ormdl3_gene_entries_only(real):
    assert [n["xref"] for n in real["nodes"] if n["id"] in ("NCBIGene:55876", "NCBIGene:94103")] == [
        "OMIM:611221",  # GSDMB (nodes by id)
        "OMIM:610075",  # ORMDL3
    ]
    assert not any(e["subject"] in ("NCBIGene:55876", "NCBIGene:94103") for e in real["edges"])


@needs_real_file
def test_row_accounting(real, real_rows):
    account = real["accounting"]
    no_gene = sum(1 for r in real_rows if r[1] == "-")
    assert account["read"] == len(real_rows) == 28601
    assert account["read"] == account["emitted"] + account["out_of_scope_total"] + account["rejected_total"]
    assert account["rejected"] == {}
    assert {k: v["count"] for k, v in account["out_of_scope"].items()} == {NO_GENE: no_gene} == {NO_GENE: 3323}
    assert account["emitted"] == 28601 - 3323
    assert {k: (v["count"], v["examples"]) for k, v in account["dropped_values"].items()} == {
        # 175100/324: ` GeneMap; GeneReviews` on line 3219, ` GeneReviews` again on line 3220
        DUPLICATE: (1, ["mim2gene_medgen.2026-04:3220"]),
        # ` GeneMap; OMIM` (and ` GeneMap; NCBI curation; OMIM`): two values, one knowledge source
        SAME_SOURCE: (
            3,
            ["mim2gene_medgen.2026-04:5262", "mim2gene_medgen.2026-04:5678", "mim2gene_medgen.2026-04:8968"],
        ),
    }


def test_every_mim_number_is_typed_for_gene_info(real, real_rows):
    """The types gene_info reads (ncbi_gene_kg.omim): per MIM number, whether some row types it gene or phenotype,
    rows without a GeneID included."""
    expected: dict[str, set[str]] = defaultdict(set)
    for row in real_rows:
        expected[row[0]].add(row[2])
    flags = {m: (str("gene" in t).lower(), str("phenotype" in t).lower()) for m, t in expected.items()}
    assert real["mim_types"] == flags
    assert Counter(real["mim_types"].values()) == {
        ("true", "false"): 17_642,
        ("false", "true"): 10_212,
        ("true", "true"): 9,  # 188400, 136570, … (test_large)
    }


@needs_real_file
def test_counts_by_type_match_the_file(real, real_rows):
    types = Counter(r[2] for r in real_rows)
    assert types == {"gene": 17651, "phenotype": 10950}
    gene_rows = [r for r in real_rows if r[2] == "gene" and r[1] != "-"]
    gene_nodes = [n for n in real["nodes"] if n["category"] == "biolink:Gene"]
    assert len(gene_nodes) == len({r[1] for r in gene_rows})
    assert sum(len(n["xref"].split("|")) for n in gene_nodes) == len(gene_rows) == 17651
    linked = [r for r in real_rows if r[2] == "phenotype" and r[1] != "-"]
    diseases = [n for n in real["nodes"] if n["category"] == "biolink:Disease"]
    assert {n["id"] for n in diseases} == {f"OMIM:{r[0]}" for r in linked}
    xrefs = Counter(n["xref"].split(":")[0] for n in diseases)
    assert xrefs == {
        "UMLS": len({r[0] for r in linked if not r[4].startswith("CN")}),
        "medgen": len({r[0] for r in linked if r[4].startswith("CN")}),
    }
    # Every edge is one (gene, phenotype) pair of the file and every pair has edges.
    assert {(e["subject"], e["object"]) for e in real["edges"]} == {
        (f"NCBIGene:{r[1]}", f"OMIM:{r[0]}") for r in linked
    }
    assert len({e["id"] for e in real["edges"]}) == len(real["edges"])
    # Two MIM numbers are a gene's entry and a linked phenotype (OMIM "+" entries, gene and phenotype in
    # one entry): they are a Gene xref and a Disease node.
    both = {f"OMIM:{m}" for m in {r[0] for r in gene_rows} & {r[0] for r in linked}}
    assert both == {"OMIM:136570", "OMIM:188400"}
    assert {n["id"]: n["category"] for n in real["nodes"] if n["id"] in both} == dict.fromkeys(both, "biolink:Disease")
    assert {n["id"] for n in gene_nodes if both & set(n["xref"].split("|"))} == {"NCBIGene:2464", "NCBIGene:1714"}


@needs_real_file
def test_counts_by_comment_and_source_match_the_file(real, real_rows):
    linked = [r for r in real_rows if r[2] == "phenotype" and r[1] != "-"]
    comment_values = Counter(v for r in linked for v in values(r[5]))
    assert comment_values == {
        "susceptibility": 582,
        "question": 655,
        "nondisease": 125,
        "QTL 2": 20,
        "modifier": 22,
        "somatic": 6,
        "QTL 1": 3,
    }
    sources = Counter(v for r in linked for v in values(r[3]))
    assert sources == {"GeneMap": 7372, "GeneReviews": 1072, "NCBI curation": 19, "GeneTests": 6, "OMIM": 5}

    def pairs(rows):
        return {(f"NCBIGene:{r[1]}", f"OMIM:{r[0]}") for r in rows}

    def edge_pairs(test):
        return {(e["subject"], e["object"]) for e in real["edges"] if test(e)}

    for value in comment_values:
        with_value = [r for r in linked if value in values(r[5])]
        assert edge_pairs(
            lambda e, v=value: v in e["description"].removeprefix("mim2gene_medgen Comment: ").split("; ")
        ) == pairs(with_value), value
    assert edge_pairs(lambda e: e["has_confidence_level"] == PROVISIONAL) == pairs(
        r for r in linked if "question" in values(r[5])
    )
    assert edge_pairs(lambda e: e["predicate"] == "biolink:contributes_to") == pairs(
        r for r in linked if "susceptibility" in values(r[5])
    )
    assert edge_pairs(lambda e: e["allelic_requirement"] == SOMATIC) == pairs(
        r for r in linked if "somatic" in values(r[5])
    )
    assert all(
        (e["predicate"] == "biolink:associated_with") == (e["association_basis_qualifier"] == "genetic")
        for e in real["edges"]
    )
    infores = {row["Source"]: row["primary_knowledge_source"] for row in load_table("mim2gene_sources")}
    expected = {
        (
            f"NCBIGene:{r[1]}",
            f"OMIM:{r[0]}",
            infores[s],
            "biolink:contributes_to" if "susceptibility" in values(r[5]) else "biolink:associated_with",
        )
        for r in linked
        for s in values(r[3])
    }
    assert {
        (e["subject"], e["object"], e["primary_knowledge_source"], e["predicate"]) for e in real["edges"]
    } == expected
    assert len(real["edges"]) == len(expected) == 8470


@needs_real_file
def test_duplicate_rows_give_one_edge(real):
    edges = [edge_tuple(e) for e in real["edges"] if e["subject"] == "NCBIGene:324" and e["object"] == "OMIM:175100"]
    assert sorted(edges) == [
        ("NCBIGene:324", "biolink:associated_with", "OMIM:175100", "infores:genereviews", "genetic", "", "", ""),
        ("NCBIGene:324", "biolink:associated_with", "OMIM:175100", "infores:omim", "genetic", "", "", ""),
    ]
    # 580000/55687: GeneMap says `susceptibility; modifier`, OMIM says nothing: two statements of OMIM's.
    edges = [edge_tuple(e) for e in real["edges"] if e["subject"] == "NCBIGene:55687" and e["object"] == "OMIM:580000"]
    assert sorted(edges) == [
        ("NCBIGene:55687", "biolink:associated_with", "OMIM:580000", "infores:omim", "genetic", "", "", ""),
        (
            "NCBIGene:55687",
            "biolink:contributes_to",
            "OMIM:580000",
            "infores:omim",
            "",
            "",
            "",
            "mim2gene_medgen Comment: susceptibility; modifier",
        ),
    ]


@needs_real_file
def test_repeated_comment_values_are_kept_once(real):
    [edge] = [e for e in real["edges"] if e["subject"] == "NCBIGene:3156" and e["object"] == "OMIM:620410"]
    assert edge["description"] == "mim2gene_medgen Comment: nondisease; QTL 2"
    [edge] = [e for e in real["edges"] if e["subject"] == "NCBIGene:3417" and e["object"] == "OMIM:137800"]
    assert (edge["predicate"], edge["allelic_requirement"], edge["description"]) == (
        "biolink:contributes_to",
        SOMATIC,
        "mim2gene_medgen Comment: susceptibility; somatic",
    )


# --- bundled sample, validation, taxon scope ------------------------------------------------------------


def test_sample_covers_every_value(tmp_path):
    out = run(tmp_path)
    with (SAMPLE_DIR / "mim2gene_medgen").open() as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    assert 150 <= len(rows) <= 400
    assert {v for r in rows for v in values(r[5])} == {r["Comment"] for r in load_table("mim2gene_comments")} - {"-"}
    # `NCBI` is the README's spelling; the file says `NCBI curation`.
    assert {v for r in rows for v in values(r[3])} == {r["Source"] for r in load_table("mim2gene_sources")} - {"NCBI"}
    assert {"672", "7157", "55876", "94103"} <= {r[1] for r in rows}
    account = out["accounting"]
    assert (account["read"], account["emitted"], account["rejected_total"]) == (len(rows), len(rows) - 6, 0)
    assert account["out_of_scope"][NO_GENE]["count"] == 6
    assert {e["primary_knowledge_source"] for e in out["edges"]} == {
        "infores:omim",
        "infores:genereviews",
        "infores:medgen",
        "infores:genetests",
    }
    assert any(n["xref"].startswith("medgen:CN") for n in out["nodes"])


def test_sample_output_validates(tmp_path):
    from ncbi_gene_kg.validate import check_graph, run_kgx_validator

    run(tmp_path)
    nodes, edges = tmp_path / "mim2gene_medgen_nodes.tsv", tmp_path / "mim2gene_medgen_edges.tsv"
    con = duckdb.connect()
    for table, path in (("nodes", nodes), ("edges", edges)):
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', delim = '\t', quote = '', "
            "escape = '', header = true, all_varchar = true)"
        )
    result = check_graph(con)
    run_kgx_validator(nodes, edges, result)
    assert result.errors == {}
    assert result.warnings == {}


def test_human_out_of_scope(tmp_path):
    out = run(tmp_path, taxa="10090")
    account = out["accounting"]
    assert (out["nodes"], out["edges"]) == ([], [])
    assert account["emitted"] == 0 and account["rejected"] == {}
    assert {k: v["count"] for k, v in account["out_of_scope"].items()} == {
        "human-only file, 9606 not in scope": account["read"]
    }
    assert out["mim_types"]["191170"] == ("true", "false")  # TP53's entry is typed whatever the scope


def test_all_taxa_is_like_default(tmp_path):
    default = run(tmp_path / "default")
    everything = run(tmp_path / "all", taxa="all")
    assert everything["edges"] == default["edges"] and everything["nodes"] == default["nodes"]
    assert everything["accounting"] == default["accounting"]


# --- edge cases: constructed rows (each derived from the real row in its comment) ----------------------


def test_unknown_and_missing_values_are_reported(tmp_path):
    path = write_rows(
        tmp_path / "mim2gene_medgen",
        [
            "100100\t1131\tphenotype\t GeneMap\tC0033770\t-",  # real
            # CONSTRUCTED from the row above: an unknown Source next to a known one, an unknown Comment
            "100100\t1132\tphenotype\t GeneMap; Orphanet\tC0033770\tdigenic; question",
            # CONSTRUCTED: no known Source value at all -> rejected
            "100100\t1133\tphenotype\t Orphanet\tC0033770\t-",
            # CONSTRUCTED: type '-' -> out of scope; GeneID not a number -> rejected
            "100100\t1134\t-\t-\t-\t-",
            "100100\tx1\tphenotype\t GeneMap\tC0033770\t-",
            # CONSTRUCTED: empty items, stray spaces, MedGenCUI that is neither a UMLS CUI nor a MedGen id
            "100200\t1135\tphenotype\tGeneMap ;; GeneReviews;\tX123\t susceptibility ;",
            # CONSTRUCTED from 113705/672: values on a gene row are not used
            "113705\t672\tgene\t GeneMap\t-\t-",
        ],
    )
    out = run(tmp_path / "out", path)
    account = out["accounting"]
    assert account["read"] == 7 and account["emitted"] == 4
    assert {k: v["count"] for k, v in account["rejected"].items()} == {
        "no known Source value": 1,
        "GeneID is not a number": 1,
    }
    assert {k: v["count"] for k, v in account["out_of_scope"].items()} == {"no type (type '-')": 1}
    assert {k: v["examples"] for k, v in account["dropped_values"].items()} == {
        "unknown Source value Orphanet": ["mim2gene_medgen:3"],
        "unknown Comment value digenic (kept in the description only)": ["mim2gene_medgen:3"],
        "MedGenCUI matches no registry pattern (UMLS, medgen)": ["mim2gene_medgen:7"],
        "Source on a gene row (not used)": ["mim2gene_medgen:8"],
    }
    by_gene = {e["subject"]: e for e in out["edges"]}
    assert edge_tuple(by_gene["NCBIGene:1132"]) == (
        "NCBIGene:1132",
        "biolink:associated_with",
        "OMIM:100100",
        "infores:omim",
        "genetic",
        PROVISIONAL,
        "",
        "mim2gene_medgen Comment: digenic; question",
    )
    assert sorted(edge_tuple(e) for e in out["edges"] if e["subject"] == "NCBIGene:1135") == [
        (
            "NCBIGene:1135",
            "biolink:contributes_to",
            "OMIM:100200",
            p,
            "",
            "",
            "",
            "mim2gene_medgen Comment: susceptibility",
        )
        for p in ("infores:genereviews", "infores:omim")
    ]
    nodes = {n["id"]: n for n in out["nodes"]}
    assert nodes["OMIM:100100"]["xref"] == "UMLS:C0033770"
    assert nodes["OMIM:100200"] == {
        "id": "OMIM:100200",
        "category": "biolink:Disease",
        "xref": "",
        "provided_by": "infores:ncbi-gene",
    }
    assert nodes["NCBIGene:672"]["xref"] == "OMIM:113705"
