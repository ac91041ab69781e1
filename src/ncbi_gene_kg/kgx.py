"""KGX in DuckDB: the type of each property, an edge's identity, and the KGX TSV cell of a value.

The graph lives in DuckDB as typed tables (docs/transforms.md): a multivalued Biolink slot is a list
(``xref``, ``synonym``, ``in_taxon``), a boolean slot a BOOLEAN, an integer slot a BIGINT, any other a
VARCHAR; ``id`` and ``category`` are single values, as KGX TSV writes them. NULL is "no value": an empty
string or an empty list never reaches a table (:func:`normalized`). Every file format is written from
these types: KGX TSV joins lists with ``|`` (:func:`tsv_cell`), JSON Lines and Parquet keep them.

An edge's identity is defined here once (:func:`edge_key`): a transform's edges get their id from it
when they are stored, and the merge groups edges by that id, so an edge has the same id in its
transform's table and in the graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import duckdb

from ncbi_gene_kg.biolink import is_multivalued, slot_range
from ncbi_gene_kg.sources import non_biolink_properties
from ncbi_gene_kg.sql import ident, quote

LIST_DELIMITER = "|"
# KGX column order: these first (those a table has), then the others by name.
NODE_CORE = ["id", "category", "name", "description", "xref", "provided_by", "synonym"]
EDGE_CORE = ["id", "subject", "predicate", "object", "category", "provided_by"]
# The columns every edge's identity has (edge_key adds the negation and the qualifiers).
EDGE_IDENTITY = ("subject", "predicate", "object", "primary_knowledge_source")
# Biolink-multivalued, but one value per node or edge in KGX TSV (and in the tables).
SINGLE_VALUED = ("id", "category")
# Biolink slot ranges that are not strings.
RANGE_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "float": "DOUBLE", "double": "DOUBLE", "decimal": "DOUBLE"}


def is_list(column: str) -> bool:
    """Whether a KGX property is a list in the tables: a multivalued slot, but for id and category, or a
    multivalued property outside the model that a source declares (``non_biolink_properties``).

    >>> is_list("xref"), is_list("category"), is_list("name"), is_list("chromosome")
    (True, False, False, True)
    """
    declared = non_biolink_properties().get(column)
    if declared is not None:
        return declared.multivalued
    return column not in SINGLE_VALUED and is_multivalued(column)


def kgx_type(column: str) -> str:
    """The DuckDB type of a KGX property in the tables.

    >>> kgx_type("xref"), kgx_type("negated"), kgx_type("start_interbase_coordinate"), kgx_type("name")
    ('VARCHAR[]', 'BOOLEAN', 'BIGINT', 'VARCHAR')
    """
    base = RANGE_TYPES.get(slot_range(column) or "", "VARCHAR")
    return f"{base}[]" if is_list(column) else base


def normalized(column: str, dtype: str) -> str:
    """SQL turning a transform's ``column`` (of DuckDB type ``dtype``) into its KGX type, with no empty value.

    A list loses its NULL and empty-string items and is NULL when nothing is left; a single value given for
    a list property becomes a one-item list; an empty string is NULL. A list given for a single-valued
    property is a bug in the transform (ValueError).

    >>> duckdb.sql(f"SELECT {normalized('xref', 'VARCHAR[]')} FROM (SELECT ['a', '', NULL] AS xref)").fetchone()
    (['a'],)
    >>> duckdb.sql(f"SELECT {normalized('in_taxon', 'VARCHAR')} FROM (SELECT 'NCBITaxon:1' AS in_taxon)").fetchone()
    (['NCBITaxon:1'],)
    """
    target = kgx_type(column)
    value = ident(column)
    if target.endswith("[]"):
        base = target[:-2]
        if dtype.endswith("[]"):
            kept = f"list_filter(CAST({value} AS {target}), x -> coalesce(CAST(x AS VARCHAR), '') <> '')"
            return f"nullif({kept}, [])"
        return f"CASE WHEN coalesce(CAST({value} AS VARCHAR), '') <> '' THEN [CAST({value} AS {base})] END"
    if dtype.endswith("[]"):
        raise ValueError(f"{column} is single-valued in the Biolink model, but the transform gives a list")
    if target == "VARCHAR":
        return f"nullif(CAST({value} AS VARCHAR), '')"
    return f"CAST({value} AS {target})"


def tsv_cell(name: str, dtype: str) -> str:
    """SQL for one KGX TSV cell: lists joined with '|', NULL as the empty string."""
    column = ident(name)
    if dtype.endswith("[]"):
        return f"coalesce(array_to_string({column}, '{LIST_DELIMITER}'), '')"
    return f"coalesce(CAST({column} AS VARCHAR), '')"


def tsv_line(columns: Mapping[str, str]) -> str:
    """SQL for a KGX TSV line of columns given as {name: DuckDB type}, in that order (no quoting: a '"' is data).

    One concat_ws over the cells (never NULL): a chain of ``||`` copies the growing line once per cell, which
    made writing the edges half again as slow.

    >>> print(tsv_line({"id": "VARCHAR", "xref": "VARCHAR[]"}))
    concat_ws(chr(9), coalesce(CAST("id" AS VARCHAR), ''), coalesce(array_to_string("xref", '|'), ''))
    """
    return f"concat_ws(chr(9), {', '.join(tsv_cell(name, dtype) for name, dtype in columns.items())})"


def listed_category(column: str, alias: str = "") -> str:
    """SQL for a column as KGX JSON Lines and Parquet have it: ``category`` (one value in the tables) as a one-item
    list, as the KGX JSON Lines specification has it; any other column as it is.

    >>> listed_category("category", "t."), listed_category("xref")
    ('[t."category"]', '"xref"')
    """
    value = alias + ident(column)
    return f"[{value}]" if column == "category" else value


def jsonl_line(columns: Mapping[str, str], alias: str = "") -> str:
    """SQL for one KGX JSON Lines object of the typed ``columns`` ({name: DuckDB type}): NULL properties left out.

    >>> duckdb.sql(f"SELECT {jsonl_line({'id': 'VARCHAR', 'category': 'VARCHAR', 'xref': 'VARCHAR[]'})} "
    ...            "FROM (SELECT 'X:1' AS id, 'biolink:Gene' AS category, NULL::VARCHAR[] AS xref)").fetchone()[0]
    '{"id":"X:1","category":["biolink:Gene"]}'
    """
    pairs = ", ".join(f"{quote(json.dumps(c) + ':')} || to_json({listed_category(c, alias)})" for c in columns)
    return f"'{{' || array_to_string(list_filter([{pairs}], p -> p IS NOT NULL), ',') || '}}'"


def column_types(relation: duckdb.DuckDBPyRelation) -> dict[str, str]:
    """A relation's columns as {name: DuckDB type}."""
    return dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))


def ordered(columns: Iterable[str], core: list[str]) -> list[str]:
    """KGX column order: the core columns present first, then the others by name.

    >>> ordered(["xref", "name", "id", "category"], NODE_CORE)
    ['id', 'category', 'name', 'xref']
    """
    columns = list(columns)
    return [c for c in core if c in columns] + sorted(c for c in columns if c not in core)


def qualifiers_of(columns: Iterable[str]) -> list[str]:
    """The qualifier columns among ``columns``, sorted (part of an edge's identity).

    >>> qualifiers_of(["subject", "object_aspect_qualifier", "qualifiers", "negated"])
    ['object_aspect_qualifier', 'qualifiers']
    """
    return sorted(c for c in columns if c.endswith("_qualifier") or c == "qualifiers")


def identity_columns(columns: Iterable[str]) -> list[str]:
    """The columns among ``columns`` that make an edge's identity (:func:`edge_key`): equal on every row of
    one edge.

    >>> identity_columns(["id", "subject", "predicate", "object", "negated", "category", "qualifiers"])
    ['subject', 'predicate', 'object', 'negated', 'qualifiers']
    """
    columns = list(columns)
    return [c for c in (*EDGE_IDENTITY, "negated", *qualifiers_of(columns)) if c in columns]


def edge_key(columns: Mapping[str, str]) -> str:
    """SQL for what makes two edges different, over edge columns given as {name: DuckDB type}.

    Subject, predicate, object and primary knowledge source; ``negated`` as 'true' or empty (an absent
    and a false negation are the same edge); then each qualifier that has a value, as name=value (so a
    transform adding a qualifier column changes no other edge's key). Values are read as the KGX TSV
    cell writes them (lists joined with '|'). Not kgx's subject-predicate-object key, which would fold a
    negated edge into the positive one.

    >>> key = edge_key({"subject": "VARCHAR", "predicate": "VARCHAR", "object": "VARCHAR", "negated": "BOOLEAN"})
    >>> row = "SELECT 'a' AS subject, 'p' AS predicate, 'b' AS object, true AS negated"
    >>> print(duckdb.sql(f"SELECT {key} FROM ({row})").fetchone()[0].replace(chr(31), " | "))
    a | p | b |  | true
    """
    fixed = [tsv_cell(c, columns[c]) if c in columns else "''" for c in EDGE_IDENTITY]
    negated = (
        f"CASE WHEN lower({tsv_cell('negated', columns['negated'])}) = 'true' THEN 'true' ELSE '' END"
        if "negated" in columns
        else "''"
    )
    qualifiers = [
        f"CASE WHEN {ident(q)} IS NOT NULL THEN '{q}=' || {tsv_cell(q, columns[q])} END" for q in qualifiers_of(columns)
    ]
    return f"concat_ws(chr(31), {', '.join([*fixed, negated, *qualifiers])})"


def edge_id(columns: Mapping[str, str]) -> str:
    """SQL for an edge's id: ``urn:md5:`` and the MD5 of :func:`edge_key`, the same in every build."""
    return f"'urn:md5:' || md5({edge_key(columns)})"
