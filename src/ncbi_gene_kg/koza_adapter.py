"""`koza transform config/<name>.yaml`: one transform run through Koza, its KGX files written by Koza's writer.

The Koza config of a source is its declarative spec (reader columns, transform fields, writer properties,
count bounds), and Koza runs a transform alone. The build does not go through Koza: it calls each
module's ``TRANSFORM`` on its own database (:func:`ncbi_gene_kg.ingest.run_transform`), without importing
Koza (about 4 s of imports: Koza loads a Biolink pydantic model and sssom). Koza finds a module's hooks by
their type, so a transform module makes them with :func:`koza_hooks`, which does so only when Koza is
loaded, as it is whenever Koza loads the module.

The hooks run the same function as the build, on an in-memory DuckDB: ``@koza.prepare_data`` scans and
classifies the reader's files, ``@koza.transform`` runs the transform and writes its tables into the files
Koza's TSV writer opened (rows in the graph's order: nodes by id, edges by subject, predicate, object and
id), then records the row accounting in Koza's transform metadata (``row_accounting``, and
``also_row_accounting`` for the files of ``also_reads``). A table a transform keeps for the build (gene_history's
discontinued GeneIDs) is written beside them as ``<table>.tsv``. The transforms its config names under
``runs_after`` run first, on their files beside the reader's when there (as in a build of that folder), for
the tables it reads; their own output is not written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from loguru import logger

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.ingest import InputTables, Kind, Transform, open_source, run_transform, table_of
from ncbi_gene_kg.kgx import EDGE_CORE, NODE_CORE, column_types, jsonl_line, ordered, tsv_line
from ncbi_gene_kg.pipeline import find_inputs
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sources import NcbiFile, NcbiSource, sources_by_name, transform_of
from ncbi_gene_kg.sql import quote
from ncbi_gene_kg.streams import copy_into
from ncbi_gene_kg.taxa import TaxonScope, load_scope

if TYPE_CHECKING:
    from koza.io.writer.writer import KozaWriter
    from koza.transform import KozaTransform

# The graph's row order, kept in the per-source files so that they are byte-identical run to run.
ORDER = {"node": "id", "edge": "subject, predicate, object, id"}


def koza_hooks(transform: Transform) -> tuple[Any, Any]:
    """Koza's ``prepare_data`` and ``transform`` hooks for ``transform``; (None, None) when Koza is not loaded."""
    if "koza" not in sys.modules:
        return None, None
    import koza

    @koza.prepare_data()
    def scan(k: KozaTransform, data: Iterable) -> InputTables:
        """Scan the reader's files (and those of ``also_reads``) into an in-memory DuckDB and classify every row."""
        paths, columns = koza_reader(data)
        source = _source(k, transform, columns)
        files = {source.name: paths} | {f.name: _joined_files(k, source.name, f.name, paths) for f in source.also_reads}
        scope = load_scope(str(k.extra_fields.get("taxa", "default")))
        con = connect()
        for name in k.extra_fields.get("runs_after") or ():
            _run_first(con, name, paths[0].parent, scope, k.extra_fields)
        return open_source(con, transform, source, files, scope, k.extra_fields)

    @koza.transform()
    def write(k: KozaTransform, tables: InputTables) -> None:
        """Run the transform, write its tables through Koza's writer and record the row accounting."""
        transform.run(tables)
        for kind in ("node", "edge"):
            if tables.stored[kind]:
                _write(k.writer, tables, kind)
        for table in tables.side_tables:
            path = Path(getattr(k.writer, "dirname", ".")) / f"{table}.tsv"
            tables.con.execute(
                f"COPY (SELECT * FROM {table} ORDER BY ALL) TO {quote(str(path))} "
                "(FORMAT csv, DELIMITER '\t', HEADER true, QUOTE '', ESCAPE '')"
            )
        accounts = [tables.account(), *(joined.account() for joined in tables.joined.values())]
        k.transform_metadata["row_accounting"] = accounts[0].to_dict()
        k.transform_metadata["also_row_accounting"] = [a.to_dict() for a in accounts[1:]]
        for account in accounts:
            logger.info(
                f"{account.source}: {account.read} rows read, {account.emitted} emitted, "
                f"{account.n_out_of_scope} out of scope, {account.n_rejected} rejected"
            )
            for warning in account.warnings:
                logger.warning(warning)
        tables.con.close()

    return scan, write


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


def _source(k: KozaTransform, transform: Transform, columns: list[str]) -> NcbiSource:
    """The source as the Koza config states it (reader columns, transform fields, writer properties).

    The properties are the TSV writer's columns (it takes its core columns out of the config's lists).
    """
    writer = k.writer.config
    nodes = getattr(k.writer, "node_columns", None) or writer.node_properties or ()
    edges = getattr(k.writer, "edge_columns", None) or writer.edge_properties or ()
    also = k.extra_fields.get("also_reads") or {}
    return NcbiSource(
        transform.name,
        Path(f"{transform.name}.yaml"),
        NcbiFile(transform.name, "", tuple(columns)),
        0,
        Path(),
        also_reads=tuple(NcbiFile(name, entry["url"], tuple(entry["columns"])) for name, entry in also.items()),
        node_properties=tuple(nodes),
        edge_properties=tuple(edges),
    )


def _run_first(con: duckdb.DuckDBPyConnection, name: str, folder: Path, scope: TaxonScope, fields: dict) -> None:
    """Run source ``name``'s transform into ``con`` on its files in ``folder``, if they are there."""
    source = sources_by_name()[name]
    files = {f.name: find_inputs(folder, f.name) for f in source.files}
    if all(files.values()):
        logger.info(f"{name}: run first, on {', '.join(p.name for p in files[name])}, for its tables")
        run_transform(con, transform_of(source), source, files, scope, fields)


def _joined_files(k: KozaTransform, source: str, name: str, paths: list[Path]) -> list[Path]:
    """A file of ``also_reads``: as the transform field ``also_read_files`` gives it, else beside the reader's."""
    given = (k.extra_fields.get("also_read_files") or {}).get(name)
    found = [Path(p) for p in given] if given is not None else find_inputs(paths[0].parent, name)
    if not found:
        raise UserError(f"{source} needs {name} (or {name}.gz) beside {paths[0]}")
    return found


def _write(writer: KozaWriter, tables: InputTables, kind: Kind) -> None:
    """Append the transform's table of ``kind`` to the file Koza's writer has for it (KGX TSV, in the TSV
    writer's column order, or KGX JSON Lines), in the graph's order."""
    table = table_of(tables.name, kind)
    types = column_types(tables.con.table(table))
    if hasattr(writer, f"{kind}_columns"):  # Koza's TSV writer: its file has the header line already
        columns = getattr(writer, f"{kind}_columns")
        line = tsv_line({c: types[c] for c in columns})
        handle = writer.nodeFH if kind == "node" else writer.edgeFH
    else:  # Koza's JSON Lines writer opens its files on first use
        line = jsonl_line({c: types[c] for c in ordered(types, NODE_CORE if kind == "node" else EDGE_CORE)})
        getattr(writer, f"_ensure_{kind}_file_handle")()
        handle = writer.nodeFH if kind == "node" else writer.edgeFH
    handle.flush()
    sink = getattr(handle, "buffer", handle)  # the TSV writer's file is text, the JSON Lines writer's binary
    copy_into(tables.con, f"SELECT {line} FROM {table} ORDER BY {ORDER[kind]}", sink)
    sink.flush()
    setattr(writer, f"{kind}_count", getattr(writer, f"{kind}_count") + tables.stored[kind])
