"""gene_summary -> the description of Gene nodes, the text kept intact in every output format.

No real copy of gene_summary was at hand: every row here is CONSTRUCTED, for real GeneIDs (TP53 7157, BRCA1
672, GSDMB 55876, ORMDL3 94103, mouse Trp53 22059), with made-up summary text that says so. The bundled
sample (sample/gene_summary.gz) holds the four human rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import merge_sources, run_koza, write_rows
from koza.runner import KozaRunner

from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR

HEADER = "#tax_id\tGeneID\tSource\tSummary"
QUOTES = (
    'Constructed summary (not NCBI text): the "guardian of the genome"; it\'s a tumor suppressor, '
    "see 'p53' \\n (a backslash-n, not a newline)."
)
BAR = "Constructed summary (not NCBI text): forms a | b | c complexes."
BAR_IN_TSV = "Constructed summary (not NCBI text): forms a \u00a6 b \u00a6 c complexes."
UNKNOWN_SOURCE = "unknown summary Source Alliance (summary kept)"
SECOND = "another summary of the gene comes first (Source order, then file order)"
BAR_REASON = "vertical bar (U+007C) in a summary written as a broken bar (U+00A6): KGX TSV splits values on it"


def test_sample_summaries(tmp_path: Path) -> None:
    out = run_koza("gene_summary", [SAMPLE_DIR / "gene_summary.gz"], tmp_path)
    # in the graph's order: by id
    assert [n["id"] for n in out.nodes] == ["NCBIGene:55876", "NCBIGene:672", "NCBIGene:7157", "NCBIGene:94103"]
    tp53 = out.node("NCBIGene:7157")
    assert tp53 == {
        "id": "NCBIGene:7157",
        "category": "biolink:Gene",
        "description": "Constructed test summary (not NCBI text) for TP53: encodes the tumor suppressor p53, called "
        'the "guardian of the genome"; it binds DNA as a tetramer and stops the cell cycle after DNA '
        "damage. [constructed for ncbi-gene-kg]",
        "provided_by": "infores:ncbi-gene|infores:refseq",
    }
    assert out.edges == [] and out.account.balanced


def rows() -> list[str]:
    return [
        f"9606\t7157\tRefSeq\t{QUOTES}",
        "9606\t672\tAlliance\tConstructed summary (not NCBI text) from a Source the table does not know.",
        "9606\t55876\tAlliance\tConstructed summary (not NCBI text): second in rank.",
        f"9606\t55876\tRefSeq\t{BAR}",
        "9606\t94103\tRefSeq\t-",
        "10090\t22059\tRefSeq\tConstructed summary (not NCBI text) of mouse Trp53.",
        "9606\tx\tRefSeq\tConstructed summary (not NCBI text) for a malformed GeneID.",
    ]


@pytest.fixture(scope="module")
def constructed(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("in") / "gene_summary"
    write_rows(path, HEADER, rows())
    return path


def test_text_kept_with_quotes(constructed: Path, tmp_path: Path) -> None:
    out = run_koza("gene_summary", [constructed], tmp_path, taxa="9606")
    assert out.node("NCBIGene:7157")["description"] == QUOTES
    # the file as written: one line per node, no quoting
    lines = (tmp_path / "gene_summary_nodes.tsv").read_text().splitlines()
    assert f"NCBIGene:7157\tbiolink:Gene\t{QUOTES}\tinfores:ncbi-gene|infores:refseq" in lines


def test_sources_rank_and_unknown_sources(constructed: Path, tmp_path: Path) -> None:
    out = run_koza("gene_summary", [constructed], tmp_path, taxa="9606")
    assert out.node("NCBIGene:672")["provided_by"] == "infores:ncbi-gene"
    assert out.node("NCBIGene:55876")["description"] == BAR_IN_TSV  # RefSeq ranks before an unknown Source
    assert out.node("NCBIGene:55876")["provided_by"] == "infores:ncbi-gene|infores:refseq"
    account = out.account
    assert account.dropped_values[UNKNOWN_SOURCE].examples == ["gene_summary:3", "gene_summary:4"]
    assert account.dropped_values[SECOND].examples == ["gene_summary:4"]
    assert account.dropped_values[BAR_REASON].examples == ["gene_summary:5"]
    assert account.out_of_scope["no summary text"].examples == ["gene_summary:6"]
    assert account.out_of_scope["taxon not in scope"].examples == ["gene_summary:7"]
    assert account.rejected["GeneID is not a number"].examples == ["gene_summary:8"]
    assert account.balanced
    assert "NCBIGene:94103" not in {n["id"] for n in out.nodes}


def test_json_lines_have_the_same_text(constructed: Path, tmp_path: Path) -> None:
    """Quotes pass through as they are; a '|' is a broken bar in every format (the graph's one table of values
    is written as TSV too)."""
    _, runner = KozaRunner.from_config_file(
        str(CONFIG_DIR / "gene_summary.yaml"),
        output_dir=str(tmp_path),
        input_files=[str(constructed)],
        overrides={"writer": {"format": "jsonl"}, "transform": {"extra_fields": {"taxa": "9606"}}},
    )
    runner.run()
    nodes = {n["id"]: n for n in map(json.loads, (tmp_path / "gene_summary_nodes.jsonl").read_text().splitlines())}
    assert nodes["NCBIGene:7157"]["description"] == QUOTES
    assert nodes["NCBIGene:55876"]["description"] == BAR.replace("|", "\u00a6")
    assert nodes["NCBIGene:7157"]["provided_by"] == ["infores:ncbi-gene", "infores:refseq"]


def test_summary_is_the_description_in_the_merged_graph(tmp_path: Path) -> None:
    inputs = {"gene_info": [SAMPLE_DIR / "gene_info.gz"], "gene_summary": [SAMPLE_DIR / "gene_summary.gz"]}
    con, result = merge_sources(tmp_path, inputs)
    assert not any(label.startswith("node description") for label in result.conflicts)
    query = "SELECT description, full_name, provided_by FROM nodes WHERE id = ?"
    description, full_name, provided_by = con.execute(query, ["NCBIGene:7157"]).fetchone()
    assert description.startswith("Constructed test summary (not NCBI text) for TP53")
    assert full_name == "tumor protein p53"  # gene_info's name stays
    assert provided_by == ["infores:ncbi-gene", "infores:refseq"]
    # a gene without a summary keeps gene_info's description
    assert con.execute(query, ["NCBIGene:22059"]).fetchone()[0] == "transformation related protein 53"
