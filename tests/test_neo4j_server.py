"""The Neo4j test server itself (scripts/neo4j-test-server.sh): bolt round trip, neo4j-admin import.

Each test starts its own server in a temporary home (about 10 s, more on a loaded machine) and stops it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j_server import import_csv, neo4j_home, running_server

pytestmark = pytest.mark.neo4j

# What the KGX export hands neo4j-admin: tab-separated, '|' between array elements and between labels,
# '"' as plain data (the script's import sets no quote character).
NODES = (
    "id:ID\tname\tsynonym:string[]\t:LABEL\n"
    "NCBIGene:1\tA1BG\tA1B|ABG|GAB|HYST2477\tbiolink:Gene|biolink:NamedThing\n"
    'NCBIGene:2\t"alpha-2-macroglobulin" (quoted)\t\tbiolink:Gene|biolink:NamedThing\n'
    "NCBITaxon:9606\tHomo sapiens\t\tbiolink:OrganismTaxon|biolink:NamedThing\n"
)
RELATIONSHIPS = (
    ":START_ID\t:END_ID\t:TYPE\tprimary_knowledge_source\n"
    "NCBIGene:1\tNCBITaxon:9606\tbiolink:in_taxon\tinfores:ncbi-gene\n"
    "NCBIGene:2\tNCBITaxon:9606\tbiolink:in_taxon\tinfores:ncbi-gene\n"
)


def test_server_round_trip_over_bolt(tmp_path: Path) -> None:
    with running_server(neo4j_home(tmp_path)) as server:
        assert server.bolt_uri.startswith("bolt://127.0.0.1:")
        with server.driver() as driver:
            driver.verify_connectivity()
            driver.execute_query("CREATE (:Probe {name: $name, tags: $tags})", name="smoke", tags=["a", "b"])
            records, _, _ = driver.execute_query("MATCH (p:Probe) RETURN p.name AS name, p.tags AS tags")
            assert [(r["name"], r["tags"]) for r in records] == [("smoke", ["a", "b"])]
            assert driver.get_server_info().agent.startswith("Neo4j/5.26.")
    assert not (server.home / "run" / "neo4j.pid").exists()


def test_admin_import_then_count(tmp_path: Path) -> None:
    home = neo4j_home(tmp_path)
    nodes, relationships = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(NODES, encoding="utf-8")
    relationships.write_text(RELATIONSHIPS, encoding="utf-8")

    report = import_csv(home, nodes, relationships)
    assert "IMPORT DONE" in report

    with running_server(home) as server, server.driver() as driver:

        def one(query: str) -> object:
            records, _, _ = driver.execute_query(query)
            return records[0][0]

        assert one("MATCH (n) RETURN count(n)") == 3
        assert one("MATCH (:`biolink:Gene`) RETURN count(*)") == 2
        assert one("MATCH (:`biolink:NamedThing`) RETURN count(*)") == 3
        assert one("MATCH ()-[r:`biolink:in_taxon`]->(:`biolink:OrganismTaxon`) RETURN count(r)") == 2
        assert one("MATCH ()-[r]->() RETURN collect(DISTINCT r.primary_knowledge_source)") == ["infores:ncbi-gene"]
        assert one("MATCH (n {id: 'NCBIGene:1'}) RETURN n.synonym") == ["A1B", "ABG", "GAB", "HYST2477"]
        assert one("MATCH (n {id: 'NCBIGene:2'}) RETURN n.name") == '"alpha-2-macroglobulin" (quoted)'
        # An empty array cell is no property at all, not an empty list.
        assert one("MATCH (n {id: 'NCBIGene:2'}) RETURN n.synonym IS NULL") is True
