"""The Neo4j export (neo4j-admin import) and the Bolt loader, checked against a real Neo4j 5.26 server.

One server serves the whole module (docs/neo4j-server.md): the bundled-sample graph, plus a handmade
graph of hard values, is exported, imported with the exact command of the export's import.sh, and the
server started with auth on. The admin-imported graph is compared, node by node and edge by edge, with
the graph database's rows; the Bolt loader is then run over it (it must find nothing to change), and into the
emptied database (same graph, and a second run changes nothing). Tests without a server check the files.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import re
import shutil
import socket
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from neo4j_server import IMPORT_TIMEOUT_S, SCRIPT, Neo4jServer, neo4j_home, running_server
from rich.console import Console
from sample_graph import build_sample_graph

from ncbi_gene_kg.biolink import category_ancestors
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH_DB, open_graph
from ncbi_gene_kg.kgx import kgx_type
from ncbi_gene_kg.neo4j_export import (
    ARRAY_DELIMITER,
    CONSTRAINTS_FILE,
    IMPORT_SCRIPT,
    NODES_FILE,
    RELATIONSHIPS_FILE,
    export,
    import_command,
    neo4j_type,
    run_export,
)
from ncbi_gene_kg.neo4j_load import Credentials, LoadResult, connect, load, read_credentials, run_load

PASSWORD = "sample-graph-pw-4711"  # the test server's; asserted never to show in output
TP53, BRCA1, MOUSE = "NCBIGene:7157", "NCBIGene:672", "NCBITaxon:10090"
GO_ASPECTS = ["biolink:BiologicalProcess", "biolink:MolecularActivity", "biolink:CellularComponent"]

# Values neo4j-admin's CSV reader can get wrong: quotes at the start, end and middle, '\"' (a legacy escape),
# a trailing backslash, tabs, the KGX list delimiter in a single value and in a list element, spaces at the
# ends, non-ASCII, a literal 'true' string. Two parallel edges differ only in negation and source. Typed as a
# build's graph database holds them (kgx.kgx_type: lists, booleans, integers; NULL for no value).
HARD_NODES: list[dict[str, Any]] = [
    {
        "id": "HARD:1",
        "category": "biolink:Gene",
        "name": '"quoted" at the start',
        "synonym": ['a"b', '"c', 'd"', 'e""f', "one|element", "a\ttab"],
        "description": "a\ttab, a | pipe, 'single' quotes and a backslash \\",
    },
    {
        "id": "HARD:2",
        "category": "biolink:Disease",
        "name": 'ends with a quote"',
        "synonym": ["x,y;z", "ünïcödé ✓"],
        "description": 'say ""hi"" \\"not an escape\\"',
    },
    {
        "id": "HARD:3",
        "category": "biolink:Protein",
        "name": "  spaces at both ends  ",
        "synonym": None,
        "description": "true",
    },
]
HARD_EDGES: list[dict[str, Any]] = [
    {
        "id": "urn:hard:1",
        "subject": "HARD:1",
        "predicate": "biolink:related_to",
        "object": "HARD:2",
        "negated": True,
        "primary_knowledge_source": "infores:a",
        "publications": ["PMID:1", "PMID:2"],
        "description": 'tab\there, "quote"',
        "has_count": 3,
    },
    {
        "id": "urn:hard:2",
        "subject": "HARD:1",
        "predicate": "biolink:related_to",
        "object": "HARD:2",
        "negated": None,
        "primary_knowledge_source": "infores:b",
        "publications": None,
        "description": None,
        "has_count": None,
    },
    {
        "id": "urn:hard:3",
        "subject": "HARD:3",
        "predicate": "biolink:interacts_with",
        "object": "HARD:1",
        "negated": False,
        "primary_knowledge_source": "infores:a",
        "publications": ["PMID:3"],
        "description": "\\",
        "has_count": 0,
    },
]


def hard_graph() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``nodes`` and ``edges`` tables of the hard values, typed as in a build's graph."""
    con = duckdb.connect()
    for table, rows in (("nodes", HARD_NODES), ("edges", HARD_EDGES)):
        names = list(rows[0])
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {kgx_type(n)}' for n in names)})")
        con.executemany(
            f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})", [[row[n] for n in names] for row in rows]
        )
    return con


# --- what the graph in Neo4j must be, computed from the graph's rows ----------------------------------------


def _value(column: str, value: Any) -> Any:
    """A graph value as Neo4j holds it: a single value of a Biolink-multivalued slot (category) as a list."""
    return [value] if neo4j_type(column).endswith("[]") and not isinstance(value, list) else value


def kgx_graph(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any], dict[str, Any]]:
    """Nodes as {id: (labels, properties)} and edges as {id: (subject, type, object, properties)}.

    Independent of the export's SQL: the typed rows of the graph's tables, with the labels from Biolink.
    """

    def rows(table: str) -> list[dict[str, Any]]:
        result = con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in result.description]
        return [{k: v for k, v in zip(names, row, strict=True) if v is not None} for row in result.fetchall()]

    nodes = {}
    for row in rows("nodes"):
        labels = set(category_ancestors(row["category"])) | {"biolink:NamedThing"}
        nodes[row["id"]] = (frozenset(labels), {k: _value(k, v) for k, v in row.items()})
    edges = {}
    for row in rows("edges"):
        props = {k: _value(k, v) for k, v in row.items() if k not in ("subject", "predicate", "object")}
        edges[row["id"]] = (row["subject"], row["predicate"], row["object"], props)
    return nodes, edges


def neo4j_graph(driver: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same shape as :func:`kgx_graph`, read from Neo4j."""
    records, _, _ = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    nodes = {r["props"]["id"]: (frozenset(r["labels"]), r["props"]) for r in records}
    assert len(nodes) == len(records), "two nodes with the same id"
    records, _, _ = driver.execute_query(
        "MATCH (s)-[r]->(o) RETURN s.id AS s, type(r) AS t, o.id AS o, properties(r) AS props"
    )
    edges = {r["props"]["id"]: (r["s"], r["t"], r["o"], r["props"]) for r in records}
    assert len(edges) == len(records), "two relationships with the same id"
    return nodes, edges


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_graph(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def expected(sample_out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sample graph plus the hard values, as Neo4j must hold them."""
    con = open_graph(sample_out)
    nodes, edges = kgx_graph(con)
    con.close()
    hard_nodes, hard_edges = kgx_graph(hard_graph())
    return nodes | hard_nodes, edges | hard_edges


def one(driver: Any, query: str, **params: Any) -> Any:
    records, _, _ = driver.execute_query(query, params)
    return records[0][0]


def check_graph(driver: Any, expected: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Exact counts, every node and edge as in the graph, and the named queries."""
    nodes, edges = expected
    assert one(driver, "MATCH (n) RETURN count(n)") == len(nodes)
    assert one(driver, "MATCH ()-[r]->() RETURN count(r)") == len(edges)
    records, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    assert {r["t"]: r["n"] for r in records} == Counter(e[1] for e in edges.values())
    got_nodes, got_edges = neo4j_graph(driver)
    assert got_nodes == nodes
    assert got_edges == edges

    # TP53's GO annotations by aspect (the GO term's label).
    kgx_aspects = Counter(
        next(c for c in GO_ASPECTS if c in nodes[o][0])
        for s, _, o, _ in edges.values()
        if s == TP53 and o.startswith("GO:")
    )
    assert set(kgx_aspects) == set(GO_ASPECTS), "the sample graph has no GO annotations of TP53 in every aspect"
    records, _, _ = driver.execute_query(
        "MATCH (:`biolink:Gene` {id: $gene})-[r]->(t) WHERE t.id STARTS WITH 'GO:' "
        "RETURN [l IN labels(t) WHERE l IN $aspects][0] AS aspect, count(r) AS n",
        gene=TP53,
        aspects=GO_ASPECTS,
    )
    assert {r["aspect"]: r["n"] for r in records} == kgx_aspects

    # TP53's mouse ortholog.
    records, _, _ = driver.execute_query(
        "MATCH (:`biolink:Gene` {id: $gene})-[:`biolink:orthologous_to`]-(m:`biolink:Gene`) "
        "WHERE $mouse IN m.in_taxon RETURN m.id AS id, m.symbol AS symbol",
        gene=TP53,
        mouse=MOUSE,
    )
    assert [(r["id"], r["symbol"]) for r in records] == [("NCBIGene:22059", "Trp53")]

    # BRCA1's OMIM disease edges, one per predicate and primary knowledge source.
    kgx_omim = sorted(
        (p, o, props.get("primary_knowledge_source"))
        for s, p, o, props in edges.values()
        if s == BRCA1 and o.startswith("OMIM:") and "biolink:Disease" in nodes[o][0]
    )
    assert kgx_omim, "the sample graph has no OMIM disease edge of BRCA1"
    records, _, _ = driver.execute_query(
        "MATCH (:`biolink:Gene` {id: $gene})-[r]->(d:`biolink:Disease`) WHERE d.id STARTS WITH 'OMIM:' "
        "RETURN type(r) AS p, d.id AS o, r.primary_knowledge_source AS pks ORDER BY p, o, pks",
        gene=BRCA1,
    )
    assert [(r["p"], r["o"], r["pks"]) for r in records] == kgx_omim

    # Negated GO edges: still negated, as a boolean.
    kgx_negated = sorted(
        (s, p, o) for s, p, o, props in edges.values() if props.get("negated") is True and o.startswith("GO:")
    )
    assert kgx_negated, "the sample graph has no negated GO edge"
    records, _, _ = driver.execute_query(
        "MATCH (s)-[r]->(o) WHERE r.negated = true AND o.id STARTS WITH 'GO:' "
        "RETURN s.id AS s, type(r) AS p, o.id AS o, valueType(r.negated) AS type ORDER BY s, p, o"
    )
    assert [(r["s"], r["p"], r["o"]) for r in records] == kgx_negated
    assert {r["type"] for r in records} == {"BOOLEAN NOT NULL"}

    # Parallel edges (same subject, predicate, object; other source or negation) stay apart.
    parallel = Counter((s, p, o) for s, p, o, _ in edges.values())
    assert max(parallel.values()) > 1
    records, _, _ = driver.execute_query(
        "MATCH (s)-[r]->(o) WITH s, type(r) AS t, o, count(r) AS n WHERE n > 1 RETURN s.id AS s, t, o.id AS o, n"
    )
    assert {(r["s"], r["t"], r["o"]): r["n"] for r in records} == {k: n for k, n in parallel.items() if n > 1}


# --- files, no server ----------------------------------------------------------------------------------------


def read_import_file(path: Path) -> list[dict[str, str]]:
    """An export file read the way neo4j-admin reads it (tab, '"' quotes doubled inside, no escapes)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quotechar='"', doublequote=True, strict=True))


def test_export_headers_and_script(sample_out: Path, tmp_path: Path) -> None:
    # The graph database alone: the export reads no KGX file.
    graph = tmp_path / "graph"
    graph.mkdir()
    shutil.copyfile(sample_out / GRAPH_DB, graph / GRAPH_DB)
    console = Console(file=io.StringIO(), width=300)
    result = run_export(graph, tmp_path, console)
    nodes, edges = read_import_file(tmp_path / NODES_FILE), read_import_file(tmp_path / RELATIONSHIPS_FILE)
    assert (len(nodes), len(edges)) == (result.nodes, result.relationships)
    # Rows in a fixed order, the graph's: nodes by id, edges by subject, predicate, object, id.
    con = open_graph(graph)
    assert [n["id:ID"] for n in nodes] == [r[0] for r in con.execute("SELECT id FROM nodes ORDER BY id").fetchall()]
    assert [e["id"] for e in edges] == [
        r[0] for r in con.execute("SELECT id FROM edges ORDER BY subject, predicate, object, id").fetchall()
    ]
    con.close()
    assert list(nodes[0])[:3] == ["id:ID", ":LABEL", "category:string[]"]
    assert {"name", "synonym:string[]", "xref:string[]", "in_taxon:string[]"} <= set(nodes[0])
    assert {"chromosome:string[]", "map_location:string[]"} <= set(nodes[0])  # outside the model, lists
    assert list(edges[0])[:4] == [":START_ID", ":TYPE", ":END_ID", "id"]
    assert {"negated:boolean", "publications:string[]", "primary_knowledge_source"} <= set(edges[0])
    assert not {"subject", "predicate", "object"} & set(edges[0])
    tp53 = next(n for n in nodes if n["id:ID"] == TP53)
    assert tp53[":LABEL"].split(ARRAY_DELIMITER) == category_ancestors("biolink:Gene")
    assert (tp53["chromosome:string[]"], tp53["map_location:string[]"]) == ("17", "17p13.1")
    assert {n["negated:boolean"] for n in edges} <= {"", "true", "false"}

    script = (tmp_path / IMPORT_SCRIPT).read_text()
    assert os.access(tmp_path / IMPORT_SCRIPT, os.X_OK)
    subprocess.run(["bash", "-n", str(tmp_path / IMPORT_SCRIPT)], check=True)
    for option in import_command(tmp_path)[5:]:
        assert option.split("=")[0] in script
    printed = console.file.getvalue()
    assert " ".join(import_command(tmp_path.resolve())[:5]) in printed
    assert "REQUIRE n.id IS UNIQUE" in (tmp_path / CONSTRAINTS_FILE).read_text()


def test_hard_values_are_quoted(tmp_path: Path) -> None:
    """The hard values come back exactly from a strict CSV reader with neo4j-admin's settings."""
    export(hard_graph(), tmp_path)
    nodes = {n["id:ID"]: n for n in read_import_file(tmp_path / NODES_FILE)}
    for row in HARD_NODES:
        assert nodes[row["id"]]["name"] == row["name"]
        assert nodes[row["id"]]["description"] == row["description"]
        assert nodes[row["id"]]["synonym:string[]"] == ARRAY_DELIMITER.join(row["synonym"] or [])
        assert nodes[row["id"]]["category:string[]"] == row["category"]
    assert nodes["HARD:3"][":LABEL"].split(ARRAY_DELIMITER) == category_ancestors("biolink:Protein")
    edges = {e["id"]: e for e in read_import_file(tmp_path / RELATIONSHIPS_FILE)}
    assert edges["urn:hard:1"]["description"] == 'tab\there, "quote"'
    assert [edges[f"urn:hard:{i}"]["negated:boolean"] for i in (1, 2, 3)] == ["true", "", "false"]
    assert edges["urn:hard:1"]["has_count:long"] == "3"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("synonym", ["a\x1fb", "c"], "synonym: a<U+001F>b|c holds U+001F"),
        ("synonym", ["c", "two\r\nlines"], "synonym: a value holds a line break"),
        ("name", "two\nlines", "name: a value holds a line break"),
    ],
)
def test_unimportable_values_are_refused(tmp_path: Path, column: str, value: Any, message: str) -> None:
    con = hard_graph()
    con.execute(f"UPDATE nodes SET {column} = ? WHERE id = 'HARD:1'", [value])
    with pytest.raises(UserError, match=re.escape(message)):
        export(con, tmp_path)
    assert not (tmp_path / NODES_FILE).exists()


def test_password_from_file_or_environment(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-the-file\n")
    assert read_credentials("neo4j", secret, {"NEO4J_PASSWORD": "env"}).auth == ("neo4j", "from-the-file")
    assert read_credentials("u", None, {"NEO4J_PASSWORD": "env"}).auth == ("u", "env")
    assert read_credentials("u", None, {}).auth is None
    assert "from-the-file" not in repr(read_credentials("neo4j", secret, {}))
    with pytest.raises(UserError, match="cannot read the password file"):
        read_credentials("neo4j", tmp_path / "missing", {})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(UserError, match="is empty"):
        read_credentials("neo4j", tmp_path / "empty", {})
    with pytest.raises(UserError, match="user information"):
        connect("bolt://neo4j:hunter2@localhost:7687", Credentials(None, "no credentials"))


def test_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UserError, match=rf"cannot connect to Neo4j at bolt://127\.0\.0\.1:{port}: Connection refused"):
        connect(f"bolt://127.0.0.1:{port}", Credentials(("neo4j", PASSWORD), "a test"))


# --- a real server ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """The sample and the hard graph exported, imported with import.sh, and served with auth on."""
    base = tmp_path_factory.mktemp("neo4j-export")
    home = neo4j_home(base)
    run_export(sample_out, base / "sample", Console(file=io.StringIO()))
    export(hard_graph(), base / "hard")
    # import.sh as a user runs it, with the test server's neo4j-admin; the hard graph is a second input group.
    env = dict(os.environ, NEO4J_ADMIN=f"bash {SCRIPT} admin {home}", NEO4J_HEAP="1g")
    result = subprocess.run(
        [
            "bash",
            str(base / "sample" / IMPORT_SCRIPT),
            "--max-off-heap-memory=1g",
            f"--nodes={base / 'hard' / NODES_FILE}",
            f"--relationships={base / 'hard' / RELATIONSHIPS_FILE}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=IMPORT_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0 or "IMPORT DONE" not in result.stdout:
        pytest.fail(
            f"import.sh failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}", pytrace=False
        )
    with running_server(home, password=PASSWORD) as running:
        yield running


@pytest.fixture
def driver(server: Neo4jServer) -> Iterator[Any]:
    with server.driver() as drv:
        yield drv


@pytest.mark.neo4j
def test_admin_import(driver: Any, expected: tuple[dict[str, Any], dict[str, Any]]) -> None:
    check_graph(driver, expected)


@pytest.mark.neo4j
def test_bad_credentials_or_database_are_clear_errors(
    server: Neo4jServer, sample_out: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password-0815\n")
    output = io.StringIO()
    caplog.set_level(logging.DEBUG, logger="neo4j")
    with pytest.raises(
        UserError,
        match=r"rejected the credentials: user 'neo4j' with the password from the "
        r"password file",
    ) as error:
        run_load(sample_out, server.bolt_uri, "neo4j", wrong, None, 100, Console(file=output))
    with pytest.raises(UserError, match="rejected the credentials: no credentials"):
        connect(server.bolt_uri, Credentials(None, "no credentials"))
    right = tmp_path / "right"
    right.write_text(PASSWORD)
    with pytest.raises(UserError, match="failed the load: .*nosuchdb"):
        run_load(sample_out, server.bolt_uri, "neo4j", right, "nosuchdb", 10_000, Console(file=output))
    run_load(sample_out, server.bolt_uri, "neo4j", right, None, 10_000, Console(file=output))
    for text in (str(error.value), output.getvalue(), caplog.text):
        assert "not-the-password-0815" not in text
        assert PASSWORD not in text


def _load_all(server: Neo4jServer, sample_out: Path, console: Console) -> tuple[LoadResult, LoadResult]:
    """The Bolt loader on the sample graph (through the command's function, password from the environment)
    and on the hard graph; small batches, so that many batches and predicate groups are written."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEO4J_PASSWORD", PASSWORD)
        sample = run_load(sample_out, server.bolt_uri, "neo4j", None, None, 100, console)
    with server.driver() as drv:
        hard = load(hard_graph(), drv, batch_size=2, console=console)
    return sample, hard


@pytest.mark.neo4j
def test_bolt_load_over_the_admin_import_changes_nothing(
    server: Neo4jServer, sample_out: Path, driver: Any, expected: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    output = io.StringIO()
    sample, hard = _load_all(server, sample_out, Console(file=output, width=200))
    assert not sample.changed_anything and not hard.changed_anything, output.getvalue()
    assert "nothing changed" in output.getvalue()
    assert one(
        driver,
        "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties "
        "WHERE name = 'ncbi_gene_kg_node_id' RETURN labelsOrTypes + properties",
    ) == ["biolink:NamedThing", "id"]
    check_graph(driver, expected)


@pytest.mark.neo4j
def test_bolt_load_into_an_empty_database(
    server: Neo4jServer, sample_out: Path, driver: Any, expected: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n")
    driver.execute_query("DROP CONSTRAINT ncbi_gene_kg_node_id IF EXISTS")
    assert one(driver, "MATCH (n) RETURN count(n)") == 0
    output = io.StringIO()
    sample, hard = _load_all(server, sample_out, Console(file=output, width=200))
    nodes, edges = expected
    assert sample.nodes_created + hard.nodes_created == len(nodes)
    assert sample.relationships_created + hard.relationships_created == len(edges)
    assert "relationships" in output.getvalue()  # the progress bar's line
    check_graph(driver, expected)

    again = _load_all(server, sample_out, Console(file=io.StringIO()))
    assert not any(r.changed_anything for r in again)
    check_graph(driver, expected)

    # A property changed in the database is put back; nothing else is touched.
    driver.execute_query("MATCH (n {id: $id}) SET n.name = 'changed', n.extra = 1", id=TP53)
    sample, _ = _load_all(server, sample_out, Console(file=io.StringIO()))
    assert (sample.nodes_created, sample.nodes_changed, sample.relationships_changed) == (0, 1, 0)
    check_graph(driver, expected)
