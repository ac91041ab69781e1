"""What every transform module shares: open its inputs in DuckDB, classify rows, account for them.

Each transform module declares how it classifies rows in one function, ``row_rules(scope, options) ->
RowRules`` (the build's taxon scope and the config's transform fields in, reasons and SQL conditions out).
A transform's ``@koza.prepare_data`` hook calls :func:`open_source` with it, which scans the files of the
Koza reader (taxon scope applied in the scan) and classifies each row by those rules; its
``@koza.transform`` hook maps the emitted rows to KGX relations, writes them with
:mod:`ncbi_gene_kg.kgx` and calls :meth:`InputTables.finish` to record the row accounting in Koza's
transform metadata (``row_accounting``), where the pipeline reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from koza.transform import KozaTransform
from loguru import logger

from ncbi_gene_kg.accounting import (
    TAXON_OUT_OF_SCOPE,
    WRONG_COLUMN_COUNT,
    RowAccount,
    Tally,
    case_of,
    tallies,
)
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.scan import connect, scan_files
from ncbi_gene_kg.sql import ident, one, quote, scalar, string_list
from ncbi_gene_kg.tables import register_table
from ncbi_gene_kg.taxa import TaxonScope, load_scope

Options = Mapping[str, Any]  # a config's transform fields (Koza's extra_fields), as the build sets them
# The text values of a yes/no transform field ('' is the empty value an unset make variable gives).
FLAGS = dict.fromkeys(("true", "yes", "on", "1"), True) | dict.fromkeys(("false", "no", "off", "0", ""), False)


@dataclass(frozen=True)
class RowRules:
    """How a transform classifies the rows of a file: each rule a reason and an SQL condition over its columns.

    A row is rejected (bad input) by the first rule of ``rejected`` it meets, else left out as out of scope
    by the first of ``filtered``, else emitted; a row with the wrong number of fields is always rejected.
    The scan keeps only rows whose ``taxon_column`` is in the taxon scope (None: the file has no column
    to scope by, or the transform scopes the rows itself in ``filtered``). ``filtered_after_join`` leaves
    out more rows once the files the transform joins (its config's ``also_reads``) are classified: its
    conditions may read their views of emitted rows (gene2refseq: a protein no UniProtKB pair names).
    """

    rejected: Mapping[str, str]
    filtered: Mapping[str, str] = field(default_factory=dict)
    taxon_column: str | None = "tax_id"
    filtered_after_join: Mapping[str, str] = field(default_factory=dict)


RowRulesOf = Callable[[TaxonScope, Options], RowRules]  # a transform's ``row_rules`` function


def flag(options: Options, name: str, default: bool) -> bool:
    """A yes/no transform field: a YAML boolean, or true/false/yes/no/on/off/1/0 as text.

    >>> flag({"publications": "yes"}, "publications", False), flag({}, "publications", False)
    (True, False)
    """
    value = options.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in FLAGS:
        raise UserError(f"{name} {value!r} is not true or false")
    return FLAGS[text]


def choice(options: Options, name: str, allowed: Sequence[str]) -> str:
    """A transform field that takes one of ``allowed`` (the first is the default).

    >>> choice({}, "assemblies", ("reference", "all"))
    'reference'
    """
    value = str(options.get(name, allowed[0]))
    if value not in allowed:
        raise UserError(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


def koza_reader(data: Iterable) -> tuple[list[Path], list[str]]:
    """The files of the Koza reader behind ``data`` (resolved against the config's folder) and its columns.

    Koza 2.7 hands ``prepare_data`` the not-yet-started generator of its ``Source`` and offers no
    public accessor for the reader's files (``KozaTransform.current_reader`` is a stub), so they
    are read from the generator's frame; the Source never opens a file, as the generator never runs.
    The columns are the reader's ``columns`` (the NCBI header the config expects), names only.
    """
    source = getattr(getattr(data, "gi_frame", None), "f_locals", {}).get("self")
    if source is None or not hasattr(source, "reader_config"):
        raise TypeError("expected the data iterator Koza passes to @koza.prepare_data")
    config = source.reader_config
    columns = [c if isinstance(c, str) else next(iter(c)) for c in (getattr(config, "columns", None) or [])]
    return [source._resolve_file_path(name) for name in config.files], columns


def not_a_number(column: str) -> dict[str, str]:
    """The rejection rule for a column that must hold a whole number (a GeneID, a tax_id).

    >>> print(not_a_number("GeneID")["GeneID is not a number"])
    NOT coalesce(regexp_full_match("GeneID", '[0-9]+'), false)
    """
    return {f"{column} is not a number": f"NOT coalesce(regexp_full_match({ident(column)}, '[0-9]+'), false)"}


def other_taxon_out_of_scope(scope: TaxonScope, column: str = "Other_tax_id") -> dict[str, str]:
    """The filter rule for a second taxon column (the other gene of gene_group and gene_orthologs rows):
    the scan scopes rows by one column only. Empty when every taxon is in scope.

    >>> print(other_taxon_out_of_scope(load_scope("9606"))["other gene's taxon not in scope"])
    "Other_tax_id" NOT IN ('9606')
    """
    if scope.tax_ids is None:
        return {}
    return {"other gene's taxon not in scope": f"{ident(column)} NOT IN ({string_list(scope.tax_ids)})"}


@dataclass
class InputTables:
    """One transform's view of its input in DuckDB; ``emitted`` names the view of emitted rows."""

    name: str
    con: duckdb.DuckDBPyConnection
    paths: list[Path]
    scope: TaxonScope
    emitted: str
    rules: RowRules = field(default_factory=lambda: RowRules({}))
    dropped_values: dict[str, Tally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        """A DuckDB relation for ``query`` on this input's connection."""
        return self.con.sql(query)

    def table(self, name: str, query: str) -> str:
        """Create temp table ``name`` from ``query``; returns ``name``, for the SQL that reads it.

        A transform's helpers make their tables with this and return the name, and their callers pass it
        on: ``genes = gene_rows(source); xrefs = gene_xrefs(source, genes)``, so what reads what is visible
        in ``transform()`` (no SQL names a table it was not handed).
        """
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")
        return name

    def filter_after_join(self) -> None:
        """Leave out, as out of scope, the emitted rows that the rules' ``filtered_after_join`` meet (first
        match wins), once the joined files are classified: the rows join the classified rows, so they leave
        the view of emitted rows and are accounted for."""
        for reason, where in self.rules.filtered_after_join.items():
            self.con.execute(f"""
                INSERT INTO {self.name}_classified
                SELECT _file, _line, NULL, {quote(reason)} FROM (SELECT * FROM {self.emitted} WHERE {where})
            """)

    def taxon_labels(self) -> str:
        """Table taxon_labels (tax_id, label): the name of each taxon of the scope (for in_taxon_label)."""
        labels = tuple({"tax_id": t, "label": label} for t, label in self.scope.labels().items())
        return register_table(self.con, "taxon_labels", labels)

    def drop_values(self, query: str) -> None:
        """Count values left out of emitted rows: ``query`` yields (reason, _file, _line) per value."""
        for reason, tally in tallies(self.con, query).items():
            self.dropped_values[reason] = tally

    def account(self) -> RowAccount:
        """The row accounting: read, emitted, out of scope and rejected by reason, with file:line examples."""
        read, out_of_scope = one(
            self.con, f"SELECT count(*), count(*) FILTER (WHERE _fields IS NULL) FROM {self.name}_lines"
        )
        account = RowAccount(self.name, [p.name for p in self.paths], read=read)
        if out_of_scope:
            account.out_of_scope = tallies(
                self.con,
                f"SELECT '{TAXON_OUT_OF_SCOPE}' AS reason, _file, _line FROM {self.name}_lines WHERE _fields IS NULL",
            )
        account.out_of_scope |= tallies(
            self.con, f"SELECT _filtered AS reason, _file, _line FROM {self.name}_classified WHERE _rejected IS NULL"
        )
        account.rejected = tallies(self.con, f"SELECT _rejected AS reason, _file, _line FROM {self.name}_classified")
        account.emitted = scalar(self.con, f"SELECT count(*) FROM {self.emitted}")
        account.dropped_values = dict(sorted(self.dropped_values.items()))
        account.repaired = tallies(
            self.con, f"SELECT 'invalid UTF-8 replaced with U+FFFD' AS reason, _file, _line FROM {self.name}_repaired"
        )
        account.warnings = list(self.warnings)
        return account

    def finish(self, koza: KozaTransform) -> RowAccount:
        """Record the row accounting in Koza's transform metadata, log it, and close DuckDB."""
        account = self.account()
        koza.transform_metadata["row_accounting"] = account.to_dict()
        logger.info(
            f"{self.name}: {account.read} rows read, {account.emitted} emitted, "
            f"{account.n_out_of_scope} out of scope, {account.n_rejected} rejected"
        )
        for warning in account.warnings:
            logger.warning(warning)
        self.con.close()
        return account


def open_source(
    koza: KozaTransform, data: Iterable, name: str, columns: Sequence[str], row_rules: RowRulesOf
) -> InputTables:
    """Scan the reader's files into DuckDB and classify every row in scope by ``row_rules``.

    ``columns`` are the columns the transform reads. The taxon scope comes from the config's ``taxa``
    transform field (default ``default``); ``row_rules`` gets it and the other transform fields.
    """
    scope = load_scope(str(koza.extra_fields.get("taxa", "default")))
    rules = row_rules(scope, koza.extra_fields)
    paths, expected = koza_reader(data)
    con = connect()
    headers = scan_files(con, name, paths, columns, scope, rules.taxon_column)
    warnings = [
        f"{path.name}: unknown column {column!r} (not in config's reader columns), ignored"
        for path, header in zip(paths, headers, strict=True)
        for column in header.columns
        if expected and column not in expected
    ]
    return InputTables(name, con, paths, scope, classify(con, name, rules), rules, warnings=warnings)


def classify(con: duckdb.DuckDBPyConnection, name: str, rules: RowRules) -> str:
    """Classify the rows of view ``name`` by ``rules``; returns the name of the view of emitted rows.

    Table ``<name>_classified`` (``_file``, ``_line``, ``_rejected``, ``_filtered``) holds only the
    rows that are not emitted (few, usually), not a copy of every row; view ``<name>_emitted`` is
    ``name`` without them. :meth:`InputTables.filter_after_join` adds the rows left out once joined files
    are read.
    """
    rejected = {WRONG_COLUMN_COUNT: "_n_fields <> _n_columns"} | dict(rules.rejected)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name}_classified AS
        SELECT * FROM (
            SELECT _file, _line, {case_of(rejected)} AS _rejected, {case_of(rules.filtered)} AS _filtered
            FROM {name}
        ) WHERE _rejected IS NOT NULL OR _filtered IS NOT NULL
        """
    )
    emitted = f"{name}_emitted"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {emitted} AS SELECT * FROM {name} "
        f"ANTI JOIN {name}_classified USING (_file, _line)"
    )
    return emitted
