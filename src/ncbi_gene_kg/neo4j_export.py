"""`ncbi-gene-kg neo4j-export`: the merged graph as ``neo4j-admin database import full`` files (Neo4j 5).

DuckDB reads the graph database of the build (OUT/ncbi_gene.duckdb, its typed ``nodes`` and ``edges``
tables) and writes each file with one COPY (never the graph in Python):

- ``nodes.tsv.gz``: ``id:ID``, ``:LABEL`` and one column per KGX node property;
- ``relationships.tsv.gz``: ``:START_ID`` (subject), ``:TYPE`` (predicate), ``:END_ID`` (object), ``id``
  (our edge id) and one column per other KGX edge property;
- ``import.sh``: the import command, and ``constraints.cypher``: the id constraint to create after it.

The rows are in the tables' order (nodes by id; edges by subject, predicate, object, id): each query reads
one table through projections only, and DuckDB keeps insertion order there, so the files are the same
bytes from build to build without a sort.

Names (docs/neo4j.md): labels and relationship types are the Biolink CURIEs themselves
(``biolink:Gene``, ``biolink:orthologous_to``), as kgx's own Neo4j sink names them (kgx/sink/neo_sink.py);
in Cypher they are backquoted: ``MATCH (g:`biolink:Gene`)-[:`biolink:orthologous_to`]->(o)``. A node's
labels are its category with its Biolink ``is_a`` ancestors, and always ``biolink:NamedThing`` (the label
of the id constraint).

Property types come from the Biolink slot of each column: multivalued slots are arrays
(``xref:string[]``, ``category:string[]``), ``boolean`` ranges booleans (``negated:boolean``), ``integer``
longs, ``float``/``double`` doubles, everything else strings; the tables hold these types already. Arrays
are joined with U+001F (the ASCII unit separator), which the export refuses to find in a list element, so
no value can be split wrongly; every field is quoted CSV-style by DuckDB when it holds a quote, a tab or
the delimiter (``"`` doubled, as neo4j-admin's default quoting reads it). Empty values (NULL) are left out
(no property), as in KGX.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
from rich.console import Console

from ncbi_gene_kg.biolink import category_ancestors, is_category, is_multivalued, slot_range
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH, open_graph
from ncbi_gene_kg.kgx import LIST_DELIMITER, column_types, is_list
from ncbi_gene_kg.sql import ident, quote, string_list

NODE_KEY_LABEL = "biolink:NamedThing"
ARRAY_DELIMITER = "\x1f"  # U+001F UNIT SEPARATOR: refused inside list elements, so splitting is exact
ARRAY_DELIMITER_OPTION = "U+001F"
NODES_FILE = "nodes.tsv.gz"
RELATIONSHIPS_FILE = "relationships.tsv.gz"
IMPORT_SCRIPT = "import.sh"
CONSTRAINTS_FILE = "constraints.cypher"
# KGX edge columns that are the relationship's structure in Neo4j, not properties.
EDGE_STRUCTURE = {"subject": ":START_ID", "predicate": ":TYPE", "object": ":END_ID"}
# Biolink slot ranges with a Neo4j type other than string.
RANGE_TYPES = {"boolean": "boolean", "integer": "long", "float": "double", "double": "double"}
SQL_TYPES = {"string": "VARCHAR", "boolean": "BOOLEAN", "long": "BIGINT", "double": "DOUBLE"}
IMPORT_OPTIONS = ("--delimiter=TAB", f"--array-delimiter={ARRAY_DELIMITER_OPTION}", '--quote="', "--id-type=string")


def cypher_name(name: str) -> str:
    """A label, relationship type or property name as a Cypher identifier (backquoted).

    >>> cypher_name("biolink:Gene")
    '`biolink:Gene`'
    """
    return "`" + name.replace("`", "``") + "`"


def constraint_statements() -> list[str]:
    """The Cypher that makes node ids unique (Neo4j 5 syntax); both load paths create it.

    >>> constraint_statements()[0].startswith("CREATE CONSTRAINT ncbi_gene_kg_node_id IF NOT EXISTS")
    True
    """
    return [
        f"CREATE CONSTRAINT ncbi_gene_kg_node_id IF NOT EXISTS FOR (n:{cypher_name(NODE_KEY_LABEL)}) "
        "REQUIRE n.id IS UNIQUE"
    ]


@cache
def neo4j_type(column: str) -> str:
    """The Neo4j import type of a KGX column: from its Biolink slot's range, ``[]`` when multivalued (or a
    declared non-Biolink list: ``chromosome``).

    ``category`` is multivalued in Biolink, so it is a list in Neo4j although a node has one (kgx's sink
    and queries such as ``'biolink:Gene' IN n.category`` expect a list).

    >>> neo4j_type("negated"), neo4j_type("xref"), neo4j_type("name"), neo4j_type("category")
    ('boolean', 'string[]', 'string', 'string[]')
    >>> neo4j_type("chromosome")
    'string[]'
    """
    base = RANGE_TYPES.get(slot_range(column) or "string", "string")
    return base + "[]" if is_multivalued(column) or is_list(column) else base


def node_labels(category: str) -> list[str]:
    """The Neo4j labels of a node of this Biolink ``category``.

    The category with its Biolink ``is_a`` ancestors, plus ``biolink:NamedThing``, most specific first.

    >>> node_labels("biolink:Gene")
    ['biolink:Gene', 'biolink:BiologicalEntity', 'biolink:NamedThing', 'biolink:Entity']

    Raises:
        UserError: the category is not a Biolink class.
    """
    if not is_category(category):
        raise UserError(
            f"node category {category!r} is not a class of the pinned Biolink model: the graph did not pass validation"
        )
    return list(dict.fromkeys([*category_ancestors(category), NODE_KEY_LABEL]))


def _fail(message: str) -> str:
    """SQL that aborts the query with ``message`` (an SQL string expression)."""
    return f"error({message})"


def typed_sql(column: str, dtype: str) -> str:
    """SQL for a graph column of DuckDB type ``dtype`` as its Neo4j type (:func:`neo4j_type`), NULL when empty.

    The graph's tables are typed already; a single value of a Neo4j list (``category``) becomes a one-item
    list, and a column whose type differs from the Neo4j one is cast. A string holding a line break, or a
    list element holding U+001F, aborts the query: neither can be imported faithfully.

    >>> print(typed_sql("negated", "BOOLEAN"))
    CASE WHEN "negated" IS NULL THEN NULL ELSE "negated" END
    >>> con = duckdb.connect()
    >>> con.sql(f"SELECT {typed_sql('category', 'VARCHAR')} FROM (SELECT 'biolink:Gene' AS category)").fetchone()
    (['biolink:Gene'],)

    Raises:
        UserError: the graph has a list where Biolink has a single value.
    """
    col, kind = ident(column), neo4j_type(column)
    base, stored = SQL_TYPES[kind.removesuffix("[]")], dtype.removesuffix("[]")
    listed = dtype.endswith("[]")
    if listed and not kind.endswith("[]"):
        raise UserError(f"graph column {column!r} is a list, but its Biolink slot is single-valued")
    checks = ""
    if stored == "VARCHAR":
        # The value as the KGX TSV cell shows it, to look for what cannot be imported and to name it.
        text = f"array_to_string({col}, {quote(LIST_DELIMITER)})" if listed else col
        where = quote(f"{column}: ")
        if kind.endswith("[]"):
            shown = f"replace({text}, chr(31), '<U+001F>')"
            holds = _fail(f"{where} || {shown} || {quote(' holds U+001F')}")
            checks += f" WHEN contains({text}, chr(31)) THEN {holds}"
        broken = _fail(f"{where} || {quote('a value holds a line break')}")
        checks += f" WHEN contains({text}, chr(10)) OR contains({text}, chr(13)) THEN {broken}"
    value = col if stored == base else f"CAST({col} AS {base}{'[]' if listed else ''})"
    if kind.endswith("[]") and not listed:
        value = f"[{value}]"  # category: one per node in the graph, a list in Neo4j
    return f"CASE WHEN {col} IS NULL THEN NULL{checks} ELSE {value} END"


def _cell(column: str, dtype: str) -> str:
    """SQL for a column's import cell (a string), from :func:`typed_sql`: list items joined with U+001F."""
    value = typed_sql(column, dtype)
    if neo4j_type(column).endswith("[]"):
        return f"array_to_string({value}, chr(31))"
    return f"CAST({value} AS VARCHAR)"


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The number of rows of ``table``."""
    row = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()
    return int(row[0]) if row else 0


def _header(column: str) -> str:
    """A column's field in the import header: its name, with ``:type`` unless a string."""
    kind = neo4j_type(column)
    if ":" in column:
        raise UserError(f"KGX column {column!r} has a ':' and cannot be a neo4j-admin header field")
    return column if kind == "string" else f"{column}:{kind}"


def labels_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for a node's labels (VARCHAR[]) from its ``category``: a CASE over the graph's few categories.

    An expression rather than a join with a table of labels, so the query reads ``nodes`` in its order.
    """
    found = con.execute("SELECT DISTINCT category FROM nodes WHERE category IS NOT NULL ORDER BY category")
    categories = [row[0] for row in found.fetchall()]
    whens = "".join(f" WHEN {quote(c)} THEN [{string_list(node_labels(c))}]" for c in categories)
    default = f"[{quote(NODE_KEY_LABEL)}]"
    return f"CASE category{whens} ELSE {default} END" if whens else default


def _required(column: str, kind: str) -> str:
    """SQL for a structural column that must have a value: aborts the query on a NULL."""
    col = ident(column)
    return f"CASE WHEN {col} IS NULL THEN {_fail(quote(f'a {kind} without {column}'))} ELSE {col} END"


def nodes_query(con: duckdb.DuckDBPyConnection, cells: bool) -> str:
    """SQL for the node rows, in the table's order (by id): id, labels and the typed properties.

    With ``cells`` the columns are the import file's (``id:ID``, ``:LABEL``, ``xref:string[]``, ...) and
    hold strings; without, they are named as in KGX (labels as ``_labels``) and hold typed values.
    """
    props = column_types(con.table("nodes"))
    if "id" not in props or "category" not in props:
        raise UserError("the node table has no id or no category column: not a KGX graph")
    convert = _cell if cells else typed_sql
    listed = ", ".join(
        f"{convert(c, dtype)} AS {ident(_header(c) if cells else c)}" for c, dtype in props.items() if c != "id"
    )
    labels = labels_sql(con)
    if cells:
        labels = f"array_to_string({labels}, chr(31))"
    names = ("id:ID", ":LABEL") if cells else ("id", "_labels")
    return f"SELECT {_required('id', 'node')} AS {ident(names[0])}, {labels} AS {ident(names[1])}, {listed} FROM nodes"


def edge_properties(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The edge columns that become relationship properties (all but subject, predicate, object), with types."""
    found = column_types(con.table("edges"))
    missing = [c for c in ("id", *EDGE_STRUCTURE) if c not in found]
    if missing:
        raise UserError(f"the edge table has no {', '.join(missing)} column: not a KGX graph")
    return {c: dtype for c, dtype in found.items() if c not in EDGE_STRUCTURE}


def edges_query(con: duckdb.DuckDBPyConnection, cells: bool) -> str:
    """SQL for the edge rows, in the table's order (subject, predicate, object, id): the structure, id and
    the other typed properties.

    With ``cells`` the structure columns are named ``:START_ID``, ``:TYPE``, ``:END_ID`` and the
    properties as in the import header, holding strings; without, as in KGX, holding typed values.
    """
    props = edge_properties(con)
    convert = _cell if cells else typed_sql
    listed = ", ".join(
        f"{convert(c, dtype)} AS {ident(_header(c) if cells else c)}" for c, dtype in props.items() if c != "id"
    )
    structure = ", ".join(
        f"{_required(c, 'edge')} AS {ident(header if cells else c)}" for c, header in EDGE_STRUCTURE.items()
    )
    return f"SELECT {structure}, {_required('id', 'edge')} AS id, {listed} FROM edges"


@dataclass
class ExportResult:
    """What the export wrote: node and relationship counts, the folder, and the command that imports it."""

    nodes: int
    relationships: int
    out_dir: Path
    command: list[str]


def import_command(out_dir: Path, database: str = "neo4j", neo4j_admin: str = "neo4j-admin") -> list[str]:
    """The ``neo4j-admin database import full`` command for the files in ``out_dir``.

    >>> import_command(Path("/x"))[:5]
    ['neo4j-admin', 'database', 'import', 'full', 'neo4j']
    """
    return [
        neo4j_admin,
        "database",
        "import",
        "full",
        database,
        f"--nodes={out_dir / NODES_FILE}",
        f"--relationships={out_dir / RELATIONSHIPS_FILE}",
        *IMPORT_OPTIONS,
        f"--report-file={out_dir / 'import.report'}",
    ]


def import_script() -> str:
    """The text of import.sh: the import command for the files beside it, extra arguments passed on."""
    options = " \\\n    ".join(shlex.quote(o) for o in IMPORT_OPTIONS)
    return f"""#!/usr/bin/env bash
# Import the NCBI Gene graph into Neo4j 5 with neo4j-admin (written by `ncbi-gene-kg neo4j-export`).
#
#   Stop the Neo4j server first. The database must not exist yet, or pass --overwrite-destination=true.
#   NEO4J_ADMIN     the neo4j-admin command (default: neo4j-admin on PATH, e.g. $NEO4J_HOME/bin/neo4j-admin)
#   NEO4J_DATABASE  the database to create (default: neo4j)
#   Arguments go to neo4j-admin: bash import.sh --overwrite-destination=true --max-off-heap-memory=4g
#   neo4j-admin's report of skipped or bad entries goes to import.report beside this script unless
#   --report-file is given.
#
# Then start Neo4j and create the id constraint: cypher-shell -u neo4j -f {CONSTRAINTS_FILE}
# (or run `ncbi-gene-kg load-neo4j`, which creates it and finds nothing else to change).
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
report="--report-file=$here/import.report"
for arg in "$@"; do
    if [[ "$arg" == --report-file* ]]; then report=""; fi
done
${{NEO4J_ADMIN:-neo4j-admin}} database import full "${{NEO4J_DATABASE:-neo4j}}" \\
    --nodes="$here/{NODES_FILE}" \\
    --relationships="$here/{RELATIONSHIPS_FILE}" \\
    {options} \\
    ${{report:+"$report"}} "$@"
"""


def export(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportResult:
    """Write the import files for the graph in ``con``'s ``nodes`` and ``edges`` tables into ``out_dir``.

    The files are written to ``out_dir/.staging`` and moved into place only when all are complete.

    Raises:
        UserError: a value cannot be imported (see :func:`typed_sql`), or a category is not Biolink.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    options = "FORMAT csv, DELIMITER '\t', HEADER true, QUOTE '\"', ESCAPE '\"', COMPRESSION gzip"
    try:
        con.execute(f"COPY ({nodes_query(con, cells=True)}) TO {quote(str(staging / NODES_FILE))} ({options})")
        con.execute(f"COPY ({edges_query(con, cells=True)}) TO {quote(str(staging / RELATIONSHIPS_FILE))} ({options})")
    except duckdb.Error as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise UserError(
            f"cannot export the graph for Neo4j: {str(error).removeprefix('Invalid Input Error: ')}"
        ) from error
    nodes, relationships = count_rows(con, "nodes"), count_rows(con, "edges")
    (staging / IMPORT_SCRIPT).write_text(import_script())
    os.chmod(staging / IMPORT_SCRIPT, 0o755)
    (staging / CONSTRAINTS_FILE).write_text("".join(s + ";\n" for s in constraint_statements()))
    for path in staging.iterdir():
        path.replace(out_dir / path.name)
    staging.rmdir()
    return ExportResult(nodes, relationships, out_dir, import_command(out_dir.resolve()))


def run_export(graph_dir: Path, out_dir: Path, console: Console, name: str = GRAPH) -> ExportResult:
    """The `neo4j-export` command: export the graph in ``graph_dir`` and print the import command."""
    con = open_graph(graph_dir, name)
    try:
        result = export(con, out_dir)
    finally:
        con.close()
    console.print(
        f"wrote {result.nodes:,} nodes to {out_dir / NODES_FILE} and {result.relationships:,} "
        f"relationships to {out_dir / RELATIONSHIPS_FILE}",
        highlight=False,
    )
    console.print(
        f"Import them into a stopped Neo4j 5 (or run: bash {shlex.quote(str(out_dir / IMPORT_SCRIPT))}):",
        highlight=False,
    )
    console.print("  " + shlex.join(result.command), highlight=False, soft_wrap=True)
    console.print(
        f"then start Neo4j and create the id constraint: cypher-shell -f "
        f"{shlex.quote(str(out_dir / CONSTRAINTS_FILE))}",
        highlight=False,
        soft_wrap=True,
    )
    return result
