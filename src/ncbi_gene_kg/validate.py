"""Validation of the graph: kgx's Validator (offline, pinned Biolink) plus the checks kgx lacks.

Our checks run in DuckDB over every node and edge, in one query per table (:func:`check_graph`): categories
and predicates exist in the pinned model, CURIE prefixes resolve in the prefix registry, no '-' or empty
values or list items, knowledge_level and agent_type on every edge. The query groups the records by
*shape* (:class:`Shapes`: category or predicate, id prefixes, the categories of an edge's ends, provenance,
qualifiers, and which properties are filled) with every check's count, and keeps the first records (by id)
of each shape: the stratified sample kgx's Validator reads for a large graph (:func:`kgx_input`), and the
one pass the graph's statistics, meta knowledge graph and example edges are taken from. A value that is a
shape key (a category, a predicate, a knowledge source) is checked once per shape, here in Python; the
others in the query. Each problem class is reported with a count and a few examples. Ids are unique by
construction (the merge groups nodes and edges by id), so they are not checked again.
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
    is_slot,
    prefix_map,
    share_toolkit,
    slot_range,
    use_offline_model,
)
from ncbi_gene_kg.curie import is_known_prefix
from ncbi_gene_kg.kgx import column_types, qualifiers_of, tsv_line
from ncbi_gene_kg.sources import curie_properties, non_biolink_properties
from ncbi_gene_kg.sql import ident, one, quote

# The properties whose values are CURIEs: each source config's curie_properties.
CURIE_PROPERTIES = {"nodes": curie_properties("node"), "edges": curie_properties("edge")}
# kgx validates about 2,300 records a second (measured on the small benchmark corpus): every record of a
# graph up to this size, a stratified sample of larger ones.
KGX_ALL_RECORDS = 100_000
KGX_PER_SHAPE = 20
# A record's shape keys: {name: SQL}, over the table as ``t`` (and, for edges, the end nodes as ``s``, ``o``).
SHAPE_KEYS = {
    "nodes": {"category": "t.category", "prefix": "split_part(t.id, ':', 1)"},
    "edges": {
        "subject_category": "s.category",
        "predicate": "t.predicate",
        "object_category": "o.category",
        "category": "t.category",
        "subject_prefix": "split_part(t.subject, ':', 1)",
        "object_prefix": "split_part(t.object, ':', 1)",
        "knowledge_level": "t.knowledge_level",
        "agent_type": "t.agent_type",
        "primary_knowledge_source": "t.primary_knowledge_source",
    },
}
# Shape keys that hold a property's whole value (checked in Python, once per shape).
KEY_VALUES = ("category", "predicate", "knowledge_level", "agent_type", "primary_knowledge_source")
NO_PREFIX = "(not a CURIE)"


@dataclass
class Shapes:
    """The records of one graph table grouped by shape: ``rows`` (each a dict of the shape's keys, ``filled``
    (a bit per column of ``columns``, set when the column has a value), ``n`` and ``first_ids``, the first
    ids of the shape in id order) and the table's ``columns``."""

    columns: list[str]
    rows: list[dict[str, Any]]

    def filled(self, row: dict[str, Any]) -> list[str]:
        """The columns that have a value in the records of ``row``'s shape."""
        return [c for i, c in enumerate(self.columns) if row["filled"] >> i & 1]

    @property
    def total(self) -> int:
        """The records of the table."""
        return sum(r["n"] for r in self.rows)


@dataclass
class ValidationResult:
    """Validation's findings: errors and warnings by class (count and examples), notes for the report, and the
    shapes of the graph's records (per table)."""

    errors: dict[str, Tally] = field(default_factory=dict)
    warnings: dict[str, Tally] = field(default_factory=dict)
    kgx_records: int = 0
    notes: list[str] = field(default_factory=list)
    shapes: dict[str, Shapes] = field(default_factory=dict)

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


def is_bad_text(value: str, column: str) -> bool:
    """A value is '-' (NCBI's null; a value of StrandEnum, the minus strand), empty, or starts, ends or doubles the
    list delimiter.

    >>> is_bad_text("-", "name"), is_bad_text("-", "strand"), is_bad_text("a|", "name"), is_bad_text("a", "name")
    (True, False, True, False)
    """
    dash = value == "-" and slot_range(column) != "StrandEnum"
    return dash or value == "" or value.startswith("|") or value.endswith("|") or "||" in value


def _bad_value(column: str, dtype: str, alias: str = "t.") -> str | None:
    """SQL: the record's ``column`` holds a bad text (:func:`is_bad_text`), or a list item that is one or holds the
    list delimiter (any reader of the TSV would split it); None for a type that cannot (numbers, booleans)."""
    c = alias + ident(column)
    # '-' is NCBI's null, never a value, except in a slot whose enum has it (StrandEnum: the minus strand).
    dash = slot_range(column) != "StrandEnum"
    if dtype.endswith("[]"):
        item = "v = '' OR contains(v, '|')" + (" OR v = '-'" if dash else "")
        return f"len(list_filter({c}, v -> {item})) > 0"
    if dtype != "VARCHAR":
        return None
    value = f"{c} = '' OR {c} LIKE '|%' OR {c} LIKE '%|' OR contains({c}, '||')" + (f" OR {c} = '-'" if dash else "")
    return f"({value})"


def _prefix(value: str) -> str:
    """SQL for the CURIE prefix of ``value`` (NO_PREFIX for a value without ':')."""
    return f"CASE WHEN contains({value}, ':') THEN split_part({value}, ':', 1) ELSE '{NO_PREFIX}' END"


def _prefixes(column: str, dtype: str, alias: str = "t.") -> str:
    """SQL aggregating the CURIE prefixes of ``column`` over a shape's records: the distinct lists of prefixes
    of a list column, the distinct prefixes of a single value."""
    if dtype.endswith("[]"):
        return f"list(DISTINCT list_transform({alias}{ident(column)}, v -> {_prefix('v')}))"
    return f"list(DISTINCT [{_prefix(alias + ident(column))}]) FILTER (WHERE {alias}{ident(column)} IS NOT NULL)"


def _shapes(con: duckdb.DuckDBPyConnection, table: str) -> tuple[Shapes, dict[str, str], dict[str, str]]:
    """One pass over ``table``: its records grouped by shape, with every check's count and examples per shape.

    Returns the shapes, the columns checked in the query for bad values and the CURIE columns checked in the
    query (each with the name of its aggregate)."""
    types = column_types(con.table(table))
    columns = list(types)
    keys = {name: sql for name, sql in SHAPE_KEYS[table].items() if sql.split(".")[-1].split(",")[0] in types}
    keys |= {q: f"t.{ident(q)}" for q in qualifiers_of(columns)} if table == "edges" else {}
    keyed = {sql.removeprefix("t.") for sql in keys.values() if sql.startswith("t.")}
    if len(columns) > 62:  # one bit per column of a BIGINT
        raise ValueError(f"{table} has {len(columns)} columns; shapes take at most 62")
    filled = " + ".join(f"(({ident(c)} IS NOT NULL)::BIGINT << {i})" for i, c in enumerate(columns)) or "0"
    bad = {c: f"bad_{i}" for i, c in enumerate(c for c in columns if c not in keyed and _bad_value(c, types[c]))}
    curies = {c: f"prefixes_{i}" for i, c in enumerate(c for c in CURIE_PROPERTIES[table] if c in types)}
    curies = {c: name for c, name in curies.items() if c not in keyed and c not in ("id", "subject", "object")}
    aggregates = [
        "count(*) AS n",
        f"min_by(t.id, t.id, {KGX_PER_SHAPE}) AS first_ids",
        # (counts only: the examples of a bad value are read when there is one, see bad_examples)
        *(f"count(*) FILTER (WHERE {_bad_value(c, types[c])}) AS {name}" for c, name in bad.items()),
        *(f"{_prefixes(c, types[c])} AS {name}" for c, name in curies.items()),
    ]
    ends = "LEFT JOIN nodes s ON s.id = t.subject LEFT JOIN nodes o ON o.id = t.object" if table == "edges" else ""
    selected = [f"{sql} AS {ident(name)}" for name, sql in keys.items()]
    rows = con.execute(f"""
        SELECT {", ".join([*selected, "t._filled AS filled", *aggregates])}
        FROM (SELECT *, {filled} AS _filled FROM {table}) t {ends}
        GROUP BY ALL
    """)
    names = [d[0] for d in rows.description]
    found = [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
    found.sort(key=lambda r: [str(r[k]) for k in [*keys, "filled"]])
    return Shapes(columns, found), bad, curies


def offenders(con: duckdb.DuckDBPyConnection, table: str, column: str, where: str) -> tuple[int, list[str]]:
    """How many records of ``table`` (as ``t``) meet ``where``, and the first few by id, as 'id: value of ``column``'.

    The checks' query finds problems per shape; this counts and shows the offending records, only when there are.
    """
    value = f"t.id || ': ' || CAST(t.{ident(column)} AS VARCHAR)"
    count, examples = one(con, f"SELECT count(*), min({value}, {EXAMPLES}) FROM {table} t WHERE {where}")
    return count, list(examples or [])


def check_graph(con: duckdb.DuckDBPyConnection) -> ValidationResult:
    """Run our checks over the graph's tables ``nodes`` and ``edges`` (one query each); keep their shapes.

    A problem found is then counted exactly, with examples, by one more query (:func:`offenders`)."""
    result = ValidationResult()
    for table in ("nodes", "edges"):
        shapes, bad, curies = _shapes(con, table)
        result.shapes[table] = shapes
        kind = table[:-1]
        types = column_types(con.table(table))
        _check_properties(result, kind, list(types))
        for column, name in bad.items():
            if any(r[name] for r in shapes.rows):
                n, examples = offenders(con, table, column, _bad_value(column, types[column]) or "false")
                result.add(f"{kind} {column} holds '-' or an empty value", n, examples)
        for row in shapes.rows:
            _check_keys(result, kind, row)
        for column, name in curies.items():
            prefixes = {p for row in shapes.rows for value in row[name] or [] for p in (value or [])}
            unknown = sorted(p for p in prefixes if p == NO_PREFIX or not is_known_prefix(p))
            if unknown:
                listed = ", ".join(quote(p) for p in unknown)
                c = f"t.{ident(column)}"
                where = (
                    f"list_bool_or(list_transform({c}, v -> {_prefix('v')} IN ({listed})))"
                    if types[column].endswith("[]")
                    else f"{_prefix(c)} IN ({listed})"
                )
                n, examples = offenders(con, table, column, where)
                result.add(f"{kind} {column} is not a CURIE with a registry prefix", n, examples)
    return result


def _check_properties(result: ValidationResult, kind: str, columns: list[str]) -> None:
    """Every property is a Biolink slot or one a source declares outside the model (a note names those)."""
    declared = non_biolink_properties()
    known = [c for c in columns if c in declared and kind == "node"]
    unknown = [c for c in columns if not is_slot(c) and c not in known]
    if unknown:
        result.add(f"{kind} property not in the Biolink model and not declared by a source", len(unknown), unknown)
    if known:
        result.notes.append(
            f"{kind} properties outside the Biolink model, as declared (non_biolink_properties of "
            + ", ".join(sorted({f"config/{declared[c].source}.yaml" for c in known}))
            + f"): {', '.join(known)}; --biolink-strict leaves them out"
        )


def _check_keys(result: ValidationResult, kind: str, row: dict[str, Any]) -> None:
    """The checks of a shape's key values, once per shape: categories and predicates in the model, CURIE prefixes
    in the registry, no bad text, knowledge_level and agent_type on every edge."""
    examples = row["first_ids"][:EXAMPLES]
    for column in KEY_VALUES:
        value = row.get(column)
        if isinstance(value, str) and is_bad_text(value, column):
            result.add(f"{kind} {column} holds '-' or an empty value", row["n"], [f"{e}: {value}" for e in examples])
    category = row.get("category")
    if category is not None and not is_category(category):
        result.add(f"{kind} category not in the Biolink model", row["n"], [f"{e}: {category}" for e in examples])
    if kind == "edge":
        if not is_predicate(row["predicate"]):
            result.add("predicate not in the Biolink model", row["n"], [f"{e}: {row['predicate']}" for e in examples])
        for column in ("knowledge_level", "agent_type"):
            if row.get(column) is None:
                result.add(f"edge without {column}", row["n"], examples)
    if kind == "node":
        prefixes = {"id": row["prefix"]}
    else:
        source = row.get("primary_knowledge_source")
        prefixes = {"subject": row["subject_prefix"], "object": row["object_prefix"]}
        if source is not None:
            prefixes["primary_knowledge_source"] = source.split(":", 1)[0] if ":" in source else NO_PREFIX
    for column, prefix in prefixes.items():
        if prefix == NO_PREFIX or not is_known_prefix(prefix):
            label = f"{kind} {column} is not a CURIE with a registry prefix"
            result.add(label, row["n"], [f"{e}: {column} prefix {prefix}" for e in examples])


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


def kgx_input(con: duckdb.DuckDBPyConnection, result: ValidationResult, folder: Path) -> tuple[Path, Path, str]:
    """The KGX TSV files kgx validates, written into ``folder``: the whole graph, or for a large graph a
    stratified sample of it, the first records (by id) of every shape :func:`check_graph` found, so that every
    kind of record kgx could object to is seen. Our own checks cover every record either way.
    """
    total = sum(shapes.total for shapes in result.shapes.values())
    paths, sampled = [], 0
    for table in ("nodes", "edges"):
        columns = column_types(con.table(table))
        target = folder / f"sample_{table}.tsv"
        sample = ""
        if total > KGX_ALL_RECORDS:
            ids = sorted({i for row in result.shapes[table].rows for i in row["first_ids"]})
            sampled += len(ids)
            con.execute("CREATE OR REPLACE TEMP TABLE kgx_sample AS SELECT unnest(?::VARCHAR[]) AS id", [ids])
            sample = "SEMI JOIN kgx_sample USING (id)"
        con.execute(f"""
            COPY (SELECT {tsv_line(columns)} AS {ident(chr(9).join(columns))} FROM {table} {sample} ORDER BY id)
            TO {quote(str(target))} (FORMAT csv, HEADER true, QUOTE '', ESCAPE '')
        """)
        paths.append(target)
    if total <= KGX_ALL_RECORDS:
        return paths[0], paths[1], f"kgx validated all {total:,} records"
    return (
        paths[0],
        paths[1],
        f"kgx validated a stratified sample of {sampled:,} of {total:,} records "
        f"(up to {KGX_PER_SHAPE} of each shape); the other checks cover every record",
    )


def registry_prefixes(result: ValidationResult) -> list[str]:
    """Id prefixes of the graph (nodes, subjects, objects) that bioregistry knows and Biolink's context lacks."""
    keys = ("prefix", "subject_prefix", "object_prefix")
    used = {row.get(key) for shapes in result.shapes.values() for row in shapes.rows for key in keys}
    return sorted(p for p in used if p and p not in prefix_map() and is_known_prefix(p))


def load_kgx() -> None:
    """Import kgx's Validator on the pinned Biolink model, offline (about 2 s: kgx, bmt, linkml and the model)."""
    use_offline_model()
    share_toolkit()
    import kgx.transformer  # noqa: F401
    import kgx.validator  # noqa: F401


def run_kgx_validator(nodes: Path, edges: Path, result: ValidationResult, extra_prefixes: Sequence[str] = ()) -> None:
    """Stream KGX files through kgx's Validator on the pinned model (offline).

    ``extra_prefixes`` (registry prefixes the graph uses that Biolink's JSON-LD context lacks, such as
    ``refseq`` for the genomic sequences genes are placed on) are accepted as our own checks accept them;
    the report names them.
    """
    load_kgx()
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
