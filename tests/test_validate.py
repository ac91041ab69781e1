"""Our checks over the graph's tables (validate.check_graph): each problem counted exactly, with examples."""

from __future__ import annotations

import duckdb

from ncbi_gene_kg.accounting import Tally
from ncbi_gene_kg.validate import check_graph

GO_EDGE = (
    "'biolink:enables', 'GO:0005515', 'biolink:MacromolecularMachineToMolecularActivityAssociation', "
    "'knowledge_assertion', 'manual_agent', 'infores:goa'"
)


def graph(*nodes: str, edges: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    """A connection holding tables nodes (id, category, name, xref) and edges (GO annotations with publications)."""
    con = duckdb.connect()
    con.execute(f"CREATE TABLE nodes AS SELECT * FROM (VALUES {', '.join(nodes)}) t(id, category, name, xref)")
    columns = "id, subject, predicate, object, category, knowledge_level, agent_type, primary_knowledge_source"
    con.execute(f"CREATE TABLE edges AS SELECT * FROM (VALUES {', '.join(edges)}) t({columns}, publications)")
    return con


TP53 = "('NCBIGene:7157', 'biolink:Gene', 'TP53', ['OMIM:191170'])"
PROTEIN_BINDING = "('GO:0005515', 'biolink:MolecularActivity', 'protein binding', NULL)"


def test_a_valid_graph_has_no_error() -> None:
    con = graph(TP53, PROTEIN_BINDING, edges=(f"('urn:md5:1', 'NCBIGene:7157', {GO_EDGE}, ['PMID:1'])",))
    result = check_graph(con)
    assert result.errors == {}
    assert result.shapes["nodes"].total == 2 and result.shapes["edges"].total == 1


def test_bad_values_and_prefixes_are_counted_record_by_record() -> None:
    """Counts are of the offending records, not of every record of their shape (three genes share one)."""
    con = graph(
        TP53,
        PROTEIN_BINDING,
        "('NCBIGene:1', 'biolink:Gene', '-', ['', 'HGNC:5'])",
        "('NCBIGene:2', 'biolink:Gene', 'A2M', ['HGNC:7|HGNC:8'])",
        "('FOO:1', 'biolink:Gene', 'x', ['NOPE:1'])",
        edges=(
            f"('urn:md5:1', 'NCBIGene:7157', {GO_EDGE}, ['PMID:1'])",
            f"('urn:md5:2', 'NCBIGene:1', {GO_EDGE}, ['PMID:2', 'PMID'])",
        ),
    )
    assert check_graph(con).errors == {
        "node name holds '-' or an empty value": Tally(1, ["NCBIGene:1: -"]),
        "node xref holds '-' or an empty value": Tally(
            2, ["NCBIGene:1: ['', 'HGNC:5']", "NCBIGene:2: ['HGNC:7|HGNC:8']"]
        ),
        "node id is not a CURIE with a registry prefix": Tally(1, ["FOO:1: id prefix FOO"]),
        "node xref is not a CURIE with a registry prefix": Tally(
            2, ["FOO:1: ['NOPE:1']", "NCBIGene:1: ['', 'HGNC:5']"]
        ),
        "edge publications is not a CURIE with a registry prefix": Tally(1, ["urn:md5:2: ['PMID:2', PMID]"]),
    }


def test_unknown_model_terms_and_missing_provenance() -> None:
    con = graph(
        TP53,
        PROTEIN_BINDING,
        "('NCBIGene:2', 'biolink:Gen', 'A2M', NULL)",
        edges=(
            "('urn:md5:3', 'NCBIGene:7157', 'biolink:enabled', 'GO:0005515', "
            "'biolink:MacromolecularMachineToMolecularActivityAssociation', NULL, 'manual_agent', 'infores:goa', "
            "NULL::VARCHAR[])",
        ),
    )
    assert check_graph(con).errors == {
        "node category not in the Biolink model": Tally(1, ["NCBIGene:2: biolink:Gen"]),
        "predicate not in the Biolink model": Tally(1, ["urn:md5:3: biolink:enabled"]),
        "edge without knowledge_level": Tally(1, ["urn:md5:3"]),
    }
