"""Validation of the merged graph: kgx's Validator (offline, pinned Biolink) plus the checks kgx lacks.

Our checks run in DuckDB over every node and edge: categories and predicates exist in the pinned
model, CURIE prefixes resolve in the prefix registry, no '-' or empty values, unique ids, and
knowledge_level and agent_type on every edge. kgx's Validator runs on every record of the graph.
Each problem class is reported with a count and a few examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
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
from ncbi_gene_kg.sources import curie_properties
from ncbi_gene_kg.sql import ident, one, scalar, string_list

# The properties whose values are CURIEs: each source config's curie_properties.
CURIE_PROPERTIES = {"nodes": curie_properties("node"), "edges": curie_properties("edge")}


@dataclass
class ValidationResult:
    """Validation's findings: errors and warnings by class (count and examples) and notes for the report."""

    errors: dict[str, Tally] = field(default_factory=dict)
    warnings: dict[str, Tally] = field(default_factory=dict)
    kgx_records: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error of any class."""
        return not self.errors

    @property
    def n_errors(self) -> int:
        """Errors of all classes together."""
        return sum(t.count for t in self.errors.values())


def _values(table: str, column: str) -> str:
    """SQL yielding (record id, value) for each value of a column, lists split."""
    record = "id"
    if is_multivalued(column):
        return (
            f"SELECT {record} AS record, unnest(string_split({ident(column)}, '|')) AS value "
            f"FROM {table} WHERE {ident(column)} IS NOT NULL"
        )
    return f"SELECT {record} AS record, {ident(column)} AS value FROM {table} WHERE {ident(column)} IS NOT NULL"


def _tally(con: duckdb.DuckDBPyConnection, query: str) -> Tally | None:
    n, examples = one(con, f"SELECT count(*), list(example ORDER BY example)[1:{EXAMPLES}] FROM ({query})")
    return Tally(n, examples) if n else None


def _check_terms(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    known: Callable[[str], bool],
    label: str,
    errors: dict[str, Tally],
) -> None:
    """Every distinct value of ``column`` must satisfy ``known`` (a Biolink lookup)."""
    values = [v for (v,) in con.execute(f"SELECT DISTINCT value FROM ({_values(table, column)})").fetchall()]
    bad = sorted(v for v in values if not known(v))
    if bad:
        quoted = string_list(bad)
        tally = _tally(
            con, f"SELECT record || ': ' || value AS example FROM ({_values(table, column)}) WHERE value IN ({quoted})"
        )
        if tally:
            errors[label] = tally


def check_graph(con: duckdb.DuckDBPyConnection) -> ValidationResult:
    """Run our checks over tables ``nodes`` and ``edges`` (merged KGX, all VARCHAR)."""
    result = ValidationResult()
    errors = result.errors
    node_columns = [c for c in con.table("nodes").columns]
    edge_columns = [c for c in con.table("edges").columns]
    _check_terms(con, "nodes", "category", is_category, "node category not in the Biolink model", errors)
    _check_terms(con, "edges", "category", is_category, "edge category not in the Biolink model", errors)
    _check_terms(con, "edges", "predicate", is_predicate, "predicate not in the Biolink model", errors)
    for table, columns in (("nodes", node_columns), ("edges", edge_columns)):
        for column in (c for c in CURIE_PROPERTIES[table] if c in columns):
            _check_terms(
                con,
                table,
                column,
                lambda v: ":" in v and is_known_prefix(v.split(":", 1)[0]),
                f"{table[:-1]} {column} is not a CURIE with a registry prefix",
                errors,
            )
    for table, columns in (("nodes", node_columns), ("edges", edge_columns)):
        for column in columns:
            # '-' is NCBI's null, never a value, except in a slot whose enum has it (StrandEnum: minus strand).
            dash = f"{ident(column)} = '-' OR " if slot_range(column) != "StrandEnum" else ""
            tally = _tally(
                con,
                f"SELECT record || ': ' || {ident(column)} AS example FROM "
                f"(SELECT id AS record, {ident(column)} FROM {table}) WHERE "
                f"{dash}{ident(column)} = '' OR "
                f"{ident(column)} LIKE '%||%' OR {ident(column)} LIKE '|%' OR "
                f"{ident(column)} LIKE '%|'",
            )
            if tally:
                errors[f"{table[:-1]} {column} holds '-' or an empty value"] = tally
        tally = _tally(con, f"SELECT id AS example FROM {table} GROUP BY id HAVING count(*) > 1")
        if tally:
            errors[f"duplicate {table[:-1]} id"] = tally
    for column in ("knowledge_level", "agent_type"):
        if column not in edge_columns:
            n = scalar(con, "SELECT count(*) FROM edges")
            if n:
                errors[f"edge without {column}"] = Tally(n, [])
            continue
        tally = _tally(con, f"SELECT id AS example FROM edges WHERE {column} IS NULL")
        if tally:
            errors[f"edge without {column}"] = tally
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


# kgx validates about 2,300 records a second (measured on the small benchmark corpus): every record of a
# graph up to this size, a stratified sample of larger ones.
KGX_ALL_RECORDS = 100_000
KGX_PER_SHAPE = 20
NODE_SHAPE = ["category", "split_part(id, ':', 1)"]
EDGE_SHAPE = [
    "category",
    "predicate",
    "split_part(subject, ':', 1)",
    "split_part(object, ':', 1)",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
]


def _column_of(expression: str) -> str:
    """The column a shape expression reads.

    >>> _column_of("split_part(subject, ':', 1)"), _column_of("predicate")
    ('subject', 'predicate')
    """
    return expression.removeprefix("split_part(").split(",")[0]


def kgx_input(con: duckdb.DuckDBPyConnection, nodes: Path, edges: Path, folder: Path) -> tuple[Path, Path, str]:
    """The files kgx validates: the whole graph, or for a large graph a stratified sample of it.

    The sample keeps the first records (by id) of every shape: category or predicate, id prefixes,
    provenance, and which properties are filled, so that every kind of record kgx could object to is
    seen. Our own checks (check_graph) cover every record either way.
    """
    total = sum(scalar(con, f"SELECT count(*) FROM {t}") for t in ("nodes", "edges"))
    if total <= KGX_ALL_RECORDS:
        return nodes, edges, f"kgx validated all {total:,} records"
    sampled = 0
    paths = []
    for table, shape, source in (("nodes", NODE_SHAPE, nodes), ("edges", EDGE_SHAPE, edges)):
        columns = con.table(table).columns
        filled = " || ".join(f"CASE WHEN {ident(c)} IS NULL THEN '0' ELSE '1' END" for c in columns)
        # A graph may lack a shape column altogether (no edges, or edges without provenance slots).
        shape = [expr for expr in shape if _column_of(expr) in columns]
        header = source.open().readline().rstrip("\n").split("\t")
        line = " || '\t' || ".join(f"coalesce({ident(c)}, '')" for c in header)
        target = folder / source.name
        # The first ids of each shape by a top-k aggregate (a hash aggregate, no sort of the whole table).
        picked = f"SELECT unnest(min_by(id, id, {KGX_PER_SHAPE})) FROM {table} GROUP BY {', '.join(shape)}, {filled}"
        con.execute(
            f"""
            COPY (SELECT {line} AS {ident(chr(9).join(header))} FROM {table} WHERE id IN ({picked}) ORDER BY id)
            TO '{target}' (FORMAT csv, HEADER true, QUOTE '', ESCAPE '')
            """
        )
        sampled += sum(1 for _ in target.open()) - 1
        paths.append(target)
    return (
        paths[0],
        paths[1],
        (
            f"kgx validated a stratified sample of {sampled:,} of {total:,} records "
            f"(up to {KGX_PER_SHAPE} of each shape); the other checks cover every record"
        ),
    )


def registry_prefixes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Id prefixes of the graph (nodes, subjects, objects) that bioregistry knows and Biolink's context lacks."""
    used = [
        p
        for (p,) in con.execute("""
        SELECT DISTINCT split_part(id, ':', 1) FROM nodes
        UNION SELECT split_part(subject, ':', 1) FROM edges UNION SELECT split_part(object, ':', 1) FROM edges
    """).fetchall()
    ]
    return sorted(p for p in used if p not in prefix_map() and is_known_prefix(p))


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
