"""Bad input gets a clear answer, every row is accounted for, and no output is half-written.

Real rows from tests/data/ncbi made bad in one way each.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_koza, write_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import PROJECT_ROOT, SAMPLE_DIR
from ncbi_gene_kg.pipeline import discover_sources, find_inputs
from ncbi_gene_kg.sources import non_biolink_properties

FOUR_GENES = "gene_info/four_human_genes.2025-02.gene_info"


def lines(real_data: Path, name: str = FOUR_GENES) -> list[str]:
    return (real_data / name).read_text().splitlines()


def cli(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ncbi_gene_kg", *args], cwd=cwd, capture_output=True, text=True)


def test_a_lost_tab_is_rejected_not_shifted(real_data: Path, tmp_path: Path) -> None:
    header, *rows = lines(real_data)
    rows[1] = rows[1].replace("\t", "", 1)  # ORMDL3: tax_id and GeneID run together
    out = run_koza("gene_info", [write_rows(tmp_path / "gene_info", header, rows)], tmp_path, taxa="all")
    assert out.account.rejected["wrong column count"].count == 1
    assert out.account.rejected["wrong column count"].examples == ["gene_info:3"]
    assert sorted(n["id"] for n in out.nodes) == ["NCBIGene:55876", "NCBIGene:672", "NCBIGene:7157"]
    assert out.account.balanced


def test_a_stray_quote_is_data(real_data: Path, tmp_path: Path) -> None:
    header, *rows = lines(real_data)
    rows[0] = rows[0].replace("\tgasdermin B\t", '\t"gasdermin B\t', 1)  # an opening quote, never closed
    out = run_koza("gene_info", [write_rows(tmp_path / "gene_info", header, rows)], tmp_path)
    assert len(out.nodes) == 4
    assert out.node("NCBIGene:55876")["description"] == '"gasdermin B'
    assert out.node("NCBIGene:94103")["name"] == "ORMDL3"  # the next row is untouched


def test_a_latin1_byte_is_replaced_and_counted(real_data: Path, tmp_path: Path) -> None:
    header, *rows = lines(real_data)
    text = "\n".join([header, *rows]) + "\n"
    path = tmp_path / "gene_info"
    path.write_bytes(text.encode().replace(b"tumor protein p53", b"tumor protein p53 \xe9"))
    out = run_koza("gene_info", [path], tmp_path)
    assert out.node("NCBIGene:7157")["description"] == "tumor protein p53 \ufffd"
    assert out.account.repaired["invalid UTF-8 replaced with U+FFFD"].examples == ["gene_info:5"]
    assert len(out.nodes) == 4


def test_a_cut_gzip_is_a_fatal_error_naming_the_file(real_data: Path, tmp_path: Path) -> None:
    source = real_data / "gene_info/Drosophila_melanogaster.2021-07.gene_info.gz"
    cut = tmp_path / "gene_info.gz"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(UserError, match=r"gene_info.gz: truncated or corrupt compressed file after [\d,]+ lines"):
        run_koza("gene_info", [cut], tmp_path)


def test_a_renamed_required_column_is_a_fatal_error(real_data: Path, tmp_path: Path) -> None:
    header, *rows = lines(real_data)
    path = write_rows(tmp_path / "gene_info", header.replace("\tSymbol\t", "\tGene_symbol\t"), rows)
    with pytest.raises(UserError, match=r"gene_info: required column 'Symbol' not in the header"):
        run_koza("gene_info", [path], tmp_path)


# gene_info run alone: the MIM dbXrefs of the four genes (BRCA1, TP53, GSDMB, ORMDL3) cannot be typed
UNTYPED_MIM = (
    "mim2gene_medgen is not in the build: 4 MIM dbXrefs kept as given, not typed as gene or phenotype "
    "(a phenotype's MIM number may be among them)"
)


def test_an_extra_column_is_a_warning(real_data: Path, tmp_path: Path) -> None:
    header, *rows = lines(real_data)
    path = write_rows(tmp_path / "gene_info", header + "\tNew_column", [r + "\tx" for r in rows])
    out = run_koza("gene_info", [path], tmp_path)
    assert out.account.warnings == [
        "gene_info: unknown column 'New_column' (not in the columns the config gives for gene_info), ignored",
        UNTYPED_MIM,
    ]
    assert len(out.nodes) == 4


def test_the_legacy_format_header_with_15_columns(real_data: Path, tmp_path: Path) -> None:
    _, *rows = lines(real_data)
    legacy = (
        "#Format: tax_id GeneID Symbol LocusTag Synonyms dbXrefs chromosome map_location description "
        "type_of_gene Symbol_from_nomenclature_authority Full_name_from_nomenclature_authority "
        "Nomenclature_status Other_designations Modification_date (tab is used as a separator, pound sign - "
        "start of a comment)"
    )
    fifteen = [row.rsplit("\t", 1)[0] for row in rows]  # drop Feature_type, as releases before 2018 did
    out = run_koza("gene_info", [write_rows(tmp_path / "gene_info", legacy, fifteen)], tmp_path)
    assert out.node("NCBIGene:7157")["name"] == "TP53"
    assert out.account.rejected == {} and out.account.warnings == [UNTYPED_MIM]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        (None, "no data rows (the file holds only its header)"),
    ],
)
def test_empty_and_header_only_files(real_data: Path, tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "gene_info"
    path.write_text(lines(real_data)[0] + "\n" if content is None else content)
    with pytest.raises(UserError, match=re.escape(message)):
        run_koza("gene_info", [path], tmp_path)


@pytest.mark.parametrize("source", [s.name for s in discover_sources()])
def test_every_transform_rejects_a_row_with_a_lost_tab(source: str, tmp_path: Path) -> None:
    """The bundled sample with one tab lost in a human (or taxon-less) row: one more rejection, same rows read."""
    (path,) = find_inputs(SAMPLE_DIR, source)
    for companion in SAMPLE_DIR.iterdir():  # files a transform reads beside its own (gene2refseq's collab file)
        shutil.copy(companion, tmp_path / companion.name)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        text = fh.read().splitlines()
    data = [i for i in range(1, len(text)) if not text[i].startswith("#")]
    index = next((i for i in data if text[i].startswith("9606\t")), data[0])
    before = run_koza(source, [path], tmp_path / "before")
    text[index] = text[index][::-1].replace("\t", "", 1)[::-1]  # the last tab goes
    broken = write_rows(tmp_path / path.name, text[0], text[1:])
    after = run_koza(source, [broken], tmp_path / "after")
    assert after.account.read == before.account.read
    assert after.account.rejected["wrong column count"].examples[0] == f"{path.name}:{index + 1}"
    assert after.account.n_rejected == before.account.n_rejected + 1
    assert after.account.balanced


FIELD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r"), max_size=12)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(FIELD, min_size=14, max_size=18), min_size=1, max_size=25))
def test_any_rows_map_to_valid_genes_or_are_rejected(real_data: Path, tmp_path_factory, rows: list[list[str]]) -> None:
    from biolink_model.datamodel.pydanticmodel_v2 import Gene

    tmp = tmp_path_factory.mktemp("prop")
    header = lines(real_data)[0]
    # a line starting with '#' is a comment in NCBI files, not a row: the first field never starts with one
    data = [
        "\t".join(["9606", str(i + 1), *fields[2:]]) if i % 2 else "\t".join([fields[0].lstrip("#"), *fields[1:]])
        for i, fields in enumerate(rows)
    ]
    tp53 = lines(real_data)[4]  # one real row, so the config's min_node_count of 1 holds
    out = run_koza("gene_info", [write_rows(tmp / "gene_info", header, [*data, tp53])], tmp, taxa="all")
    assert out.account.balanced and out.account.read == len(rows) + 1
    outside = set(non_biolink_properties())  # declared by gene_info's config, left out by --biolink-strict
    assert outside == {"chromosome", "map_location"}
    for node in out.nodes:
        lists = {"synonym", "xref", "type", "provided_by", "in_taxon", "category"}
        Gene(**{k: (v.split("|") if k in lists else v) for k, v in node.items() if v and k not in outside})


def test_bad_taxon_names_and_missing_folders_are_one_line(tmp_path: Path) -> None:
    unknown = cli("transform", "--taxa", "Homo sapien", "--out", str(tmp_path))
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines() == [
        "error: unknown taxon 'Homo sapien': use a tax_id, a label from "
        f"{PROJECT_ROOT / 'config/taxa.yaml'}, a scope name (default), or 'all'"
    ]
    missing = cli("transform", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert missing.returncode == 1 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    debug = cli("--debug", "transform", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert "Traceback" in debug.stderr


def test_a_failed_build_leaves_the_previous_graph(tmp_path: Path, real_data: Path) -> None:
    out = tmp_path / "out"
    assert cli("transform", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*") if p.is_file()}
    data = tmp_path / "data"
    data.mkdir()
    cut = real_data / "gene_info/Drosophila_melanogaster.2021-07.gene_info.gz"
    (data / "gene_info.gz").write_bytes(cut.read_bytes()[:50_000])
    failed = cli("transform", "--data", str(data), "--out", str(out))
    assert failed.returncode == 1 and "truncated" in failed.stderr
    assert {p.name: p.read_bytes() for p in out.glob("*") if p.is_file()} == before
    assert not (out / ".staging").exists()


def test_too_many_rejected_rows_fail_the_build(tmp_path: Path, real_data: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    header, *rows = lines(real_data)
    rows[0] = rows[0][::-1].replace("\t", "", 1)[::-1]
    write_rows(data / "gene_info", header, rows)
    failed = cli("transform", "--data", str(data), "--out", str(tmp_path / "out"))
    assert failed.returncode == 1
    assert "gene_info: 1 of 4 rows rejected (more than 1.0%)" in failed.stderr
    assert (
        cli("transform", "--data", str(data), "--out", str(tmp_path / "out"), "--max-rejected", "0.5").returncode == 0
    )
