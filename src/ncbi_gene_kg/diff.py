"""`ncbi-gene-kg diff OLD NEW`: what changed between two built graphs, node by node and edge by edge.

Both graph databases (``ncbi_gene.duckdb``, graphdb.py) are attached read-only to one in-memory DuckDB database
with the build's memory bound, and compared there: nodes by id and edges by edge id (the id is the hash of the
edge's identity, kgx.edge_key), with anti-joins for what was added or removed and a join on the id for what
changed: a property changed when its values differ (``IS DISTINCT FROM``; a list compared as a sorted list, so
a reordering is no change). Only counts and a few examples, in id order, come back to Python. A removed gene
is explained by NEW's ``gene_history`` table (the SSSOM mapping set's rows, sssom.py): discontinued, replaced
by another GeneID, or gone with no history record.

The report (:func:`diff_graphs`) is plain JSON, the same for `diff --json` and a build's ``changes.json``
(docs/diff.md gives its schema); it names no path, so a rebuild's ``changes.json`` is reproducible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH_DB, columns, has_table
from ncbi_gene_kg.kgx import is_list
from ncbi_gene_kg.resolve import GENE_CATEGORY, HISTORY_MAPPINGS, NO_TERM_FOUND
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sql import ident, quote, scalar

CHANGES_JSON = "changes.json"
METADATA = "graph_metadata.json"
OLD, NEW = "old", "new"
EXAMPLES = 5  # examples per property, per kind of change
NONE = "(none)"
COUNTED = {"added", "removed", "changed", "nodes", "edges", "genes"}  # the table columns that are counts
FIRST_BUILD = "nothing to compare with: OUT held no graph before this build"
# Why a gene of OLD is not in NEW, from NEW's gene_history.
DISCONTINUED, REPLACED, NO_HISTORY = "discontinued", "replaced", "no history record"


def diff_graphs(old_dir: Path, new_dir: Path, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, Any]:
    """The changes from the graph built in ``old_dir`` to the one in ``new_dir`` (each a build's output folder
    or build folder, with ``ncbi_gene.duckdb`` and ``graph_metadata.json``), compared in ``con`` (a build's
    connection, so that the diff shares its memory bound; left as it was found) or in a new in-memory database.

    Raises:
        UserError: when a folder holds no complete graph.
    """
    old_meta, new_meta = graph_metadata(old_dir), graph_metadata(new_dir)
    work = con or connect(preserve_order=False)
    try:
        for alias, folder in ((OLD, old_dir), (NEW, new_dir)):
            attach(work, alias, folder)
        return {
            OLD: summary(old_meta),
            NEW: summary(new_meta),
            "incomparable": incomparable(old_meta, new_meta),
            "nodes": node_changes(work),
            "removed_genes": removed_genes(work),
            "edges": edge_changes(work),
        }
    finally:
        if con is None:
            work.close()
        else:
            release(work)


def release(con: duckdb.DuckDBPyConnection) -> None:
    """Detach the two graphs and drop the diff's temp tables from a connection the caller goes on using."""
    for table in ("nodes", "edges"):
        for kind in ("added", "removed", "changed"):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}_{kind}")
    for alias in (OLD, NEW):
        con.execute(f"DETACH DATABASE IF EXISTS {alias}")


def changes_since(
    previous: Path | None, build_dir: Path, con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, Any]:
    """A build's ``changes.json``: the diff from the graph OUT held before (``previous``) to the new one in
    ``build_dir`` (in ``con``, the build's connection); with no previous graph, or one that cannot be compared
    (half-written, from an older version), ``{"old": null, "note": why}``: the build goes on."""
    if previous is None:
        return {OLD: None, "note": FIRST_BUILD}
    try:
        return diff_graphs(previous, build_dir, con)
    except UserError as error:
        return {OLD: None, "note": f"the previous graph cannot be compared: {error}"}


def graph_metadata(folder: Path) -> dict[str, Any]:
    """The build's graph_metadata.json; a UserError when the folder holds no built graph or a half-written one."""
    database, metadata = folder / GRAPH_DB, folder / METADATA
    if not database.is_file():
        raise UserError(f"no built graph in {folder} ({GRAPH_DB} missing): give the output folder of `make transform`")
    if not metadata.is_file():
        raise UserError(f"{folder}: a half-written build ({METADATA} missing); build it again")
    try:
        return dict(json.loads(metadata.read_text()))
    except ValueError as error:
        raise UserError(f"{metadata}: not JSON ({error}); build it again") from error


def attach(con: duckdb.DuckDBPyConnection, alias: str, folder: Path) -> None:
    """Attach ``folder``'s graph database read-only as ``alias``; it must have both graph tables."""
    database = folder / GRAPH_DB
    try:
        con.execute(f"ATTACH {quote(str(database))} AS {alias} (READ_ONLY)")
    except duckdb.Error as error:
        raise UserError(f"{database}: cannot be opened ({str(error).splitlines()[0]})") from error
    missing = [table for table in ("nodes", "edges") if not has_table(con, table, alias)]
    if missing:
        raise UserError(f"{database}: a half-written build (no table {', '.join(missing)}); build it again")


def summary(metadata: dict[str, Any]) -> dict[str, Any]:
    """What identifies a build in the report: its date, taxon scope, Biolink version and size (no path)."""
    statistics = metadata.get("statistics", {})
    return {
        "date": metadata.get("dateCreated"),
        "taxon_scope": metadata.get("taxonScope", {}).get("name"),
        "biolink_version": metadata.get("softwareVersions", {}).get("biolink-model"),
        "nodes": statistics.get("nodes"),
        "edges": statistics.get("edges"),
    }


def incomparable(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why the two graphs differ by construction, not by NCBI's data: another taxon scope or Biolink version."""
    reasons = []
    old_scope, new_scope = old.get("taxonScope", {}), new.get("taxonScope", {})
    if old_scope.get("tax_ids") != new_scope.get("tax_ids"):
        reasons.append(f"taxon scopes differ: {old_scope.get('name')} → {new_scope.get('name')}")
    old_biolink = old.get("softwareVersions", {}).get("biolink-model")
    new_biolink = new.get("softwareVersions", {}).get("biolink-model")
    if old_biolink != new_biolink:
        reasons.append(f"Biolink versions differ: {old_biolink} → {new_biolink}")
    return reasons


def compared(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The properties of ``table`` in either graph, but the id (a graph has only the properties some record has)."""
    return sorted((set(columns(con, f"{OLD}.{table}")) | set(columns(con, f"{NEW}.{table}"))) - {"id"})


def value(con: duckdb.DuckDBPyConnection, alias: str, table: str, column: str, row: str) -> str:
    """SQL for ``column`` of row alias ``row`` of ``alias.table``, comparable across graphs: a list sorted, a
    NULL when the graph lacks the column."""
    if column not in columns(con, f"{alias}.{table}"):
        return "NULL"
    expression = f"{row}.{ident(column)}"
    return f"list_sort({expression})" if is_list(column) else expression


def text(con: duckdb.DuckDBPyConnection, alias: str, table: str, column: str, row: str) -> str:
    """SQL for the value as text, for examples: a list's values joined with '|', as KGX TSV writes them."""
    expression = value(con, alias, table, column, row)
    return f"array_to_string({expression}, '|')" if is_list(column) else f"CAST({expression} AS VARCHAR)"


def changed_rows(con: duckdb.DuckDBPyConnection, table: str, keys: dict[str, str]) -> None:
    """Temp tables ``<table>_added``, ``<table>_removed`` (ids, and the breakdown ``keys``: name -> column, as text,
    from the graph that has the record) and ``<table>_changed`` (ids, ``keys`` from NEW, and ``changed``: the names
    of the properties whose values differ)."""

    def picked(alias: str, row: str) -> str:
        return ", ".join(f"{text(con, alias, table, column, row)} AS {ident(key)}" for key, column in keys.items())

    for name, mine, other in (("added", NEW, OLD), ("removed", OLD, NEW)):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table}_{name} AS
            SELECT x.id, {picked(mine, "x")} FROM {mine}.{table} x ANTI JOIN {other}.{table} y ON x.id = y.id
        """)
    differs = ", ".join(
        f"CASE WHEN {value(con, OLD, table, p, 'o')} IS DISTINCT FROM {value(con, NEW, table, p, 'n')} "
        f"THEN {quote(p)} END"
        for p in compared(con, table)
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table}_changed AS
        SELECT * FROM (
            SELECT n.id, {picked(NEW, "n")}, list_filter([{differs}], p -> p IS NOT NULL) AS changed
            FROM {OLD}.{table} o JOIN {NEW}.{table} n ON o.id = n.id
        ) WHERE len(changed) > 0
    """)


def counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Records in OLD and NEW, added, removed and changed."""
    return {
        OLD: scalar(con, f"SELECT count(*) FROM {OLD}.{table}"),
        NEW: scalar(con, f"SELECT count(*) FROM {NEW}.{table}"),
        "added": scalar(con, f"SELECT count(*) FROM {table}_added"),
        "removed": scalar(con, f"SELECT count(*) FROM {table}_removed"),
        "changed": scalar(con, f"SELECT count(*) FROM {table}_changed"),
    }


def changed_properties(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Changed records per property, most first (ties by name)."""
    rows = con.execute(f"""
        SELECT p, count(*) AS n FROM (SELECT unnest(changed) AS p FROM {table}_changed)
        GROUP BY p ORDER BY n DESC, p
    """).fetchall()
    return dict(rows)


def breakdown(con: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> list[dict[str, Any]]:
    """Added, removed and changed records per combination of ``keys``, in key order ('(none)' for no value)."""
    key_list = ", ".join(ident(k) for k in keys)
    parts = " UNION ALL ".join(
        f"SELECT {key_list}, {quote(kind)} AS kind FROM {table}_{kind}" for kind in ("added", "removed", "changed")
    )
    rows = con.execute(f"""
        SELECT {", ".join(f"coalesce({ident(k)}, '{NONE}')" for k in keys)},
               count(*) FILTER (kind = 'added'), count(*) FILTER (kind = 'removed'), count(*) FILTER (kind = 'changed')
        FROM ({parts}) GROUP BY ALL ORDER BY ALL
    """).fetchall()
    return [dict(zip([*keys, "added", "removed", "changed"], row, strict=True)) for row in rows]


def property_examples(
    con: duckdb.DuckDBPyConnection, table: str, properties: dict[str, int], label: str
) -> dict[str, list[dict[str, Any]]]:
    """Per changed property, the first records (by id) that changed it, with the old and the new value; ``label``
    is SQL for what names the record (from NEW, row alias ``n``)."""
    examples = {}
    for p in properties:
        first = f"SELECT id FROM {table}_changed WHERE list_contains(changed, {quote(p)}) ORDER BY id LIMIT {EXAMPLES}"
        rows = con.execute(f"""
            SELECT n.id, {label}, {text(con, OLD, table, p, "o")}, {text(con, NEW, table, p, "n")}
            FROM ({first}) c
            JOIN {OLD}.{table} o ON o.id = c.id JOIN {NEW}.{table} n ON n.id = c.id
            ORDER BY n.id
        """).fetchall()
        examples[p] = [{"id": i, "label": name, OLD: before, NEW: after} for i, name, before, after in rows]
    return examples


def node_label(con: duckdb.DuckDBPyConnection, alias: str) -> str:
    """SQL naming a node of ``alias`` (row alias ``n``): its symbol, else its name."""
    present = [c for c in ("symbol", "name") if c in columns(con, f"{alias}.nodes")]
    return f"coalesce({', '.join(f'n.{c}' for c in present)})" if present else "NULL::VARCHAR"


def record_examples(con: duckdb.DuckDBPyConnection, table: str, kind: str, label: str) -> list[dict[str, Any]]:
    """The first records (by id) ``kind`` ('added' or 'removed') names, each with its ``label`` (SQL on row ``n`` of
    the graph that has it)."""
    alias = NEW if kind == "added" else OLD
    rows = con.execute(f"""
        SELECT x.id, {label}
        FROM (SELECT id FROM {table}_{kind} ORDER BY id LIMIT {EXAMPLES}) x JOIN {alias}.{table} n ON n.id = x.id
        ORDER BY x.id
    """).fetchall()
    return [{"id": i, "label": name} for i, name in rows]


def node_changes(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Nodes added, removed and changed; per category and taxon; per property, with examples."""
    changed_rows(con, "nodes", {"category": "category", "taxon": "in_taxon"})
    properties = changed_properties(con, "nodes")
    return {
        **counts(con, "nodes"),
        "changed_properties": properties,
        "by_category": breakdown(con, "nodes", ["category"]),
        "by_taxon": breakdown(con, "nodes", ["taxon"]),
        "examples": property_examples(con, "nodes", properties, node_label(con, NEW)),
        "added_examples": record_examples(con, "nodes", "added", node_label(con, NEW)),
        "removed_examples": record_examples(con, "nodes", "removed", node_label(con, OLD)),
    }


def edge_changes(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Edges added, removed and changed; per predicate and primary knowledge source; per property, with examples."""
    changed_rows(con, "edges", {"predicate": "predicate", "source": "primary_knowledge_source"})
    properties = changed_properties(con, "edges")
    label = "n.subject || ' ' || n.predicate || ' ' || n.object"
    return {
        **counts(con, "edges"),
        "changed_properties": properties,
        "by_predicate_and_source": [
            {"predicate": r["predicate"], "primary_knowledge_source": r.pop("source"), **r}
            for r in breakdown(con, "edges", ["predicate", "source"])
        ],
        "examples": property_examples(con, "edges", properties, label),
        "added_examples": record_examples(con, "edges", "added", label),
        "removed_examples": record_examples(con, "edges", "removed", label),
    }


def removed_genes(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every gene of OLD that NEW lacks, and why, from NEW's gene_history: discontinued (on a date), replaced by
    another GeneID (which NEW has, or not), or gone with no history record."""
    history = has_table(con, HISTORY_MAPPINGS, NEW)
    mappings = (
        f"SELECT subject_id, object_id, mapping_date FROM {NEW}.{HISTORY_MAPPINGS}"
        if history
        else "SELECT NULL::VARCHAR AS subject_id, NULL::VARCHAR AS object_id, NULL::VARCHAR AS mapping_date LIMIT 0"
    )
    rows = con.execute(f"""
        SELECT r.id, {node_label(con, OLD)} AS symbol,
               CASE WHEN h.subject_id IS NULL THEN '{NO_HISTORY}'
                    WHEN h.object_id = '{NO_TERM_FOUND}' THEN '{DISCONTINUED}' ELSE '{REPLACED}' END AS reason,
               h.mapping_date AS date,
               nullif(h.object_id, '{NO_TERM_FOUND}') AS replaced_by,
               CASE WHEN h.object_id <> '{NO_TERM_FOUND}' THEN c.id IS NOT NULL END AS replacement_in_new
        FROM nodes_removed r
        JOIN {OLD}.nodes n ON n.id = r.id
        LEFT JOIN ({mappings}) h ON h.subject_id = r.id
        LEFT JOIN {NEW}.nodes c ON c.id = h.object_id
        WHERE r.category = '{GENE_CATEGORY}'
        ORDER BY r.id
    """).fetchall()
    genes = [
        dict(zip(("id", "symbol", "reason", "date", "replaced_by", "replacement_in_new"), r, strict=True)) for r in rows
    ]
    by_reason = {reason: sum(g["reason"] == reason for g in genes) for reason in (DISCONTINUED, REPLACED, NO_HISTORY)}
    return {
        "total": len(genes),
        "history_in_new": history,
        "by_reason": by_reason,
        "replacement_in_new": sum(bool(g["replacement_in_new"]) for g in genes),
        "genes": genes,
    }


def one_line(report: dict[str, Any]) -> str:
    """The build summary's line: ``+812 genes, −97 (61 discontinued, 30 replaced, 6 without history), 1,204 symbols
    changed, +15,331 / −9,876 edges``."""
    genes = next((r for r in report["nodes"]["by_category"] if r["category"] == GENE_CATEGORY), None)
    removed = report["removed_genes"]
    reasons = removed["by_reason"]
    symbols = report["nodes"]["changed_properties"].get("symbol", 0)
    edges = report["edges"]
    return (
        f"+{genes['added'] if genes else 0:,} genes, −{removed['total']:,} ({reasons[DISCONTINUED]:,} discontinued, "
        f"{reasons[REPLACED]:,} replaced, {reasons[NO_HISTORY]:,} without history), {symbols:,} symbols changed, "
        f"+{edges['added']:,} / −{edges['removed']:,} edges"
    )


def headline(report: dict[str, Any]) -> str:
    """The first line of every rendering: which builds are compared, or why they differ by construction."""
    if report["incomparable"]:
        return "not the same kind of graph, so not only NCBI's changes: " + "; ".join(report["incomparable"])
    old, new = report[OLD], report[NEW]
    return (
        f"{old['date']} → {new['date']} (taxon scope {new['taxon_scope']}, Biolink {new['biolink_version']}): "
        f"{old['nodes']:,} → {new['nodes']:,} nodes, {old['edges']:,} → {new['edges']:,} edges"
    )


def clipped(value: str | None, width: int = 60) -> str:
    """A value for a table cell: '–' for none, long ones cut."""
    if value is None:
        return "–"
    return value if len(value) <= width else value[: width - 1] + "…"


def example_line(example: dict[str, Any], prop: str) -> str:
    """``NCBIGene:1234 (FOO) symbol FOO → BAR``."""
    label = f" ({example['label']})" if example["label"] and example["label"] != example["id"] else ""
    return f"{example['id']}{label} {prop} {clipped(example[OLD])} → {clipped(example[NEW])}"


def removed_line(gene: dict[str, Any]) -> str:
    """``NCBIGene:1 (FOO): replaced by NCBIGene:2 on 2021-03-01 (in NEW)``."""
    why = gene["reason"]
    if gene["reason"] == REPLACED:
        why = f"replaced by {gene['replaced_by']} ({'in' if gene['replacement_in_new'] else 'not in'} NEW)"
    when = f" on {gene['date']}" if gene["date"] else ""
    return f"{gene['id']} ({gene['symbol']}): {why}{when}"


def sections(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's tables, as (title, header, rows) of text, for the terminal and for Markdown."""
    nodes, edges, removed = report["nodes"], report["edges"], report["removed_genes"]

    def n(value: int) -> str:
        return f"{value:,}"

    tables = [
        (
            "Nodes by category",
            ["category", "added", "removed", "changed"],
            [[r["category"], n(r["added"]), n(r["removed"]), n(r["changed"])] for r in nodes["by_category"]],
        ),
        (
            "Nodes by taxon",
            ["taxon", "added", "removed", "changed"],
            [[r["taxon"], n(r["added"]), n(r["removed"]), n(r["changed"])] for r in nodes["by_taxon"]],
        ),
        (
            "Changed node properties",
            ["property", "nodes", "first example"],
            [[p, n(c), example_line(nodes["examples"][p][0], p)] for p, c in nodes["changed_properties"].items()],
        ),
        (
            "Removed genes by reason" + ("" if removed["history_in_new"] else " (NEW has no gene_history)"),
            ["reason", "genes", "first example"],
            [
                [reason, n(count), next((removed_line(g) for g in removed["genes"] if g["reason"] == reason), "")]
                for reason, count in removed["by_reason"].items()
            ],
        ),
        (
            "Edges by predicate and primary knowledge source",
            ["predicate", "source", "added", "removed", "changed"],
            [
                [r["predicate"], r["primary_knowledge_source"], n(r["added"]), n(r["removed"]), n(r["changed"])]
                for r in edges["by_predicate_and_source"]
            ],
        ),
        (
            "Changed edge properties",
            ["property", "edges", "first example"],
            [[p, n(c), example_line(edges["examples"][p][0], p)] for p, c in edges["changed_properties"].items()],
        ),
    ]
    return [table for table in tables if table[2]]


def print_report(console: Console, report: dict[str, Any]) -> None:
    """The terminal summary: the headline, the one-line summary and the tables."""
    console.print(headline(report), highlight=False, soft_wrap=True)
    nodes, edges = report["nodes"], report["edges"]
    console.print(
        f"nodes: +{nodes['added']:,} −{nodes['removed']:,} ~{nodes['changed']:,}; "
        f"edges: +{edges['added']:,} −{edges['removed']:,} ~{edges['changed']:,}",
        highlight=False,
    )
    console.print(one_line(report), highlight=False, soft_wrap=True)
    for title, header, rows in sections(report):
        table = Table(title=title)
        for name in header:
            table.add_column(name, justify="right" if name in COUNTED else "left")
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)


def markdown_note(report: dict[str, Any]) -> str:
    """The report as a release note: the headline, the tables, and every removed gene."""
    lines = [
        "# Changes since the previous release",
        "",
        headline(report),
        "",
        one_line(report),
    ]
    for title, header, rows in sections(report):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    for title, key in (("Changed node properties: examples", "nodes"), ("Changed edge properties: examples", "edges")):
        examples = report[key]["examples"]
        if examples:
            lines += ["", f"## {title}", ""]
            lines += [f"- `{example_line(e, p)}`" for p, found in examples.items() for e in found]
    genes = report["removed_genes"]["genes"]
    if genes:
        lines += ["", "## Removed genes", ""] + [f"- {removed_line(g)}" for g in genes]
    return "\n".join(lines) + "\n"


def to_json(report: dict[str, Any]) -> str:
    """The report as `diff --json` prints it and a build writes ``changes.json``."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
