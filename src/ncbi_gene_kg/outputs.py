"""The graph in every form its consumers read, each one COPY from the graph's two tables (docs/outputs.md).

The merge leaves the graph as tables ``nodes`` and ``edges`` of the published graph database (the build's
connection has it as its default database once merged), typed (lists as lists, booleans as booleans) and
sorted (nodes by id; edges by subject, predicate, object, id). Every file is one COPY of one of them, in
that order, with no sort and no row in Python; each file's sha256 is computed as it is written (streams.py):

- ``ncbi_gene_nodes.<fmt>`` / ``ncbi_gene_edges.<fmt>`` for each format: KGX TSV (always), KGX JSON Lines
  (``jsonl``) and Parquet (``parquet``), the last two with the tables' types (``category`` as a one-item
  list, as KGX JSON Lines has it);
- ``by_taxon/``: the nodes and edges of each taxon, as KGX TSV, one pass per table split as it streams;
- ``meta_knowledge_graph.json``: the TRAPI 1.5 MetaKnowledgeGraph of the graph, with counts;
- ``ncbi_gene_rig.yaml``: the reference ingest guide, generated from the configs and mapping tables;
- ``example_edges.jsonl``: one real edge per edge type.

``file_list`` describes every file written (format, size, sha256) for graph_metadata.json.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import yaml

from ncbi_gene_kg import provenance
from ncbi_gene_kg.accounting import TAXON_OUT_OF_SCOPE, WRONG_COLUMN_COUNT
from ncbi_gene_kg.biolink import BIOLINK_VERSION
from ncbi_gene_kg.download import load_config
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH
from ncbi_gene_kg.ingest import Options, RowRules
from ncbi_gene_kg.kgx import EDGE_CORE, column_types, jsonl_line, listed_category, qualifiers_of, tsv_line
from ncbi_gene_kg.paths import CONFIG_DIR, MAPPINGS_DIR
from ncbi_gene_kg.sources import discover_sources, row_rules
from ncbi_gene_kg.sql import ident, quote
from ncbi_gene_kg.streams import Written, copy_to_file, side_by_side, write_text
from ncbi_gene_kg.taxa import TaxonScope

FORMATS = ("tsv", "jsonl", "parquet")
FORMAT_NAMES = {"tsv": "KGX TSV", "jsonl": "KGX JSON Lines", "parquet": "KGX Parquet"}
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
    """The merged graph's node and edge files in ``formats``, nodes first."""
    return [f"{GRAPH}_{kind}.{fmt}" for fmt in formats for kind in ("nodes", "edges")]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The graph table's columns (in KGX order, as the merge made them) with their DuckDB types."""
    return column_types(con.table(table))


def _query(table: str, columns: dict[str, str], fmt: str) -> str:
    """A query over the graph ``table`` in ``fmt``'s shape, in the table's order."""
    if fmt == "jsonl":
        return f"SELECT {jsonl_line(columns)} FROM {table}"
    if fmt == "parquet":
        return f"SELECT {', '.join(f'{listed_category(c)} AS {ident(c)}' for c in columns)} FROM {table}"
    return f"SELECT {tsv_line(columns)} FROM {table}"


def write_table(con: duckdb.DuckDBPyConnection, table: str, fmt: str, path: Path) -> Written:
    """One graph table as one file of format ``fmt``, hashed as it is written."""
    columns = columns_of(con, table)
    if fmt == "parquet":
        return copy_to_file(con, _query(table, columns, fmt), path, PARQUET)
    header = ("\t".join(columns) + "\n").encode() if fmt == "tsv" else b""
    return copy_to_file(con, _query(table, columns, fmt), path, header=header)


def _taxon_part(tax_id: str) -> str:
    return "NCBITaxon_" + tax_id


def write_by_taxon(con: duckdb.DuckDBPyConnection, out_dir: Path, scope: TaxonScope, kind: str) -> list[Written]:
    """``by_taxon/ncbi_gene_NCBITaxon_<tax_id>_<kind>.tsv`` for each taxon of the scope (``kind``: nodes or edges).

    A node goes with its taxon (the first of in_taxon). An edge goes with its subject's taxon, else
    its object's (a Publication mentioning a gene goes with the gene), else to ``ncbi_gene_no_taxon_*``
    (no edge is lost); nodes with no taxon (GO terms, diseases, publications) are in ``no_taxon`` too.
    Taxa outside the scope's list (TAXA=all: those config/taxa.yaml does not name) share ``other_taxa``.
    The files partition the graph: their counts add up to the graph's. Only non-empty files are written.

    One pass over the table (:func:`_split`): each record's part and KGX TSV line, in the table's order, split
    into the part files as they stream. (DuckDB's partitioned COPY would write the files itself, but it does
    not keep the rows' order inside them, even on one thread: checked with DuckDB 1.5.6.)
    """
    taxa = scope.tax_ids or [str(t.tax_id) for t in scope.known]
    parts = [_taxon_part(t) for t in taxa] + [OTHER_TAXA, NO_TAXON]
    names = ", ".join(quote(p) for p in parts)
    no_taxon = len(parts)  # parts are numbered from 1 (list_position)
    taxon = "in_taxon[1]" if "in_taxon" in con.table("nodes").columns else "NULL::VARCHAR"
    known = ", ".join(quote("NCBITaxon:" + t) for t in taxa)
    part = f"""list_position([{names}], CASE WHEN {taxon} IS NULL THEN '{NO_TAXON}'
                WHEN {taxon} IN ({known}) THEN replace({taxon}, ':', '_') ELSE '{OTHER_TAXA}' END)::USMALLINT"""
    columns = columns_of(con, kind)
    query = f"SELECT {part}, {tsv_line(columns)} || chr(10) FROM nodes"
    if kind == "edges":
        # (named apart from the edges' columns, which the edge query selects unqualified)
        con.execute(f"CREATE OR REPLACE TEMP TABLE node_part AS SELECT id AS node_id, {part} AS node_part FROM nodes")
        query = f"""
            SELECT coalesce(nullif(s.node_part, {no_taxon}), nullif(o.node_part, {no_taxon}), {no_taxon}),
                   {tsv_line(columns)} || chr(10)
            FROM edges LEFT JOIN node_part s ON s.node_id = subject LEFT JOIN node_part o ON o.node_id = object"""
    folder = out_dir / BY_TAXON
    folder.mkdir(exist_ok=True)
    paths = {i: folder / f"{GRAPH}_{name}_{kind}.tsv" for i, name in enumerate(parts, 1)}
    return sorted(_split(con, query, columns, paths), key=lambda w: w.path)


def _split(
    con: duckdb.DuckDBPyConnection, query: str, columns: dict[str, str], paths: dict[int, Path]
) -> list[Written]:
    """Write the lines of ``query`` (part number, line with its newline) into the file of their part, in order.

    The rows arrive as Arrow batches; each part's lines of a batch are written at once, as the bytes of the
    filtered string column (no Python per row). Each file gets the KGX header and is hashed as it is written.
    """
    import pyarrow.compute as pc

    header = ("\t".join(columns) + "\n").encode()
    sinks: dict[int, tuple[BinaryIO, Any]] = {}
    try:
        for batch in con.execute(query).to_arrow_reader(1 << 17):
            part, line = batch.column(0), batch.column(1)
            for number in pc.unique(part).to_pylist():
                lines = pc.filter(line, pc.equal(part, number))
                if number not in sinks:
                    sinks[number] = (paths[number].open("wb"), hashlib.sha256(header))
                    sinks[number][0].write(header)
                sink, digest = sinks[number]
                _, offsets, values = lines.buffers()  # a string array: int32 offsets into one buffer of text
                start, end = (
                    struct.unpack_from("<i", offsets, 4 * lines.offset)[0],
                    struct.unpack_from("<i", offsets, 4 * (lines.offset + len(lines)))[0],
                )
                data = memoryview(values)[start:end]
                digest.update(data)
                sink.write(data)
    finally:
        for sink, _ in sinks.values():
            sink.close()
    return [Written(paths[n], paths[n].stat().st_size, digest.hexdigest()) for n, (_, digest) in sinks.items()]


def edge_types(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each edge type (subject category, predicate, object category) of the graph with its count, the
    associations, knowledge levels, agent types and primary knowledge sources (with counts) of its edges,
    each qualifier's values and the other properties that occur. One pass over the edges (grouped by type
    and primary knowledge source; the groups are combined here).
    """
    columns = list(columns_of(con, "edges"))
    qualifiers = qualifiers_of(columns)
    attributes = [c for c in columns if c not in {*EDGE_CORE, *qualifiers}]
    levels = [c for c in ("knowledge_level", "agent_type") if c in columns]
    source = "e.primary_knowledge_source" if "primary_knowledge_source" in columns else "NULL"
    valued = ["category", *levels, *qualifiers]
    lists = [f"list(DISTINCT e.{ident(c)}) FILTER (WHERE e.{ident(c)} IS NOT NULL)" for c in valued]
    counts = [f"count(e.{ident(c)})" for c in attributes]
    rows = con.execute(f"""
        SELECT s.category, e.predicate, o.category, coalesce({source}, '(none)'), count(*),
               {", ".join([*lists, *counts])}
        FROM edges e JOIN nodes s ON s.id = e.subject JOIN nodes o ON o.id = e.object
        GROUP BY ALL ORDER BY ALL""").fetchall()
    merged: dict[tuple, dict] = {}
    for subject, predicate, obj, primary, count, *rest in rows:
        entry = merged.setdefault(
            (subject, predicate, obj),
            {"count": 0, "by_source": {}, "values": {c: set() for c in valued}, "filled": dict.fromkeys(attributes, 0)},
        )
        entry["count"] += count
        entry["by_source"][primary] = count
        for column, values in zip(valued, rest, strict=False):
            entry["values"][column] |= set(values or [])
        for column, n in zip(attributes, rest[len(valued) :], strict=True):
            entry["filled"][column] += n
    types = []
    for (subject, predicate, obj), entry in sorted(merged.items()):
        values = {c: sorted(v) for c, v in entry["values"].items()}
        types.append(
            {
                "subject": subject,
                "predicate": predicate,
                "object": obj,
                "count": entry["count"],
                "associations": values["category"],
                "knowledge_level": values.get("knowledge_level", []),
                "agent_type": values.get("agent_type", []),
                "qualifiers": {q: values[q] for q in qualifiers if values[q]},
                "attributes": [a for a in attributes if entry["filled"][a]],
                "count_by_source": entry["by_source"],
            }
        )
    return types


def meta_knowledge_graph(con: duckdb.DuckDBPyConnection, types: list[dict] | None = None) -> dict:
    """The graph's TRAPI 1.5 MetaKnowledgeGraph: ``nodes`` (category -> id_prefixes) and ``edges``
    (subject category, predicate, object category, with the association, the qualifiers and their values
    and the attributes that occur), plus ``count`` (and edges' ``count_by_source``, by primary knowledge
    source) as KGX's own meta knowledge graph summary has them.
    """
    nodes = {}
    for category, prefixes, count in con.execute("""
            SELECT category, list(DISTINCT split_part(id, ':', 1) ORDER BY split_part(id, ':', 1)), count(*)
            FROM nodes GROUP BY category ORDER BY category""").fetchall():
        nodes[category] = {"id_prefixes": prefixes, "count": count}
    edges = []
    for t in edge_types(con) if types is None else types:
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


def write_meta_knowledge_graph(
    con: duckdb.DuckDBPyConnection, out_dir: Path, types: list[dict] | None = None
) -> tuple[dict, Written]:
    """meta_knowledge_graph.json (TRAPI MetaKnowledgeGraph of the merged graph in ``con``); returns its content."""
    meta = meta_knowledge_graph(con, types)
    return meta, write_text(out_dir / META_KG, json.dumps(meta, indent=2) + "\n")


def write_example_edges(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Written:
    """``example_edges.jsonl``: for each edge type (subject category, predicate, object category) its
    first edge by id, as a KGX JSON Lines edge plus ``subject_category`` and ``object_category``.
    """
    line = jsonl_line(columns_of(con, "edges"), "e.")
    query = f"""
        SELECT '{{"subject_category":' || to_json(s.category) || ',"object_category":' || to_json(o.category)
               || ',' || substr({line}, 2) AS line
        FROM edges e JOIN nodes s ON s.id = e.subject JOIN nodes o ON o.id = e.object
        QUALIFY row_number() OVER (PARTITION BY s.category, e.predicate, o.category ORDER BY e.id) = 1
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
            "(meta_knowledge_graph.json has their counts).",
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
    con: duckdb.DuckDBPyConnection, out_dir: Path, formats: list[str], scope: TaxonScope, options: Options
) -> list[Written]:
    """Every file of the graph, from the graph's tables in ``con``; returns the files written.

    The files are written two at a time, largest first, each query on one DuckDB thread (streams.side_by_side:
    the order of the tables is kept). ``options`` are the build's transform fields (the RIG lists the row
    rules they select)."""

    def graph_file(kind: str, fmt: str) -> Callable[[duckdb.DuckDBPyConnection], list[Written]]:
        return lambda cursor: [write_table(cursor, kind, fmt, out_dir / f"{GRAPH}_{kind}.{fmt}")]

    def metadata(cursor: duckdb.DuckDBPyConnection) -> list[Written]:
        types = edge_types(cursor)
        meta, meta_file = write_meta_knowledge_graph(cursor, out_dir, types)
        return [meta_file, write_rig(out_dir, meta, types, scope, options), write_example_edges(cursor, out_dir)]

    jobs = [
        *(graph_file("edges", fmt) for fmt in formats),
        # TSV only: Monarch's per-taxon files are TSV, and JSONL / Parquet users filter on in_taxon.
        lambda cursor: write_by_taxon(cursor, out_dir, scope, "edges"),
        metadata,
        *(graph_file("nodes", fmt) for fmt in formats),
        lambda cursor: write_by_taxon(cursor, out_dir, scope, "nodes"),
    ]
    return [w for written in side_by_side(con, jobs) for w in written]


# ---------------------------------------------------------------------------------------------------------
# graph_metadata.json's list of files.


def file_format(relative: str) -> str:
    """What a file written by the build is, by its name.

    >>> file_format("by_taxon/ncbi_gene_NCBITaxon_9606_edges.parquet"), file_format("report.html")
    ('KGX Parquet', 'HTML')
    """
    name = relative.rsplit("/", 1)[-1]
    if name == EXAMPLE_EDGES:
        return "KGX JSON Lines (example edges)"
    if name == META_KG:
        return "TRAPI MetaKnowledgeGraph (JSON)"
    if name == RIG:
        return "Reference Ingest Guide (YAML)"
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
