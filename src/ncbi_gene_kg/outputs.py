"""The graph in every form its consumers read, written from the merged tables (docs/outputs.md).

``write_outputs`` runs in the build while the DuckDB connection still holds the merged graph (tables
``nodes`` and ``edges``, every column VARCHAR, lists '|'-joined) and writes, with DuckDB COPY and no
second merge:

- ``ncbi_gene_nodes.<fmt>`` / ``ncbi_gene_edges.<fmt>`` for each extra format: KGX JSON Lines
  (``jsonl``) and Parquet (``parquet``), typed by the pinned Biolink model (multivalued slots as
  lists, booleans as booleans, numbers as numbers); the TSV is the merge's own;
- ``by_taxon/``: the nodes and edges of each taxon, as KGX TSV;
- ``meta_knowledge_graph.json``: the TRAPI 1.5 MetaKnowledgeGraph of the graph, with counts;
- ``ncbi_gene_rig.yaml``: the reference ingest guide, generated from the configs and mapping tables;
- ``example_edges.jsonl``: one real edge per edge type.

``file_list`` describes every file written (format, size, sha256) for graph_metadata.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import yaml

from ncbi_gene_kg import provenance
from ncbi_gene_kg.accounting import TAXON_OUT_OF_SCOPE, WRONG_COLUMN_COUNT
from ncbi_gene_kg.biolink import BIOLINK_VERSION, is_multivalued, slot_range
from ncbi_gene_kg.download import load_config, sha256
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH
from ncbi_gene_kg.ingest import Options, RowRules
from ncbi_gene_kg.kgx import LIST_DELIMITER, qualifiers_of
from ncbi_gene_kg.merge import EDGE_CORE, NODE_CORE, ordered
from ncbi_gene_kg.paths import CONFIG_DIR, MAPPINGS_DIR
from ncbi_gene_kg.sources import discover_sources, row_rules
from ncbi_gene_kg.sql import ident, quote
from ncbi_gene_kg.taxa import TaxonScope

FORMATS = ("tsv", "jsonl", "parquet")
FORMAT_NAMES = {"tsv": "KGX TSV", "jsonl": "KGX JSON Lines", "parquet": "KGX Parquet"}
BY_TAXON = "by_taxon"
META_KG = "meta_knowledge_graph.json"
RIG = f"{GRAPH}_rig.yaml"
EXAMPLE_EDGES = "example_edges.jsonl"
NO_TAXON = "no_taxon"
OTHER_TAXA = "other_taxa"
# Biolink slot ranges that are not strings in JSON Lines and Parquet.
RANGE_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "float": "DOUBLE", "double": "DOUBLE", "decimal": "DOUBLE"}
ORDER = {"nodes": "id", "edges": "subject, predicate, object, id"}


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


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The table's KGX columns in the order the TSV has them (core columns first, then by name)."""
    return ordered(con.table(table).columns, NODE_CORE if table == "nodes" else EDGE_CORE)


def typed(column: str, source: str | None = None) -> str:
    """SQL turning a merged VARCHAR column into its Biolink type: a list for a multivalued slot
    ('|'-split), BOOLEAN / BIGINT / DOUBLE for those ranges, else VARCHAR.

    >>> typed("negated"), typed("has_count")
    ('CAST("negated" AS BOOLEAN)', 'CAST("has_count" AS BIGINT)')
    >>> typed("xref")
    'string_split("xref", \\'|\\')'
    """
    value = source or ident(column)
    kind = RANGE_TYPES.get(slot_range(column) or "")
    if is_multivalued(column) and column != "id":
        items = f"string_split({value}, '{LIST_DELIMITER}')"
        return f"list_transform({items}, x -> CAST(x AS {kind}))" if kind else items
    return f"CAST({value} AS {kind})" if kind else value


def _jsonl_line(columns: list[str], alias: str = "") -> str:
    """SQL for one KGX JSON Lines object: typed values, NULL properties left out."""
    pairs = ", ".join(f"{quote(json.dumps(c) + ':')} || to_json({typed(c, alias + ident(c))})" for c in columns)
    return f"'{{' || array_to_string(list_filter([{pairs}], p -> p IS NOT NULL), ',') || '}}'"


def _select(table: str, columns: list[str], fmt: str, where: str = "") -> str:
    """A query over ``table`` in ``fmt``'s shape, ordered as the TSV is."""
    order = ", ".join(f"t.{c.strip()}" for c in ORDER[table].split(","))
    if fmt == "jsonl":
        projection = f"{_jsonl_line(columns, 't.')} AS line"
    elif fmt == "parquet":
        projection = ", ".join(f"{typed(c, 't.' + ident(c))} AS {ident(c)}" for c in columns)
    else:
        cells = " || '\t' || ".join(f"coalesce(t.{ident(c)}, '')" for c in columns)
        projection = f"{cells} AS {ident(chr(9).join(columns))}"
    return f"SELECT {projection} FROM {table} t {where} ORDER BY {order}"


def _copy(con: duckdb.DuckDBPyConnection, query: str, fmt: str, path: Path) -> None:
    """COPY a query built by ``_select`` to ``path``: text lines as they are, or Parquet."""
    if fmt == "parquet":
        con.execute(f"COPY ({query}) TO {quote(str(path))} (FORMAT parquet, COMPRESSION zstd)")
    else:  # one column, already formatted: no quoting (a '"' is data); TSV has its header line
        header = "true" if fmt == "tsv" else "false"
        con.execute(
            f"COPY ({query}) TO {quote(str(path))} (FORMAT csv, HEADER {header}, QUOTE '', ESCAPE '', DELIMITER '\t')"
        )


def write_formats(con: duckdb.DuckDBPyConnection, out_dir: Path, formats: list[str]) -> list[Path]:
    """``ncbi_gene_nodes.<fmt>`` and ``_edges.<fmt>`` for each format but TSV (the merge wrote it)."""
    written = []
    for fmt in formats:
        if fmt == "tsv":
            continue
        for table in ("nodes", "edges"):
            path = out_dir / f"{GRAPH}_{table}.{fmt}"
            _copy(con, _select(table, columns_of(con, table), fmt), fmt, path)
            written.append(path)
    return written


def _taxon_part(tax_id: str) -> str:
    return "NCBITaxon_" + tax_id


def write_by_taxon(con: duckdb.DuckDBPyConnection, out_dir: Path, formats: list[str], scope: TaxonScope) -> list[Path]:
    """``by_taxon/ncbi_gene_NCBITaxon_<tax_id>_{nodes,edges}.<fmt>`` for each taxon of the scope.

    A node goes with its taxon (the first of in_taxon). An edge goes with its subject's taxon, else
    its object's (a Publication mentioning a gene goes with the gene), else to ``ncbi_gene_no_taxon_*``
    (no edge is lost); nodes with no taxon (GO terms, diseases, publications) are in ``no_taxon`` too.
    Taxa outside the scope's list (TAXA=all: those config/taxa.yaml does not name) share ``other_taxa``.
    The files partition the graph: their counts add up to the graph's. Only non-empty files are written.
    """
    taxa = scope.tax_ids or [str(t.tax_id) for t in scope.known]
    folder = out_dir / BY_TAXON
    folder.mkdir(exist_ok=True)
    taxon = f"split_part(in_taxon, '{LIST_DELIMITER}', 1)" if "in_taxon" in con.table("nodes").columns else "NULL"
    known = ", ".join(quote("NCBITaxon:" + t) for t in taxa)
    parts = [_taxon_part(t) for t in taxa] + [OTHER_TAXA, NO_TAXON]
    names = ", ".join(quote(p) for p in parts)
    no_taxon = len(parts)  # parts are numbered from 1 (list_position)
    # Each row's part by row number, so that a file is a scan of its own rows, not a join of the graph.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE node_part AS
        SELECT rowid AS r, id, list_position([{names}],
               CASE WHEN {taxon} IS NULL THEN '{NO_TAXON}' WHEN {taxon} IN ({known}) THEN replace({taxon}, ':', '_')
                    ELSE '{OTHER_TAXA}' END)::SMALLINT AS part
        FROM nodes
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE edge_part AS
        SELECT e.rowid AS r, coalesce(nullif(s.part, {no_taxon}), nullif(o.part, {no_taxon}), {no_taxon}) AS part
        FROM edges e LEFT JOIN node_part s ON s.id = e.subject LEFT JOIN node_part o ON o.id = e.object
    """)
    counts = {
        table: dict(con.execute(f"SELECT part, count(*) FROM {table[:4]}_part GROUP BY 1").fetchall())
        for table in ("nodes", "edges")
    }
    written = []
    for fmt in formats:
        for table in ("nodes", "edges"):
            columns = columns_of(con, table)
            for number, part in enumerate(parts, 1):
                if not counts[table].get(number):
                    continue
                path = folder / f"{GRAPH}_{part}_{table}.{fmt}"
                where = f"WHERE t.rowid IN (SELECT r FROM {table[:4]}_part WHERE part = {number})"
                _copy(con, _select(table, columns, fmt, where), fmt, path)
                written.append(path)
    return written


def edge_types(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each edge type (subject category, predicate, object category) of the graph with its count, the
    associations, knowledge levels, agent types and primary knowledge sources (with counts) of its edges,
    each qualifier's values and the other properties that occur. Two passes over the edges.
    """
    columns = con.table("edges").columns
    qualifiers = qualifiers_of(columns)
    attributes = [c for c in columns_of(con, "edges") if c not in {*EDGE_CORE, *qualifiers}]
    levels = [c for c in ("knowledge_level", "agent_type") if c in columns]
    source = "e.primary_knowledge_source" if "primary_knowledge_source" in columns else "NULL"
    typed_edges = "edges e JOIN nodes s ON s.id = e.subject JOIN nodes o ON o.id = e.object"
    triple = "s.category, e.predicate, o.category"
    lists = [
        f"list(DISTINCT e.{ident(c)} ORDER BY e.{ident(c)}) FILTER (WHERE e.{ident(c)} IS NOT NULL)"
        for c in ["category", *levels, *qualifiers]
    ]
    counts = [f"count(e.{ident(c)})" for c in attributes]
    rows = con.execute(f"""
        SELECT {triple}, count(*), {", ".join([*lists, *counts])}
        FROM {typed_edges} GROUP BY ALL ORDER BY ALL""").fetchall()
    by_source: dict[tuple, dict[str, int]] = {}
    for *key, primary, n in con.execute(f"""
            SELECT {triple}, coalesce({source}, '(none)'), count(*) FROM {typed_edges} GROUP BY ALL ORDER BY ALL
            """).fetchall():
        by_source.setdefault(tuple(key), {})[primary] = n
    types = []
    for subject, predicate, obj, count, associations, *rest in rows:
        found = dict(zip([*levels, *qualifiers], rest, strict=False))
        types.append(
            {
                "subject": subject,
                "predicate": predicate,
                "object": obj,
                "count": count,
                "associations": associations or [],
                "knowledge_level": found.get("knowledge_level") or [],
                "agent_type": found.get("agent_type") or [],
                "qualifiers": {q: found[q] for q in qualifiers if found[q]},
                "attributes": [a for a, n in zip(attributes, rest[len(levels) + len(qualifiers) :], strict=True) if n],
                "count_by_source": by_source[(subject, predicate, obj)],
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


def write_meta_knowledge_graph(con: duckdb.DuckDBPyConnection, out_dir: Path, types: list[dict] | None = None) -> dict:
    """meta_knowledge_graph.json (TRAPI MetaKnowledgeGraph of the merged graph in ``con``); returns its content."""
    meta = meta_knowledge_graph(con, types)
    (out_dir / META_KG).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def write_example_edges(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """``example_edges.jsonl``: for each edge type (subject category, predicate, object category) its
    first edge by id, as a KGX JSON Lines edge plus ``subject_category`` and ``object_category``.
    """
    columns = columns_of(con, "edges")
    line = _jsonl_line(columns, "e.")
    path = out_dir / EXAMPLE_EDGES
    query = f"""
        SELECT '{{"subject_category":' || to_json(s.category) || ',"object_category":' || to_json(o.category)
               || ',' || substr({line}, 2) AS line
        FROM edges e JOIN nodes s ON s.id = e.subject JOIN nodes o ON o.id = e.object
        QUALIFY row_number() OVER (PARTITION BY s.category, e.predicate, o.category ORDER BY e.id) = 1
        ORDER BY s.category, e.predicate, o.category
    """
    _copy(con, query, "jsonl", path)
    return path


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


def write_rig(out_dir: Path, meta: dict, types: list[dict], scope: TaxonScope, options: Options) -> Path:
    """ncbi_gene_rig.yaml: the reference ingest guide of this build (:func:`reference_ingest_guide`)."""
    path = out_dir / RIG
    guide = reference_ingest_guide(meta, types, scope, options)
    path.write_text(
        f"# {GRAPH} reference ingest guide, generated by `make transform` (do not edit).\n"
        + yaml.safe_dump(guide, sort_keys=False, allow_unicode=True, width=110)
    )
    return path


def write_outputs(
    con: duckdb.DuckDBPyConnection, out_dir: Path, formats: list[str], scope: TaxonScope, options: Options
) -> list[Path]:
    """Everything but the merged TSV, from the merged tables in ``con``; returns the files written.

    ``options`` are the build's transform fields (the RIG lists the row rules they select)."""
    written = write_formats(con, out_dir, formats)
    # TSV only: Monarch's per-taxon files are TSV, and JSONL / Parquet users filter on in_taxon. In every
    # format, the split cost 3.7 times the TSV's writing time on the full benchmark corpus (docs/outputs.md).
    written += write_by_taxon(con, out_dir, ["tsv"], scope)
    types = edge_types(con)
    meta = write_meta_knowledge_graph(con, out_dir, types)
    written += [out_dir / META_KG, write_rig(out_dir, meta, types, scope, options), write_example_edges(con, out_dir)]
    return written


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


def file_list(out_dir: Path) -> list[dict]:
    """Every file in ``out_dir`` (recursively, by relative path) with its format, size and sha256.

    Called before graph_metadata.json is written, so it lists every file but graph_metadata.json itself
    and what is made from it afterwards (report.html, report.json, the tarball).
    """

    files = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(out_dir).as_posix()
        files.append(
            {"name": relative, "format": file_format(relative), "size": path.stat().st_size, "sha256": sha256(path)}
        )
    return files
