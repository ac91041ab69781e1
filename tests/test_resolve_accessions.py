"""`ncbi-gene-kg resolve` for sequence accessions: the lookup table `transform --accessions` writes from
gene2accession (real rows: tests/data/ncbi/gene2accession, TP53, BRCA1, GSDMB, ORMDL3 and the head of the
all-species file), next to the graph of the bundled sample."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import REAL_DATA
from sample_graph import build_sample_graph
from typer.testing import CliRunner

from ncbi_gene_kg import accessions, history, sssom
from ncbi_gene_kg import resolve as resolve_module
from ncbi_gene_kg.accessions import ACCESSIONS_FILE, index_accessions
from ncbi_gene_kg.cli import app
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH_DB
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.resolve import resolve
from ncbi_gene_kg.taxa import load_scope


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_graph(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def out(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("accessions")
    shutil.copy(built / GRAPH_DB, out)  # the graph database: what resolve reads beside the lookup table
    return out


@pytest.fixture(scope="module")
def account(out: Path) -> dict:
    return index_accessions(REAL_DATA / "gene2accession", out, load_scope("default"))


def test_the_table_and_its_row_accounting(out: Path, account: dict) -> None:
    assert account["files"] == ["all_species_head.2026-08.gene2accession", "four_human_genes.2025-02.gene2accession"]
    # 36 + 3,265 rows; the all-species head has 16 rows of taxa 23, 2762 and 2771, out of the default scope
    assert (account["read"], account["emitted"], account["out_of_scope"], account["rejected"]) == (
        3301,
        3285,
        {"taxon not in scope": 16},
        {},
    )
    with duckdb.connect(str(out / ACCESSIONS_FILE), read_only=True) as con:
        assert con.execute(
            "SELECT kind, version, gene, tax_id FROM accessions WHERE accession = 'NP_000537'"
        ).fetchall() == [("protein", "NP_000537.3", 7157, "9606")]
        # TP53 on GRCh38: gene2accession's 0-based inclusive positions, as in the file
        assert con.execute(
            "SELECT DISTINCT start0, end0 FROM placements WHERE version = 'NC_000017.11' AND gene = 7157"
        ).fetchall() == [(7668420, 7687489)]
    assert not (out / f".{ACCESSIONS_FILE}.part").exists()


@pytest.mark.parametrize(
    ("query", "matched_by"),
    [
        ("NM_000546.6", "RNA accession NM_000546.6"),
        ("NM_000546", "RNA accession NM_000546"),
        ("nm_000546.6", "RNA accession NM_000546.6"),
        ("NM_000546.5", "RNA accession NM_000546.5 (gene2accession has NM_000546.6)"),
        ("NP_000537.3", "protein accession NP_000537.3"),
        # NCBI's 0-based 7668420 is TP53's first base: position 7668421 counted from 1
        ("NC_000017.11:7668421", "position on genomic accession NC_000017.11"),
        ("NC_000017.11:7687490", "position on genomic accession NC_000017.11"),
    ],
)
def test_an_accession_names_tp53(out: Path, account: dict, query: str, matched_by: str) -> None:
    answer = resolve(query, None, out)
    assert (answer.status, answer.answer.gene.id, answer.answer.gene.symbol, answer.answer.matched_by) == (
        "current",
        "NCBIGene:7157",
        "TP53",
        matched_by,
    )


def test_positions_outside_a_gene_and_other_taxa(out: Path, account: dict) -> None:
    assert resolve("NC_000017.11:7668420", None, out).status == "not found"  # the base before TP53
    assert resolve("NC_000017.11:7687491", None, out).status == "not found"  # the base after it
    assert resolve("NM_000546.6", "10090", out).status == "not found"
    assert resolve("AC060780.18", None, out).answer.gene.id == "NCBIGene:672"  # an INSDC clone of BRCA1


def test_a_chromosome_names_every_gene_on_it(out: Path, account: dict) -> None:
    answer = resolve("NC_000017.11", None, out)
    assert answer.status == "ambiguous" and answer.exit_code == 3
    assert [m.gene.id for m in answer.candidates] == [
        "NCBIGene:672",
        "NCBIGene:7157",
        "NCBIGene:55876",
        "NCBIGene:94103",
    ]


def test_symbols_still_resolve_and_the_command_answers(out: Path, account: dict) -> None:
    assert resolve("TP53", None, out).answer.matched_by == "symbol"
    result = CliRunner().invoke(app, ["resolve", "NP_000537.3", "--out", str(out)])
    assert result.exit_code == 0
    assert result.output == "NCBIGene:7157 TP53 (Homo sapiens): current (matched by protein accession NP_000537.3)\n"


def test_without_the_table_an_accession_is_not_found(tmp_path: Path, out: Path) -> None:
    shutil.copy(out / GRAPH_DB, tmp_path)
    assert resolve("NM_000546.6", None, tmp_path).status == "not found"
    with pytest.raises(UserError, match="--accessions: no gene2accession"):
        index_accessions(tmp_path, tmp_path, load_scope("default"))


def test_transform_with_and_without_accessions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    shutil.copy(REAL_DATA / "gene2accession" / "four_human_genes.2025-02.gene2accession", data)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["transform", "--data", str(data), "--out", str(out), "--accessions"])
    assert result.exit_code == 0, result.output
    assert resolve("NP_000537.3", None, out).answer.gene.id == "NCBIGene:7157"
    # A later build without the option removes the table: resolve never answers from another build's table.
    result = CliRunner().invoke(app, ["transform", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / ACCESSIONS_FILE).exists()
    assert resolve("NP_000537.3", None, out).status == "not found"


def test_resolve_restates_the_names_it_does_not_import() -> None:
    """resolve.py repeats a few names of the modules a fresh `resolve` process does not import: the same values."""
    assert (resolve_module.ACCESSIONS_FILE, resolve_module.GENE) == (accessions.ACCESSIONS_FILE, history.GENE)
    assert (
        resolve_module.NCBITAXON,
        resolve_module.NO_TERM_FOUND,
        resolve_module.TAXON_KEY,
        resolve_module.HISTORY_MAPPINGS,
    ) == (sssom.NCBITAXON, sssom.NO_TERM_FOUND, sssom.TAXON_KEY, sssom.HISTORY_MAPPINGS)


@pytest.mark.parametrize("taxon", [None, "9606"])
def test_a_symbol_query_imports_neither_the_accession_lookup_nor_the_taxon_scope(built: Path, taxon: str) -> None:
    """`resolve TP53` (and `--taxon 9606`: a tax_id needs no config) in a fresh process, on a graph built without
    --accessions, reads the graph database only: no yaml, no file scanner, no sssom (a fresh process should cost
    little more than Python and DuckDB)."""
    code = (
        "import sys; from pathlib import Path; from ncbi_gene_kg.resolve import resolve; "
        f"print(resolve('TP53', {taxon!r}, Path({str(built)!r})).status); "
        "print(sorted(m for m in ('yaml', 'ncbi_gene_kg.accessions', 'ncbi_gene_kg.sssom', 'ncbi_gene_kg.scan') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["current", "[]"]
