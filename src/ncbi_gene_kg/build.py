"""`make transform`: run the transforms, merge, validate, and write the graph with its metadata and reports.

One DuckDB database per build: the transforms store their typed tables in it (pipeline.py), the merge makes
the graph's two tables once, sorted, in the published graph database ``ncbi_gene.duckdb`` it attaches in the
build's folder (merge.py), and every output is written from those two tables (outputs.py); no file is written
to be read back. The build's own database is in memory and spills into the build's folder (``.spill``) beyond
its memory bound: written to a file, gene2go's 10 M edges took 15-21 s to store instead of 7 s (the file's
compression), only to be read once by the merge.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
from isal import igzip_threaded
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ncbi_gene_kg import provenance
from ncbi_gene_kg.accessions import ACCESSIONS_FILE, index_accessions
from ncbi_gene_kg.accounting import EXAMPLES, RowAccount, Tally
from ncbi_gene_kg.diff import CHANGES_JSON, OLD, changes_since, one_line, to_json
from ncbi_gene_kg.download import sha256
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH, GRAPH_DB
from ncbi_gene_kg.ingest import table_of
from ncbi_gene_kg.kgx import EDGE_CORE, NODE_CORE, column_types, ordered, tsv_line
from ncbi_gene_kg.merge import EDGE_ORDER, NODE_ORDER, MergeResult, merge
from ncbi_gene_kg.outputs import file_list, graph_file_names, write_outputs
from ncbi_gene_kg.pipeline import BuildResult, run_transforms
from ncbi_gene_kg.publish import discard, exclusive, new_build_dir, publish
from ncbi_gene_kg.report import REPORT_JSON, write_report
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sources import NcbiSource, non_biolink_properties
from ncbi_gene_kg.sql import quote
from ncbi_gene_kg.sssom import SSSOM_FILE, history_mappings, write_sssom
from ncbi_gene_kg.stages import Stages
from ncbi_gene_kg.streams import GZIP_LEVEL, Written, copy_to_file, write_text
from ncbi_gene_kg.taxa import TaxonScope, load_scope
from ncbi_gene_kg.validate import (
    ValidationResult,
    check_graph,
    kgx_input,
    registry_prefixes,
    run_kgx_validator,
)

# Where the build's database spills when the memory bound is reached: the build's own folder (removed at the end).
SPILL = ".spill"
TRANSFORMS_DIR = "transforms"  # --transform-files: each transform's tables as KGX TSV

NCBI_BASE_URL = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/"


def input_files(result: BuildResult) -> list[dict]:
    """Each input file with its URL, size, sha256 and date (from data/manifest.json when downloaded)."""
    manifest_path = result.data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()).get("files", {}) if manifest_path.is_file() else {}
    files = []
    for run in result.runs:
        for path in run.inputs:
            entry = manifest.get(path.name, {})
            files.append(
                {
                    "name": path.name,
                    "source": run.source.name,
                    "url": entry.get("url", NCBI_BASE_URL + path.name),
                    "size": path.stat().st_size,
                    "sha256": entry["sha256"] if unchanged_since_download(path, entry) else sha256(path),
                    "last_modified": entry.get("last_modified"),
                    "downloaded": entry.get("downloaded"),
                    "bundled_sample": result.used_sample,
                }
            )
    return files


def unchanged_since_download(path: Path, entry: dict) -> bool:
    """The file is the one `make download` verified and hashed: same size, not modified after the download.

    (Hashing the whole release again costs about a second per GB on every build.)
    """
    if not entry.get("sha256") or not entry.get("downloaded") or entry.get("size") != path.stat().st_size:
        return False
    downloaded = datetime.fromisoformat(entry["downloaded"].replace("Z", "+00:00")).timestamp()
    return path.stat().st_mtime <= downloaded + 1


def statistics(con: duckdb.DuckDBPyConnection, validation: ValidationResult) -> dict:
    """Counts of nodes by category and taxon, and of edges by predicate and primary knowledge source.

    The counts by category, predicate and source are sums over the shapes validation found (no pass over the
    edges); the count by taxon is one pass over the nodes.
    """

    def by(table: str, key: str) -> dict[str, int]:
        """Records of ``table`` per value of shape key ``key``, sorted, with a NULL key as "(none)"."""
        counts: dict[str, int] = {}
        for row in validation.shapes[table].rows:
            if key in row:
                name = row[key] or "(none)"
                counts[name] = counts.get(name, 0) + row["n"]
        return dict(sorted(counts.items()))

    taxa = {}
    if "in_taxon" in con.table("nodes").columns:
        rows = con.execute("SELECT array_to_string(in_taxon, '|'), count(*) FROM nodes GROUP BY 1 ORDER BY 1")
        taxa = {key or "(none)": n for key, n in rows.fetchall()}
    return {
        "nodes": validation.shapes["nodes"].total,
        "edges": validation.shapes["edges"].total,
        "nodes_by_category": by("nodes", "category"),
        "nodes_by_taxon": taxa,
        "edges_by_predicate": by("edges", "predicate"),
        "edges_by_primary_knowledge_source": by("edges", "primary_knowledge_source"),
    }


def reproducible() -> bool:
    """SOURCE_DATE_EPOCH is set: outputs must be byte-identical across reruns (so no timings in them)."""
    return "SOURCE_DATE_EPOCH" in os.environ


def build_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's date when set (reproducible builds: byte-identical reruns)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.date().isoformat()


def graph_metadata(result: BuildResult, stats: dict, files: list[dict], node_columns: list[str]) -> dict:
    """schema.org Dataset metadata (the form Translator's ORION and KG-Hub releases use), with KGX counts and the
    node properties outside the Biolink model that the graph has (``node_columns``: its nodes' columns)."""
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": "NCBI Gene knowledge graph",
        "description": "NCBI Gene data files as a Biolink-model knowledge graph in KGX format.",
        "identifier": provenance.NCBI_GENE,
        "provider": {"@type": "Organization", "name": "NCBI Gene", "identifier": provenance.NCBI_GENE},
        "license": "https://www.ncbi.nlm.nih.gov/home/about/policies/",
        "dateCreated": build_date(),
        "isBasedOn": files,
        "softwareVersions": {
            name: version(name) for name in ("ncbi-gene-kg", "biolink-model", "koza", "kgx", "duckdb")
        },
        "taxonScope": {"name": result.scope.name, "tax_ids": result.scope.tax_ids},
        "nonBiolinkProperties": {
            name: p.to_dict() for name, p in non_biolink_properties().items() if name in node_columns
        },
        "statistics": stats,
    }


def _report_md(report: dict) -> str:
    lines = [
        "# Validation report",
        "",
        f"Result: **{'PASS' if report['valid'] else 'FAIL'}** ({report['errors_total']} errors)",
        "",
    ]
    lines += [f"- {note}" for note in report["notes"]] + ([""] if report["notes"] else [])
    for heading, key in (
        ("Errors", "errors"),
        ("Warnings", "warnings"),
        ("Merge conflicts", "conflicts"),
        ("Dropped nodes", "dropped_nodes"),
        ("Dangling edges (dropped)", "dangling_edges"),
        ("Discontinued GeneIDs (remapped or dropped)", "remapped"),
        ("Source disagreements", "disagreements"),
        ("Identifier collisions (an xref that is another node's id)", "xref_collisions"),
    ):
        lines += [f"## {heading}", ""]
        problems = report[key]
        if not problems:
            lines += ["None.", ""]
            continue
        lines += ["| problem | count | examples |", "|---|---:|---|"]
        lines += [f"| {label} | {t['count']} | {', '.join(t['examples'])} |" for label, t in problems.items()]
        lines.append("")
    if report["inputs_not_read"]:
        lines += ["## Inputs not read", "", *(f"- {name}" for name in report["inputs_not_read"]), ""]
    lines += [
        "## Row accounting",
        "",
        "| source | read | emitted | out of scope | rejected | balanced |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for account in report["row_accounting"]:
        lines.append(
            f"| {account['source']} | {account['read']} | {account['emitted']} | "
            f"{account['out_of_scope_total']} | {account['rejected_total']} | "
            f"{RowAccount.from_dict(account).balanced} |"
        )
    for account in report["row_accounting"]:
        reasons = [
            ("out of scope", account["out_of_scope"]),
            ("rejected", account["rejected"]),
            ("value dropped", account["dropped_values"]),
            ("value repaired", account["repaired"]),
        ]
        rows = [(kind, r, t) for kind, tallies in reasons for r, t in tallies.items()]
        rows += [("warning", w, {"count": 1, "examples": []}) for w in account["warnings"]]
        if rows:
            lines += [
                "",
                f"### {account['source']}",
                "",
                "| kind | reason | count | first lines |",
                "|---|---|---:|---|",
            ]
            lines += [f"| {kind} | {r} | {t['count']} | {', '.join(t['examples'])} |" for kind, r, t in rows]
    return "\n".join(lines) + "\n"


def _tallies(problems: dict) -> dict:
    return {label: {"count": t.count, "examples": t.examples} for label, t in problems.items()}


@dataclass
class Graph:
    """What a build made: the transforms' runs, the merge, the validation and the graph's statistics."""

    transforms: BuildResult
    merged: MergeResult
    validation: ValidationResult
    stats: dict
    changes: dict  # changes.json: the diff from OUT's previous graph (diff.py)
    accessions: dict | None = None  # gene2accession's row accounting, with --accessions


def build_graph(
    build_dir: Path,
    scope: TaxonScope,
    data_dir: Path | None,
    fields: dict,
    max_rejected: float,
    stages: Stages,
    on_start: Callable[[NcbiSource, list[Path]], None] | None = None,
    jobs: int = 1,
    formats: list[str] | None = None,
    accessions: bool = False,
    transform_files: bool = False,
    previous: Path | None = None,
) -> Graph:
    """Transforms, merge, the files of the graph, validation, metadata, the changes since the ``previous`` graph
    (OUT's, if it held one), bundle and report, into ``build_dir``.

    Raises UserError when the graph does not validate (the files stay in ``build_dir`` for the caller).
    """
    formats = formats or ["tsv"]
    con = connect(build_dir / SPILL)
    try:
        result = run_transforms(con, scope, data_dir, fields, stages, on_start, jobs=jobs)
        accession_account = None
        if accessions:  # the lookup table of `resolve` (docs/sources/gene2accession.md), published with the graph
            with stages.stage("accessions"):
                accession_account = index_accessions(result.data_dir, build_dir, scope)
        written: list[Written] = []
        if transform_files:
            with stages.stage("transform files"):
                written += write_transform_files(con, result, build_dir / TRANSFORMS_DIR)
        with stages.stage("merge"):
            graph_db = build_dir / GRAPH_DB
            con.execute(f"ATTACH {quote(str(graph_db))} AS graph")
            merged = merge(con, "graph")
            history_mappings(con, "graph")
            # The graph database is complete: closed, hashed, and read from here on (``nodes`` and ``edges``).
            con.execute("DETACH graph")
            written.append(Written(graph_db, graph_db.stat().st_size, sha256(graph_db)))
            con.execute(f"ATTACH {quote(str(graph_db))} AS graph (READ_ONLY)")
            con.execute("USE graph")
        with stages.stage("validate"):  # our checks: one pass over each table, which the outputs reuse
            validation = check_graph(con)
            kgx = kgx_validation(con, validation, Path(tempfile.mkdtemp(prefix="ncbi-gene-kg-kgx-")))
        with stages.stage("outputs"):  # TSV and the other formats, by_taxon, meta KG, RIG (docs/outputs.md)
            written += write_outputs(con, build_dir, formats, result.scope, fields, validation.shapes)
            sssom = write_sssom(con, build_dir / SSSOM_FILE, build_date())
            written += [sssom] if sssom else []
        with stages.stage("kgx validation"):  # what kgx's Validator found, beside the outputs
            kgx.result()
            check_accounts(validation, result, max_rejected)
        with stages.stage("metadata"):
            stats = statistics(con, validation)
            written += write_validation_report(build_dir, validation, merged, result)
            metadata = graph_metadata(result, stats, input_files(result), con.table("nodes").columns) | {
                "distribution": file_list(build_dir, written)
            }
            (build_dir / "graph_metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
        with stages.stage("changes"):  # the two graph databases compared in the build's DuckDB (its memory bound)
            changes = changes_since(previous, build_dir, con)
            write_text(build_dir / CHANGES_JSON, to_json(changes))
        with stages.stage("bundle"):
            bundle(build_dir, formats)
        with stages.stage("report"):  # from the graph's tables: no file is read again
            write_report(build_dir, stages=None if reproducible() else stages.to_list(), graph=con)
    finally:
        con.close()
        shutil.rmtree(build_dir / SPILL, ignore_errors=True)
    if not reproducible():  # the report's own time, in report.json only
        figures = json.loads((build_dir / REPORT_JSON).read_text())
        figures["build"]["stages"] = stages.to_list()
        (build_dir / REPORT_JSON).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    if not validation.ok:
        raise UserError(
            f"the graph did not validate: {validation.n_errors} errors in "
            f"{len(validation.errors)} classes; first: {next(iter(validation.errors))}"
        )
    return Graph(result, merged, validation, stats, changes, accession_account)


def write_transform_files(con: duckdb.DuckDBPyConnection, result: BuildResult, folder: Path) -> list[Written]:
    """``<name>_nodes.tsv`` / ``_edges.tsv`` of each transform (``--transform-files``): its tables before the
    merge, as KGX TSV in the graph's order, for debugging a source (an edge has the same id there as in the
    graph)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for run in result.runs:
        for kind, count, core, order in (
            ("node", run.nodes, NODE_CORE, NODE_ORDER),
            ("edge", run.edges, EDGE_CORE, EDGE_ORDER),
        ):
            if not count:
                continue
            table = table_of(run.source.name, kind)  # type: ignore[arg-type]
            types = column_types(con.table(table))
            columns = {c: types[c] for c in ordered(types, core)}
            header = ("\t".join(columns) + "\n").encode()
            path = folder / f"{table}.tsv"
            written.append(
                copy_to_file(con, f"SELECT {tsv_line(columns)} FROM {table} ORDER BY {order}", path, header=header)
            )
    return written


def kgx_validation(con: duckdb.DuckDBPyConnection, validation: ValidationResult, folder: Path) -> Future[None]:
    """kgx's Validator on the graph (or its stratified sample, written into ``folder`` first), run in a thread
    beside the next stages: it is Python (importing kgx and its model takes seconds), they are DuckDB. Its
    findings go into ``validation``; the folder is removed when it is done."""
    nodes, edges, coverage = kgx_input(con, validation, folder)
    validation.notes.append(coverage)
    prefixes = registry_prefixes(validation)

    def run() -> None:
        try:
            run_kgx_validator(nodes, edges, validation, prefixes)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    pool = ThreadPoolExecutor(1, thread_name_prefix="kgx")
    try:
        return pool.submit(run)
    finally:
        pool.shutdown(wait=False)


def check_accounts(validation: ValidationResult, result: BuildResult, max_rejected: float) -> None:
    """Every input's row accounting balances, and at most ``max_rejected`` of its rows are rejected."""
    for account in (account for run in result.runs for account in run.accounts):
        if not account.balanced:
            missing = account.read - account.emitted - account.n_out_of_scope - account.n_rejected
            validation.errors[f"{account.source}: row accounting does not balance"] = Tally(abs(missing), [])
        if account.read and account.n_rejected / account.read > max_rejected:
            examples = [e for t in account.rejected.values() for e in t.examples][:EXAMPLES]
            validation.errors[
                f"{account.source}: {account.n_rejected} of {account.read} rows rejected (more than {max_rejected:.1%})"
            ] = Tally(account.n_rejected, examples)


def write_validation_report(
    build_dir: Path, validation: ValidationResult, merged: MergeResult, result: BuildResult
) -> list[Written]:
    """validation_report.json and validation_report.md."""
    report = {
        "valid": validation.ok,
        "errors_total": validation.n_errors,
        "notes": validation.notes,
        "errors": _tallies(validation.errors),
        "warnings": _tallies(validation.warnings),
        "conflicts": _tallies(merged.conflicts),
        "dropped_nodes": _tallies(merged.dropped_nodes),
        "dangling_edges": _tallies(merged.dangling_edges),
        "remapped": _tallies(merged.remapped),
        "disagreements": _tallies(merged.disagreements),
        "xref_collisions": _tallies(merged.xref_collisions),
        "row_accounting": [a.to_dict() for run in result.runs for a in run.accounts],
        # files of DATA no transform read: absent companions (skipped) or a transform left off (unused)
        "inputs_not_read": [*result.skipped, *result.unused],
    }
    return [
        write_text(build_dir / "validation_report.json", json.dumps(report, indent=2) + "\n"),
        write_text(build_dir / "validation_report.md", _report_md(report)),
    ]


def bundle(staging: Path, formats: list[str]) -> None:
    """output/ncbi_gene.tar.gz: the KGX node and edge files (each format built) plus metadata, as KG-Hub
    releases ship them; compressed on two threads (ISA-L) as the tar is written."""
    with (
        igzip_threaded.open(staging / f"{GRAPH}.tar.gz", "wb", compresslevel=GZIP_LEVEL, threads=2) as gz,
        tarfile.open(fileobj=gz, mode="w|") as tar,  # a stream: the compressor cannot seek
    ):
        for name in (*graph_file_names(formats), "graph_metadata.json", SSSOM_FILE):
            if not (staging / name).is_file():  # the SSSOM set exists only when gene_history was an input
                continue
            info = tar.gettarinfo(staging / name, arcname=name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with (staging / name).open("rb") as fh:
                tar.addfile(info, fh)


def run_build(
    data_dir: Path | None,
    out_dir: Path,
    taxa: str,
    orthologs: str,
    max_rejected: float,
    console: Console,
    started: float,
    publications: bool = False,
    jobs: int = 1,
    formats: list[str] | None = None,
    accessions: bool = False,
    transform_files: bool = False,
    biolink_strict: bool = False,
) -> None:
    """The `transform` command: build into a new build folder, publish it as OUT's graph, print the summary."""
    scope = load_scope(taxa)
    stages = Stages()
    fields = {"ortholog_scope": orthologs, "publications": publications, "biolink_strict": biolink_strict}

    def on_start(source: NcbiSource, inputs: list[Path]) -> None:
        """Print which files a source is about to read, so a long build shows its progress."""
        console.print(f"[bold]{source.name}[/bold]: reading {', '.join(p.name for p in inputs)}", highlight=False)

    with exclusive(out_dir):
        build_dir = new_build_dir(out_dir)
        try:
            graph = build_graph(
                build_dir,
                scope,
                data_dir,
                fields,
                max_rejected,
                stages,
                on_start,
                jobs,
                formats,
                accessions,
                transform_files,
                previous=out_dir if (out_dir / GRAPH_DB).is_file() else None,  # OUT's graph, until publish
            )
            with stages.stage("publish"):
                publish(build_dir, out_dir)
        except BaseException:
            discard(build_dir)
            raise
    print_summary(console, graph, stages, out_dir, time.perf_counter() - started)


def print_summary(console: Console, graph: Graph, stages: Stages, out_dir: Path, seconds: float) -> None:
    """The end of `make transform` on the terminal: inputs, accounting, counts, validation, stages."""
    result, merged, validation, stats = graph.transforms, graph.merged, graph.validation, graph.stats
    where = "the bundled sample (no download in data/)" if result.used_sample else str(result.data_dir)
    console.print(f"\ninputs: {where}; taxon scope: {result.scope.name}", highlight=False)
    if result.skipped:
        console.print(f"skipped (input absent): {', '.join(result.skipped)}", highlight=False)
    if result.unused:
        console.print(f"not read (transform off): {', '.join(result.unused)}", highlight=False)
    rows = Table("source", "files", "read", "emitted", "out of scope", "rejected", title="Row accounting")
    for a in (account for run in result.runs for account in run.accounts):
        rows.add_row(
            a.source, ", ".join(a.files), f"{a.read:,}", f"{a.emitted:,}", f"{a.n_out_of_scope:,}", f"{a.n_rejected:,}"
        )
    console.print(rows)
    for run in result.runs:
        for warning in run.account.warnings:
            console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    for title, key in (("Nodes by category", "nodes_by_category"), ("Edges by predicate", "edges_by_predicate")):
        table = Table(title.split(" by ")[1], "count", title=title)
        for name, n in stats[key].items():
            table.add_row(name, f"{n:,}")
        console.print(table)
    dropped = sum(t.count for t in merged.dangling_edges.values()) + sum(t.count for t in merged.dropped_nodes.values())
    console.print(
        f"graph: {stats['nodes']:,} nodes, {stats['edges']:,} edges ({dropped:,} dangling edges or "
        f"orphan node rows dropped, {sum(t.count for t in merged.conflicts.values()):,} merge conflicts)",
        highlight=False,
    )
    if merged.remapped or merged.disagreements:
        console.print(
            f"discontinued GeneIDs: {sum(t.count for t in merged.remapped.values()):,} rows remapped or "
            f"dropped; Ensembl genes only one of gene_info and gene2ensembl gives: "
            f"{sum(t.count for t in merged.disagreements.values()):,}",
            highlight=False,
        )
    console.print(
        f"validation: {'PASS' if validation.ok else 'FAIL'}, {validation.n_errors} errors, "
        f"{sum(t.count for t in validation.warnings.values())} warnings "
        f"(see {out_dir / 'validation_report.md'})",
        highlight=False,
    )
    console.print(
        f"wrote {out_dir}/{GRAPH}_nodes.tsv, {GRAPH}_edges.tsv, {GRAPH}.tar.gz, graph_metadata.json in {seconds:.1f} s",
        highlight=False,
    )
    console.print(f"report: {out_dir / 'report.html'} (figures in report.json)", highlight=False)
    changes = graph.changes
    since = one_line(changes) if changes[OLD] is not None else changes["note"]
    console.print(f"changes since the previous build: {since} ({out_dir / CHANGES_JSON})", highlight=False)
    if graph.accessions:
        account = graph.accessions
        rejected = ", ".join(f"{n:,} {reason}" for reason, n in account["rejected"].items()) or "0"
        console.print(
            f"gene2accession: {account['read']:,} rows read, {account['emitted']:,} emitted, "
            f"{sum(account['out_of_scope'].values()):,} out of scope, rejected: {rejected}; "
            f"{account['accessions']:,} accessions in {out_dir / ACCESSIONS_FILE}",
            highlight=False,
        )
    timing = Table("stage", "seconds", "peak memory (MB)", title="Stages")
    for stage in stages.done:
        timing.add_row(stage.stage, f"{stage.seconds:.1f}", f"{stage.peak_rss_mb:,}")
    console.print(timing)
