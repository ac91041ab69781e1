"""The graph as RDF: ``ncbi_gene.nt.gz``, N-Triples written by DuckDB from the graph's tables (docs/outputs.md).

Each node is typed with its category (``rdf:type`` and, for kgx's reader, ``biolink:category``), named with
``rdfs:label`` and given its other properties as Biolink slot IRIs, one triple per list item. Each edge is
one direct triple (subject, predicate, object), left out when the edge is negated (it is not a fact), and a
reified association named by the edge's id and typed with its association class (a ``biolink:Association``),
as kgx's RdfSink writes one (``rdf:subject``, ``rdf:predicate``, ``rdf:object`` and the edge's properties), so
kgx's RdfSource reads the edge back.

A value is an IRI when it is an id, a subject, predicate, object or category, or a property the sources
declare CURIE-valued (``curie_properties``); any other value is a literal (``xsd:boolean`` and
``xsd:integer`` typed by the column's type). A CURIE expands through the pinned Biolink model's prefix map,
else through the prefix registry's URI prefix (bioregistry: ``refseq``, ``infores``); a prefix with neither,
or an identifier value no IRI can be made of, is a UserError. The lines are built in SQL, one row per node or
edge, and compressed (ISA-L) as they stream.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.curie import uri_prefix
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH
from ncbi_gene_kg.kgx import column_types
from ncbi_gene_kg.sources import curie_properties, non_biolink_properties
from ncbi_gene_kg.sql import ident, quote
from ncbi_gene_kg.streams import Written, copy_to_gzip

NT_FILE = f"{GRAPH}.nt.gz"
BIOLINK = prefix_map()["biolink"]
# The node properties outside the Biolink model (gene_info's chromosome and map_location) are named here.
NON_BIOLINK = "https://w3id.org/ncbi-gene-kg/vocab/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"<{RDF}type>"
# Properties written with an RDF or RDFS IRI instead of their Biolink slot's (as kgx writes them).
STANDARD = {"name": "http://www.w3.org/2000/01/rdf-schema#label"}
# URI schemes written as they are: the edges' ids (urn:md5:…) and any value that is already an IRI.
SCHEMES = ("urn", "http", "https")
TYPED = {"BOOLEAN": "boolean", "BIGINT": "integer"}
# Characters an IRI reference cannot hold as they are (the N-Triples grammar's IRIREF), for a regex class.
NOT_IN_IRI = r"\x00-\x20<>\"{}|^`\\"
# Characters a literal cannot hold as they are ('"', '\', line ends), and other control characters.
ESCAPED = r"[\x00-\x1f\"\\]"
# A CURIE whose IRI is valid (every identifier value must be one: expansions).
CURIE = rf"[A-Za-z_][A-Za-z0-9_.-]*:[^{NOT_IN_IRI}]+"
# The CURIE prefixes of each identifier column of each graph table, with their IRI prefixes (expansions).
Expansions = dict[str, dict[str, dict[str, str]]]
NODE_FIXED = ("id", "category")
EDGE_FIXED = ("id", "subject", "predicate", "object", "category")


def identifier_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of a graph table whose values are IRIs: the fixed ones and those the sources declare CURIE-valued."""
    fixed = NODE_FIXED if table == "nodes" else EDGE_FIXED
    columns = column_types(con.table(table))
    return [c for c in dict.fromkeys([*fixed, *curie_properties(table[:-1])]) if c in columns]


def expansions(con: duckdb.DuckDBPyConnection) -> Expansions:
    """The CURIE prefixes of each identifier column (:func:`identifier_columns`) with their IRI prefixes, the most
    used first, in one scan. A UserError names an identifier value that is not a CURIE an IRI can be made of, or a
    prefix with no IRI: the lines are then written with no check of their own (:func:`iri`)."""
    values = []
    for table in ("nodes", "edges"):
        columns = column_types(con.table(table))
        for column in identifier_columns(con, table):
            value = f"unnest({ident(column)})" if columns[column].endswith("[]") else ident(column)
            values.append(f"SELECT '{table}' AS t, {quote(column)} AS c, {value} AS v FROM {table}")
    found = con.execute(
        f"""SELECT t, c, regexp_full_match(v, '{CURIE}') AS curie, split_part(v, ':', 1) AS prefix, count(*) AS n,
                   min(v) FROM ({" UNION ALL ".join(values)})
            WHERE v IS NOT NULL GROUP BY ALL ORDER BY n DESC, prefix"""
    ).fetchall()
    known = prefix_map()
    result: Expansions = {"nodes": {}, "edges": {}}
    for table, column, curie, prefix, _, example in found:
        expansion = f"{prefix}:" if prefix in SCHEMES else iri_prefix(known.get(prefix)) or uri_prefix(prefix)
        if not curie:
            raise UserError(f'identifier {example!r} is not a CURIE an IRI can be made of (no spaces, no <>"{{}}|^`\\)')
        if expansion is None:
            raise UserError(
                f"CURIE prefix {prefix} (e.g. {example}) has no IRI in the Biolink prefix map or the prefix registry"
            )
        result[table].setdefault(column, {})[prefix] = expansion
    return result


def iri_prefix(expansion: str | None) -> str | None:
    """A prefix map's expansion as an IRI prefix: an identifiers.org one given without its trailing '/' gets it.

    Biolink 4.4.6's map has ``mirbase`` and ``CLINVAR`` so (``http://identifiers.org/mirbase``), which would glue
    the identifier to the collection's name; identifiers.org resolves ``…/mirbase/MI0000060``.

    >>> iri_prefix("http://identifiers.org/mirbase"), iri_prefix("http://purl.obolibrary.org/obo/GO_")
    ('http://identifiers.org/mirbase/', 'http://purl.obolibrary.org/obo/GO_')
    """
    if expansion and "identifiers.org/" in expansion and not expansion.endswith(("/", ":")):
        return expansion + "/"
    return expansion


def iri(value: str, prefixes: dict[str, str]) -> str:
    """SQL for the N-Triples IRI of a CURIE expression whose prefix is one of ``prefixes`` (prefix -> IRI prefix) and
    whose characters an IRI can hold as they are (:func:`expansions` has seen to both).

    >>> print(duckdb.sql("SELECT " + iri("'GO:0005515'", {"GO": "http://purl.obolibrary.org/obo/GO_"})).fetchone()[0])
    <http://purl.obolibrary.org/obo/GO_0005515>
    """
    if not prefixes:  # a column with no value
        return "NULL::VARCHAR"
    if len(prefixes) == 1:  # most columns: NCBIGene ids, PMIDs, ECO codes, infores, Biolink classes
        [(prefix, expansion)] = prefixes.items()
        return f"concat('<', {quote(expansion)}, substr({value}, {len(prefix) + 2}), '>')"
    cases = " ".join(f"WHEN {quote(p)} THEN {quote(e)}" for p, e in prefixes.items())
    local = f"substr({value}, strpos({value}, ':') + 1)"
    return f"concat('<', CASE split_part({value}, ':', 1) {cases} END, {local}, '>')"


def literal(value: str, dtype: str, escape: bool = True) -> str:
    """SQL for the N-Triples literal of a value of DuckDB type ``dtype``: typed for booleans and integers, else a
    string, escaped as the N-Triples grammar has it (other control characters as \\uXXXX) unless ``escape`` is
    False (the value is known to need none).

    >>> print(duckdb.sql("SELECT " + literal(quote('a "b" \\\\ é' + chr(10) + chr(1)), "VARCHAR")).fetchone()[0])
    "a \\"b\\" \\\\ é\\n\\u0001"
    >>> print(duckdb.sql("SELECT " + literal("true", "BOOLEAN")).fetchone()[0])
    "true"^^<http://www.w3.org/2001/XMLSchema#boolean>
    """
    if dtype in TYPED:
        return f"""concat('"', {value}, '"^^<{XSD}{TYPED[dtype]}>')"""
    if dtype != "VARCHAR":  # a type without an XSD datatype here (none today): its text
        value = f"CAST({value} AS VARCHAR)"
    if escape:
        escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
        named = " ".join(f"WHEN {quote(c)} THEN {quote(e)}" for c, e in escapes.items())
        value = f"""array_to_string(list_transform(string_split({value}, ''), c -> CASE c {named}
            ELSE CASE WHEN ord(c) < 32 THEN '\\u' || lpad(hex(ord(c)), 4, '0') ELSE c END END), '')"""
    return f"""concat('"', {value}, '"')"""


def property_iri(column: str) -> str:
    """The IRI of a KGX property, in angle brackets: its Biolink slot's, or one of :data:`NON_BIOLINK`."""
    if column in STANDARD:
        return f"<{STANDARD[column]}>"
    return f"<{NON_BIOLINK if column in non_biolink_properties() else BIOLINK}{column}>"


def triples(subject: str, column: str, dtype: str, prefixes: dict[str, str] | None, escape: bool) -> str:
    """SQL for the triples (one line each, NULL when none) of one property of a node or an edge ``subject``:
    IRIs when the column is an identifier column (``prefixes``: its prefixes), else literals (``escape``: as
    :func:`literal`).

    A list's objects are joined with line ends, each then replaced by the text between two lines (the end of one,
    the subject and property of the next): the list is made in one piece, and a list of strings that need no
    escaping with no step per item. No object holds a line end: it is escaped in a literal and cannot be in an IRI.
    """
    value = ident(column)
    head = f"{subject}, ' {property_iri(column)} '"
    if not dtype.endswith("[]"):
        obj = literal(value, dtype, escape) if prefixes is None else iri(value, prefixes)
        return f"CASE WHEN {value} IS NOT NULL THEN concat({head}, {obj}, ' .') END"
    base = dtype[:-2]
    between = f"concat(' .', chr(10), {head})"
    if prefixes is None and base == "VARCHAR" and not escape:
        objects = (
            f"""concat('"', replace(array_to_string({value}, chr(10)), chr(10), concat('"', {between}, '"')), '"')"""
        )
    else:
        each = literal("x", base, escape) if prefixes is None else iri("x", prefixes)
        objects = f"replace(array_to_string(list_transform({value}, x -> {each}), chr(10)), chr(10), {between})"
    return f"CASE WHEN {value} IS NOT NULL THEN concat({head}, {objects}, ' .') END"


def lines_query(lines: Callable[[bool], list[str]], columns: dict[str, str], prefixes: dict, source: str) -> str:
    """A query of one block of lines per row of ``source``: ``lines(escape)``, joined. The strings of a row (its
    literal columns: ``columns`` not in ``prefixes``) are checked together, once: the few rows with a character to
    escape take the escaping lines, every other row the lines with no escaping step."""
    texts = [
        ident(c) if t == "VARCHAR" else f"array_to_string({ident(c)}, '')"
        for c, t in columns.items()
        if c not in prefixes and t in ("VARCHAR", "VARCHAR[]")
    ]
    plain = f"concat_ws(chr(10), {', '.join(lines(False))})"
    if not texts:
        return f"SELECT {plain} FROM {source}"
    escaped = f"concat_ws(chr(10), {', '.join(lines(True))})"
    check = f"regexp_matches(concat({', '.join(texts)}), '{ESCAPED}')"
    return f"SELECT CASE WHEN {check} THEN {escaped} ELSE {plain} END FROM {source}"


def node_lines(con: duckdb.DuckDBPyConnection, expanded: Expansions) -> str:
    """A query of each node's triples, one row per node, in the table's order."""
    columns = column_types(con.table("nodes"))
    prefixes = expanded["nodes"]
    category = iri('"category"', prefixes.get("category", {}))

    def lines(escape: bool) -> list[str]:
        return [
            f"concat(s, ' {RDF_TYPE} ', {category}, ' .')",
            f"concat(s, ' <{BIOLINK}category> ', {category}, ' .')",
            *(triples("s", c, t, prefixes.get(c), escape) for c, t in columns.items() if c not in NODE_FIXED),
        ]

    node = iri('"id"', prefixes.get("id", {}))
    source = f"(SELECT {node} AS s, * FROM nodes)"
    return lines_query(lines, columns, prefixes, source)


def edge_lines(con: duckdb.DuckDBPyConnection, expanded: Expansions) -> str:
    """A query of each edge's triples, one row per edge, in the table's order: the direct triple (not for a negated
    edge), then the edge's association."""
    columns = column_types(con.table("edges"))
    prefixes = expanded["edges"]
    spo = {c: iri(ident(c), prefixes.get(c, {})) for c in ("subject", "predicate", "object")}
    negated = "negated IS NOT TRUE" if "negated" in columns else "true"
    # One type, the edge's association class (biolink:Association when it has none): a second line for the generic
    # class would be a tenth of the file, and the class says it (it is a biolink:Association in the model).
    category = iri("coalesce(category, 'biolink:Association')", {"biolink": BIOLINK} | prefixes.get("category", {}))

    def lines(escape: bool) -> list[str]:
        return [
            f"CASE WHEN {negated} THEN concat(subject_iri, ' ', predicate_iri, ' ', object_iri, ' .') END",
            f"concat(a, ' {RDF_TYPE} ', {category}, ' .')",
            *(f"concat(a, ' <{RDF}{c}> ', {c}_iri, ' .')" for c in spo),
            *(triples("a", c, t, prefixes.get(c), escape) for c, t in columns.items() if c not in EDGE_FIXED),
        ]

    computed = ", ".join(f"{value} AS {c}_iri" for c, value in spo.items())
    association = iri('"id"', prefixes.get("id", {}))
    source = f"(SELECT {association} AS a, {computed}, * FROM edges)"
    return lines_query(lines, columns, prefixes, source)


def write_nt(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Written:
    """``ncbi_gene.nt.gz``: the nodes' triples, then the edges', compressed and hashed as they are written."""
    prefixes = expansions(con)
    return copy_to_gzip(con, [node_lines(con, prefixes), edge_lines(con, prefixes)], out_dir / NT_FILE)
