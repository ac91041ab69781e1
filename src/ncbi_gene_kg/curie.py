"""CURIE prefixes through the prefix registry: bioregistry resolves names, Biolink's map sets the spelling.

NCBI files name databases their own way (MIM, FLYBASE, Ensembl, HGNC:HGNC:5). A name is resolved to a
bioregistry prefix (synonyms included), then written with the prefix the pinned Biolink model uses
for that resource (OMIM, FB, ENSEMBL, HGNC), or bioregistry's preferred prefix where Biolink has
none. Identifiers are checked against bioregistry's pattern for the resource.

The registry's facts come from generated/registry_prefixes.tsv, made from the pinned bioregistry by
scripts/generate_tables.py (loading bioregistry itself costs more than a sample build's transforms);
tests/test_generated_tables.py checks the table, and :func:`resolve`, against bioregistry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

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


def registry_key(name: str) -> str:
    """A name as bioregistry normalizes it before looking it up: casefolded, without ' -_./'.

    >>> registry_key("IMGT/GENE-DB"), registry_key("miRBase")
    ('imgtgenedb', 'mirbase')
    """
    key = name.casefold().lower()
    for character in " -_./":
        key = key.replace(character, "")
    return key


@cache
def _registry() -> dict[str, dict[str, str]]:
    """Normalized name -> bioregistry_prefix, curie_prefix, pattern, uri_prefix."""
    return {row["key"]: row for row in load_table("registry_prefixes", generated=True)}


def _lookup(name: str) -> dict[str, str] | None:
    return _registry().get(registry_key(name))


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
    found = _lookup(override["bioregistry_prefix"] if override else name)
    if found is None:
        return Prefix(name, None, None)
    return Prefix(name, found["curie_prefix"], found["pattern"] or None)


def is_known_prefix(prefix: str) -> bool:
    """True when a CURIE prefix is Biolink's or resolves in bioregistry.

    >>> is_known_prefix("NCBIGene"), is_known_prefix("refseq"), is_known_prefix("NOSUCH")
    (True, True, False)
    """
    return prefix in prefix_map() or _lookup(prefix) is not None


def uri_prefix(prefix: str) -> str | None:
    """The URI prefix a CURIE prefix expands to in the registry (None when it has none).

    >>> uri_prefix("infores")
    'https://w3id.org/information-resource-registry/'
    """
    found = _lookup(prefix)
    return found["uri_prefix"] or None if found else None


def register_prefixes(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> str:
    """Create temp table ``table`` (name, prefix, pattern, local_is_curie) resolving each database name;
    returns ``table``."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (name VARCHAR, prefix VARCHAR, pattern VARCHAR, local_is_curie BOOLEAN)"
    )
    rows = [(p.name, p.prefix, p.pattern, p.local_is_curie) for p in map(resolve, sorted(set(names)))]
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)
    return table
