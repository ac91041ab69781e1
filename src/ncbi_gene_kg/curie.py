"""CURIE prefixes through the prefix registry: bioregistry resolves names, Biolink's map sets the spelling.

NCBI files name databases their own way (MIM, FLYBASE, Ensembl, HGNC:HGNC:5). A name is resolved to a
bioregistry prefix (synonyms included), then written with the prefix the pinned Biolink model uses
for that resource (OMIM, FB, ENSEMBL, HGNC), or bioregistry's preferred prefix where Biolink has
none. Identifiers are checked against bioregistry's pattern for the resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import bioregistry
import duckdb

from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.tables import load_table


@dataclass(frozen=True)
class Prefix:
    """How to write identifiers of one database: CURIE prefix and identifier pattern (None: unknown)."""

    name: str
    prefix: str | None
    pattern: str | None
    local_is_curie: bool = False


@cache
def _biolink_prefixes() -> dict[str, str]:
    """bioregistry prefix -> the Biolink prefix for the same resource."""
    by_resource: dict[str, str] = {}
    for biolink_prefix in prefix_map():
        normalized = bioregistry.normalize_prefix(biolink_prefix)
        if normalized:
            by_resource.setdefault(normalized, biolink_prefix)
    return by_resource


def curie_prefix(normalized: str) -> str:
    """The CURIE prefix to write for a bioregistry prefix: Biolink's, else bioregistry's preferred."""
    return _biolink_prefixes().get(normalized) or bioregistry.get_preferred_prefix(normalized) or normalized


@cache
def resolve(name: str) -> Prefix:
    """Resolve an NCBI database name.

    >>> resolve("MIM").prefix, resolve("FLYBASE").prefix, resolve("IMGT/GENE-DB").prefix
    ('OMIM', 'FB', None)
    """
    overrides = {row["ncbi_db"]: row for row in load_table("dbxref_prefixes")}
    override = overrides.get(name)
    if override and override["local_part"] == "curie":
        return Prefix(name, None, None, local_is_curie=True)
    normalized = bioregistry.normalize_prefix(override["bioregistry_prefix"] if override else name)
    if not normalized:
        return Prefix(name, None, None)
    return Prefix(name, curie_prefix(normalized), bioregistry.get_pattern(normalized))


def is_known_prefix(prefix: str) -> bool:
    """True when a CURIE prefix is Biolink's or resolves in bioregistry."""
    return prefix in prefix_map() or bioregistry.normalize_prefix(prefix) is not None


def _re2_accepts(con: duckdb.DuckDBPyConnection, pattern: str | None) -> bool:
    """Whether DuckDB's regex engine (RE2) compiles a registry pattern (they are written for Java)."""
    if pattern is None:
        return False
    try:
        con.execute("SELECT regexp_full_match('', ?)", [pattern])
    except Exception:  # duckdb reports a bad pattern as one of several error types
        return False
    return True


def register_prefixes(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> str:
    """Create temp table ``table`` (name, prefix, pattern, local_is_curie) resolving each database name;
    returns ``table``."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (name VARCHAR, prefix VARCHAR, pattern VARCHAR, local_is_curie BOOLEAN)"
    )
    rows = [
        (p.name, p.prefix, p.pattern if _re2_accepts(con, p.pattern) else None, p.local_is_curie)
        for p in map(resolve, sorted(set(names)))
    ]
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)
    return table
