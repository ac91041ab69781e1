"""gene2ensembl -> Ensembl gene xrefs on Gene nodes (transcripts and proteins as an option).

Real rows: tests/data/ncbi/gene2ensembl/all_species_head.2026-08.gene2ensembl (4 rows of Cannabis sativa,
taxon 3483, whose Ensembl Genomes ids are no ENSEMBL CURIEs). No real human rows were at hand, so the bundled
sample (sample/gene2ensembl.gz) adds CONSTRUCTED rows for real human genes: the Ensembl gene of each is the
one in its real gene_info dbXrefs (TP53 and BRCA1 also with a transcript and protein pair: their MANE Select
RefSeq and Ensembl ids, entered by hand), and KYAT1 (883), whose dbXrefs name two Ensembl genes, gets a row
for one of them only (a disagreement).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from conftest import merge_sources, run_koza, write_rows

from ncbi_gene_kg.accounting import Tally
from ncbi_gene_kg.biolink import is_category, is_predicate
from ncbi_gene_kg.paths import SAMPLE_DIR

HEAD = "gene2ensembl/all_species_head.2026-08.gene2ensembl"
HEADER = (
    "#tax_id\tGeneID\tEnsembl_gene_identifier\tRNA_nucleotide_accession.version\tEnsembl_rna_identifier\t"
    "protein_accession.version\tEnsembl_protein_identifier"
)
IN_GENE_INFO_ONLY = "Ensembl gene in gene_info dbXrefs, not in the gene's gene2ensembl rows"
IN_GENE2ENSEMBL_ONLY = "Ensembl gene in gene2ensembl, not in the gene's gene_info dbXrefs"


def gene(gene_id: str, ensembl: str) -> dict[str, str]:
    return {
        "id": f"NCBIGene:{gene_id}",
        "category": "biolink:Gene",
        "xref": f"ENSEMBL:{ensembl}",
        "in_taxon": "NCBITaxon:9606",
        "in_taxon_label": "Homo sapiens",
        "provided_by": "infores:ncbi-gene",
    }


SAMPLE_GENES = [  # by id, the graph's order
    gene("55876", "ENSG00000073605"),
    gene("672", "ENSG00000012048"),
    gene("7157", "ENSG00000141510"),
    gene("883", "ENSG00000171097"),
    gene("94103", "ENSG00000172057"),
]


def test_real_rows_outside_the_scope_and_the_pattern(real_data: Path, tmp_path: Path) -> None:
    default = run_koza("gene2ensembl", [real_data / HEAD], tmp_path / "default")
    assert default.account.out_of_scope["taxon not in scope"].count == 4
    every = run_koza("gene2ensembl", [real_data / HEAD], tmp_path / "all", taxa="all")
    # gene-A5N79_gp34 and the like: Ensembl Genomes ids, which the ENSEMBL prefix's pattern does not admit
    tally = every.account.out_of_scope["Ensembl gene identifier does not match the ENSEMBL pattern"]
    assert (tally.count, tally.examples[0]) == (4, "all_species_head.2026-08.gene2ensembl:2")
    assert every.nodes == [] and every.edges == []
    assert every.account.balanced and every.account.n_rejected == 0


def test_sample_genes_get_their_ensembl_gene(tmp_path: Path) -> None:
    out = run_koza("gene2ensembl", [SAMPLE_DIR / "gene2ensembl.gz"], tmp_path)
    assert out.nodes == SAMPLE_GENES
    assert out.edges == []  # transcripts and proteins only when asked for
    assert (out.account.read, out.account.emitted) == (9, 5)


def test_one_node_row_per_gene_with_every_ensembl_gene(tmp_path: Path) -> None:
    rows = [  # CONSTRUCTED: KYAT1's two Ensembl genes (both in its real dbXrefs), the first on two rows
        "9606\t883\tENSG00000171097\t-\t-\t-\t-",
        "9606\t883\tENSG00000286112\t-\t-\t-\t-",
        "9606\t883\tENSG00000171097\t-\t-\t-\t-",
    ]
    out = run_koza("gene2ensembl", [write_rows(tmp_path / "gene2ensembl", HEADER, rows)], tmp_path)
    assert [n["xref"] for n in out.nodes] == ["ENSEMBL:ENSG00000171097|ENSEMBL:ENSG00000286112"]


def test_transcripts_and_proteins_as_an_option(tmp_path: Path) -> None:
    out = run_koza("gene2ensembl", [SAMPLE_DIR / "gene2ensembl.gz"], tmp_path, ensembl_products=True)
    products = [(n["id"], n["category"], n["xref"]) for n in out.nodes if n["category"] != "biolink:Gene"]
    assert products == [  # by id
        ("ENSEMBL:ENSP00000269305", "biolink:Protein", "refseq:NP_000537"),
        ("ENSEMBL:ENSP00000350283", "biolink:Protein", "refseq:NP_009225"),
        ("ENSEMBL:ENST00000269305", "biolink:RNAProduct", "refseq:NM_000546"),
        ("ENSEMBL:ENST00000357654", "biolink:RNAProduct", "refseq:NM_007294"),
    ]
    assert [(e["subject"], e["predicate"], e["object"]) for e in out.edges] == [  # by subject, predicate, object
        ("NCBIGene:672", "biolink:has_gene_product", "ENSEMBL:ENSP00000350283"),
        ("NCBIGene:672", "biolink:has_gene_product", "ENSEMBL:ENST00000357654"),
        ("NCBIGene:7157", "biolink:has_gene_product", "ENSEMBL:ENSP00000269305"),
        ("NCBIGene:7157", "biolink:has_gene_product", "ENSEMBL:ENST00000269305"),
    ]
    first = out.edges[0]
    assert (first["category"], first["knowledge_level"], first["agent_type"], first["primary_knowledge_source"]) == (
        "biolink:GeneToGeneProductRelationship",
        "knowledge_assertion",
        "automated_agent",
        "infores:ncbi-gene",
    )
    assert first["id"].startswith("urn:md5:") and len({e["id"] for e in out.edges}) == 4
    assert all(is_category(c) for c in {n["category"] for n in out.nodes} | {e["category"] for e in out.edges})
    assert all(is_predicate(e["predicate"]) for e in out.edges)


def merged(tmp_path: Path, gene2ensembl: Path | None = SAMPLE_DIR / "gene2ensembl.gz"):
    """gene_info of the bundled sample and ``gene2ensembl`` merged as the build does."""
    inputs = {"gene_info": [SAMPLE_DIR / "gene_info.gz"]} | ({"gene2ensembl": [gene2ensembl]} if gene2ensembl else {})
    return merge_sources(tmp_path, inputs)


def test_disagreements_with_gene_info_are_counted(tmp_path: Path) -> None:
    _, result = merged(tmp_path)
    assert result.disagreements == {IN_GENE_INFO_ONLY: Tally(1, ["NCBIGene:883 ENSEMBL:ENSG00000286112"])}


def test_disagreements_both_ways(tmp_path: Path) -> None:
    rows = [
        "9606\t7157\tENSG00000141510\t-\t-\t-\t-",
        "9606\t7157\tENSG00000999999\t-\t-\t-\t-",  # CONSTRUCTED (invented Ensembl id)
        "9606\t94103\tENSG00000999998\t-\t-\t-\t-",
    ]  # CONSTRUCTED (invented Ensembl id): none of gene_info's
    with gzip.open(tmp_path / "gene2ensembl.gz", "wt") as fh:
        fh.write(HEADER + "\n" + "\n".join(rows) + "\n")
    _, result = merged(tmp_path, tmp_path / "gene2ensembl.gz")
    assert result.disagreements == {
        IN_GENE2ENSEMBL_ONLY: Tally(
            2, ["NCBIGene:7157 ENSEMBL:ENSG00000999999", "NCBIGene:94103 ENSEMBL:ENSG00000999998"]
        ),
        IN_GENE_INFO_ONLY: Tally(1, ["NCBIGene:94103 ENSEMBL:ENSG00000172057"]),
    }


def test_no_gene2ensembl_no_disagreements(tmp_path: Path) -> None:
    assert merged(tmp_path, None)[1].disagreements == {}


def test_merged_xrefs_have_no_duplicates(tmp_path: Path) -> None:
    con, _ = merged(tmp_path)
    xrefs = dict(con.execute("SELECT id, xref FROM nodes WHERE id IN ('NCBIGene:7157', 'NCBIGene:883')").fetchall())
    assert xrefs == {
        "NCBIGene:7157": ["ENSEMBL:ENSG00000141510", "HGNC:11998", "OMIM:191170"],
        "NCBIGene:883": ["ENSEMBL:ENSG00000171097", "ENSEMBL:ENSG00000286112", "HGNC:1564", "OMIM:600547"],
    }
