"""`ncbi-gene-kg diff` and the changes a rebuild reports (changes.json, the report's section), on two builds.

The small pair: OLD and NEW are built from the four real human genes' gene_info rows and real gene2go rows of
TP53, plus constructed rows, marked below, for what the real excerpts lack: gene_info rows for GeneIDs of the
real gene_history excerpt (discontinued genes have no gene_info row in a real release of the same date), a
GeneID no history names, a history row replacing a GeneID by one NEW lacks, and a gene2go row whose evidence
code changes. NEW is built into the same OUT as OLD, so it is a rebuild that reports its changes.

The large pair (``large`` tier): the whole human gene_info of 2020-12 and of 2022-11, with the expected added,
removed and renamed GeneIDs computed here from the raw rows with plain Python.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import REAL_DATA, quiet_build
from rich.console import Console
from typer.testing import CliRunner

from ncbi_gene_kg.build import run_build
from ncbi_gene_kg.cli import app
from ncbi_gene_kg.diff import diff_graphs, to_json
from ncbi_gene_kg.paths import PROJECT_ROOT

GENE_INFO = REAL_DATA / "gene_info/four_human_genes.2025-02.gene_info"
GENE2GO = REAL_DATA / "gene2go/four_human_genes.2025-02.gene2go"
HISTORY = REAL_DATA / "gene_history/five_taxa.2019-03.gene_history"
HISTORY_HEADER = "#tax_id\tGeneID\tDiscontinued_GeneID\tDiscontinued_Symbol\tDiscontinue_Date"
# GeneIDs of the real gene_history excerpt: SMIM38 discontinued without replacement on 2019-03-26 (human), and
# cow C13H10orf68 replaced by 616662 on 2019-03-24.
DISCONTINUED, REPLACED, REPLACEMENT = "113523637", "786891", "616662"
# Constructed GeneIDs: one no history names, one a constructed history row replaces by a GeneID NEW lacks.
NO_HISTORY, REPLACED_GONE, REPLACEMENT_GONE = "999999901", "999999902", "999999903"
# Real TP53 gene2go rows, by (GO_ID, Evidence): kept in both, only in OLD, only in NEW, and one whose evidence
# code NEW changes (constructed: IDA -> IMP).
KEPT, ONLY_OLD, ONLY_NEW, CHANGED = (
    ("GO:0000122", "IDA"),
    ("GO:0000423", "IEA"),
    ("GO:0000785", "IDA"),
    ("GO:0000976", "IDA"),
)


def lines(path: Path) -> tuple[str, list[str]]:
    text = path.read_text().splitlines()
    return text[0], text[1:]


def gene_row(template: str, tax_id: str, gene_id: str, symbol: str) -> str:
    """A constructed gene_info row: a real row's other columns under another taxon, GeneID and symbol."""
    columns = template.split("\t")
    columns[0], columns[1], columns[2], columns[10] = tax_id, gene_id, symbol, symbol
    columns[5] = "-"  # no xrefs: the real row's would collide with the real gene's
    return "\t".join(columns)


def go_rows(*keys: tuple[str, str]) -> list[str]:
    _, rows = lines(GENE2GO)
    return [row for key in keys for row in rows if row.split("\t")[1] == "7157" and tuple(row.split("\t")[2:4]) == key]


def write(folder: Path, name: str, header: str, rows: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([header, *rows]) + "\n")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """OLD built into OUT (a first build), copied aside, then NEW built into the same OUT (a rebuild)."""
    root = tmp_path_factory.mktemp("diff")
    header, genes = lines(GENE_INFO)
    constructed = [
        gene_row(genes[0], "9606", DISCONTINUED, "SMIM38"),
        gene_row(genes[0], "9913", REPLACED, "C13H10orf68"),
        gene_row(genes[0], "9606", NO_HISTORY, "NOHIST1"),
        gene_row(genes[0], "9606", REPLACED_GONE, "GONE1"),
    ]
    go_header, _ = lines(GENE2GO)
    write(root / "old_data", "gene_info", header, genes + constructed)
    write(root / "old_data", "gene2go", go_header, go_rows(KEPT, ONLY_OLD, CHANGED))
    changed = [row.replace("\tIDA\t", "\tIMP\t") for row in go_rows(CHANGED)]  # constructed: another evidence code
    write(root / "new_data", "gene_info", header, [*genes, gene_row(genes[0], "9913", REPLACEMENT, "C13H10orf68")])
    write(root / "new_data", "gene2go", go_header, go_rows(KEPT, ONLY_NEW) + changed)
    _, history = lines(HISTORY)
    gone = f"9606\t{REPLACEMENT_GONE}\t{REPLACED_GONE}\tGONE1\t20200101"  # constructed
    write(root / "new_data", "gene_history", HISTORY_HEADER, [*history, gone])
    out = root / "out"
    quiet_build(root / "old_data", out)
    first = json.loads((out / "changes.json").read_text())
    first_report = json.loads((out / "report.json").read_text())["changes"]
    shutil.copytree(out, root / "old", symlinks=True)
    quiet_build(root / "new_data", out)
    return {"root": root, "old": root / "old", "new": out, "first": first, "first_report": first_report}


@pytest.fixture(scope="module")
def report(builds: dict) -> dict:
    return diff_graphs(builds["old"], builds["new"])


def test_first_build_has_nothing_to_compare_with(builds: dict) -> None:
    assert builds["first"]["old"] is None
    assert "nothing to compare with" in builds["first"]["note"]
    assert builds["first_report"]["previous"] is None


def test_rebuild_writes_the_diff_with_its_previous_graph(builds: dict, report: dict) -> None:
    assert (builds["new"] / "changes.json").read_text() == to_json(report)
    section = json.loads((builds["new"] / "report.json").read_text())["changes"]
    assert section["nodes"] == {k: report["nodes"][k] for k in ("added", "removed", "changed")}
    assert section["removed_genes"] == report["removed_genes"]["by_reason"]
    assert "Changes since the previous build" in (builds["new"] / "report.html").read_text()


def test_removed_genes_by_reason(report: dict) -> None:
    removed = {g["id"].removeprefix("NCBIGene:"): g for g in report["removed_genes"]["genes"]}
    assert set(removed) == {DISCONTINUED, REPLACED, NO_HISTORY, REPLACED_GONE}
    assert removed[DISCONTINUED] | {"id": None} == {
        "id": None,
        "symbol": "SMIM38",
        "reason": "discontinued",
        "date": "2019-03-26",
        "replaced_by": None,
        "replacement_in_new": None,
    }
    assert removed[REPLACED]["reason"] == "replaced"
    assert (removed[REPLACED]["replaced_by"], removed[REPLACED]["replacement_in_new"]) == (
        f"NCBIGene:{REPLACEMENT}",
        True,
    )
    assert removed[REPLACED_GONE]["replaced_by"] == f"NCBIGene:{REPLACEMENT_GONE}"
    assert removed[REPLACED_GONE]["replacement_in_new"] is False
    assert removed[NO_HISTORY]["reason"] == "no history record"
    assert report["removed_genes"]["by_reason"] == {"discontinued": 1, "replaced": 2, "no history record": 1}


def test_genes_added(report: dict) -> None:
    genes = {r["category"]: r for r in report["nodes"]["by_category"]}["biolink:Gene"]
    assert (genes["added"], genes["removed"]) == (1, 4)


def test_edges_added_removed_and_changed(report: dict) -> None:
    edges = report["edges"]
    assert (edges["added"], edges["removed"], edges["changed"]) == (1, 1, 1)
    assert edges["added_examples"][0]["label"].startswith("NCBIGene:7157 ")
    assert edges["added_examples"][0]["label"].endswith(f" {ONLY_NEW[0]}")
    assert edges["removed_examples"][0]["label"].endswith(f" {ONLY_OLD[0]}")
    assert "has_evidence" in edges["changed_properties"]
    example = edges["examples"]["has_evidence"][0]
    assert example["label"].endswith(f" {CHANGED[0]}")
    assert (example["old"], example["new"]) == ("ECO:0000314", "ECO:0000315")  # IDA, IMP (GO's ECO mapping)
    assert sum(r["added"] for r in edges["by_predicate_and_source"]) == 1
    assert {r["primary_knowledge_source"] for r in edges["by_predicate_and_source"]} == {"infores:go"}


def test_a_graph_diffed_with_itself_is_empty(builds: dict) -> None:
    report = diff_graphs(builds["new"], builds["new"])
    assert report["incomparable"] == []
    for kind in ("nodes", "edges"):
        assert (report[kind]["added"], report[kind]["removed"], report[kind]["changed"]) == (0, 0, 0)
        assert report[kind]["changed_properties"] == {}
    assert report["removed_genes"]["total"] == 0


def test_cli_json_markdown_and_terminal(builds: dict, report: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    note = tmp_path / "note.md"
    result = runner.invoke(app, ["diff", str(builds["old"]), str(builds["new"]), "--json", "--markdown", str(note)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == report
    assert f"NCBIGene:{DISCONTINUED} (SMIM38): discontinued on 2019-03-26" in note.read_text()
    result = runner.invoke(app, ["diff", str(builds["old"]), str(builds["new"])])
    assert result.exit_code == 0, result.output
    assert "+1 genes, −4 (1 discontinued, 2 replaced, 1 without history)" in result.stdout


def test_other_taxon_scope_or_biolink_version_said_on_the_first_line(builds: dict) -> None:
    scoped = builds["root"] / "human_only"
    run_build(builds["root"] / "new_data", scoped, "9606", "both", 0.01, Console(file=io.StringIO()), 0.0)
    result = CliRunner().invoke(app, ["diff", str(builds["new"]), str(scoped)])
    assert result.stdout.splitlines()[0].startswith("not the same kind of graph")
    assert "taxon scopes differ: default → 9606" in result.stdout.splitlines()[0]
    other = builds["root"] / "other_biolink"  # constructed: the same graph, its metadata naming another version
    shutil.copytree(builds["new"] / ".current", other)
    metadata = json.loads((other / "graph_metadata.json").read_text())
    metadata["softwareVersions"]["biolink-model"] = "4.0.0"
    (other / "graph_metadata.json").write_text(json.dumps(metadata))
    first = CliRunner().invoke(app, ["diff", str(builds["new"]), str(other)]).stdout.splitlines()[0]
    assert first.startswith("not the same kind of graph") and "Biolink versions differ" in first
    assert diff_graphs(builds["new"], other)["nodes"]["changed"] == 0


def test_bad_arguments_get_a_one_line_error(builds: dict, tmp_path: Path) -> None:
    half = tmp_path / "half"  # a build stopped before its metadata: the database alone
    half.mkdir()
    shutil.copy(builds["new"] / "ncbi_gene.duckdb", half / "ncbi_gene.duckdb")
    empty = tmp_path / "empty"  # a database with no graph tables
    empty.mkdir()
    duckdb.connect(str(empty / "ncbi_gene.duckdb")).close()
    shutil.copy(builds["new"] / "graph_metadata.json", empty / "graph_metadata.json")
    for folder, message in (
        (tmp_path, "no built graph in"),
        (half, "a half-written build (graph_metadata.json missing)"),
        (empty, "a half-written build (no table nodes, edges)"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ncbi_gene_kg", "diff", str(builds["new"]), str(folder)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1
        assert result.stderr.startswith("error: ") and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# --- the large tier: two real releases of the whole human gene_info --------------------------------------------


def human_genes(release: str) -> dict[str, str]:
    """GeneID -> Symbol of a whole human gene_info release, from its raw rows (placeholders, Symbol NEWENTRY, are
    not genes: the build leaves them out)."""
    with gzip.open(REAL_DATA / f"gene_info/Homo_sapiens.{release}.gene_info.gz", "rt") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    return {row[1]: row[2] for row in rows if row[2] != "NEWENTRY"}


@pytest.mark.large
def test_two_human_releases(tmp_path: Path) -> None:
    releases = {}
    for release in ("2020-12", "2022-11"):
        data = tmp_path / f"data-{release}"
        data.mkdir()
        shutil.copy(REAL_DATA / f"gene_info/Homo_sapiens.{release}.gene_info.gz", data / "Homo_sapiens.gene_info.gz")
        quiet_build(data, tmp_path / release)
        releases[release] = human_genes(release)
    old, new = releases["2020-12"], releases["2022-11"]
    report = diff_graphs(tmp_path / "2020-12", tmp_path / "2022-11")
    removed = {g["id"].removeprefix("NCBIGene:") for g in report["removed_genes"]["genes"]}
    assert removed == old.keys() - new.keys()
    assert report["removed_genes"]["by_reason"]["no history record"] == len(removed)  # no gene_history given
    assert report["nodes"]["added"] == len(new.keys() - old.keys())
    added = [example["id"].removeprefix("NCBIGene:") for example in report["nodes"]["added_examples"]]
    assert added and set(added) <= new.keys() - old.keys()
    renamed = {gene for gene in old.keys() & new.keys() if old[gene] != new[gene]}
    assert report["nodes"]["changed_properties"]["symbol"] == len(renamed)
    for example in report["nodes"]["examples"]["symbol"]:
        gene = example["id"].removeprefix("NCBIGene:")
        assert (example["old"], example["new"]) == (old[gene], new[gene])
    assert report["nodes"]["examples"]["symbol"] == sorted(report["nodes"]["examples"]["symbol"], key=lambda e: e["id"])
