"""gene_neighbors transform on real rows: tests/data/ncbi/gene_neighbors/eleven_taxa.2024.gene_neighbors (MX1,
NCBIGene:4599, on GRCh38.p14 and T2T-CHM13v2.0; WDR45 and PRAF2, which list each other; NG_, ALT_REF_LOCI and
PATCHES rows; 10 other vertebrates), run through Koza."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import REAL_DATA, edge_id, merge_sources, run_koza, write_rows
from koza.graph_operations import run_biolink_check
from koza.model.graph_operations import BiolinkCheckConfig
from sample_graph import build_sample_graph

from ncbi_gene_kg import biolink
from ncbi_gene_kg.card import gene_card, render_text
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import SAMPLE_DIR

EXCERPT = REAL_DATA / "gene_neighbors" / "eleven_taxa.2024.gene_neighbors"
LINES = EXCERPT.read_text().splitlines()
HEADER = LINES[0]
MX1_GRCH38, MX1_T2T = LINES[27], LINES[175]  # file lines 28 and 176
WDR45, PRAF2 = LINES[21], LINES[22]  # file lines 22 and 23: neighbors of each other on NC_000023.11

# MX1's row on NC_000021.9 (Reference GRCh38.p14 Primary Assembly), split on '|'.
MX1_LEFT = [
    "4600",
    "54097",
    "127894710",
    "127894711",
    "127894712",
    "127894713",
    "127894714",
    "127894715",
    "128772427",
    "128849172",
    "130066691",
    "130066692",
    "130066693",
    "130066694",
    "130066695",
    "130066696",
    "130066697",
]
MX1_RIGHT = [
    "7113",
    "111099027",
    "117134604",
    "117134605",
    "117134606",
    "117134607",
    "117134608",
    "117134611",
    "117135104",
    "124905021",
    "127894717",
    "127894718",
    "130066701",
    "130066702",
]
MX1_OVERLAPPING = ["126653381", "127894716", "130066698", "130066699", "130066700"]


def run(tmp_path: Path, rows: list[str] | None = None, **fields: str):
    """The transform on the excerpt or on ``rows``; without location edges unless ``locations="true"`` (the
    neighbor tests count neighbor edges)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    inputs = [EXCERPT] if rows is None else [write_rows(tmp_path / "gene_neighbors", HEADER, rows)]
    return run_koza("gene_neighbors", inputs, tmp_path / "out", **{"locations": "false", **fields})


def pair_edge(a: str, predicate: str, b: str) -> dict[str, str]:
    subject, obj = f"NCBIGene:{a}", f"NCBIGene:{b}"
    return {
        "id": edge_id(subject, predicate, obj),
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "category": "biolink:GeneToGeneAssociation",
        "start_interbase_coordinate": "",
        "end_interbase_coordinate": "",
        "strand": "",
        "genome_build": "",
        "knowledge_level": "knowledge_assertion",
        "agent_type": "automated_agent",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
    }


def at(edges: list[dict[str, str]], gene: str, predicate: str) -> list[str]:
    """The GeneIDs paired with ``gene`` by ``predicate`` edges, in numeric order."""
    ends = [
        e["object"] if e["subject"] == f"NCBIGene:{gene}" else e["subject"]
        for e in edges
        if e["predicate"] == predicate and f"NCBIGene:{gene}" in (e["subject"], e["object"])
    ]
    return sorted((end.removeprefix("NCBIGene:") for end in ends), key=int)


def test_mx1_neighbors_and_overlaps_on_the_reference_assembly(tmp_path):
    out = run(tmp_path)
    assert at(out.edges, "4599", "biolink:genetic_neighborhood_of") == sorted(MX1_LEFT + MX1_RIGHT, key=int)
    assert at(out.edges, "4599", "biolink:overlaps") == MX1_OVERLAPPING
    # MX1's GeneID is the smallest of its 36 partners: every edge has it as subject.
    assert pair_edge("4599", "biolink:genetic_neighborhood_of", "4600") in out.edges
    assert pair_edge("4599", "biolink:overlaps", "126653381") in out.edges
    assert not [e for e in out.edges if e["predicate"] == "biolink:has_sequence_location"]  # locations: false
    assert out.nodes == []


def test_all_assemblies_add_the_t2t_placement(tmp_path):
    # On T2T-CHM13v2.0 MX1 has two more right neighbors (and lacks 124905021), and 130066697 moves from its
    # left to overlapping: the pair keeps its GRCh38 edge and gains an overlaps edge.
    out = run(tmp_path, [MX1_GRCH38, MX1_T2T], assemblies="all")
    assert at(out.edges, "4599", "biolink:genetic_neighborhood_of") == sorted(
        MX1_LEFT + MX1_RIGHT + ["117135105", "124900472"], key=int
    )
    assert at(out.edges, "4599", "biolink:overlaps") == sorted(MX1_OVERLAPPING + ["130066697"], key=int)
    assert out.account.emitted == 2
    # The 34 partners the T2T row repeats with the same predicate (16 left, 13 right, 5 overlapping) make no
    # second edge.
    assert (
        out.account.dropped_values[
            "pair already given by an earlier row (NCBI lists a pair from both genes and on every assembly)"
        ].count
        == 34
    )
    by_default = run(tmp_path / "reference", [MX1_GRCH38, MX1_T2T])
    assert by_default.account.out_of_scope["not the taxon's reference assembly"].examples == ["gene_neighbors:3"]


def test_a_pair_listed_by_both_genes_makes_one_edge(tmp_path):
    out = run(tmp_path, [WDR45, PRAF2])
    assert at(out.edges, "11152", "biolink:genetic_neighborhood_of").count("11230") == 1
    assert pair_edge("11152", "biolink:genetic_neighborhood_of", "11230") in out.edges
    reason = "pair already given by an earlier row (NCBI lists a pair from both genes and on every assembly)"
    assert out.account.dropped_values[reason].examples == ["gene_neighbors:3"]


def test_row_accounting_of_the_excerpt(tmp_path):
    out = run(tmp_path)
    account = out.account
    assert (account.read, account.emitted, account.rejected) == (300, 119, {})
    assert {reason: t.count for reason, t in account.out_of_scope.items()} == {
        "taxon not in scope": 25,  # the 10 other vertebrates
        "RefSeqGene NG_ sequence (no assembly): counted, not placed": 21,
        "alternate locus or patch of the reference assembly": 17,  # ALT_REF_LOCI_1..9 (11), PATCHES (6)
        "not the taxon's reference assembly": 118,  # Alternate T2T-CHM13v2.0
    }
    assert account.out_of_scope["RefSeqGene NG_ sequence (no assembly): counted, not placed"].examples == [
        f"eleven_taxa.2024.gene_neighbors:{n}" for n in (2, 3, 4, 5, 8)
    ]
    assert Counter(e["predicate"] for e in out.edges) == {
        "biolink:genetic_neighborhood_of": 1840,
        "biolink:overlaps": 223,
    }
    assert len({(e["subject"], e["predicate"], e["object"]) for e in out.edges}) == len(out.edges)
    assert all(int(e["subject"][9:]) < int(e["object"][9:]) for e in out.edges)


def test_other_taxa_and_all_assemblies(tmp_path):
    every_taxon = run(tmp_path / "taxa", taxa="all")
    assert (every_taxon.account.emitted, every_taxon.account.n_out_of_scope) == (144, 156)
    everything = run(tmp_path / "all", taxa="all", assemblies="all")
    assert (everything.account.emitted, everything.account.n_out_of_scope) == (279, 21)
    assert Counter(e["predicate"] for e in everything.edges) == {
        "biolink:genetic_neighborhood_of": 2132,
        "biolink:overlaps": 233,
    }


def test_ortholog_scope_both_and_either_keep_the_same_pairs(tmp_path):
    # A neighbor lies on the row's own sequence, so it has the row's taxon: both ends are in scope either way.
    both = run(tmp_path / "both", ortholog_scope="both")
    either = run(tmp_path / "either", ortholog_scope="either")
    assert both.edges == either.edges and both.account == either.account
    with pytest.raises(UserError, match="ortholog_scope 'some' is not one of both, either"):
        run(tmp_path / "bad", ortholog_scope="some")
    with pytest.raises(UserError, match="assemblies 'primary' is not one of reference, all"):
        run(tmp_path / "bad2", assemblies="primary")


def test_rejected_rows_and_dropped_values(tmp_path):
    # Constructed damage on MX1's real row: a '-' GeneID, a start that is no number, end before start,
    # an unknown orientation, a lost field; a neighbor list with a non-number and the gene itself.
    fields = MX1_GRCH38.split("\t")

    def damaged(**changes: str) -> str:
        names = HEADER.lstrip("#").split("\t")
        return "\t".join(changes.get(name.replace(".", "_"), value) for name, value in zip(names, fields, strict=True))

    rows = [
        damaged(GeneID="-"),
        damaged(start_position="41,420,557"),
        damaged(end_position="41420556"),
        damaged(orientation="x"),
        "\t".join(fields[:-1]),
        damaged(GeneIDs_on_left="4600|LOC4601|4599", GeneIDs_on_right="-", overlapping_GeneIDs="-"),
    ]
    out = run(tmp_path, rows)
    assert {reason: t.examples for reason, t in out.account.rejected.items()} == {
        "GeneID is not a number": ["gene_neighbors:2"],
        "start_position is not a number": ["gene_neighbors:3"],
        "end_position before start_position": ["gene_neighbors:4"],
        "orientation is not +, - or ?": ["gene_neighbors:5"],
        "wrong column count": ["gene_neighbors:6"],
    }
    assert {reason: t.count for reason, t in out.account.dropped_values.items()} == {
        "neighbor GeneID is not a number": 1,
        "gene listed as its own neighbor": 1,
    }
    assert out.edges == [pair_edge("4599", "biolink:genetic_neighborhood_of", "4600")]
    assert out.account.balanced


def test_bundled_sample(tmp_path):
    # MX1 and WDR45 on GRCh38 emitted; an NG_ row, an ALT_REF_LOCI row, MX1 on T2T and a lamprey row are not.
    out = run_koza("gene_neighbors", [SAMPLE_DIR / "gene_neighbors.gz"], tmp_path / "out")
    assert (out.account.read, out.account.emitted, out.account.n_out_of_scope, out.account.n_rejected) == (6, 2, 4, 0)
    # MX1: 17 left + 14 right, 5 overlapping; WDR45: 5 left + 8 right, 5 overlapping; a location each (default).
    assert Counter(e["predicate"] for e in out.edges) == {
        "biolink:genetic_neighborhood_of": 31 + 13,
        "biolink:overlaps": 5 + 5,
        "biolink:has_sequence_location": 2,
    }
    assert sorted(n["id"] for n in out.nodes) == ["refseq:NC_000021.9", "refseq:NC_000023.11"]


def test_output_is_deterministic(tmp_path):
    rows = LINES[1:60]
    first = run(tmp_path / "a", rows, assemblies="all", locations="true")
    second = run(tmp_path / "b", list(reversed(rows)), assemblies="all", locations="true")
    assert (first.nodes, first.edges) == (second.nodes, second.edges)


def test_predicates_and_categories_exist_in_biolink():
    for predicate in ("biolink:genetic_neighborhood_of", "biolink:overlaps", "biolink:has_sequence_location"):
        assert biolink.is_predicate(predicate)
    for category in (
        "biolink:GeneToGeneAssociation",
        "biolink:SequenceAssociation",
        "biolink:NucleicAcidEntity",
        "biolink:Gene",
    ):
        assert biolink.is_category(category)


def location(gene: str, accession: str, start: int, end: int, strand: str, build: str) -> dict[str, str]:
    subject, obj = f"NCBIGene:{gene}", f"refseq:{accession}"
    return {
        "id": edge_id(subject, "biolink:has_sequence_location", obj),
        "subject": subject,
        "predicate": "biolink:has_sequence_location",
        "object": obj,
        "category": "biolink:SequenceAssociation",
        "start_interbase_coordinate": str(start),
        "end_interbase_coordinate": str(end),
        "strand": strand,
        "genome_build": build,
        "knowledge_level": "knowledge_assertion",
        "agent_type": "automated_agent",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
    }


def test_mx1_location_in_interbase_coordinates(tmp_path):
    # MX1's rows: NC_000021.9 41420557..41459213 and NC_060945.1 39807997..39847897, 0-based inclusive, '+'.
    # Interbase: the start stays, the end is one past the last base (38,657 and 39,901 bases).
    out = run(tmp_path, [MX1_GRCH38, MX1_T2T], assemblies="all", locations="true")
    located = [e for e in out.edges if e["predicate"] == "biolink:has_sequence_location"]
    assert located == [
        location("4599", "NC_000021.9", 41420557, 41459214, "+", "GRCh38.p14"),
        location("4599", "NC_060945.1", 39807997, 39847898, "+", "T2T-CHM13v2.0"),
    ]
    assert out.nodes == [
        {
            "id": "refseq:NC_000021.9",
            "category": "biolink:NucleicAcidEntity",
            "name": "chromosome 21 (GRCh38.p14)",
            "description": "NC_000021.9: chromosome 21 of the assembly Reference GRCh38.p14 Primary Assembly",
            "in_taxon": "NCBITaxon:9606",
            "provided_by": "infores:ncbi-gene",
        },
        {
            "id": "refseq:NC_060945.1",
            "category": "biolink:NucleicAcidEntity",
            "name": "chromosome 21 (T2T-CHM13v2.0)",
            "description": "NC_060945.1: chromosome 21 of the assembly Alternate T2T-CHM13v2.0",
            "in_taxon": "NCBITaxon:9606",
            "provided_by": "infores:ncbi-gene",
        },
    ]


def test_minus_strand_and_scaffold_locations(tmp_path):
    # WDR45 (11152) on chrX, '-' (read as NULL by the scan like every '-', written back as the minus strand);
    # RPL36AP50 (100271648) on an ALT_REF_LOCI scaffold without a chromosome.
    out = run(tmp_path, [WDR45, LINES[5]], assemblies="all", locations="true")
    assert [e for e in out.edges if e["predicate"] == "biolink:has_sequence_location"] == [  # by subject
        location("100271648", "NW_003571060.1", 876539, 876829, "+", "GRCh38.p14"),
        location("11152", "NC_000023.11", 49074441, 49101178, "-", "GRCh38.p14"),
    ]
    assert [(n["id"], n["name"], n["description"]) for n in out.nodes] == [
        (
            "refseq:NC_000023.11",
            "chromosome X (GRCh38.p14)",
            "NC_000023.11: chromosome X of the assembly Reference GRCh38.p14 Primary Assembly",
        ),
        (
            "refseq:NW_003571060.1",
            "NW_003571060.1",
            "NW_003571060.1: a sequence of the assembly Reference GRCh38.p14 ALT_REF_LOCI_7",
        ),
    ]


def test_locations_on_the_excerpt(tmp_path):
    out = run(tmp_path, locations="true")
    located = [e for e in out.edges if e["predicate"] == "biolink:has_sequence_location"]
    assert len(located) == out.account.emitted == 119  # one per gene on GRCh38.p14 Primary Assembly
    assert {e["genome_build"] for e in located} == {"GRCh38.p14"}
    assert all(int(e["end_interbase_coordinate"]) > int(e["start_interbase_coordinate"]) for e in located)
    assert len(out.nodes) == 21  # the 21 chromosomes (NC_) the 119 genes are on
    assert len(run(tmp_path / "no", locations="no").edges) == 2182 - 119  # the yes/no words of every flag field
    with pytest.raises(UserError, match="locations 'maybe' is not true or false"):
        run(tmp_path / "bad", locations="maybe")


def test_koza_biolink_check_finds_no_strict_violation(tmp_path):
    """koza biolink-check on gene_info's Gene nodes and this transform's output (sample rows, locations on)."""
    genes = run_koza("gene_info", [SAMPLE_DIR / "gene_info.gz"], tmp_path / "genes")
    here = run_koza("gene_neighbors", [SAMPLE_DIR / "gene_neighbors.gz"], tmp_path / "neighbors", locations="true")
    database = tmp_path / "graph.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE nodes (id VARCHAR, category VARCHAR)")
        con.executemany("INSERT INTO nodes VALUES (?, ?)", [(n["id"], n["category"]) for n in genes.nodes + here.nodes])
        con.execute("CREATE TABLE edges (subject VARCHAR, predicate VARCHAR, object VARCHAR, category VARCHAR)")
        con.executemany(
            "INSERT INTO edges VALUES (?, ?, ?, ?)",
            [(e["subject"], e["predicate"], e["object"], e["category"]) for e in here.edges],
        )
    result = run_biolink_check(
        BiolinkCheckConfig(database_path=database, output_dir=tmp_path / "check", output_format="tsv", quiet=True)
    )
    assert result.subobj_strict_error_types == 0
    findings = read_tsv(tmp_path / "check" / "subobj_errors.tsv")
    assert sorted((f["subject_category"], f["predicate"], f["object_category"], f["verdict"]) for f in findings) == [
        ("['biolink:Gene']", "biolink:has_sequence_location", "['biolink:NucleicAcidEntity']", "NOT_IN_LEGAL_TYPES"),
        ("['biolink:Gene']", "biolink:overlaps", "['biolink:Gene']", "NOT_IN_LEGAL_TYPES"),
    ]
    # NucleicAcidEntity's id_prefixes are chemical databases only: a RefSeq id is reported (a model gap).
    assert [(f["prefix"], f["categories"]) for f in read_tsv(tmp_path / "check" / "prefix_errors.tsv")] == [
        ("refseq", "['biolink:NucleicAcidEntity']")
    ]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_card_shows_mx1_location_and_neighbors(tmp_path_factory):
    """The card of MX1 on the bundled sample graph (default build: with locations)."""
    built = build_sample_graph(tmp_path_factory.getbasetemp())
    card = gene_card(built, "MX1")
    assert card.location == {
        "chromosome": "21",  # gene_info's, outside the Biolink model
        "map_location": "21q22.3",
        "placement": "NC_000021.9 chromosome 21 (GRCh38.p14), interbase 41420557-41459214, strand +",
    }
    # MX1's 36 partners less the 23 that the 2022-11 gene_info of the sample does not have (newer records,
    # dropped by the merge as dangling edges).
    by_predicate = {
        p: sorted((g.id.removeprefix("NCBIGene:") for g in card.related_genes if g.predicate == p), key=int)
        for p in ("biolink:genetic_neighborhood_of", "biolink:overlaps")
    }
    assert by_predicate == {
        "biolink:genetic_neighborhood_of": [
            "4600",
            "7113",
            "54097",
            "111099027",
            "117134604",
            "117134605",
            "117134606",
            "117134607",
            "117134608",
            "117134611",
            "117135104",
            "124905021",
        ],
        "biolink:overlaps": ["126653381"],
    }
    text = render_text(card, width=100)
    assert "\n\nneighbors (13)\n  genetic neighborhood of  FAM3B (NCBIGene:54097), LOC111099027" in text
    assert "\n  overlaps                 LOC126653381 (NCBIGene:126653381)\n" in text
    assert "  location     chromosome 21, map location 21q22.3, placement NC_000021.9 chromosome 21" in text


def test_card_shows_coordinates_when_locations_are_written(tmp_path):
    """gene_info's and gene_neighbors' (locations: true) outputs merged into a graph, read by the card."""
    inputs = {"gene_info": [SAMPLE_DIR / "gene_info.gz"], "gene_neighbors": [SAMPLE_DIR / "gene_neighbors.gz"]}
    merge_sources(tmp_path, inputs, locations="true")[0].close()
    graph = tmp_path / "graph"
    graph.mkdir()
    (tmp_path / "graph.duckdb").rename(graph / "ncbi_gene.duckdb")
    card = gene_card(graph, "MX1")
    assert card.location == {
        "chromosome": "21",  # gene_info's, outside the Biolink model
        "map_location": "21q22.3",
        "placement": "NC_000021.9 chromosome 21 (GRCh38.p14), interbase 41420557-41459214, strand +",
    }
    assert "location     chromosome 21, map location 21q22.3, placement NC_000021.9 chromosome 21 (GRCh38.p14), " in (
        render_text(card, width=120)
    )
    assert gene_card(graph, "WDR45").location == {
        "chromosome": "X",
        "map_location": "Xp11.23",
        "placement": "NC_000023.11 chromosome X (GRCh38.p14), interbase 49074441-49101178, strand -",
    }
