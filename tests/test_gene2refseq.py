"""gene2refseq + gene_refseq_uniprotkb_collab -> gene -> UniProtKB protein edges, on real rows.

Rows come from tests/data/ncbi (gene2refseq and gene_refseq_uniprotkb_collab excerpts of BRCA1 672,
TP53 7157, GSDMB 55876 and ORMDL3 94103, release 2025-02). Rows marked CONSTRUCTED are real rows with one
value changed, for cases the excerpts lack: the `uniprot` method, a taxon mismatch, a versionless accession.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import edge_id, read_kgx, write_rows
from koza.runner import KozaRunner

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.biolink import is_category, is_predicate, schema_view
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.tables import load_table

REFSEQ = "gene2refseq/four_human_genes.2025-02.gene2refseq"
COLLAB = "gene_refseq_uniprotkb_collab/four_human_genes.2025-02.gene_refseq_uniprotkb_collab"
NO_PARTNER = "RefSeq protein has no UniProtKB partner in gene_refseq_uniprotkb_collab"
NO_GENE = "RefSeq protein in no gene2refseq row in scope"
NO_PROTEIN = "no RefSeq protein in the row"


class Output:
    def __init__(self, out: Path, runner: KozaRunner):
        self.nodes = read_kgx(out / "gene2refseq_nodes.tsv")
        self.edges = read_kgx(out / "gene2refseq_edges.tsv")
        self.account = RowAccount.from_dict(runner.transform_metadata["row_accounting"])
        (collab,) = runner.transform_metadata["also_row_accounting"]
        self.collab = RowAccount.from_dict(collab)

    def node(self, node_id: str) -> dict[str, str]:
        (found,) = [n for n in self.nodes if n["id"] == node_id]
        return found

    def edge(self, subject: str, obj: str) -> dict[str, str]:
        (found,) = [e for e in self.edges if e["subject"] == subject and e["object"] == obj]
        return found

    def objects(self, subject: str) -> set[str]:
        return {e["object"] for e in self.edges if e["subject"] == subject}


def run(tmp_path: Path, refseq: Path, collab: Path | None, pass_collab: bool = True, **fields) -> Output:
    """Run config/gene2refseq.yaml on the files, the collab file passed as the pipeline passes it."""
    extra = dict(fields)
    if pass_collab and collab is not None:
        extra["also_read_files"] = {"gene_refseq_uniprotkb_collab": [str(collab)]}
    overrides = {"transform": {"extra_fields": extra}}
    if fields.get("taxa") not in (None, "default", "all", "9606"):
        overrides["writer"] = {"min_node_count": 0, "min_edge_count": 0}
    out = tmp_path / "out"
    _, runner = KozaRunner.from_config_file(
        str(CONFIG_DIR / "gene2refseq.yaml"), output_dir=str(out), input_files=[str(refseq)], overrides=overrides
    )
    runner.run()
    return Output(out, runner)


def lines(path: Path) -> tuple[str, list[str]]:
    text = path.read_text().splitlines()
    return text[0], text[1:]


@pytest.fixture(scope="module")
def excerpt(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Output:
    """The whole real excerpts: 844 gene2refseq rows, 986 collab rows."""
    return run(tmp_path_factory.mktemp("excerpt"), real_data / REFSEQ, real_data / COLLAB)


@pytest.fixture(scope="module")
def refseq_rows(real_data: Path) -> tuple[str, list[str]]:
    return lines(real_data / REFSEQ)


@pytest.fixture(scope="module")
def collab_rows(real_data: Path) -> tuple[str, list[str]]:
    return lines(real_data / COLLAB)


def rows_for(rows: list[str], column: int, values: set[str]) -> list[str]:
    return [row for row in rows if row.split("\t")[column] in values]


def write_pair(tmp_path: Path, refseq: tuple[str, list[str]], collab: tuple[str, list[str]]) -> tuple[Path, Path]:
    return (
        write_rows(tmp_path / "gene2refseq", refseq[0], refseq[1]),
        write_rows(tmp_path / "gene_refseq_uniprotkb_collab", collab[0], collab[1]),
    )


# --- mapping table and Biolink terms ------------------------------------------------------------


def test_method_table_and_biolink_terms():
    table = {
        row["method"]: (int(row["rank"]), row["knowledge_level"], row["agent_type"])
        for row in load_table("refseq_uniprotkb_method")
    }
    assert table == {
        "identical": (1, "knowledge_assertion", "automated_agent"),
        "uniprot": (2, "knowledge_assertion", "not_provided"),
        "similar": (3, "prediction", "computational_model"),
    }
    enums = schema_view().all_enums()
    assert {kl for _, kl, _ in table.values()} <= set(enums["KnowledgeLevelEnum"].permissible_values)
    assert {at for _, _, at in table.values()} <= set(enums["AgentTypeEnum"].permissible_values)
    assert is_predicate("biolink:has_gene_product")
    assert is_category("biolink:GeneToGeneProductRelationship") and is_category("biolink:Protein")
    slots = set(schema_view().class_slots("gene to gene product relationship"))
    assert {"knowledge level", "agent type", "primary knowledge source", "aggregator knowledge source"} <= slots
    # not among Association's listed slots in 4.4.6, but an association slot (ResourceRoleEnum names it)
    assert schema_view().get_slot("supporting data source").is_a == "association slot"
    assert "supporting_data_source" in schema_view().all_enums()["ResourceRoleEnum"].permissible_values
    assert "UniProtKB" in schema_view().get_class("protein").id_prefixes


# --- TP53 -> P04637 -----------------------------------------------------------------------------


def test_tp53_has_gene_product_p04637(excerpt: Output):
    assert excerpt.edge("NCBIGene:7157", "UniProtKB:P04637") == {
        "id": edge_id("NCBIGene:7157", "biolink:has_gene_product", "UniProtKB:P04637"),
        "subject": "NCBIGene:7157",
        "predicate": "biolink:has_gene_product",
        "object": "UniProtKB:P04637",
        "category": "biolink:GeneToGeneProductRelationship",
        # NP_000537.3, NP_001119584.1, NP_001394191.1, NP_001394193.1 and NP_001394195.1 are all
        # `identical` to P04637 in the collab file
        "knowledge_level": "knowledge_assertion",
        "agent_type": "automated_agent",
        "primary_knowledge_source": "infores:ncbi-gene",
        "aggregator_knowledge_source": "",
        "supporting_data_source": "infores:uniprot",
    }


def test_p04637_protein_node(excerpt: Output):
    assert excerpt.node("UniProtKB:P04637") == {
        "id": "UniProtKB:P04637",
        "category": "biolink:Protein",
        # the RefSeq proteins paired with P04637, without their versions
        "xref": "refseq:NP_000537|refseq:NP_001119584|refseq:NP_001394191|refseq:NP_001394193|refseq:NP_001394195",
        "in_taxon": "NCBITaxon:9606",
        "in_taxon_label": "Homo sapiens",
        "provided_by": "infores:ncbi-gene",
    }


def test_every_pair_the_rows_support_is_one_edge(excerpt: Output, refseq_rows, collab_rows):
    gene_of: dict[str, set[str]] = {}
    for row in refseq_rows[1]:
        fields = row.split("\t")
        if fields[5] != "-":
            gene_of.setdefault(fields[5], set()).add(fields[1])
    expected = {
        (f"NCBIGene:{g}", f"UniProtKB:{f[1]}")
        for f in (r.split("\t") for r in collab_rows[1])
        for g in gene_of.get(f[0], ())
    }
    assert {(e["subject"], e["object"]) for e in excerpt.edges} == expected
    assert len(excerpt.edges) == len(expected) == 108
    assert len(excerpt.objects("NCBIGene:7157")) == 51
    tp53_levels = Counter(e["knowledge_level"] for e in excerpt.edges if e["subject"] == "NCBIGene:7157")
    assert tp53_levels == {"knowledge_assertion": 32, "prediction": 19}
    assert len({e["id"] for e in excerpt.edges}) == len(excerpt.edges)
    assert [n["id"] for n in excerpt.nodes] == sorted({o for _, o in expected})


def test_excerpt_row_accounting(excerpt: Output):
    account = excerpt.account
    assert (account.read, account.emitted, account.n_out_of_scope, account.n_rejected) == (844, 821, 23, 0)
    assert account.balanced
    # 15 genomic/RNA-only rows (NG_, NR_), 8 rows of 4 proteins with no UniProtKB partner
    assert {reason: tally.count for reason, tally in account.out_of_scope.items()} == {NO_PROTEIN: 15, NO_PARTNER: 8}
    assert account.out_of_scope[NO_PARTNER].examples == [
        "four_human_genes.2025-02.gene2refseq:459",
        "four_human_genes.2025-02.gene2refseq:460",
        "four_human_genes.2025-02.gene2refseq:461",
        "four_human_genes.2025-02.gene2refseq:462",
        "four_human_genes.2025-02.gene2refseq:727",
    ]
    collab = excerpt.collab
    assert collab.source == "gene_refseq_uniprotkb_collab"
    assert collab.files == ["four_human_genes.2025-02.gene_refseq_uniprotkb_collab"]
    assert (collab.read, collab.emitted, collab.n_out_of_scope, collab.n_rejected) == (986, 986, 0, 0)
    assert collab.balanced and collab.dropped_values == {}


# --- the method column --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "uniprot", "constructed", "knowledge_level", "agent_type"),
    [
        ("identical", "Q6UY83", False, "knowledge_assertion", "automated_agent"),
        ("similar", "J3QRM9", False, "prediction", "computational_model"),
        # CONSTRUCTED: the real NP_644809.1 / Q6UY83 row with method `uniprot` (no real row has it)
        ("uniprot", "Q6UY83", True, "knowledge_assertion", "not_provided"),
    ],
)
def test_every_method_value(
    tmp_path, refseq_rows, collab_rows, method, uniprot, constructed, knowledge_level, agent_type
):
    refseq = rows_for(refseq_rows[1], 5, {"NP_644809.1"})
    real = f"NP_644809.1\t{uniprot}\t9606\t9606\t{'identical' if constructed else method}"
    assert real in collab_rows[1]
    row = real.rsplit("\t", 1)[0] + "\t" + method
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], [row])))
    edge = out.edge("NCBIGene:94103", f"UniProtKB:{uniprot}")
    assert (edge["knowledge_level"], edge["agent_type"]) == (knowledge_level, agent_type)
    assert edge["supporting_data_source"] == "infores:uniprot"
    assert out.node(f"UniProtKB:{uniprot}")["xref"] == "refseq:NP_644809"
    assert out.account.emitted == len(refseq) == 2


def test_strongest_method_wins(tmp_path, refseq_rows, collab_rows):
    # ORMDL3's 8 RefSeq proteins all pair with J3QRM9 as `similar`; CONSTRUCTED: NP_644809.1's pair made
    # `identical`. The one ORMDL3 -> J3QRM9 edge takes the identical pairing's level.
    refseq = rows_for(refseq_rows[1], 1, {"94103"})
    collab = [
        row.replace("NP_644809.1\tJ3QRM9\t9606\t9606\tsimilar", "NP_644809.1\tJ3QRM9\t9606\t9606\tidentical")
        for row in collab_rows[1]
    ]
    assert collab != collab_rows[1]
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab)))
    edge = out.edge("NCBIGene:94103", "UniProtKB:J3QRM9")
    assert (edge["knowledge_level"], edge["agent_type"]) == ("knowledge_assertion", "automated_agent")
    assert out.objects("NCBIGene:94103") == {
        "UniProtKB:B3KS83",
        "UniProtKB:J3QRM9",
        "UniProtKB:Q6UY83",
        "UniProtKB:Q8N138",
    }
    assert out.node("UniProtKB:J3QRM9")["xref"] == (
        "refseq:NP_001307730|refseq:NP_001307731|refseq:NP_001307732|refseq:NP_644809|"
        "refseq:XP_047293049|refseq:XP_047293050|refseq:XP_047293051|refseq:XP_054173807|refseq:XP_054173808"
    )


# --- rows that make no edge ---------------------------------------------------------------------


def test_refseq_protein_with_no_uniprot_partner(tmp_path, refseq_rows, collab_rows):
    # GSDMB's NP_001375353.1 (lines 819-820) has no row in the collab file; NP_001375349.1 has.
    refseq = rows_for(refseq_rows[1], 5, {"NP_001375353.1", "NP_001375349.1"})
    collab = rows_for(collab_rows[1], 0, {"NP_001375353.1", "NP_001375349.1"})
    assert len(refseq) == 4 and collab and all(r.startswith("NP_001375349.1\t") for r in collab)
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab)))
    assert out.account.out_of_scope[NO_PARTNER].count == 2
    assert out.account.out_of_scope[NO_PARTNER].examples == ["gene2refseq:4", "gene2refseq:5"]
    assert out.account.emitted == 2
    assert out.objects("NCBIGene:55876") == {f"UniProtKB:{r.split(chr(9))[1]}" for r in collab}
    assert not any("NP_001375353" in n["xref"] for n in out.nodes)


def test_collab_rows_of_proteins_no_gene_has_are_counted(tmp_path, refseq_rows, collab_rows):
    refseq = rows_for(refseq_rows[1], 1, {"94103"})
    collab = collab_rows[1][:10] + rows_for(collab_rows[1], 0, {"NP_644809.1"})  # 10 rows of TP53's NP_000537.3
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab)))
    assert out.collab.out_of_scope[NO_GENE].count == 10
    assert out.collab.emitted == 4 and out.collab.balanced
    # ORMDL3 rows of its 7 other proteins: no valid pair names them in this collab file
    assert out.account.out_of_scope[NO_PARTNER].count == 11 and out.account.emitted == 2


def test_bad_rows_are_rejected_and_counted(tmp_path, refseq_rows, collab_rows):
    refseq = rows_for(refseq_rows[1], 5, {"NP_644809.1"})
    good = "NP_644809.1\tQ6UY83\t9606\t9606\tidentical"
    collab = [
        good,
        "NP_644809.1\tQ6UY83-2\t9606\t9606\tidentical",  # CONSTRUCTED: isoform suffix
        "NP_644809.1\tQ8N138\t9606\t9606\tblast",  # CONSTRUCTED: unknown method
        "NP_644809\tB3KS83\t9606\t-\tidentical",  # CONSTRUCTED: no UniProtKB_tax_id
        "NP_644809.1\tB3KS83\t9606",
    ]  # CONSTRUCTED: truncated
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab)))
    assert {r: t.count for r, t in out.collab.rejected.items()} == {
        "malformed UniProtKB_protein_accession": 1,
        "unknown method": 1,
        "UniProtKB_tax_id is not a number": 1,
        "wrong column count": 1,
    }
    assert out.collab.emitted == 1 and out.collab.balanced
    assert out.objects("NCBIGene:94103") == {"UniProtKB:Q6UY83"}


def test_unknown_collab_column_is_warned_about(tmp_path, refseq_rows, collab_rows):
    # CONSTRUCTED: a sixth column the README does not name
    refseq = rows_for(refseq_rows[1], 5, {"NP_644809.1"})
    collab = [row + "\tx" for row in rows_for(collab_rows[1], 0, {"NP_644809.1"})]
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0] + "\tsource", collab)))
    assert out.collab.warnings == [
        "gene_refseq_uniprotkb_collab: unknown column 'source' (not in the columns the config gives for "
        "gene_refseq_uniprotkb_collab), ignored"
    ]
    assert out.collab.emitted == 4 and len(out.edges) == 4


# --- taxa and versions --------------------------------------------------------------------------


def test_taxon_mismatch_protein_takes_uniprot_taxon(tmp_path, refseq_rows, collab_rows):
    # CONSTRUCTED: UniProtKB_tax_id changed to 9598 (UniProt and RefSeq can place a sequence at different
    # taxonomy nodes: E. coli K-12 is 83333 in UniProtKB, 511145 in NCBI Gene)
    refseq = rows_for(refseq_rows[1], 5, {"NP_644809.1"})
    collab = ["NP_644809.1\tQ6UY83\t9606\t9598\tidentical", "NP_644809.1\tQ8N138\t9606\t9606\tidentical"]
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab)))
    assert out.node("UniProtKB:Q6UY83")["in_taxon"] == "NCBITaxon:9598"
    assert out.node("UniProtKB:Q6UY83")["in_taxon_label"] == ""
    assert out.node("UniProtKB:Q8N138")["in_taxon"] == "NCBITaxon:9606"
    assert out.objects("NCBIGene:94103") == {"UniProtKB:Q6UY83", "UniProtKB:Q8N138"}
    reason = "UniProtKB_tax_id differs from NCBI_tax_id (the protein takes UniProtKB_tax_id)"
    assert out.collab.dropped_values[reason].count == 1
    assert out.collab.dropped_values[reason].examples == ["gene_refseq_uniprotkb_collab:2"]


def test_versions_are_ignored_in_the_join(tmp_path, refseq_rows):
    # CONSTRUCTED: the collab file without versions (its format before 2023) and with another version
    header = "#NCBI_protein_accession\tUniProtKB_protein_accession\tNCBI_tax_id\tUniProtKB_tax_id\tmethod"
    refseq = rows_for(refseq_rows[1], 5, {"NP_644809.1", "NP_001307730.1"})
    collab = ["NP_001307730.2\tB3KS83\t9606\t9606\tidentical", "NP_644809\tQ6UY83\t9606\t9606\tidentical"]
    out = run(tmp_path, *write_pair(tmp_path, (refseq_rows[0], refseq), (header, collab)))
    assert out.objects("NCBIGene:94103") == {"UniProtKB:B3KS83", "UniProtKB:Q6UY83"}
    assert out.node("UniProtKB:B3KS83")["xref"] == "refseq:NP_001307730"
    assert out.node("UniProtKB:Q6UY83")["xref"] == "refseq:NP_644809"


def test_taxon_scope_applies_to_both_files(tmp_path, real_data):
    out = run(tmp_path, real_data / REFSEQ, real_data / COLLAB, taxa="10090")
    assert out.edges == [] and out.nodes == []
    assert out.account.out_of_scope["taxon not in scope"].count == 844
    assert out.collab.out_of_scope["taxon not in scope"].count == 986
    assert out.account.balanced and out.collab.balanced


# --- where the collab file comes from -----------------------------------------------------------


def test_collab_file_beside_gene2refseq_when_not_passed(tmp_path, refseq_rows, collab_rows):
    refseq = rows_for(refseq_rows[1], 1, {"94103"})
    collab = rows_for(collab_rows[1], 0, {"NP_644809.1"})
    refseq_path, _ = write_pair(tmp_path, (refseq_rows[0], refseq), (collab_rows[0], collab))
    out = run(tmp_path, refseq_path, None)
    assert out.objects("NCBIGene:94103") == {
        "UniProtKB:B3KS83",
        "UniProtKB:J3QRM9",
        "UniProtKB:Q6UY83",
        "UniProtKB:Q8N138",
    }
    assert out.collab.files == ["gene_refseq_uniprotkb_collab"]


def test_missing_collab_file_is_a_clear_error(tmp_path, refseq_rows):
    refseq = write_rows(tmp_path / "gene2refseq.gz", refseq_rows[0], refseq_rows[1][:5])
    with pytest.raises(UserError, match="gene2refseq needs gene_refseq_uniprotkb_collab"):
        run(tmp_path, refseq, None)


# --- the bundled sample -------------------------------------------------------------------------


def test_bundled_sample(tmp_path):
    out = run(tmp_path, SAMPLE_DIR / "gene2refseq.gz", SAMPLE_DIR / "gene_refseq_uniprotkb_collab.gz")
    assert (out.account.read, out.account.emitted) == (150, 129)
    assert out.account.out_of_scope[NO_PARTNER].count == 6
    assert (out.collab.read, out.collab.emitted, out.collab.out_of_scope[NO_GENE].count) == (435, 425, 10)
    assert len(out.edges) == len(out.nodes) == 75
    assert out.edge("NCBIGene:7157", "UniProtKB:P04637")["knowledge_level"] == "knowledge_assertion"
    again = run(tmp_path / "again", SAMPLE_DIR / "gene2refseq.gz", SAMPLE_DIR / "gene_refseq_uniprotkb_collab.gz")
    assert (again.edges, again.nodes) == (out.edges, out.nodes)


def test_sample_validates_with_kgx_offline(tmp_path):
    from ncbi_gene_kg.validate import ValidationResult, run_kgx_validator

    run(tmp_path, SAMPLE_DIR / "gene2refseq.gz", SAMPLE_DIR / "gene_refseq_uniprotkb_collab.gz")
    result = ValidationResult()
    run_kgx_validator(tmp_path / "out" / "gene2refseq_nodes.tsv", tmp_path / "out" / "gene2refseq_edges.tsv", result)
    assert result.errors == {} and result.warnings == {}
