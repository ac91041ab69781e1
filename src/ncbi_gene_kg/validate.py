"""Validation of the graph: kgx's Validator (offline, pinned Biolink) plus the checks kgx lacks.

Our checks run in DuckDB over every node and edge, in one query per table (:func:`check_graph`): categories
and predicates exist in the pinned model, CURIE prefixes resolve in the prefix registry, no '-' or empty
values or list items, knowledge_level and agent_type on every edge. The query groups the records by
*shape* (category or predicate, id prefixes, provenance, which properties are filled) and keeps the first
records of each, the stratified sample kgx's Validator reads for a large graph (:func:`kgx_input`). Each
problem class is reported with a count and a few examples. Ids are unique by construction (the merge
groups nodes and edges by id), so they are not checked again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ncbi_gene_kg.accounting import EXAMPLES, Tally
from ncbi_gene_kg.biolink import (
    is_category,
    is_multivalued,
    is_predicate,
    prefix_map,
    share_toolkit,
    slot_range,
    use_offline_model,
)
from ncbi_gene_kg.curie import is_known_prefix
from ncbi_gene_kg.kgx import column_types, tsv_line
from ncbi_gene_kg.sources import curie_properties
from ncbi_gene_kg.sql import ident, quote

# The properties whose values are CURIEs: each source config's curie_properties.
CURIE_PROPERTIES = {"nodes": curie_properties("node"), "edges": curie_properties("edge")}
# kgx validates about 2,300 records a second (measured on the small benchmark corpus): every record of a
# graph up to this size, a stratified sample of larger ones.
KGX_ALL_RECORDS = 100_000
KGX_PER_SHAPE = 20
# A record's shape: its category or predicate, id prefixes and provenance (and which properties it fills).
SHAPE = {
    "nodes": {"category": "category", "prefix": "split_part(id, ':', 1)"},
    "edges": {
        "category": "category",
        "predicate": "predicate",
        "subject_prefix": "split_part(subject, ':', 1)",
        "object_prefix": "split_part(object, ':', 1)",
        "knowledge_level": "knowledge_level",
        "agent_type": "agent_type",
        "primary_knowledge_source": "primary_knowledge_source",
    },
}
NO_PREFIX = "(not a CURIE)"


@dataclass
class ValidationResult:
    """Validation's findings: errors and warnings by class (count and examples), notes for the report, and the
    shapes of the graph's records (per table: each shape's key values, count and first ids)."""

    errors: dict[str, Tally] = field(default_factory=dict)
    warnings: dict[str, Tally] = field(default_factory=dict)
    kgx_records: int = 0
    notes: list[str] = field(default_factory=list)
    shapes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No error of any class."""
        return not self.errors

    @property
    def n_errors(self) -> int:
        """Errors of all classes together."""
        return sum(t.count for t in self.errors.values())

    def add(self, label: str, count: int, examples: list[str]) -> None:
        """Count ``count`` more errors of class ``label``, with examples (the first few by text are kept)."""
        found = self.errors.setdefault(label, Tally(0, []))
        found.count += count
        found.examples = sorted({*found.examples, *examples})[:EXAMPLES]


def _bad_value(column: str, dtype: str) -> str | None:
    """SQL: the record's ``column`` holds '-' (NCBI's null), an empty value or list item, or a list item with the
    list delimiter (any reader of the TSV would split it); None for a type that cannot (numbers, booleans)."""
    c = ident(column)
    # '-' is NCBI's null, never a value, except in a slot whose enum has it (StrandEnum: the minus strand).
    dash = slot_range(column) != "StrandEnum"
    if dtype.endswith("[]"):
        item = "v = '' OR contains(v, '|')" + (" OR v = '-'" if dash else "")
        return f"len(list_filter({c}, v -> {item})) > 0"
    if dtype != "VARCHAR":
        return None
    value = f"{c} = '' OR {c} LIKE '|%' OR {c} LIKE '%|' OR {c} LIKE '%||%'" + (f" OR {c} = '-'" if dash else "")
    return f"({value})"


def _prefixes(column: str, dtype: str) -> str:
    """SQL: the distinct CURIE prefixes of the record's ``column``, as one space-separated string."""
    prefix = f"CASE WHEN contains(v, ':') THEN split_part(v, ':', 1) ELSE '{NO_PREFIX}' END"
    values = ident(column) if dtype.endswith("[]") else f"[{ident(column)}]"
    return f"array_to_string(list_sort(list_distinct(list_transform({values}, v -> {prefix}))), ' ')"


def _shapes(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
    """One pass over ``table``: its records grouped by shape, with every check's count and examples per shape.

    Returns the shape rows, the columns checked for bad values, and the CURIE columns checked with the name
    of their prefix histogram (prefixes of a record -> records)."""
    types = column_types(con.table(table))
    shape = {
        name: expr for name, expr in SHAPE[table].items() if expr.removeprefix("split_part(").split(",")[0] in types
    }
    filled = " || ".join(f"CASE WHEN {ident(c)} IS NULL THEN '0' ELSE '1' END" for c in types)
    bad = {c: condition for c, t in types.items() if (condition := _bad_value(c, t))}
    curies = {c: f"prefixes_{i}" for i, c in enumerate(c for c in CURIE_PROPERTIES[table] if c in types)}
    aggregates = [
        "count(*) AS n",
        f"min_by(id, id, {KGX_PER_SHAPE}) AS first_ids",
        *(
            f"count(*) FILTER (WHERE {condition}) AS bad_{i}, "
            f"min(id || ': ' || CAST({ident(c)} AS VARCHAR), {EXAMPLES}) FILTER (WHERE {condition}) AS bad_examples_{i}"
            for i, (c, condition) in enumerate(bad.items())
        ),
        *(f"histogram({_prefixes(c, types[c])}) AS {name}" for c, name in curies.items()),
    ]
    keys = [f"{expr} AS {ident(name)}" for name, expr in shape.items()]
    rows = con.execute(f"SELECT {', '.join([*keys, f'{filled} AS filled', *aggregates])} FROM {table} GROUP BY ALL")
    names = [d[0] for d in rows.description]
    found = [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
    return sorted(found, key=lambda s: [str(s[k]) for k in [*shape, "filled"]]), list(bad), curies


def check_graph(con: duckdb.DuckDBPyConnection) -> ValidationResult:
    """Run our checks over the graph's tables ``nodes`` and ``edges`` (one query each)."""
    result = ValidationResult()
    for table in ("nodes", "edges"):
        shapes, bad, curies = _shapes(con, table)
        result.shapes[table] = shapes
        kind = table[:-1]
        for i, column in enumerate(bad):
            n = sum(s[f"bad_{i}"] for s in shapes)
            if n:
                examples = [e for s in shapes for e in s[f"bad_examples_{i}"] or []]
                result.add(f"{kind} {column} holds '-' or an empty value", n, examples)
        for column, name in curies.items():
            for s in shapes:
                for prefixes, n in (s[name] or {}).items():
                    unknown = [p for p in prefixes.split(" ") if p == NO_PREFIX or not is_known_prefix(p)]
                    if unknown:
                        example = f"{s['first_ids'][0]} (or another of its shape): {column} {', '.join(unknown)}"
                        result.add(f"{kind} {column} is not a CURIE with a registry prefix", n, [example])
        for column, known, label in (
            ("category", is_category, f"{kind} category not in the Biolink model"),
            ("predicate", is_predicate, "predicate not in the Biolink model"),
        ):
            for s in shapes:
                if s.get(column) is not None and not known(s[column]):
                    result.add(label, s["n"], [f"{record}: {s[column]}" for record in s["first_ids"]])
    for column in ("knowledge_level", "agent_type"):
        for s in result.shapes["edges"]:
            if s.get(column) is None:
                result.add(f"edge without {column}", s["n"], s["first_ids"])
    return result


def _correct_multivalued(toolkit: Any, *files: Path) -> list[str]:
    """Make kgx's Toolkit agree with the Biolink model on multivalued slots used in ``files``.

    bmt's ``get_element`` returns a slot as declared, so a slot that inherits ``multivalued`` (in_taxon
    in Biolink 4) looks single-valued to kgx, which parses its values as lists all the same and then
    reports every node as invalid. The induced slot is what the model means; only slots where the two
    disagree are changed, and each is named in the report.
    """
    corrected = []
    for path in files:
        with path.open() as fh:
            columns = fh.readline().rstrip("\n").split("\t")
        for column in columns:
            element = toolkit.get_element(column)
            if element is not None and not element.multivalued and is_multivalued(column):
                element.multivalued = True
                _CORRECTED.add(column)
            if column in _CORRECTED:  # corrected now, or by an earlier build in this process (the Toolkit is cached)
                corrected.append(column)
    return sorted(set(corrected))


_CORRECTED: set[str] = set()


def kgx_input(
    con: duckdb.DuckDBPyConnection, result: ValidationResult, graph_files: tuple[Path, Path], folder: Path
) -> tuple[Path, Path, str]:
    """The files kgx validates: the graph's own KGX TSV files, or for a large graph a stratified sample of it
    written into ``folder``: the first records (by id) of every shape :func:`check_graph` found, so that every
    kind of record kgx could object to is seen. Our own checks cover every record either way.
    """
    total = sum(s["n"] for shapes in result.shapes.values() for s in shapes)
    if total <= KGX_ALL_RECORDS:
        return graph_files[0], graph_files[1], f"kgx validated all {total:,} records"
    sampled = 0
    paths = []
    for table, source in zip(("nodes", "edges"), graph_files, strict=True):
        ids = sorted({i for s in result.shapes[table] for i in s["first_ids"]})
        sampled += len(ids)
        con.execute("CREATE OR REPLACE TEMP TABLE kgx_sample AS SELECT unnest(?::VARCHAR[]) AS id", [ids])
        columns = column_types(con.table(table))
        target = folder / source.name
        con.execute(f"""
            COPY (SELECT {tsv_line(columns)} AS {ident(chr(9).join(columns))}
                  FROM {table} SEMI JOIN kgx_sample USING (id) ORDER BY id)
            TO {quote(str(target))} (FORMAT csv, HEADER true, QUOTE '', ESCAPE '')
        """)
        paths.append(target)
    return (
        paths[0],
        paths[1],
        f"kgx validated a stratified sample of {sampled:,} of {total:,} records "
        f"(up to {KGX_PER_SHAPE} of each shape); the other checks cover every record",
    )


def registry_prefixes(result: ValidationResult) -> list[str]:
    """Id prefixes of the graph (nodes, subjects, objects) that bioregistry knows and Biolink's context lacks."""
    used = {
        s.get(key) for key in ("prefix", "subject_prefix", "object_prefix") for t in result.shapes.values() for s in t
    }
    return sorted(p for p in used if p and p not in prefix_map() and is_known_prefix(p))


def run_kgx_validator(nodes: Path, edges: Path, result: ValidationResult, extra_prefixes: Sequence[str] = ()) -> None:
    """Stream KGX files through kgx's Validator on the pinned model (offline).

    ``extra_prefixes`` (registry prefixes the graph uses that Biolink's JSON-LD context lacks, such as
    ``refseq`` for the genomic sequences genes are placed on) are accepted as our own checks accept them;
    the report names them.
    """
    use_offline_model()
    share_toolkit()
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    validator = Validator()
    Validator.set_biolink_model(None)
    if extra_prefixes:
        validator.prefixes |= set(extra_prefixes)
        result.notes.append(
            "kgx accepted id prefixes that bioregistry knows and Biolink's JSON-LD context lacks: "
            + ", ".join(extra_prefixes)
        )
    corrected = _correct_multivalued(validator.get_validating_toolkit(), nodes, edges)
    if corrected:
        result.notes.append(
            "kgx's Toolkit reads slots without their inherited 'multivalued'; corrected for "
            f"{', '.join(corrected)} (multivalued in the pinned Biolink model's induced slots)"
        )
    transformer = Transformer(stream=True)
    transformer.transform(input_args={"filename": [str(nodes), str(edges)], "format": "tsv"}, inspector=validator)
    result.kgx_records = transformer.store.graph.number_of_nodes() if transformer.store else 0
    grouped: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for level, by_type in validator.get_errors().items():
        for error_type, by_message in by_type.items():
            for message, records in by_message.items():
                grouped[level][f"kgx {error_type}: {message}"] = sorted(map(str, records))
    for level, problems in grouped.items():
        target = result.errors if level.upper() == "ERROR" else result.warnings
        for label, records in problems.items():
            target[label] = Tally(len(records), records[:EXAMPLES])
