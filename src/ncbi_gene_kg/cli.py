"""The ncbi-gene-kg command line: `ncbi-gene-kg --help`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from loguru import logger
from rich.console import Console
from rich.markup import escape

from ncbi_gene_kg.errors import UserError

app = typer.Typer(
    help="Turn NCBI Gene data files into a Biolink-model knowledge graph in KGX format.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
state = {"debug": False}


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Koza's and DuckDB's log messages.")] = False,
) -> None:
    """Options for every command: --debug keeps tracebacks, --verbose shows Koza's and DuckDB's logs."""
    state["debug"] = debug
    logger.remove()
    logger.add(sys.stderr, level="DEBUG" if verbose else "WARNING")


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Folder with the NCBI files (plain or .gz, NCBI names). Default: data/ if it holds any, "
        "else the bundled sample.",
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder.")]
TaxaOption = Annotated[
    str,
    typer.Option(
        "--taxa",
        help="Taxon scope: a scope name from config/taxa.yaml (default), 'all', or tax_ids/labels "
        "separated by commas (9606,10090).",
    ),
]


@app.command()
def transform(
    data: DataOption = None,
    out: OutOption = Path("output"),
    taxa: TaxaOption = "default",
    orthologs: Annotated[
        str, typer.Option(help="Keep ortholog edges with 'both' ends in the taxon scope, or 'either' end.")
    ] = "both",
    max_rejected: Annotated[
        float, typer.Option(help="Fail when more than this share of a file's rows is rejected (0.01 = 1%).")
    ] = 0.01,
    publications: Annotated[
        bool,
        typer.Option(
            "--publications",
            help="Add gene2pubmed: a Publication node per PubMed record and a mentions edge to "
            "each gene it cites (large: see docs/sources/gene2pubmed.md).",
        ),
    ] = False,
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="Graph file formats: tsv, jsonl, parquet, nt (RDF N-Triples) (repeatable or comma-separated; "
            "TSV is always written). See docs/outputs.md.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Transforms to run at once, each in its own thread on the build's database (they share "
            "its 3 GB memory bound and its threads). Default: 2, or 1 on a one-core machine.",
        ),
    ] = None,
    accessions: Annotated[
        bool,
        typer.Option(
            "--accessions",
            help="Also read gene2accession (4 GB) into OUT/ncbi_gene_accessions.duckdb, so that "
            "`resolve` answers sequence accessions (not part of the graph).",
        ),
    ] = False,
    transform_files: Annotated[
        bool,
        typer.Option(
            "--transform-files",
            help="Also write each transform's own nodes and edges, before the merge, as KGX TSV in "
            "OUT/transforms/ (a debugging aid: it doubles the writes).",
        ),
    ] = False,
    biolink_strict: Annotated[
        bool,
        typer.Option(
            "--biolink-strict",
            envvar="BIOLINK_STRICT",
            help="Leave out the node properties outside the Biolink model (gene_info's chromosome and "
            "map_location), for consumers that reject anything else.",
        ),
    ] = False,
) -> None:
    """Run every transform whose input is present, merge, validate, and write the graph to OUT."""
    from ncbi_gene_kg.build import run_build
    from ncbi_gene_kg.outputs import parse_formats
    from ncbi_gene_kg.pipeline import default_jobs

    start = time.perf_counter()
    run_build(
        data_dir=data,
        out_dir=out,
        taxa=taxa,
        orthologs=orthologs,
        max_rejected=max_rejected,
        console=console,
        started=start,
        publications=publications,
        jobs=jobs or default_jobs(),
        formats=parse_formats(output_format),
        accessions=accessions,
        transform_files=transform_files,
        biolink_strict=biolink_strict,
    )


@app.command()
def download(
    data: Annotated[Path, typer.Option("--data", help="Folder the files go to; the transform reads it.")] = Path(
        "data"
    ),
    taxa: TaxaOption = "default",
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The NCBI Gene DATA directory or a mirror. Default: $NCBI_GENE_BASE_URL, else "
            "base_url in config/download.yaml.",
        ),
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option("--file", help="Only this file, by its name in config/download.yaml (repeatable)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if unchanged on the server.")] = False,
) -> None:
    """Fetch the NCBI Gene files for the taxon scope into DATA.

    Unchanged files are skipped, interrupted ones resumed, each verified before it replaces the old one.
    """
    from ncbi_gene_kg.download import download as fetch

    fetch(data, taxa=taxa, base_url=base_url, files=file, force=force, console=console)


@app.command()
def card(
    query: Annotated[
        str,
        typer.Argument(
            help="A gene: symbol (TP53), synonym, GeneID (7157), NCBIGene:7157, or a discontinued GeneID or symbol."
        ),
    ],
    taxon: Annotated[
        str | None,
        typer.Option(
            "--taxon", help="Only genes of this taxon: a tax_id (9606) or a species name from config/taxa.yaml."
        ),
    ] = None,
    graph: Annotated[Path, typer.Option("--graph", help="The output folder of `make transform`.")] = Path("output"),
    html: Annotated[Path | None, typer.Option("--html", help="Also write the card as an HTML page here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON instead of text.")] = False,
) -> None:
    """Show one gene from the built graph: names, xrefs, GO annotations, orthologs, diseases, history, proteins."""
    from ncbi_gene_kg.card import run_card

    run_card(query, taxon=taxon, graph_dir=graph, html=html, as_json=as_json, console=console)


@app.command()
def resolve(
    query: Annotated[
        str,
        typer.Argument(
            help="An NCBI GeneID (7157 or NCBIGene:7157), a gene symbol, or, after `transform --accessions`, a "
            "sequence accession (NM_000546.6, NP_000537, NC_000017.11:7668421)."
        ),
    ],
    taxon: Annotated[
        str | None,
        typer.Option(
            "--taxon", help="Only genes of these taxa: tax_ids or names from config/taxa.yaml, comma-separated."
        ),
    ] = None,
    out: OutOption = Path("output"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Tell whether a GeneID or symbol is current, what replaced it and when (reads the graph built in OUT).

    A symbol matches current symbols, synonyms and symbols of discontinued GeneIDs; in each taxon the first of
    these that matches counts. When that names several genes all are listed (exit code 3); not found: 1.
    An accession is looked up in OUT/ncbi_gene_accessions.duckdb when `transform --accessions` wrote it.
    """
    from ncbi_gene_kg.resolve import resolve as lookup

    answer = lookup(query, taxon=taxon, out_dir=out)
    typer.echo(answer.to_json() if as_json else answer.text())
    raise typer.Exit(answer.exit_code)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier build: an output folder of `make transform`.")],
    new: Annotated[Path, typer.Argument(help="The later build: an output folder of `make transform`.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole report as JSON (schema: docs/diff.md).")
    ] = False,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the report as a Markdown release note here.")
    ] = None,
) -> None:
    """What changed from the graph in OLD to the one in NEW, gene by gene and edge by edge.

    Nodes added, removed and changed, per category, taxon and property, with examples.

    Removed genes and why, from NEW's gene_history: discontinued, replaced by another GeneID, or no record.

    Edges added, removed and changed, per predicate and primary knowledge source.

    Every rebuild into an OUT that held a graph writes the same report as OUT/changes.json.
    """
    from ncbi_gene_kg.diff import diff_graphs, markdown_note, print_report, to_json

    report = diff_graphs(old, new)
    if markdown is not None:
        markdown.write_text(markdown_note(report))
    if as_json:
        typer.echo(to_json(report), nl=False)
    else:
        print_report(Console(), report)


@app.command("neo4j-export")
def neo4j_export(
    graph: Annotated[Path, typer.Option("--graph", help="The output folder of `make transform`.")] = Path("output"),
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the import files. Default: GRAPH/neo4j.")
    ] = None,
) -> None:
    """Write the graph as neo4j-admin import files (Neo4j 5) and print the import command (also in OUT/import.sh)."""
    from ncbi_gene_kg.neo4j_export import run_export

    run_export(graph, out or graph / "neo4j", console=console)


@app.command("load-neo4j")
def load_neo4j(
    uri: Annotated[str, typer.Option("--uri", envvar="NEO4J_URI", help="Bolt URI of the server.")] = (
        "bolt://localhost:7687"
    ),
    user: Annotated[str, typer.Option("--user", envvar="NEO4J_USER", help="Neo4j user.")] = "neo4j",
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            help="File holding the password (one line). Default: $NEO4J_PASSWORD; with neither, no authentication.",
        ),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="Database to load into. Default: the server's default database.")
    ] = None,
    graph: Annotated[Path, typer.Option("--graph", help="The output folder of `make transform`.")] = Path("output"),
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per transaction.")] = 10_000,
) -> None:
    """Load the graph into a running Neo4j 5 over Bolt: id constraint first, idempotent MERGE in batches."""
    from ncbi_gene_kg.neo4j_load import run_load

    run_load(
        graph,
        uri=uri,
        user=user,
        password_file=password_file,
        database=database,
        batch_size=batch_size,
        console=console,
    )


def run() -> None:
    """Entry point: one clear line for user errors, the traceback only with --debug."""
    try:
        app()
    except UserError as error:
        if state["debug"]:
            raise
        console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        sys.exit(1)
