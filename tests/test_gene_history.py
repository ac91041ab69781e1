"""gene_history -> the discontinued-id table, the remapping in the merge, the SSSOM set and `resolve`.

Real rows come from tests/data/ncbi/gene_history: five_taxa.2019-03.gene_history (taxa 9755, 4577,
7719, 9913, 9606; its header line lacks the leading '#') and taxon_208964.gene_history (P. aeruginosa PAO1,
header with '#'). Rows and KGX rows marked CONSTRUCTED are made up for cases the excerpts lack (chains of
replacements, loops, malformed values, files that name a discontinued id); they use real GeneIDs where they
can and say so where an id is invented.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import duckdb
import pytest
from conftest import edge_id, run_koza, write_rows

from ncbi_gene_kg import merge
from ncbi_gene_kg.accounting import Tally
from ncbi_gene_kg.history import HISTORY_COLUMNS, HISTORY_TABLE
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sssom import SSSOM_COLUMNS, SSSOM_FILE, history_mappings, write_sssom

FIVE_TAXA = "gene_history/five_taxa.2019-03.gene_history"
PAO1 = "gene_history/taxon_208964.gene_history"
HEADER = "tax_id\tGeneID\tDiscontinued_GeneID\tDiscontinued_Symbol\tDiscontinue_Date"
COW = "9913\t616662\t786891\tC13H10orf68\t20190324"  # real: replaced
HUMAN = "9606\t-\t113523637\tSMIM38\t20190326"  # real: discontinued without replacement


def history(out: Path) -> list[dict[str, str]]:
    """The table Koza's run writes beside its outputs, in GeneID order."""
    with (out / f"{HISTORY_TABLE}.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return sorted(rows, key=lambda r: int(r["discontinued_id"]))


def row(tax_id, discontinued, symbol, date, replaced="", current="", via="", end="current") -> dict[str, str]:
    return dict(zip(HISTORY_COLUMNS, [tax_id, discontinued, symbol, date, replaced, current, via, end], strict=True))


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_rows(path, header, rows)


def real_lines(path: Path, *tax_ids: str) -> list[str]:
    return [line.rstrip("\n") for line in path.open() if line.split("\t", 1)[0] in tax_ids]


# --- the transform ------------------------------------------------------------------------------------


def test_default_scope_keeps_the_human_and_cow_rows(real_data: Path, tmp_path: Path) -> None:
    out = run_koza("gene_history", [real_data / FIVE_TAXA], tmp_path)
    assert out.nodes == [] and out.edges == []
    assert not list(tmp_path.glob("*_nodes.tsv")) and not list(tmp_path.glob("*_edges.tsv"))
    assert history(tmp_path) == [
        row("9913", "786891", "C13H10orf68", "2019-03-24", "616662", "616662"),
        row("9606", "113523637", "SMIM38", "2019-03-26", end="discontinued"),
    ]
    account = out.account
    assert (account.read, account.emitted, account.n_rejected) == (1089, 2, 0)
    assert account.out_of_scope["taxon not in scope"].count == 1087
    assert account.balanced


def test_both_header_variants_read_the_same(real_data: Path, tmp_path: Path) -> None:
    rows = real_lines(real_data / FIVE_TAXA, "9606", "9913", "7719")
    bare = write(tmp_path / "bare" / "gene_history", HEADER, rows)
    hashed = write(tmp_path / "hashed" / "gene_history.gz", "#" + HEADER, rows)
    first = run_koza("gene_history", [bare], tmp_path / "a", taxa="all")
    second = run_koza("gene_history", [hashed], tmp_path / "b", taxa="all")
    assert history(tmp_path / "a") == history(tmp_path / "b")
    assert len(history(tmp_path / "a")) == first.account.emitted == second.account.emitted == 4


def test_pao1_file_with_hash_header(real_data: Path, tmp_path: Path) -> None:
    assert (real_data / PAO1).open().readline().startswith("#tax_id\t")
    out = run_koza("gene_history", [real_data / PAO1], tmp_path / "pao1", taxa="208964")
    table = history(tmp_path / "pao1")
    assert out.account.emitted == len(table) == 42
    assert table[0] == row("208964", "877568", "PA0980", "2013-10-30", end="discontinued")
    assert {r["chain_end"] for r in table} == {"discontinued"}
    # out of the default scope: counted in the scan, nothing written
    default = run_koza("gene_history", [real_data / PAO1], tmp_path / "default")
    assert default.account.out_of_scope["taxon not in scope"].count == 42
    assert history(tmp_path / "default") == []


def test_every_taxon(real_data: Path, tmp_path: Path) -> None:
    out = run_koza("gene_history", [real_data / FIVE_TAXA], tmp_path, taxa="all")
    table = history(tmp_path)
    assert out.account.emitted == len(table) == 1089
    assert sum(r["chain_end"] == "current" for r in table) == 357
    assert sum(r["chain_end"] == "discontinued" for r in table) == 732
    # ordered by discontinued GeneID
    assert [int(r["discontinued_id"]) for r in table] == sorted(int(r["discontinued_id"]) for r in table)
    # several discontinued genes merged into one
    assert sum(r["current_id"] == "112067425" for r in table) == 14


def test_chains_of_replacements_and_loops(real_data: Path, tmp_path: Path) -> None:
    rows = [
        COW,
        "9913\t-\t616662\tC13H10orf68\t20200101",  # CONSTRUCTED: 616662 discontinued in turn, no replacement
        *real_lines(real_data / FIVE_TAXA, "7719"),  # 445765 sp2 -> 100182205; 445770 if-f -> 100182507
        "7719\t100182999\t100182205\tsp2\t20200101",  # CONSTRUCTED (100182999 invented): 100182205 replaced
        "7719\t100183001\t100182999\tsp2\t20210101",  # CONSTRUCTED: and that one again
        "9606\t900000002\t900000001\tLOOP1\t20200101",  # CONSTRUCTED (invented ids): a loop
        "9606\t900000001\t900000002\tLOOP2\t20200101",
    ]
    out = run_koza("gene_history", [write_rows(tmp_path / "gene_history", HEADER, rows)], tmp_path, taxa="all")
    table = {r["discontinued_id"]: r for r in history(tmp_path)}
    assert table["786891"] == row("9913", "786891", "C13H10orf68", "2019-03-24", "616662", "", "616662", "discontinued")
    assert table["445765"] == row(
        "7719", "445765", "sp2", "2019-03-26", "100182205", "100183001", "100182205|100182999"
    )
    assert table["445770"]["current_id"] == "100182507" and table["445770"]["via"] == ""
    assert table["900000001"]["chain_end"] == table["900000002"]["chain_end"] == "loop"
    assert table["900000001"]["current_id"] == ""
    assert out.account.dropped_values["replacement chain loops back (no current id recorded)"].count == 2


def test_malformed_and_repeated_rows(tmp_path: Path) -> None:
    rows = [
        HUMAN,
        "9606\t-\t113523637\tSMIM38\t20210101",  # CONSTRUCTED: listed again, later: this row is kept
        "9606\t-\tabc\tX\t20190326",  # CONSTRUCTED
        "9606\tx1\t113523638\tX\t20190326",  # CONSTRUCTED
        "9606\t-\t113523639\tX\t2019-03-26",  # CONSTRUCTED
        "9606\t113523640\t113523640\tX\t20190326",  # CONSTRUCTED
        "9606\t-\t113523641\tX",  # CONSTRUCTED: a field short
    ]
    out = run_koza("gene_history", [write_rows(tmp_path / "gene_history", HEADER, rows)], tmp_path)
    assert history(tmp_path) == [row("9606", "113523637", "SMIM38", "2021-01-01", end="discontinued")]
    assert {reason: t.count for reason, t in out.account.rejected.items()} == {
        "Discontinued_GeneID is not a number": 1,
        "GeneID is neither a number nor '-'": 1,
        "Discontinue_Date is not a date (YYYYMMDD)": 1,
        "GeneID replaced by itself": 1,
        "wrong column count": 1,
    }
    assert out.account.dropped_values["discontinued GeneID listed again (its latest row kept)"].examples == [
        "gene_history:2"
    ]
    assert out.account.balanced


# --- remapping in the merge ---------------------------------------------------------------------------


def load_history(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The gene_history transform's table, as Koza's run wrote it into ``folder``, in ``con``'s database."""
    con.execute(
        f"CREATE TABLE {HISTORY_TABLE} AS SELECT * FROM read_csv('{folder / (HISTORY_TABLE + '.tsv')}', "
        "delim = '\t', header = true, all_varchar = true, quote = '', escape = '')"
    )


@pytest.fixture
def history_folder(real_data: Path, tmp_path: Path) -> Path:
    """The gene_history transform's table for the real human and cow rows (786891 -> 616662; 113523637 gone)."""
    run_koza("gene_history", [real_data / FIVE_TAXA], tmp_path / "history")
    return tmp_path / "history"


def test_remap_discontinued(history_folder: Path, tmp_path: Path) -> None:
    # CONSTRUCTED tables, as transforms of a later release than gene_history would store them.
    con = connect()
    load_history(con, history_folder)
    con.execute("""
        CREATE TABLE gene_info_nodes AS SELECT * FROM (VALUES
            ('NCBIGene:616662', 'biolink:Gene', NULL::VARCHAR[]),
            ('NCBIGene:7157', 'biolink:Gene', ['HGNC:11998']),
            ('NCBIGene:22059', 'biolink:Gene', NULL),
            ('NCBIGene:113523637', 'biolink:Gene', NULL)  -- an older gene_info: kept, counted
        ) t(id, category, xref);
        CREATE TABLE gene2ensembl_nodes AS SELECT * FROM (VALUES
            ('NCBIGene:616662', 'biolink:Gene', ['ENSEMBL:ENSBTAG00000000001']),
            ('NCBIGene:786891', 'biolink:Gene', ['ENSEMBL:ENSBTAG00000000002'])  -- 616662 has its own row
        ) t(id, category, xref);
        CREATE TABLE mim2gene_medgen_nodes AS SELECT * FROM (VALUES
            ('NCBIGene:786891', 'biolink:Gene', ['OMIM:100001']),  -- remapped to 616662
            ('NCBIGene:113523637', 'biolink:Gene', ['OMIM:100002']),  -- no current id: dropped
            ('OMIM:100003', 'biolink:Disease', ['NCBIGene:786891', 'MEDGEN:1', 'NCBIGene:113523637'])
        ) t(id, category, xref);
    """)
    edges = [
        ("NCBIGene:7157", "biolink:orthologous_to", "NCBIGene:786891"),
        ("NCBIGene:7157", "biolink:orthologous_to", "NCBIGene:113523637"),
        ("NCBIGene:786891", "biolink:related_to", "NCBIGene:616662"),
        ("NCBIGene:7157", "biolink:related_to", "NCBIGene:22059"),
    ]
    con.execute(
        "CREATE TABLE gene_orthologs_edges (id VARCHAR, subject VARCHAR, predicate VARCHAR, object VARCHAR, "
        "primary_knowledge_source VARCHAR)"
    )
    rows = [(edge_id(*e), *e, "infores:ncbi-gene") for e in edges]
    con.executemany("INSERT INTO gene_orthologs_edges VALUES (?, ?, ?, ?, ?)", rows)
    con.execute(f"ATTACH '{tmp_path / 'graph.duckdb'}' AS graph")

    result = merge.merge(con, "graph")

    assert result.remapped == {
        "gene2ensembl node row for a discontinued GeneID whose current gene has its own row from the same source "
        "(dropped)": Tally(1, ["NCBIGene:786891 -> NCBIGene:616662"]),
        "gene_info has a node for a discontinued GeneID (kept; gene_info and gene_history are from different "
        "dates)": Tally(1, ["NCBIGene:113523637 -> -"]),
        "gene_orthologs edge naming a discontinued GeneID without a current id (dropped)": Tally(
            1, ["NCBIGene:7157 -> NCBIGene:113523637"]
        ),
        "gene_orthologs edge naming a discontinued GeneID, remapped to the current id": Tally(
            1, ["NCBIGene:7157 -> NCBIGene:786891 as NCBIGene:7157 -> NCBIGene:616662"]
        ),
        "gene_orthologs edge whose two ends are the same gene once remapped (dropped)": Tally(
            1, ["NCBIGene:786891 -> NCBIGene:616662"]
        ),
        "mim2gene_medgen node row for a discontinued GeneID without a current id (dropped)": Tally(
            1, ["NCBIGene:113523637 -> -"]
        ),
        "mim2gene_medgen node row for a discontinued GeneID, remapped to the current id": Tally(
            1, ["NCBIGene:786891 -> NCBIGene:616662"]
        ),
        "mim2gene_medgen xref naming a discontinued GeneID without a current id (left out)": Tally(
            1, ["OMIM:100003: NCBIGene:113523637 -> -"]
        ),
        "mim2gene_medgen xref naming a discontinued GeneID, remapped to the current id": Tally(
            1, ["OMIM:100003: NCBIGene:786891 -> NCBIGene:616662"]
        ),
    }
    assert con.execute("SELECT id, xref FROM graph.nodes").fetchall() == [  # by id
        ("NCBIGene:113523637", None),
        ("NCBIGene:22059", None),
        ("NCBIGene:616662", ["ENSEMBL:ENSBTAG00000000001", "OMIM:100001"]),  # gene_info's, gene2ensembl's, mim2gene's
        ("NCBIGene:7157", ["HGNC:11998"]),
        ("OMIM:100003", ["MEDGEN:1"]),  # the remapped NCBIGene:616662 is a Gene node's id: a collision, removed
    ]
    assert con.execute("SELECT id, subject, predicate, object FROM graph.edges").fetchall() == [
        (edge_id(*e), *e)  # the remapped edge's id is that of its new ends
        for e in [
            ("NCBIGene:7157", "biolink:orthologous_to", "NCBIGene:616662"),
            ("NCBIGene:7157", "biolink:related_to", "NCBIGene:22059"),
        ]
    ]


def test_remap_without_gene_history_changes_nothing(tmp_path: Path) -> None:
    con = connect()
    con.execute("CREATE TABLE gene2ensembl_nodes AS SELECT 'NCBIGene:786891' AS id, 'biolink:Gene' AS category")
    con.execute(f"ATTACH '{tmp_path / 'graph.duckdb'}' AS graph")
    result = merge.merge(con, "graph")
    assert result.remapped == {}


# --- the SSSOM mapping set ----------------------------------------------------------------------------


def parse_sssom(path: Path, caplog: pytest.LogCaptureFixture):
    """Parse with the sssom library and validate against the SSSOM schema; fail on any library warning.

    (sssom 0.4.21's ``strict=True`` rejects every valid file: it tests the metadata check's result the
    wrong way round, so its warnings are checked here instead.)
    """
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(path)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    checks = [
        SchemaValidationType.JsonSchema,
        SchemaValidationType.PrefixMapCompleteness,
        SchemaValidationType.StrictCurieFormat,
    ]
    reports = validate(msdf, checks, fail_on_error=False)
    assert {kind.value: report.results for kind, report in reports.items()} == {k.value: [] for k in checks}
    return msdf


def sssom_file(work: Path, history: Path | None, nodes: list[tuple[str, str]]) -> Path:
    """The SSSOM set of the history table Koza wrote into ``history`` (None: no gene_history in the build) and a
    graph of Gene ``nodes`` (id, symbol), as the build writes it into ``work``."""
    con = connect()
    if history is not None:
        load_history(con, history)
    con.execute(f"ATTACH '{work / 'graph.duckdb'}' AS graph")
    con.execute("CREATE TABLE graph.nodes (id VARCHAR, symbol VARCHAR)")
    if nodes:
        con.executemany("INSERT INTO graph.nodes VALUES (?, ?)", nodes)
    history_mappings(con, "graph")
    con.execute("USE graph")
    write_sssom(con, work / SSSOM_FILE, "2026-01-02")
    return work / SSSOM_FILE


def test_sssom_output(history_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = sssom_file(tmp_path, history_folder, [("NCBIGene:616662", "C13H10orf68")])  # CONSTRUCTED: the cow gene
    lines = path.read_text().splitlines()
    assert lines[0] == "# curie_map:"
    header = next(line for line in lines if not line.startswith("#"))
    assert header.split("\t") == SSSOM_COLUMNS
    msdf = parse_sssom(path, caplog)
    assert len(msdf.df) == 2
    meta = msdf.metadata
    assert meta["mapping_set_version"] == meta["publication_date"] == "2026-01-02"
    assert meta["license"] == "https://www.ncbi.nlm.nih.gov/home/about/policies/"
    assert meta["mapping_set_source"] == ["https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_history.gz"]
    assert msdf.converter.expand("NCBIGene:7157") == "http://identifiers.org/ncbigene/7157"
    rows = {r["subject_id"]: r for r in msdf.df.fillna("").to_dict("records")}
    cow, human = rows["NCBIGene:786891"], rows["NCBIGene:113523637"]
    assert (cow["subject_label"], cow["predicate_id"], cow["object_id"], cow["object_label"]) == (
        "C13H10orf68",
        "IAO:0100001",
        "NCBIGene:616662",
        "C13H10orf68",
    )
    assert (cow["mapping_justification"], cow["mapping_cardinality"], cow["mapping_date"], cow["other"]) == (
        "semapv:UnspecifiedMatching",
        "1:1",
        "2019-03-24",
        "in_taxon=NCBITaxon:9913",
    )
    # discontinued without replacement: not a mapping to '-'
    assert (human["object_id"], human["mapping_cardinality"], human["comment"]) == (
        "sssom:NoTermFound",
        "1:0",
        "discontinued without replacement",
    )
    assert "-" not in {r["object_id"] for r in rows.values()}


def test_sssom_many_to_one_chains_and_quoting(
    real_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        *real_lines(real_data / FIVE_TAXA, "7719", "9755"),
        "7719\t100182999\t100182205\tsp2\t20200101",  # CONSTRUCTED (invented id 100182999): a chain
        '9755\t-\t900000003\tA"B|C\t20200101',
    ]  # CONSTRUCTED (invented id): a symbol with a quote and a bar
    run_koza("gene_history", [write_rows(tmp_path / "gene_history", HEADER, rows)], tmp_path, taxa="all")
    msdf = parse_sssom(sssom_file(tmp_path, tmp_path, []), caplog)
    assert len(msdf.df) == 1075
    df = msdf.df.fillna("")
    by_subject = df.set_index("subject_id")
    chained = by_subject.loc["NCBIGene:445765"]
    assert (chained["object_id"], chained["mapping_justification"], chained["comment"]) == (
        "NCBIGene:100182999",
        "semapv:MappingChaining",
        "replaced by NCBIGene:100182205, then NCBIGene:100182999",
    )
    assert by_subject.loc["NCBIGene:900000003"]["subject_label"] == 'A"B|C'
    merged = df[df["object_id"] == "NCBIGene:112067425"]
    assert len(merged) == 14 and set(merged["mapping_cardinality"]) == {"n:1"}


def test_no_sssom_without_gene_history(tmp_path: Path) -> None:
    assert not sssom_file(tmp_path, None, []).exists()
