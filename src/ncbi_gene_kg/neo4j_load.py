"""`ncbi-gene-kg load-neo4j`: load the merged graph into a running Neo4j 5 over Bolt (official neo4j driver).

- The uniqueness constraint on node ids (``biolink:NamedThing``'s ``id``) is created first and awaited,
  so every ``MERGE`` on a node is an index lookup.
- Nodes, then edges, are streamed from the build's graph database (OUT/ncbi_gene.duckdb, typed: lists,
  booleans and integers arrive as such) by DuckDB, never the graph in Python, in batches of
  ``batch_size`` rows, each written by one ``UNWIND`` query in its own transaction. DuckDB sorts the rows
  by label set (nodes) or predicate (edges), so every batch has one label set or one relationship type,
  written as static backquoted names (Cypher cannot take them as parameters before Neo4j 5.26).
- Idempotent: nodes are merged on ``id``; relationships on their own ``id`` between their two nodes (our
  edge id is a hash of subject, predicate, object, negated, primary knowledge source and qualifiers), so
  parallel edges that differ only in provenance or negation stay separate relationships (kgx's Neo4j sink
  merges on subject-predicate-object and would fold them). Properties are written only where they differ
  from the graph's, so a second run creates, changes and deletes nothing.
- A node's properties become exactly the graph's (``SET n = ...``: properties a previous release had and
  this one lacks are removed); labels are only added. Nodes and relationships not in the graph are kept.

Credentials: the password comes from ``--password-file`` or the ``NEO4J_PASSWORD`` environment variable,
never from the command line, and is never printed or logged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH, open_graph
from ncbi_gene_kg.neo4j_export import (
    NODE_KEY_LABEL,
    constraint_statements,
    count_rows,
    cypher_name,
    edges_query,
    nodes_query,
)

PASSWORD_ENV = "NEO4J_PASSWORD"
DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_BATCH = 10_000
INDEX_WAIT_S = 600


@dataclass
class Credentials:
    """Who connects: ``auth`` for the driver (None: no auth) and where the password came from (for messages)."""

    auth: tuple[str, str] | None
    source: str

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(user={self.auth[0] if self.auth else None!r}, source={self.source!r})"


def read_credentials(user: str, password_file: Path | None, environ: dict[str, str] | None = None) -> Credentials:
    """The password from ``password_file`` (one line; the trailing newline dropped), else ``$NEO4J_PASSWORD``.

    With neither, no auth is sent (for a server with auth disabled).

    >>> read_credentials("neo4j", None, {"NEO4J_PASSWORD": "s3cret-pw"}).source
    'the NEO4J_PASSWORD environment variable'
    >>> read_credentials("neo4j", None, {})
    Credentials(user=None, source='no credentials')

    Raises:
        UserError: the file is missing, unreadable or empty.
    """
    environ = dict(os.environ) if environ is None else environ
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
        except OSError as error:
            raise UserError(f"cannot read the password file {password_file}: {error.strerror}") from None
        if not password:
            raise UserError(f"the password file {password_file} is empty")
        return Credentials((user, password), f"the password file {password_file}")
    if environ.get(PASSWORD_ENV):
        return Credentials((user, environ[PASSWORD_ENV]), f"the {PASSWORD_ENV} environment variable")
    return Credentials(None, "no credentials")


SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Accept only a Bolt URI without user information (a password in it would end up in the shell history).

    >>> check_uri("bolt://localhost:7687")
    >>> check_uri("neo4j://neo4j:secret@db:7687")
    Traceback (most recent call last):
    ...
    ncbi_gene_kg.errors.UserError: the URI has user information in it: give the user with --user and the \
password with --password-file or NEO4J_PASSWORD

    Raises:
        UserError: another scheme, no host, or user information in the URI.
    """
    parts = urlsplit(uri)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise UserError(
            f"not a Bolt URI: {_safe_uri(uri)}; use bolt://HOST:7687 or neo4j://HOST:7687 "
            f"(schemes: {', '.join(SCHEMES)})"
        )
    if "@" in parts.netloc:
        raise UserError(
            "the URI has user information in it: give the user with --user and the password with "
            f"--password-file or {PASSWORD_ENV}"
        )


def _safe_uri(uri: str) -> str:
    """The URI without user information, for messages.

    >>> _safe_uri("bolt://neo4j:secret@db:7687")
    'bolt://db:7687'
    """
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def connect(uri: str, credentials: Credentials) -> Any:
    """A verified neo4j driver for ``uri`` (Neo4j 5 or later).

    Raises:
        UserError: the server refuses the connection, rejects the credentials, or is not Neo4j 5+.
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

    check_uri(uri)
    shown = _safe_uri(uri)
    try:
        driver = GraphDatabase.driver(uri, auth=credentials.auth, connection_timeout=15.0)
    except (ConfigurationError, ValueError):
        raise UserError(f"not a usable Neo4j URI: {shown}; use bolt://HOST:7687 or neo4j://HOST:7687") from None
    try:
        driver.verify_connectivity()
        agent = driver.get_server_info().agent
    except AuthError:
        driver.close()
        who = (
            f"user {credentials.auth[0]!r} with the password from {credentials.source}"
            if credentials.auth
            else f"no credentials (give --password-file or set {PASSWORD_ENV})"
        )
        raise UserError(f"Neo4j at {shown} rejected the credentials: {who}") from None
    except ServiceUnavailable as error:
        driver.close()
        raise UserError(
            f"cannot connect to Neo4j at {shown}: {_reason(error)}. Is the server running, and is "
            "Bolt listening at that host and port?"
        ) from None
    except Neo4jError as error:
        driver.close()
        raise UserError(f"Neo4j at {shown} refused the session: {error.message}") from None
    major = agent.split("/", 1)[-1].split(".", 1)[0]
    if not major.isdigit() or int(major) < 5:
        driver.close()
        raise UserError(f"{shown} runs {agent}; load-neo4j needs Neo4j 5 or later")
    return driver


def _reason(error: Exception) -> str:
    """The innermost cause of a connection failure (Connection refused, Name or service not known, ...)."""
    cause: BaseException = error
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = getattr(cause, "strerror", None) or str(cause) or str(error)
    return text.rstrip(".")


def node_query(labels: list[str]) -> str:
    """Cypher merging a batch of nodes with these labels; returns how many it changed."""
    key = cypher_name(NODE_KEY_LABEL)
    others = "".join(":" + cypher_name(label) for label in labels if label != NODE_KEY_LABEL)
    set_labels = f"SET n{others} " if others else ""
    return (
        f"UNWIND $rows AS row MERGE (n:{key} {{id: row.id}}) {set_labels}"
        "WITH n, row WHERE properties(n) <> row.props SET n = row.props RETURN count(*) AS changed"
    )


def edge_query(predicate: str) -> str:
    """Cypher merging a batch of edges of one predicate on their id; returns rows matched and changed."""
    key = cypher_name(NODE_KEY_LABEL)
    return (
        f"UNWIND $rows AS row MATCH (s:{key} {{id: row.subject}}) MATCH (o:{key} {{id: row.object}}) "
        f"MERGE (s)-[r:{cypher_name(predicate)} {{id: row.id}}]->(o) "
        "WITH r, row, properties(r) <> row.props AS differs "
        "FOREACH (_ IN CASE WHEN differs THEN [1] ELSE [] END | SET r = row.props) "
        "RETURN count(*) AS matched, count(CASE WHEN differs THEN 1 END) AS changed"
    )


def _batches(
    con: duckdb.DuckDBPyConnection, query: str, group: str, batch_size: int
) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Rows of ``query`` as dicts without NULLs, in batches of at most ``batch_size`` with one ``group`` value.

    DuckDB streams the sorted rows (spilling to disk if need be); tuples are three times faster to fetch
    than Arrow batches turned into Python objects.
    """
    result = con.execute(f"SELECT * FROM ({query}) ORDER BY {group}")
    names = [d[0] for d in result.description]
    index = names.index(group)
    current: Any = None
    batch: list[dict[str, Any]] = []
    while rows := result.fetchmany(batch_size):
        for row in rows:
            if batch and (row[index] != current or len(batch) >= batch_size):
                yield current, batch
                batch = []
            current = row[index]
            batch.append({k: v for k, v in zip(names, row, strict=True) if v is not None})
    if batch:
        yield current, batch


@dataclass
class LoadResult:
    """Counts from a load: rows sent, entities created or changed, edges whose endpoints were missing, time taken."""

    nodes: int = 0
    nodes_created: int = 0
    nodes_changed: int = 0
    relationships: int = 0
    relationships_created: int = 0
    relationships_changed: int = 0
    missing_endpoints: int = 0
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        """The load created or changed at least one node or relationship (a rerun of the same graph does not)."""
        return bool(
            self.nodes_created or self.nodes_changed or self.relationships_created or self.relationships_changed
        )


def load(
    con: duckdb.DuckDBPyConnection,
    driver: Any,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    console: Console | None = None,
) -> LoadResult:
    """Load the graph in ``con``'s ``nodes`` and ``edges`` tables through ``driver``; see the module doc."""
    started = time.perf_counter()
    result = LoadResult()
    for statement in constraint_statements():
        driver.execute_query(statement, database_=database)
    driver.execute_query(f"CALL db.awaitIndexes({INDEX_WAIT_S})", database_=database)
    total_nodes, total_edges = count_rows(con, "nodes"), count_rows(con, "edges")
    progress = Progress(
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    with progress:
        task = progress.add_task("nodes", total=total_nodes)
        for labels, rows in _batches(con, nodes_query(con, cells=False), "_labels", batch_size):
            batch = [{"id": row["id"], "props": {k: v for k, v in row.items() if k != "_labels"}} for row in rows]
            records, summary, _ = driver.execute_query(node_query(labels), rows=batch, database_=database)
            result.nodes += len(batch)
            result.nodes_created += summary.counters.nodes_created
            result.nodes_changed += records[0]["changed"]
            progress.advance(task, len(batch))
        task = progress.add_task("relationships", total=total_edges)
        for predicate, rows in _batches(con, edges_query(con, cells=False), "predicate", batch_size):
            batch = [
                {
                    "id": row["id"],
                    "subject": row["subject"],
                    "object": row["object"],
                    "props": {k: v for k, v in row.items() if k not in ("subject", "predicate", "object")},
                }
                for row in rows
            ]
            records, summary, _ = driver.execute_query(edge_query(predicate), rows=batch, database_=database)
            result.relationships += records[0]["matched"]
            result.relationships_created += summary.counters.relationships_created
            result.relationships_changed += records[0]["changed"]
            result.missing_endpoints += len(batch) - records[0]["matched"]
            progress.advance(task, len(batch))
    # A created entity is also counted as changed (its properties were written): report them apart.
    result.nodes_changed -= result.nodes_created
    result.relationships_changed -= result.relationships_created
    result.seconds = time.perf_counter() - started
    return result


def run_load(
    graph_dir: Path,
    uri: str,
    user: str,
    password_file: Path | None,
    database: str | None,
    batch_size: int,
    console: Console,
    name: str = GRAPH,
) -> LoadResult:
    """The `load-neo4j` command: connect, load, and report what changed."""
    if batch_size < 1:
        raise UserError("--batch-size must be at least 1")
    from neo4j.exceptions import DriverError, Neo4jError

    credentials = read_credentials(user, password_file)
    where = f"{_safe_uri(uri)}" + (f" (database {database})" if database else "")
    con = open_graph(graph_dir, name)
    try:
        driver = connect(uri, credentials)
        try:
            result = load(con, driver, database=database, batch_size=batch_size, console=console)
        except Neo4jError as error:  # a missing database, a full disk, ...: the server's own words
            raise UserError(f"Neo4j at {where} failed the load: {error.message}") from None
        except DriverError as error:  # the connection lost half-way
            raise UserError(
                f"lost the connection to Neo4j at {where}: {_reason(error)}. Loaded batches "
                "stay; run the command again to finish"
            ) from None
        finally:
            driver.close()
    finally:
        con.close()
    console.print(
        f"loaded {result.nodes:,} nodes ({result.nodes_created:,} created, {result.nodes_changed:,} updated) and "
        f"{result.relationships:,} relationships ({result.relationships_created:,} created, "
        f"{result.relationships_changed:,} updated) into {where} in {result.seconds:.1f}s"
        + ("" if result.changed_anything else ": nothing changed"),
        highlight=False,
    )
    if result.missing_endpoints:
        raise UserError(
            f"{result.missing_endpoints:,} edges were not loaded: their subject or object is not a "
            f"{NODE_KEY_LABEL} node in the database"
        )
    return result
