"""What every transform module shares: open its inputs in DuckDB, classify rows, store its KGX tables, account.

A transform module states what it does in one :class:`Transform` (``TRANSFORM``): the columns it reads,
how it classifies rows (``row_rules(scope, options) -> RowRules``: the build's taxon scope and the
config's transform fields in, reasons and SQL conditions out) and the function that maps the emitted
rows to KGX nodes and edges. :func:`run_transform` runs it on a DuckDB connection: :func:`open_source`
scans the files (taxon scope applied in the scan) and classifies each row by those rules; the transform
stores its nodes and edges as typed tables (:meth:`InputTables.nodes`, :meth:`InputTables.edges`, named
``<name>_nodes`` and ``<name>_edges``) and counts the values it leaves out; the row accounting closes it.
The build runs every transform on a connection to its one database, where the merge reads those
tables; `koza transform config/<name>.yaml` runs the same function through Koza (koza_adapter.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from ncbi_gene_kg.accounting import (
    TAXON_OUT_OF_SCOPE,
    WRONG_COLUMN_COUNT,
    RowAccount,
    Tally,
    case_of,
    tallies,
)
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.kgx import column_types, edge_id, kgx_type, normalized
from ncbi_gene_kg.scan import scan_files
from ncbi_gene_kg.sources import NcbiSource, non_biolink_properties
from ncbi_gene_kg.sql import ident, one, quote, scalar, string_list
from ncbi_gene_kg.tables import register_table
from ncbi_gene_kg.taxa import TaxonScope

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
Kind = Literal["node", "edge"]


@dataclass(frozen=True)
class Transform:
    """What a transform module does (its ``TRANSFORM``): the NCBI file it reads (``name``, the config's name),
    the columns of it the transform uses, how its rows are classified, and ``run``, which maps the emitted
    rows to KGX tables. ``also_reads`` gives the row rules of each file the config's ``also_reads`` names
    (gene2refseq joins gene_refseq_uniprotkb_collab); those files reach ``run`` as ``source.joined[name]``.
    """

    name: str
    columns: Sequence[str]
    row_rules: RowRulesOf
    run: Callable[[InputTables], None]
    also_reads: Mapping[str, RowRulesOf] = field(default_factory=dict)


def table_of(name: str, kind: Kind) -> str:
    """The table a transform stores its nodes or edges in.

    >>> table_of("gene2go", "edge")
    'gene2go_edges'
    """
    return f"{name}_{kind}s"


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


def not_a_number(column: str) -> dict[str, str]:
    """The rejection rule for a column that must hold a whole number (a GeneID, a tax_id).

    >>> print(not_a_number("GeneID")["GeneID is not a number"])
    NOT coalesce(regexp_full_match("GeneID", '[0-9]+'), false)
    """
    return {f"{column} is not a number": f"NOT coalesce(regexp_full_match({ident(column)}, '[0-9]+'), false)"}


def other_taxon_out_of_scope(scope: TaxonScope, column: str = "Other_tax_id") -> dict[str, str]:
    """The filter rule for a second taxon column (the other gene of gene_group and gene_orthologs rows):
    the scan scopes rows by one column only. Empty when every taxon is in scope.

    >>> from ncbi_gene_kg.taxa import load_scope
    >>> print(other_taxon_out_of_scope(load_scope("9606"))["other gene's taxon not in scope"])
    "Other_tax_id" NOT IN ('9606')
    """
    if scope.tax_ids is None:
        return {}
    return {"other gene's taxon not in scope": f"{ident(column)} NOT IN ({string_list(scope.tax_ids)})"}


@dataclass
class InputTables:
    """One transform's view of its input in DuckDB; ``emitted`` names the view of emitted rows.

    ``options`` are the config's transform fields as the build sets them; ``joined`` holds the files of the
    config's ``also_reads``, by name; ``stored`` counts the nodes and edges stored so far, ``side_tables`` names
    the other tables kept for the build.
    """

    name: str
    con: duckdb.DuckDBPyConnection
    paths: list[Path]
    scope: TaxonScope
    emitted: str
    source: NcbiSource
    options: Options = field(default_factory=dict)
    rules: RowRules = field(default_factory=lambda: RowRules({}))
    joined: dict[str, InputTables] = field(default_factory=dict)
    dropped_values: dict[str, Tally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stored: dict[Kind, int] = field(default_factory=lambda: {"node": 0, "edge": 0})
    tables: set[str] = field(default_factory=set)  # the node and edge tables stored (made on the first call)
    side_tables: list[str] = field(default_factory=list)

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
            self.con, f"SELECT count(*), count(*) FILTER (WHERE _n_fields = 0) FROM {self.name}_lines"
        )
        account = RowAccount(self.name, [p.name for p in self.paths], read=read)
        if out_of_scope:
            account.out_of_scope = tallies(
                self.con,
                f"SELECT '{TAXON_OUT_OF_SCOPE}' AS reason, _file, _line FROM {self.name}_lines WHERE _n_fields = 0",
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

    def nodes(self, query: str) -> int:
        """Store the rows of ``query`` as KGX nodes (table ``<name>_nodes``); returns how many.

        The query's columns are the config's ``node_properties``, in any order and of any type that casts
        to the property's KGX type (:func:`ncbi_gene_kg.kgx.normalized`); a second call adds rows.
        """
        return self._store("node", query)

    def edges(self, query: str) -> int:
        """Store the rows of ``query`` as KGX edges (table ``<name>_edges``), each with its id; returns how many.

        The query has every one of the config's ``edge_properties`` but ``id``, which is computed here from
        the edge's identity (:func:`ncbi_gene_kg.kgx.edge_id`). A transform stores each edge once: its edges
        are unique by id.
        """
        return self._store("edge", query)

    def _store(self, kind: Kind, query: str) -> int:
        declared = list(self.source.node_properties if kind == "node" else self.source.edge_properties)
        # A --biolink-strict build leaves out the properties outside the model (the query may still give them).
        left_out = set(non_biolink_properties()) if flag(self.options, "biolink_strict", False) else set()
        declared = [c for c in declared if c not in left_out]
        types = {c: t for c, t in column_types(self.con.sql(query)).items() if c not in left_out}
        if kind == "edge" and "id" in types:
            raise ValueError("edges are given their id when stored (kgx.edge_id); select no id column")
        wanted = [c for c in declared if not (kind == "edge" and c == "id")]
        missing, extra = sorted(set(wanted) - set(types)), sorted(set(types) - set(wanted))
        if missing or extra:
            raise ValueError(
                f"{self.name}: {kind} columns differ from the config's {kind}_properties: "
                f"missing {missing or 'none'}, not declared {extra or 'none'}"
            )
        typed = f"SELECT {', '.join(f'{normalized(c, types[c])} AS {ident(c)}' for c in wanted)} FROM ({query})"
        if kind == "edge":
            typed = f"SELECT {edge_id({c: kgx_type(c) for c in wanted})} AS id, * FROM ({typed})"
        columns = ", ".join(ident(c) for c in declared)
        table = table_of(self.name, kind)
        verb = f"INSERT INTO {table}" if table in self.tables else f"CREATE TABLE {table} AS"
        count = int(one(self.con, f"{verb} SELECT {columns} FROM ({typed})")[0])
        self.tables.add(table)
        self.stored[kind] += count
        return count

    def side_table(self, name: str, query: str) -> str:
        """Store ``query`` as table ``name`` beside the KGX tables, for the build (gene_history's discontinued
        GeneIDs, which the merge and `resolve` read); returns ``name``."""
        self.con.execute(f"CREATE TABLE {name} AS {query}")
        self.side_tables.append(name)
        return name

    def check_counts(self) -> None:
        """The config's count guards (``min_node_count`` …, as Koza's writer has them); UserError when one fails."""
        for bound, limit in self.source.count_bounds.items():
            kind: Kind = "node" if "node" in bound else "edge"
            count = self.stored[kind]
            if (count < limit) if bound.startswith("min") else (count > limit):
                side = "below" if bound.startswith("min") else "above"
                raise UserError(
                    f"{self.name}: {kind} count {count} is {side} the configured {bound} of {limit} "
                    f"(config {self.source.path})"
                )


def open_source(
    con: duckdb.DuckDBPyConnection,
    transform: Transform,
    source: NcbiSource,
    files: Mapping[str, Sequence[Path]],
    scope: TaxonScope,
    options: Options,
) -> InputTables:
    """Scan the source's files (``files``: paths by NCBI file name) into ``con`` and classify every row.

    The source's own file is classified first, then each file of ``also_reads`` (its rules may read the
    first one's emitted rows), then the own file's ``filtered_after_join`` rules are applied.
    """
    tables = _open(
        con,
        source.name,
        files[source.name],
        transform.columns,
        transform.row_rules(scope, options),
        scope,
        source.file.columns,
        source,
        options,
    )
    for joined in source.also_reads:
        rules = transform.also_reads[joined.name](scope, options)
        tables.joined[joined.name] = _open(
            con, joined.name, files[joined.name], joined.columns, rules, scope, joined.columns, source, options
        )
    tables.filter_after_join()
    return tables


def _open(
    con: duckdb.DuckDBPyConnection,
    name: str,
    paths: Sequence[Path],
    columns: Sequence[str],
    rules: RowRules,
    scope: TaxonScope,
    expected: Sequence[str],
    source: NcbiSource,
    options: Options,
) -> InputTables:
    """One file's rows scanned into ``con`` and classified by ``rules``; ``expected`` is the header the config
    declares (other columns are warned about)."""
    headers = scan_files(con, name, paths, columns, scope, rules.taxon_column)
    warnings = [
        f"{path.name}: unknown column {column!r} (not in the columns the config gives for {name}), ignored"
        for path, header in zip(paths, headers, strict=True)
        for column in header.columns
        if expected and column not in expected
    ]
    emitted = classify(con, name, rules)
    return InputTables(name, con, list(paths), scope, emitted, source, options, rules, warnings=warnings)


def run_transform(
    con: duckdb.DuckDBPyConnection,
    transform: Transform,
    source: NcbiSource,
    files: Mapping[str, Sequence[Path]],
    scope: TaxonScope,
    options: Options,
) -> InputTables:
    """Run ``transform`` on ``files`` in ``con``: its tables ``<name>_nodes`` / ``<name>_edges`` are stored there
    and the returned InputTables account for every row (:meth:`InputTables.account`; ``joined`` for the
    other files). UserError when the config's count guards fail."""
    tables = open_source(con, transform, source, files, scope, options)
    transform.run(tables)
    tables.check_counts()
    return tables


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
