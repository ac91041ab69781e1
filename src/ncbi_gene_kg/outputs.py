"""The graph in every form its consumers read, each one COPY from the graph's two tables (docs/outputs.md).

The merge leaves the graph as tables ``nodes`` and ``edges`` of the published graph database (the build's
connection has it as its default database once merged), typed (lists as lists, booleans as booleans) and
sorted (nodes by id; edges by subject, predicate, object, id). Every file is one COPY of one of them, in
that order, with no sort and no row in Python; each file's sha256 is computed as it is written (streams.py):

- ``ncbi_gene_nodes.<fmt>`` / ``ncbi_gene_edges.<fmt>`` for each format: KGX TSV (always), KGX JSON Lines
  (``jsonl``) and Parquet (``parquet``), the last two with the tables' types (``category`` as a one-item
  list, as KGX JSON Lines has it);
- ``ncbi_gene.nt.gz`` (``nt``): the graph as RDF N-Triples, gzip (rdf.py);
- ``by_taxon/``: the nodes and edges of each taxon, as KGX TSV, one pass per table split as it streams;
- ``meta_knowledge_graph.json``: the TRAPI 1.5 MetaKnowledgeGraph of the graph, with counts;
- ``ncbi_gene_rig.yaml``: the reference ingest guide, generated from the configs and mapping tables;
- ``example_edges.jsonl``: one real edge per edge type.

``file_list`` describes every file written (format, size, sha256) for graph_metadata.json.
"""

from __future__ import annotations

import json
import struct
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ncbi_gene_kg import provenance
from ncbi_gene_kg.accounting import TAXON_OUT_OF_SCOPE, WRONG_COLUMN_COUNT
from ncbi_gene_kg.biolink import BIOLINK_VERSION
from ncbi_gene_kg.download import load_config
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH
from ncbi_gene_kg.ingest import Options, RowRules, flag
from ncbi_gene_kg.kgx import EDGE_CORE, column_types, jsonl_line, listed_category, qualifiers_of, tsv_line
from ncbi_gene_kg.paths import CONFIG_DIR, MAPPINGS_DIR
from ncbi_gene_kg.rdf import NT_FILE, write_nt
from ncbi_gene_kg.sources import discover_sources, non_biolink_properties, row_rules
from ncbi_gene_kg.sql import ident, quote, scalar, string_list
from ncbi_gene_kg.streams import LINES, HashedFile, Written, copy_to_file, write_text
from ncbi_gene_kg.taxa import TaxonScope
from ncbi_gene_kg.validate import Shapes

FORMATS = ("tsv", "jsonl", "parquet", "nt")
FORMAT_NAMES = {"tsv": "KGX TSV", "jsonl": "KGX JSON Lines", "parquet": "KGX Parquet"}
NT_FORMAT = "RDF N-Triples (gzip)"
BY_TAXON = "by_taxon"
META_KG = "meta_knowledge_graph.json"
RIG = f"{GRAPH}_rig.yaml"
EXAMPLE_EDGES = "example_edges.jsonl"
NO_TAXON = "no_taxon"
OTHER_TAXA = "other_taxa"
PARQUET = "FORMAT parquet, COMPRESSION zstd"


def parse_formats(values: list[str] | None) -> list[str]:
    """The formats asked for (repeated or comma-separated), in a fixed order, always with TSV.

    >>> parse_formats(["parquet,jsonl", "tsv"])
    ['tsv', 'jsonl', 'parquet']
    """
    asked = {v.strip().lower() for value in values or [] for v in value.split(",") if v.strip()}
    unknown = sorted(asked - set(FORMATS))
    if unknown:
        raise UserError(f"unknown output format {', '.join(unknown)}: use {', '.join(FORMATS)}")
    return [f for f in FORMATS if f in asked | {"tsv"}]


def graph_file_names(formats: list[str]) -> list[str]:
    """The merged graph's files in ``formats``: its node and edge files, nodes first, or its one RDF file.

    >>> graph_file_names(["tsv", "nt"])
    ['ncbi_gene_nodes.tsv', 'ncbi_gene_edges.tsv', 'ncbi_gene.nt.gz']
    """
    return [name for fmt in formats for name in ([NT_FILE] if fmt == "nt" else _node_and_edge_files(fmt))]


def _node_and_edge_files(fmt: str) -> list[str]:
    return [f"{GRAPH}_{kind}.{fmt}" for kind in ("nodes", "edges")]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The graph table's columns (in KGX order, as the merge made them) with their DuckDB types."""
    return column_types(con.table(table))


def _query(table: str, columns: dict[str, str], fmt: str) -> str:
    """A query over the graph ``table`` in JSON Lines' or Parquet's shape, in the table's order."""
    if fmt == "jsonl":
        return f"SELECT {jsonl_line(columns)} FROM {table}"
    return f"SELECT {', '.join(f'{listed_category(c)} AS {ident(c)}' for c in columns)} FROM {table}"


def write_table(con: duckdb.DuckDBPyConnection, table: str, fmt: str, path: Path) -> Written:
    """One graph table as one JSON Lines or Parquet file (the TSV is :func:`write_tsv`'s), hashed as it is
    written."""
    columns = columns_of(con, table)
    return copy_to_file(con, _query(table, columns, fmt), path, PARQUET if fmt == "parquet" else LINES)


def _taxon_part(tax_id: str) -> str:
    return "NCBITaxon_" + tax_id


def write_tsv(con: duckdb.DuckDBPyConnection, kind: str, out_dir: Path, scope: TaxonScope) -> list[Written]:
    """``ncbi_gene_<kind>.tsv`` (``kind``: nodes or edges) and its part of ``by_taxon/``, from one pass over the table.

    ``by_taxon/ncbi_gene_NCBITaxon_<tax_id>_<kind>.tsv`` for each taxon of the scope: a node goes with its taxon
    (the first of in_taxon). An edge goes with its subject's taxon, else its object's (a Publication mentioning a
    gene goes with the gene), else to ``ncbi_gene_no_taxon_*``; nodes with no taxon (GO terms, diseases,
    publications) are in ``no_taxon`` too. Taxa outside the scope's list (TAXA=all: those config/taxa.yaml does
    not name) share ``other_taxa``. The files partition the graph: their counts add up to the graph's. Only
    non-empty files are written.

    Each record's part is worked out first (for edges, a join with the nodes' parts), by row id; then the KGX
    TSV lines are read in the table's order and split as they stream (:func:`_split`). DuckDB's partitioned COPY
    would write the part files itself, but it does not keep the rows' order inside them, even on one thread
    (checked with DuckDB 1.5.6), and neither does a join: the lines are therefore read without one.
    """
    taxa = scope.tax_ids or [str(t.tax_id) for t in scope.known]
    parts = [_taxon_part(t) for t in taxa] + [OTHER_TAXA, NO_TAXON]
    names = ", ".join(quote(p) for p in parts)
    no_taxon = len(parts)  # parts are numbered from 1 (list_position)
    taxon = "in_taxon[1]" if "in_taxon" in con.table("nodes").columns else "NULL::VARCHAR"
    known = ", ".join(quote("NCBITaxon:" + t) for t in taxa)
    part = f"""list_position([{names}], CASE WHEN {taxon} IS NULL THEN '{NO_TAXON}'
                WHEN {taxon} IN ({known}) THEN replace({taxon}, ':', '_') ELSE '{OTHER_TAXA}' END)::USMALLINT"""
    row_parts = f"SELECT rowid, {part} FROM nodes"
    if kind == "edges":
        con.execute(f"CREATE OR REPLACE TEMP TABLE node_part AS SELECT id AS node_id, {part} AS node_part FROM nodes")
        either = f"coalesce(nullif(s.node_part, {no_taxon}), nullif(o.node_part, {no_taxon}), {no_taxon})"
        row_parts = f"""
            SELECT e.rowid, {either} FROM {kind} e
            LEFT JOIN node_part s ON s.node_id = e.subject LEFT JOIN node_part o ON o.node_id = e.object"""
    columns = columns_of(con, kind)
    folder = out_dir / BY_TAXON
    folder.mkdir(exist_ok=True)
    paths = {i: folder / f"{GRAPH}_{name}_{kind}.tsv" for i, name in enumerate(parts, 1)}
    return _split(con, kind, row_parts, columns, out_dir / f"{GRAPH}_{kind}.tsv", paths)


SLICE = 1 << 20  # rows of a table read at once by _split (about 250 MB of KGX TSV for edges)


def _split(
    con: duckdb.DuckDBPyConnection,
    table: str,
    row_parts: str,
    columns: dict[str, str],
    whole: Path,
    paths: dict[int, Path],
) -> list[Written]:
    """Write the KGX TSV lines of ``table`` (of ``columns``), in the table's order, into ``whole`` and into the file
    of each row's part (``paths``; the query ``row_parts`` gives each rowid its part number); returns the files
    written.

    The lines are read a slice of row ids at a time, as Arrow strings, the next slice while the last is
    written; a slice's lines are written at once as the bytes of its string column, and each part's lines as
    the bytes of the column taken in part order (a stable sort keeps their order): no Python per row.
    """
    import numpy as np
    import pyarrow.compute as pc

    found = con.execute(row_parts).to_arrow_table()
    rows = found.column(0).to_numpy()
    part_of = np.zeros(len(rows), dtype=np.uint16)
    part_of[rows] = found.column(1).to_numpy()
    header = ("\t".join(columns) + "\n").encode()
    line = f"{tsv_line(columns)} || chr(10)"
    sinks: dict[int, HashedFile] = {0: HashedFile(whole, header)}
    reader = con.cursor()
    try:
        reader.execute(f"USE {scalar(con, 'SELECT current_database()')}")

        def read(start: int) -> Any:
            """The lines of a slice of row ids, in order (a scan without a join keeps it)."""
            query = f"SELECT {line} FROM {table} WHERE rowid >= {start} AND rowid < {start + SLICE}"
            return reader.execute(query).to_arrow_table().column(0).combine_chunks()

        with ThreadPoolExecutor(1) as ahead:
            coming = ahead.submit(read, 0)
            for start in range(0, len(rows), SLICE):
                text = coming.result()
                if start + SLICE < len(rows):
                    coming = ahead.submit(read, start + SLICE)
                sinks[0].write(_text(text))
                part = part_of[start : start + len(text)]
                order = np.argsort(part, kind="stable")
                numbers, counts = np.unique(part, return_counts=True)
                grouped = pc.take(text, order)
                offset = 0
                for number, count in zip(numbers.tolist(), counts.tolist(), strict=True):
                    if number not in sinks:
                        sinks[number] = HashedFile(paths[number], header)
                    sinks[number].write(_text(grouped.slice(offset, count)))
                    offset += count
    finally:
        reader.close()
        for sink in sinks.values():
            sink.close()
    written = {number: sink.written for number, sink in sinks.items()}
    return [written[0], *sorted((w for n, w in written.items() if n), key=lambda w: w.path)]


def _text(lines: Any) -> memoryview:
    """The bytes of an Arrow string array's values, one after the other (its int32 offsets frame one buffer)."""
    _, offsets, values = lines.buffers()
    start = struct.unpack_from("<i", offsets, 4 * lines.offset)[0]
    end = struct.unpack_from("<i", offsets, 4 * (lines.offset + len(lines)))[0]
    return memoryview(values)[start:end]


def edge_types(shapes: Shapes) -> list[dict]:
    """Each edge type (subject category, predicate, object category) of the graph with its count, the
    associations, knowledge levels, agent types and primary knowledge sources (with counts) of its edges, each
    qualifier's values and the other properties that occur: from the edges' shapes (validate.check_graph).
    """
    qualifiers = qualifiers_of(shapes.columns)
    attributes = [c for c in shapes.columns if c not in {*EDGE_CORE, *qualifiers}]
    merged: dict[tuple, dict] = {}
    for row in shapes.rows:
        key = (row["subject_category"], row["predicate"], row["object_category"])
        entry = merged.setdefault(key, {"count": 0, "by_source": {}, "values": defaultdict(set), "filled": set()})
        entry["count"] += row["n"]
        source = row.get("primary_knowledge_source") or "(none)"
        entry["by_source"][source] = entry["by_source"].get(source, 0) + row["n"]
        for column in ("category", "knowledge_level", "agent_type", *qualifiers):
            if row.get(column) is not None:
                entry["values"][column].add(row[column])
        entry["filled"] |= set(shapes.filled(row))
    types = []
    for (subject, predicate, obj), entry in sorted(merged.items(), key=lambda item: [str(k) for k in item[0]]):
        values = {c: sorted(v) for c, v in entry["values"].items()}
        types.append(
            {
                "subject": subject,
                "predicate": predicate,
                "object": obj,
                "count": entry["count"],
                "associations": values.get("category", []),
                "knowledge_level": values.get("knowledge_level", []),
                "agent_type": values.get("agent_type", []),
                "qualifiers": {q: values[q] for q in qualifiers if values.get(q)},
                "attributes": [a for a in attributes if a in entry["filled"]],
                "count_by_source": dict(sorted(entry["by_source"].items())),
            }
        )
    return types


def meta_knowledge_graph(node_shapes: Shapes, types: list[dict]) -> dict:
    """The graph's TRAPI 1.5 MetaKnowledgeGraph: ``nodes`` (category -> id_prefixes) and ``edges``
    (subject category, predicate, object category, with the association, the qualifiers and their values
    and the attributes that occur), plus ``count`` (and edges' ``count_by_source``, by primary knowledge
    source) as KGX's own meta knowledge graph summary has them. From the shapes of the graph's records
    (validate.check_graph) and the edge types (:func:`edge_types`).
    """
    prefixes: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for row in node_shapes.rows:
        prefixes[row["category"]].add(row["prefix"])
        counts[row["category"]] += row["n"]
    nodes = {c: {"id_prefixes": sorted(prefixes[c]), "count": counts[c]} for c in sorted(prefixes)}
    edges = []
    for t in types:
        edge: dict = {
            "subject": t["subject"],
            "predicate": t["predicate"],
            "object": t["object"],
            "knowledge_types": ["lookup"],
        }
        if len(t["associations"]) == 1:
            edge["association"] = t["associations"][0]
        edge["qualifiers"] = [
            {"qualifier_type_id": f"biolink:{q}", "applicable_values": values} for q, values in t["qualifiers"].items()
        ]
        edge["attributes"] = [
            {"attribute_type_id": f"biolink:{a}", "original_attribute_names": [a]} for a in t["attributes"]
        ]
        edge["count"] = t["count"]
        edge["count_by_source"] = t["count_by_source"]
        edges.append(edge)
    return {"nodes": nodes, "edges": edges}


def write_meta_knowledge_graph(out_dir: Path, node_shapes: Shapes, types: list[dict]) -> tuple[dict, Written]:
    """meta_knowledge_graph.json (:func:`meta_knowledge_graph`); returns its content and the file."""
    meta = meta_knowledge_graph(node_shapes, types)
    return meta, write_text(out_dir / META_KG, json.dumps(meta, indent=2) + "\n")


def write_example_edges(con: duckdb.DuckDBPyConnection, out_dir: Path, edge_shapes: Shapes) -> Written:
    """``example_edges.jsonl``: for each edge type (subject category, predicate, object category) its
    first edge by id, as a KGX JSON Lines edge plus ``subject_category`` and ``object_category``.

    The first id of each type is the smallest of the first ids of its shapes (validate.check_graph).
    """
    first: dict[tuple, str] = {}
    for row in edge_shapes.rows:
        key = (row["subject_category"], row["predicate"], row["object_category"])
        first[key] = min(first.get(key, row["first_ids"][0]), row["first_ids"][0])
    line = jsonl_line(columns_of(con, "edges"), "e.")
    query = f"""
        SELECT '{{"subject_category":' || to_json(s.category) || ',"object_category":' || to_json(o.category)
               || ',' || substr({line}, 2) AS line
        FROM edges e JOIN nodes s ON s.id = e.subject JOIN nodes o ON o.id = e.object
        WHERE e.id IN (SELECT unnest([{string_list(sorted(first.values()))}]::VARCHAR[]))  -- none: no edge
        ORDER BY s.category, e.predicate, o.category
    """
    return copy_to_file(con, query, out_dir / EXAMPLE_EDGES)


# ---------------------------------------------------------------------------------------------------------
# The reference ingest guide (RIG), in the form translator-ingests uses (its rig_template.yaml).


def _filtered_records(file_name: str, rules: RowRules, code: str) -> list[dict]:
    """The RIG's filtered_records of one file: the taxon scope, then its transform's row rules."""
    records = []
    if rules.taxon_column:
        rationale = "outside the taxon scope of the build (config/taxa.yaml, TAXA=)"
        records.append({"file_name": file_name, "filtered_records": TAXON_OUT_OF_SCOPE, "rationale": rationale})
    for reason in [*rules.filtered, *rules.filtered_after_join]:
        rationale = f"outside what this ingest covers (see transforms/{code})"
        records.append({"file_name": file_name, "filtered_records": reason, "rationale": rationale})
    for reason in [WRONG_COLUMN_COUNT, *rules.rejected]:
        rationale = "malformed or unusable row; counted in validation_report.json"
        records.append({"file_name": file_name, "filtered_records": reason, "rationale": rationale})
    return records


def _mapping_tables() -> list[dict]:
    """Each mapping table with the source its '#' lines cite."""
    tables = []
    for path in sorted(MAPPINGS_DIR.glob("*.tsv")):
        notes = [line[1:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        tables.append({"file_name": f"src/ncbi_gene_kg/mappings/{path.name}", "description": " ".join(notes)})
    return tables


def reference_ingest_guide(
    meta: dict, types: list[dict], scope: TaxonScope, options: Options, config_dir: Path = CONFIG_DIR
) -> dict:
    """The RIG of the whole ingest, from the Koza configs (files, columns, descriptions, properties), the
    transforms' row rules for this build's scope and transform fields, the mapping tables, and the built
    graph's edge types."""
    relevant, included, filtered = [], [], []
    for source in discover_sources(config_dir):
        metadata = yaml.safe_load(source.path.read_text()).get("metadata") or {}
        rules = row_rules(source, scope, options)
        for file in source.files:
            file_name = file.url.rsplit("/", 1)[-1]
            own = file is source.file
            description = metadata.get("ingest_title", source.name) if own else f"read with {source.name}"
            relevant.append({"file_name": file_name, "location": file.url, "description": description})
            if own:
                included.append(
                    {
                        "file_name": file_name,
                        "included_records": " ".join(str(metadata.get("description", "")).split()),
                        "fields_used": ", ".join(file.columns),
                    }
                )
            filtered += _filtered_records(file_name, rules[file.name], source.code.name)
    scope_text = (
        "every taxon"
        if scope.tax_ids is None
        else "the taxa of the '"
        + scope.name
        + "' scope: "
        + ", ".join(f"{t.label} (NCBITaxon:{t.tax_id})" for t in scope.taxa or ())
    )
    edge_type_info = []
    for t in types:
        edge_type_info.append(
            {
                "subject_categories": [t["subject"]],
                "predicates": [t["predicate"]],
                "object_categories": [t["object"]],
                "qualifiers": [
                    {"property": f"biolink:{q}", "value_enumeration": values} for q, values in t["qualifiers"].items()
                ],
                "knowledge_level": t["knowledge_level"],
                "agent_type": t["agent_type"],
                "primary_knowledge_sources": sorted(t["count_by_source"]),
                "edge_properties": [f"biolink:{a}" for a in t["attributes"]],
                "associations": t["associations"],
                "ui_explanation": f"{t['subject']} {t['predicate'].removeprefix('biolink:').replace('_', ' ')} "
                f"{t['object']}",
            }
        )
    node_types = [
        {"node_category": category, "source_identifier_types": node["id_prefixes"]}
        for category, node in meta["nodes"].items()
    ]
    strict = flag(options, "biolink_strict", False)
    extra = {} if strict else non_biolink_properties()
    return {
        "name": "NCBI Gene Reference Ingest Guide",
        "source_info": {
            "infores_id": provenance.NCBI_GENE,
            "name": "NCBI Gene",
            "description": "Gene-specific records of NCBI Gene: nomenclature, Reference Sequences, maps, pathways, "
            "variations, phenotypes, and links to genome-, phenotype-, and locus-specific resources.",
            "citations": [
                "Brown GR et al. Gene: a gene-centered information resource at NCBI. Nucleic Acids Res. "
                "2015;43:D36-42. https://doi.org/10.1093/nar/gku1055"
            ],
            "terms_of_use_info": {
                "terms_of_use_url": "https://www.ncbi.nlm.nih.gov/home/about/policies/",
                "terms_of_use_description": "NCBI places no restrictions on the use or "
                "distribution of the data it produces.",
            },
            "data_access_locations": [load_config().base_url],
            "data_provision_mechanisms": ["file_download"],
            "data_formats": ["tsv"],
            "data_versioning_and_releases": "The files are regenerated daily, with no version numbers; "
            "graph_metadata.json records each input's date, size and sha256.",
        },
        "ingest_info": {
            "ingest_categories": ["primary_knowledge_provider", "aggregation_provider"],
            "utility": "Genes of model organisms and human with their names, cross-references, products, "
            "orthologs, GO annotations and disease associations: the gene backbone other "
            "sources attach to.",
            "scope": f"Built for {scope_text}.",
            "relevant_files": relevant,
            "included_content": included,
            "filtered_content": filtered,
            "additional_notes": "Mapping tables used by the transforms: "
            + "; ".join(f"{t['file_name']} ({t['description']})" for t in _mapping_tables()),
        },
        "target_info": {
            "infores_id": provenance.NCBI_GENE,
            "edge_type_info": edge_type_info,
            "node_type_info": node_types,
            "additional_notes": f"Biolink model {BIOLINK_VERSION}. Edge and node types are those of this build "
            "(meta_knowledge_graph.json has their counts)."
            + (f" Node properties outside the Biolink model: {', '.join(extra)}." if extra else ""),
            "non_biolink_properties": [{"property": name, **p.to_dict()} for name, p in extra.items()],
        },
        "provenance_info": {
            "contributions": ["ncbi-gene-kg (generated by the build from config/*.yaml and the mapping tables)"],
            "artifacts": [f"{GRAPH}_nodes.tsv", f"{GRAPH}_edges.tsv", META_KG, EXAMPLE_EDGES],
        },
    }


def write_rig(out_dir: Path, meta: dict, types: list[dict], scope: TaxonScope, options: Options) -> Written:
    """ncbi_gene_rig.yaml: the reference ingest guide of this build (:func:`reference_ingest_guide`)."""
    guide = reference_ingest_guide(meta, types, scope, options)
    return write_text(
        out_dir / RIG,
        f"# {GRAPH} reference ingest guide, generated by `make transform` (do not edit).\n"
        + yaml.safe_dump(guide, sort_keys=False, allow_unicode=True, width=110),
    )


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    formats: list[str],
    scope: TaxonScope,
    options: Options,
    shapes: dict[str, Shapes],
) -> list[Written]:
    """Every file of the graph, from the graph's tables in ``con`` and the shapes of its records (validation's
    pass); returns the files written. ``options`` are the build's transform fields (the RIG lists the row rules
    they select)."""
    written = []
    for kind in ("edges", "nodes"):
        # TSV with its part of by_taxon/ (TSV only: Monarch's per-taxon files are TSV), then the other formats.
        written += write_tsv(con, kind, out_dir, scope)
        written += [
            write_table(con, kind, fmt, out_dir / f"{GRAPH}_{kind}.{fmt}")
            for fmt in formats
            if fmt not in ("tsv", "nt")
        ]
    if "nt" in formats:
        written.append(write_nt(con, out_dir))
    types = edge_types(shapes["edges"])
    meta, meta_file = write_meta_knowledge_graph(out_dir, shapes["nodes"], types)
    return [
        *written,
        meta_file,
        write_rig(out_dir, meta, types, scope, options),
        write_example_edges(con, out_dir, shapes["edges"]),
    ]


# ---------------------------------------------------------------------------------------------------------
# graph_metadata.json's list of files.


def file_format(relative: str) -> str:
    """What a file written by the build is, by its name.

    >>> file_format("by_taxon/ncbi_gene_NCBITaxon_9606_edges.parquet"), file_format("report.html")
    ('KGX Parquet', 'HTML')
    >>> file_format("ncbi_gene.nt.gz")
    'RDF N-Triples (gzip)'
    """
    name = relative.rsplit("/", 1)[-1]
    if name == EXAMPLE_EDGES:
        return "KGX JSON Lines (example edges)"
    if name == META_KG:
        return "TRAPI MetaKnowledgeGraph (JSON)"
    if name == RIG:
        return "Reference Ingest Guide (YAML)"
    if name == NT_FILE:
        return NT_FORMAT
    if name.endswith(".sssom.tsv"):
        return "SSSOM TSV"
    suffix = name.rsplit(".", 1)[-1]
    if suffix in FORMAT_NAMES and (name.endswith((f"_nodes.{suffix}", f"_edges.{suffix}"))):
        return FORMAT_NAMES[suffix]
    return {
        "tsv": "TSV",
        "json": "JSON",
        "md": "Markdown",
        "html": "HTML",
        "gz": "gzip",
        "yaml": "YAML",
        "jsonl": "JSON Lines",
        "parquet": "Parquet",
    }.get(suffix, suffix)


def file_list(out_dir: Path, written: list[Written]) -> list[dict]:
    """The files ``written`` (by path relative to ``out_dir``) with their format, size and sha256, as they were
    computed while the files were written."""
    files = []
    for entry in sorted(written, key=lambda w: w.path.relative_to(out_dir).as_posix()):
        relative = entry.path.relative_to(out_dir).as_posix()
        files.append({"name": relative, "format": file_format(relative), "size": entry.size, "sha256": entry.sha256})
    return files
