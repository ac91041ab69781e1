"""Writing KGX rows that DuckDB computed through a Koza writer, a whole relation at a time.

Koza's writers turn one pydantic object per row into one output line; at tens of millions of rows
that costs more than everything else together. Here a transform hands over a DuckDB relation whose
columns are KGX properties (list properties as DuckDB lists) and the rows are formatted by DuckDB
and appended to the file the Koza writer opened, in the column order its config declares. Koza
keeps the file naming, the header, the node/edge counts and the count bounds of the config.

An edge's identity is defined here once (:func:`edge_key`): :func:`write_edges` gives every edge its
id from it, and the merge groups edges by that id, so an edge has the same id in its transform's file
and in the graph.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import duckdb
import orjson
from koza.io.writer.jsonl_writer import JSONLWriter
from koza.io.writer.tsv_writer import TSVWriter
from koza.io.writer.writer import KozaWriter

from ncbi_gene_kg.sql import ident

LIST_DELIMITER = "|"
Kind = Literal["node", "edge"]
# The columns every edge's identity has (edge_key adds the negation and the qualifiers).
EDGE_IDENTITY = ("subject", "predicate", "object", "primary_knowledge_source")


def write_nodes(writer: KozaWriter, nodes: duckdb.DuckDBPyRelation) -> int:
    """Append the node rows of ``nodes`` to the writer's node file; returns how many."""
    return _write(writer, nodes, "node")


def write_edges(writer: KozaWriter, edges: duckdb.DuckDBPyRelation) -> int:
    """Append the edge rows of ``edges`` to the writer's edge file, each with its id; returns how many.

    ``edges`` has every edge property but ``id``, which is computed here (:func:`edge_id`).
    """
    if "id" in edges.columns:
        raise ValueError("edges are given their id by kgx.write_edges (kgx.edge_id); select no id column")
    types = dict(zip(edges.columns, (str(t) for t in edges.types), strict=True))
    return _write(writer, edges.project(f"{edge_id(types)} AS id, *"), "edge")


def _write(writer: KozaWriter, relation: duckdb.DuckDBPyRelation, kind: Kind) -> int:
    if isinstance(writer, TSVWriter):
        count = _write_tsv(writer, relation, kind)
    elif isinstance(writer, JSONLWriter):
        count = _write_jsonl(writer, relation, kind)
    else:
        raise TypeError(f"no bulk KGX writing for {type(writer).__name__}")
    if kind == "node":
        writer.node_count += count
    else:
        writer.edge_count += count
    return count


def tsv_cell(name: str, dtype: str) -> str:
    """SQL for one KGX TSV cell: lists joined with '|', NULL as the empty string."""
    column = ident(name)
    if dtype.endswith("[]"):
        return f"coalesce(array_to_string({column}, '{LIST_DELIMITER}'), '')"
    return f"coalesce(CAST({column} AS VARCHAR), '')"


def _columns(writer: KozaWriter, relation: duckdb.DuckDBPyRelation, kind: Kind) -> list[str]:
    """The config's columns for this kind; the relation must have exactly these."""
    declared = getattr(writer, f"{kind}_columns", None) if isinstance(writer, TSVWriter) else None
    if declared is None:
        properties = getattr(writer.config, f"{kind}_properties") if writer.config else None
        declared = properties or relation.columns
    columns = list(declared)
    missing = sorted(set(columns) - set(relation.columns))
    extra = sorted(set(relation.columns) - set(columns))
    if missing or extra:
        raise ValueError(
            f"{kind} columns differ from the config's {kind}_properties: "
            f"missing {missing or 'none'}, not declared {extra or 'none'}"
        )
    return columns


def _write_tsv(writer: TSVWriter, relation: duckdb.DuckDBPyRelation, kind: Kind) -> int:
    columns = _columns(writer, relation, kind)
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    line = " || '\t' || ".join(tsv_cell(name, types[name]) for name in columns)
    handle = writer.nodeFH if kind == "node" else writer.edgeFH
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.tsv"
        relation.query("rows", f"SELECT {line} AS line FROM rows").write_csv(
            str(part), header=False, quotechar="", escapechar=""
        )
        handle.flush()
        count = 0
        with part.open("rb") as rows:
            while chunk := rows.read(1 << 22):
                count += chunk.count(b"\n")
                handle.buffer.write(chunk)
        handle.buffer.flush()
    return count


def _write_jsonl(writer: JSONLWriter, relation: duckdb.DuckDBPyRelation, kind: Kind) -> int:
    columns = _columns(writer, relation, kind)
    getattr(writer, f"_ensure_{kind}_file_handle")()
    handle = writer.nodeFH if kind == "node" else writer.edgeFH
    count = 0
    reader = relation.select(*(f'"{c}"' for c in columns)).to_arrow_reader(100_000)
    for batch in reader:
        for row in batch.to_pylist():
            handle.write(orjson.dumps({k: v for k, v in row.items() if v not in (None, [])}) + b"\n")
            count += 1
    return count


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
    cell writes them (lists joined with '|'), so typed rows in a transform and the TSV text in the
    merge give the same key. Not kgx's subject-predicate-object key, which would fold a negated edge
    into the positive one.

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
