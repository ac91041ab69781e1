"""`ncbi-gene-kg neo4j-export`: the merged graph as ``neo4j-admin database import full`` files (Neo4j 5).

DuckDB reads the merged KGX TSV files and writes, in one streaming pass each (never the graph in Python):

- ``nodes.tsv.gz``: ``id:ID``, ``:LABEL`` and one column per KGX node property;
- ``relationships.tsv.gz``: ``:START_ID`` (subject), ``:TYPE`` (predicate), ``:END_ID`` (object), ``id``
  (our edge id) and one column per other KGX edge property;
- ``import.sh``: the import command, and ``constraints.cypher``: the id constraint to create after it.

Names (docs/neo4j.md): labels and relationship types are the Biolink CURIEs themselves
(``biolink:Gene``, ``biolink:orthologous_to``), as kgx's own Neo4j sink names them (kgx/sink/neo_sink.py);
in Cypher they are backquoted: ``MATCH (g:`biolink:Gene`)-[:`biolink:orthologous_to`]->(o)``. A node's
labels are each of its categories with its Biolink ``is_a`` ancestors, and always ``biolink:NamedThing``
(the label of the id constraint).

Property types come from the Biolink slot of each column found in the file header: multivalued slots
are arrays (``xref:string[]``), ``boolean`` ranges booleans (``negated:boolean``), ``integer`` longs,
``float``/``double`` doubles, everything else strings. Arrays are joined with U+001F (the ASCII unit
separator), which the export refuses to find in a list element, so no value can be split wrongly; every
field is quoted CSV-style by DuckDB when it holds a quote, a tab or the delimiter (``"`` doubled, as
neo4j-admin's default quoting reads it). Empty values are left out (no property), as in KGX.
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
from ncbi_gene_kg.graphdb import GRAPH, columns, open_graph
from ncbi_gene_kg.kgx import LIST_DELIMITER
from ncbi_gene_kg.sql import ident, quote

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
    """The Neo4j import type of a KGX column: from its Biolink slot's range, ``[]`` when multivalued.

    >>> neo4j_type("negated"), neo4j_type("xref"), neo4j_type("name"), neo4j_type("not_a_slot")
    ('boolean', 'string[]', 'string', 'string')
    """
    base = RANGE_TYPES.get(slot_range(column) or "string", "string")
    return base + "[]" if is_multivalued(column) else base


def node_labels(category: str) -> list[str]:
    """The Neo4j labels of a node with this KGX ``category`` cell ('|'-separated categories).

    Each category with its Biolink ``is_a`` ancestors, plus ``biolink:NamedThing``, most specific first.

    >>> node_labels("biolink:Gene")
    ['biolink:Gene', 'biolink:BiologicalEntity', 'biolink:NamedThing', 'biolink:Entity']

    Raises:
        UserError: a category is not a Biolink class.
    """
    labels: list[str] = []
    for curie in category.split(LIST_DELIMITER):
        if not is_category(curie):
            raise UserError(
                f"node category {curie!r} is not a class of the pinned Biolink model: the graph did not pass validation"
            )
        labels += category_ancestors(curie)
    return list(dict.fromkeys([*labels, NODE_KEY_LABEL]))


def _fail(message: str) -> str:
    """SQL that aborts the query with ``message`` (an SQL string expression)."""
    return f"error({message})"


def typed_sql(column: str) -> str:
    """SQL for a KGX column as its Neo4j type: a DuckDB list for arrays, NULL for an empty cell.

    A list element holding U+001F, or a value holding a line break, aborts the query: neither can be
    imported faithfully (the KGX TSV cannot hold a line break in the first place).
    """
    col, kind = ident(column), neo4j_type(column)
    base = SQL_TYPES[kind.removesuffix("[]")]
    where = quote(f"{column}: ")
    if kind.endswith("[]"):
        shown = f"replace({col}, chr(31), '<U+001F>')"
        bad = f"WHEN contains({col}, chr(31)) THEN {_fail(where + ' || ' + shown + ' || ' + quote(' holds U+001F'))}"
        split = f"list_filter(string_split({col}, '{LIST_DELIMITER}'), x -> x <> '')"
        elements = split if base == "VARCHAR" else f"list_transform({split}, x -> CAST(x AS {base}))"
        return f"CASE WHEN {col} IS NULL OR {col} = '' THEN NULL {bad} ELSE {elements} END"
    bad = (
        f"WHEN contains({col}, chr(10)) OR contains({col}, chr(13)) "
        f"THEN {_fail(where + ' || ' + quote('a value holds a line break'))}"
    )
    value = col if base == "VARCHAR" else f"CAST({col} AS {base})"
    return f"CASE WHEN {col} IS NULL OR {col} = '' THEN NULL {bad} ELSE {value} END"


def _cell(column: str) -> str:
    """SQL for a column's import cell (a string), from :func:`typed_sql`."""
    value = typed_sql(column)
    if neo4j_type(column).endswith("[]"):
        return f"nullif(array_to_string({value}, chr(31)), '')"
    return f"CAST({value} AS VARCHAR)"


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The number of rows of ``table``."""
    row = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()
    return int(row[0]) if row else 0


def _header(column: str) -> str:
    kind = neo4j_type(column)
    if ":" in column:
        raise UserError(f"KGX column {column!r} has a ':' and cannot be a neo4j-admin header field")
    return column if kind == "string" else f"{column}:{kind}"


def create_label_table(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``neo4j_labels(category, labels VARCHAR[])`` for each distinct category cell of ``nodes``."""
    cells = [row[0] for row in con.execute("SELECT DISTINCT category FROM nodes WHERE category IS NOT NULL").fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE neo4j_labels (category VARCHAR, labels VARCHAR[])")
    if cells:
        con.executemany("INSERT INTO neo4j_labels VALUES (?, ?)", [(c, node_labels(c)) for c in cells])


def _required(column: str, kind: str) -> str:
    """SQL for a structural column that must have a value: aborts the query on an empty one."""
    col = ident(column)
    return f"CASE WHEN {col} IS NULL OR {col} = '' THEN {_fail(quote(f'a {kind} without {column}'))} ELSE {col} END"


def nodes_query(con: duckdb.DuckDBPyConnection, cells: bool) -> str:
    """SQL for the node rows: id, labels and the typed properties.

    With ``cells`` the columns are the import file's (``id:ID``, ``:LABEL``, ``xref:string[]``, ...) and
    hold strings; without, they are named as in KGX (labels as ``_labels``) and hold typed values.
    Needs the ``neo4j_labels`` table of :func:`create_label_table`.
    """
    props = columns(con, "nodes")
    if "id" not in props or "category" not in props:
        raise UserError("the node file has no id or no category column: not a KGX node file")
    convert = _cell if cells else typed_sql
    listed = ", ".join(f"{convert(c)} AS {ident(_header(c) if cells else c)}" for c in props if c != "id")
    labels = f"coalesce(neo4j_labels.labels, [{quote(NODE_KEY_LABEL)}])"
    if cells:
        labels = f"array_to_string({labels}, chr(31))"
    names = ("id:ID", ":LABEL") if cells else ("id", "_labels")
    return (
        f"SELECT {_required('id', 'node')} AS {ident(names[0])}, {labels} AS {ident(names[1])}, {listed} "
        "FROM nodes LEFT JOIN neo4j_labels USING (category)"
    )


def edge_properties(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The KGX edge columns that become relationship properties (all but subject, predicate, object)."""
    found = columns(con, "edges")
    missing = [c for c in ("id", *EDGE_STRUCTURE) if c not in found]
    if missing:
        raise UserError(f"the edge file has no {', '.join(missing)} column: not a KGX edge file")
    return [c for c in found if c not in EDGE_STRUCTURE]


def edges_query(con: duckdb.DuckDBPyConnection, cells: bool) -> str:
    """SQL for the edge rows: subject, predicate, object, id and the other typed properties.

    With ``cells`` the structure columns are named ``:START_ID``, ``:TYPE``, ``:END_ID`` and the
    properties as in the import header, holding strings; without, as in KGX, holding typed values.
    """
    props = edge_properties(con)
    convert = _cell if cells else typed_sql
    listed = ", ".join(f"{convert(c)} AS {ident(_header(c) if cells else c)}" for c in props if c != "id")
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
    """Write the import files for the graph in ``con``'s ``nodes`` and ``edges`` views into ``out_dir``.

    The files are written to ``out_dir/.staging`` and moved into place only when all are complete.

    Raises:
        UserError: a value cannot be imported (see :func:`typed_sql`), or a category is not Biolink.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    create_label_table(con)
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
