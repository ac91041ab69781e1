"""Row accounting: every input row is emitted, out of scope, or rejected, each with a reason.

A transform states its rules as data: ``{reason: SQL condition}`` for rows it rejects (bad input)
and for rows it filters (outside what the graph covers). The first matching rule wins; rows that
match none are emitted. Values dropped from emitted rows (an xref with an unknown prefix) are
counted the same way, per reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from ncbi_gene_kg.sql import quote

EXAMPLES = 5
WRONG_COLUMN_COUNT = "wrong column count"
TAXON_OUT_OF_SCOPE = "taxon not in scope"


@dataclass
class Tally:
    """How many rows (or values) share a reason, and where the first few are (file:line)."""

    count: int
    examples: list[str]


@dataclass
class RowAccount:
    """The accounting of one input: rows read = emitted + out of scope + rejected."""

    source: str
    files: list[str]
    read: int = 0
    emitted: int = 0
    out_of_scope: dict[str, Tally] = field(default_factory=dict)
    rejected: dict[str, Tally] = field(default_factory=dict)
    dropped_values: dict[str, Tally] = field(default_factory=dict)
    repaired: dict[str, Tally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_out_of_scope(self) -> int:
        """Rows left out as outside the scope, all reasons together."""
        return sum(t.count for t in self.out_of_scope.values())

    @property
    def n_rejected(self) -> int:
        """Rows rejected, all reasons together."""
        return sum(t.count for t in self.rejected.values())

    @property
    def balanced(self) -> bool:
        """Every row read is emitted, out of scope or rejected."""
        return self.read == self.emitted + self.n_out_of_scope + self.n_rejected

    def to_dict(self) -> dict[str, Any]:
        """The accounting as plain JSON-able data (validation_report.json)."""
        return asdict(self) | {"out_of_scope_total": self.n_out_of_scope, "rejected_total": self.n_rejected}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowAccount:
        """The accounting from :meth:`to_dict`'s form (Koza's transform metadata)."""
        tallies = {
            k: {r: Tally(**t) for r, t in data.get(k, {}).items()}
            for k in ("out_of_scope", "rejected", "dropped_values", "repaired")
        }
        return cls(
            data["source"],
            list(data["files"]),
            data["read"],
            data["emitted"],
            **tallies,
            warnings=list(data.get("warnings", [])),
        )


def case_of(rules: Mapping[str, str]) -> str:
    """SQL that yields the first matching rule's reason, or NULL: ``{'reason': 'condition'}``."""
    if not rules:
        return "NULL"
    whens = " ".join(f"WHEN {condition} THEN {quote(reason)}" for reason, condition in rules.items())
    return f"CASE {whens} END"


def example_tallies(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, Tally]:
    """Group ``query``'s rows (columns reason, example) by reason: a count and the first few distinct examples."""
    rows = con.execute(f"""
        SELECT reason, count(*), list_sort(list_distinct(list(example)))[1:{EXAMPLES}]
        FROM ({query}) GROUP BY reason ORDER BY reason
    """).fetchall()
    return {reason: Tally(n, examples) for reason, n, examples in rows}


def tallies(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, Tally]:
    """Group ``query``'s rows (columns reason, _file, _line) by reason, with the first few places.

    Only the few places kept become ``file:line`` strings (not one string per row: out-of-scope rows
    can be tens of millions).
    """
    rows = con.execute(
        f"""
        SELECT reason, count(*),
               list_transform(min({{'f': _file, 'l': _line}}, {EXAMPLES}), x -> x.f || ':' || x.l)
        FROM ({query}) WHERE reason IS NOT NULL GROUP BY reason ORDER BY reason
        """
    ).fetchall()
    return {reason: Tally(count, examples) for reason, count, examples in rows}
