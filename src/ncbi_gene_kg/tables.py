"""Mapping tables: small TSV files in ncbi_gene_kg/mappings, each citing its source in '#' lines; and the
tables generated from the pinned Biolink model and registry (ncbi_gene_kg/generated, scripts/generate_tables.py)."""

from __future__ import annotations

import csv
from functools import cache

import duckdb

from ncbi_gene_kg.paths import GENERATED_DIR, MAPPINGS_DIR


@cache
def load_table(name: str, generated: bool = False) -> tuple[dict[str, str], ...]:
    """Rows of mappings/<name>.tsv (or generated/<name>.tsv) as dicts (comment lines skipped, empty cells as '')."""
    with ((GENERATED_DIR if generated else MAPPINGS_DIR) / f"{name}.tsv").open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return tuple(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def register_table(con: duckdb.DuckDBPyConnection, name: str, rows: tuple[dict[str, str], ...] | None = None) -> str:
    """Create temp table ``name`` (all VARCHAR, '' as NULL) from a mapping table or from ``rows``; returns ``name``."""
    rows = load_table(name) if rows is None else rows
    columns = list(rows[0])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({', '.join(f'{c} VARCHAR' for c in columns)})")
    con.executemany(
        f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})",
        [[row[c] or None for c in columns] for row in rows],
    )
    return name
