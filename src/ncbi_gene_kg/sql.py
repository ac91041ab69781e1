"""SQL helpers: quoting for the SQL the transforms and the merge build, and reading one row or value."""

from collections.abc import Iterable
from typing import Any

import duckdb


def quote(value: str) -> str:
    """An SQL string literal.

    >>> quote("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """An SQL identifier (column names such as 'MIM number' have spaces).

    >>> ident('MIM number')
    '"MIM number"'
    """
    return '"' + name.replace('"', '""') + '"'


def string_list(values: Iterable[str]) -> str:
    """A comma-separated list of SQL string literals, for IN (...).

    >>> string_list(["9606", "10090"])
    "'9606', '10090'"
    """
    return ", ".join(quote(v) for v in values)


def one(source: duckdb.DuckDBPyConnection | duckdb.DuckDBPyRelation, query: str | None = None) -> tuple:
    """The one row of an aggregate query on a connection, or of a relation.

    >>> one(duckdb.connect(), "SELECT count(*), 'x' FROM range(3)")
    (3, 'x')
    """
    relation = source if isinstance(source, duckdb.DuckDBPyRelation) else source.execute(query or "")
    row = relation.fetchone()
    if row is None:
        raise ValueError(f"no row from {query or source}")
    return row


def scalar(con: duckdb.DuckDBPyConnection, query: str) -> Any:
    """The first value of the one row of ``query``.

    >>> scalar(duckdb.connect(), "SELECT count(*) FROM range(3)")
    3
    """
    return one(con, query)[0]


def unversioned(column: str) -> str:
    """SQL for an accession without its version.

    >>> print(unversioned("accession"))
    split_part(accession, '.', 1)
    >>> duckdb.sql(f"SELECT {unversioned(quote('NP_000537.3'))}, {unversioned(quote('ENSG00000141510'))}").fetchone()
    ('NP_000537', 'ENSG00000141510')
    """
    return f"split_part({column}, '.', 1)"


def items(values: str) -> str:
    """SQL select items for each element of a list expression with its 1-based position: ``pos, value``.

    >>> duckdb.sql("SELECT " + items("['a', 'b']")).fetchall()
    [(1, 'a'), (2, 'b')]
    """
    return f"generate_subscripts({values}, 1) AS pos, unnest({values}) AS value"


def gene_curie(gene_id: str) -> str:
    """SQL for the NCBIGene CURIE of a GeneID expression.

    >>> print(gene_curie("g.GeneID"))
    'NCBIGene:' || g.GeneID
    """
    return f"'NCBIGene:' || {gene_id}"
