"""The graph as RDF N-Triples (issue 27): the bundled sample built with `--format tsv,nt`, read by real parsers
(rdflib, kgx's RdfSource) and loaded into a real SPARQL store (Oxigraph)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import tarfile
from collections import Counter
from pathlib import Path

import duckdb
import pyoxigraph
import pytest
import rdflib
from conftest import read_kgx
from sample_graph import build_sample

from ncbi_gene_kg.biolink import prefix_map, share_toolkit, use_offline_model
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.outputs import parse_formats
from ncbi_gene_kg.rdf import BIOLINK, NON_BIOLINK, NOT_IN_IRI, NT_FILE, expansions, write_nt

TP53 = "NCBIGene:7157"
PREFIXES = f"PREFIX biolink: <{BIOLINK}>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample graph as TSV and N-Triples."""
    return build_sample(tmp_path_factory.mktemp("nt"), formats=parse_formats(["nt"]))


@pytest.fixture(scope="module")
def text(graph: Path) -> str:
    return gzip.decompress((graph / NT_FILE).read_bytes()).decode("utf-8")


@pytest.fixture(scope="module")
def parsed(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="nt")


@pytest.fixture(scope="module")
def prefixes(graph: Path) -> dict[str, str]:
    """Every CURIE prefix of the graph with its IRI prefix."""
    expanded = expansions(duckdb.connect(str(graph / "ncbi_gene.duckdb"), read_only=True))
    return {p: e for table in expanded.values() for column in table.values() for p, e in column.items()}


def expand(curie: str, prefixes: dict[str, str]) -> str:
    prefix, local = curie.split(":", 1)
    return prefixes[prefix] + local


def test_rdflib_parses_the_whole_file_with_every_gene_typed_and_every_fact_direct(
    graph: Path, text: str, parsed: rdflib.Graph, prefixes: dict[str, str]
) -> None:
    genes = [n["id"] for n in read_kgx(graph / "ncbi_gene_nodes.tsv") if n["category"] == "biolink:Gene"]
    gene_type = rdflib.URIRef(BIOLINK + "Gene")
    assert genes and all((rdflib.URIRef(expand(g, prefixes)), rdflib.RDF.type, gene_type) in parsed for g in genes)
    assert len(parsed) == len(set(text.splitlines()))  # every line a triple (equal lines are one triple)

    edges = read_kgx(graph / "ncbi_gene_edges.tsv")
    facts = [e for e in edges if e["negated"].lower() != "true"]
    assert len(facts) < len(edges)  # the sample has a negated edge (gene2go NOT)
    subjects = {rdflib.URIRef(expand(e["subject"], prefixes)) for e in edges}
    direct = [line.split(" ", 2) for line in text.splitlines()]
    predicates = {"<" + expand(e["predicate"], prefixes) + ">" for e in edges}
    lines = Counter(p for s, p, _ in direct if p in predicates and not s.startswith("<urn:"))
    assert lines == Counter("<" + expand(e["predicate"], prefixes) + ">" for e in facts)
    # In the parsed graph, a set, two edges of the same triple (say OMIM's and GeneReviews') are one triple.
    triples = Counter(str(p) for s, p, _ in parsed if s in subjects and f"<{p}>" in predicates)
    distinct = {(e["subject"], e["predicate"], e["object"]) for e in facts}
    assert triples == Counter(expand(p, prefixes) for _, p, _ in distinct)


def oxigraph(text: str) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(text.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def answers(store: pyoxigraph.Store, query: str) -> set[tuple[str, ...]]:
    return {tuple(term.value for term in row) for row in store.query(PREFIXES + query)}


def test_sparql_on_oxigraph_finds_tp53s_orthologs_and_the_negated_go_annotations(
    graph: Path, text: str, prefixes: dict[str, str]
) -> None:
    store = oxigraph(text)
    tp53 = expand(TP53, prefixes)
    edges = read_kgx(graph / "ncbi_gene_edges.tsv")
    orthologs = {
        (expand(e["object"] if e["subject"] == TP53 else e["subject"], prefixes),)
        for e in edges
        if e["predicate"] == "biolink:orthologous_to" and TP53 in (e["subject"], e["object"])
    }
    query = (
        f"SELECT ?g WHERE {{ {{ <{tp53}> biolink:orthologous_to ?g }} UNION {{ ?g biolink:orthologous_to <{tp53}> }} }}"
    )
    assert orthologs and answers(store, query) == orthologs

    negated = """SELECT ?gene ?go WHERE { ?a rdf:subject ?gene ; rdf:object ?go ; biolink:negated true .
                                          FILTER(STRSTARTS(STR(?go), "http://purl.obolibrary.org/obo/GO_")) }"""
    expected = {
        (expand(e["subject"], prefixes), expand(e["object"], prefixes))
        for e in edges
        if e["negated"].lower() == "true" and e["object"].startswith("GO:")
    }
    assert expected and answers(store, negated) == expected
    # TP53 has no NOT annotation in the sample's gene2go rows: the query for its own answers what the TSV has.
    tp53_negated = negated.replace("?gene", f"<{tp53}>").replace("SELECT <" + tp53 + "> ?go", "SELECT ?go")
    assert answers(store, tp53_negated) == {(go,) for gene, go in expected if gene == tp53}
    # A negated edge is no fact: its triple is there only when an edge that is not negated has it too (the sample's
    # negated edge has one: the same gene and process, another evidence).
    facts = {(e["subject"], e["predicate"], e["object"]) for e in edges if e["negated"].lower() != "true"}
    for e in (e for e in edges if e["negated"].lower() == "true"):
        triple = " ".join(f"<{expand(e[c], prefixes)}>" for c in ("subject", "predicate", "object"))
        assert bool(store.query(f"ASK {{ {triple} }}")) == ((e["subject"], e["predicate"], e["object"]) in facts)


def test_kgx_rdf_source_reads_back_the_same_nodes_and_edges(
    graph: Path, monkeypatch: pytest.MonkeyPatch, prefixes: dict[str, str]
) -> None:
    use_offline_model()
    share_toolkit()
    from kgx.curie_lookup_service import CurieLookupService
    from kgx.transformer import Transformer

    # kgx's RdfSource looks predicate labels up in RO and BFO, fetched from the web on first use: offline, none.
    monkeypatch.setattr(CurieLookupService, "ontologies", {})
    transformer = Transformer()
    transformer.transform(
        {
            "filename": [str(graph / NT_FILE)],
            "format": "nt",
            "compression": "gz",
            # As docs/outputs.md says: the file's own prefixes, the node properties whose values are IRIs (kgx would
            # read them as edges), and the names of the properties outside the Biolink model.
            "prefix_map": {p: e for p, e in prefixes.items() if prefix_map().get(p) != e},
            "node_property_predicates": [BIOLINK + "xref", BIOLINK + "in_taxon"],
            "predicate_mappings": {NON_BIOLINK + name: name for name in ("chromosome", "map_location")},
        }
    )
    store = transformer.store.graph
    nodes = read_kgx(graph / "ncbi_gene_nodes.tsv")
    assert {n for n, _ in store.nodes(data=True)} == {n["id"] for n in nodes}
    tp53 = store.get_node(TP53)
    assert tp53["xref"] == next(n["xref"] for n in nodes if n["id"] == TP53).split("|")
    assert tp53["chromosome"] == "17"

    edges = read_kgx(graph / "ncbi_gene_edges.tsv")
    read = [data for _, _, _, data in store.edges(keys=True, data=True)]
    # kgx keys an edge by subject, predicate and object: edges differing only in their source, negation or
    # qualifiers (29 of the sample's 607: OMIM's and GeneReviews' of one gene and disease) are one edge there.
    spo = Counter((e["subject"], e["predicate"], e["object"]) for e in edges)
    assert Counter((d["subject"], d["predicate"], d["object"]) for d in read) == Counter(set(spo))
    ids = {e["id"] for e in edges}
    assert {d["id"] for d in read} <= ids
    alone = {e["id"] for e in edges if spo[e["subject"], e["predicate"], e["object"]] == 1}
    assert alone <= {d["id"] for d in read}


def test_every_iri_is_absolute_and_valid(parsed: rdflib.Graph) -> None:
    iris = {t for triple in parsed for t in triple if isinstance(t, rdflib.URIRef)}
    scheme = re.compile(r"^(https?|urn):[^\s]+$")
    assert iris and all(scheme.match(i) and not re.search(f"[{NOT_IN_IRI}]", i) for i in iris)
    assert not any("example.org" in i or "UNKNOWN" in i for i in iris)
    # MIRLET7A1's miRBase xref: Biolink's map gives identifiers.org's mirbase without its final '/'
    assert rdflib.URIRef("http://identifiers.org/mirbase/MI0000060") in iris
    assert not [i for i in iris if "identifiers.org/mirbaseMI" in i]


def constructed_graph(con: duckdb.DuckDBPyConnection, description: str, xref: str = "HGNC:1") -> None:
    """A one-gene, one-edge graph (constructed test data, not NCBI's) in the graph tables' shape."""
    con.execute(
        "CREATE OR REPLACE TABLE nodes AS SELECT 'NCBIGene:1' AS id, 'biolink:Gene' AS category, 'A1BG' AS name, "
        "? AS description, [?] AS xref, ['17'] AS chromosome",
        [description, xref],
    )
    con.execute(
        "CREATE OR REPLACE TABLE edges AS SELECT 'urn:md5:0' AS id, 'NCBIGene:1' AS subject, "
        "'biolink:orthologous_to' AS predicate, 'NCBIGene:2' AS object, 'biolink:GeneToGeneHomologyAssociation' "
        "AS category, true AS negated, 12::BIGINT AS start_interbase_coordinate"
    )


def test_literals_are_escaped_and_round_trip(tmp_path: Path) -> None:
    # Constructed: quotes, backslashes, line ends, a tab and another control character, non-ASCII text.
    description = 'a "quoted" \\ backslash\nline\r\tend\x01 – β-catenin, Müller, 日本'
    con = duckdb.connect()
    constructed_graph(con, description)
    written = write_nt(con, tmp_path)
    text = gzip.decompress(written.path.read_bytes()).decode("utf-8")
    gene = rdflib.URIRef(prefix_map()["NCBIGene"] + "1")
    read = rdflib.Graph().parse(data=text, format="nt")
    assert read.value(gene, rdflib.URIRef(BIOLINK + "description")).toPython() == description
    assert read.value(gene, rdflib.URIRef(NON_BIOLINK + "chromosome")).toPython() == "17"
    association = rdflib.URIRef("urn:md5:0")
    assert read.value(association, rdflib.URIRef(BIOLINK + "negated")).toPython() is True
    assert read.value(association, rdflib.URIRef(BIOLINK + "start_interbase_coordinate")).toPython() == 12
    assert not any(s == gene and p == rdflib.URIRef(BIOLINK + "orthologous_to") for s, p, _ in read)
    store = oxigraph(text)
    assert answers(store, f"SELECT ?d WHERE {{ <{gene}> biolink:description ?d }}") == {(description,)}


def test_a_prefix_without_an_iri_is_an_error() -> None:
    con = duckdb.connect()
    constructed_graph(con, "text", xref="NOSUCHDB:42")
    with pytest.raises(UserError, match="CURIE prefix NOSUCHDB \\(e.g. NOSUCHDB:42\\) has no IRI"):
        expansions(con)


def test_the_file_is_listed_bundled_and_the_same_from_the_same_graph(graph: Path, tmp_path: Path) -> None:
    data = (graph / NT_FILE).read_bytes()
    listed = {f["name"]: f for f in json.loads((graph / "graph_metadata.json").read_text())["distribution"]}
    assert listed[NT_FILE] == {
        "name": NT_FILE,
        "format": "RDF N-Triples (gzip)",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    with tarfile.open(graph / "ncbi_gene.tar.gz") as tar:
        bundled = tar.extractfile(NT_FILE)
        assert bundled is not None and bundled.read() == data
    again = write_nt(duckdb.connect(str(graph / "ncbi_gene.duckdb"), read_only=True), tmp_path)
    assert again.path.read_bytes() == data


def test_an_identifier_no_iri_can_be_made_of_is_an_error() -> None:
    con = duckdb.connect()
    constructed_graph(con, "text")
    con.execute("UPDATE nodes SET id = 'NCBIGene:1 2'")
    with pytest.raises(UserError, match="identifier 'NCBIGene:1 2' is not a CURIE an IRI can be made of"):
        expansions(con)
