"""Quoting for the SQL the transforms and the merge build (values and names from config and data)."""

from collections.abc import Iterable


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
