"""`ncbi-gene-kg card`: the text for TP53 and BRCA1 on the bundled sample, field by field; finding genes;
history from the SSSOM mapping set; the HTML page in a real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import quiet_build, read_kgx, write_rows
from headless_chromium import ink, load_page, require_chromium
from sample_graph import build_sample_graph

from ncbi_gene_kg.card import GeneCard, gene_card, render_html, render_text
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.tables import load_table

ASPECT = {row["node_category"]: row["Category"] for row in load_table("go_category")}
ASPECT_NAME = {"Function": "molecular function", "Process": "biological process", "Component": "cellular component"}
# gene_info and gene_history headers as NCBI writes them, for the rows a test writes
GENE_INFO_HEADER = (
    "#tax_id\tGeneID\tSymbol\tLocusTag\tSynonyms\tdbXrefs\tchromosome\tmap_location\tdescription\ttype_of_gene\t"
    "Symbol_from_nomenclature_authority\tFull_name_from_nomenclature_authority\tNomenclature_status\t"
    "Other_designations\tModification_date\tFeature_type"
)
HISTORY_HEADER = "#tax_id\tGeneID\tDiscontinued_GeneID\tDiscontinued_Symbol\tDiscontinue_Date"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_graph(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def graph(built: Path) -> tuple[list[dict], list[dict]]:
    return read_kgx(built / "ncbi_gene_nodes.tsv"), read_kgx(built / "ncbi_gene_edges.tsv")


def sections(text: str) -> dict[str, list[str]]:
    """The card text by section: the heading block is '', others by title without their '(n)'."""
    blocks = text.strip("\n").split("\n\n")
    out = {"": blocks[0].splitlines() + blocks[1].splitlines()}
    for block in blocks[2:]:
        title, *lines = block.splitlines()
        out[re.sub(r" \(\d+\)$", "", title)] = lines
    return out


def fields(lines: list[str]) -> dict[str, str]:
    """``  label  value`` lines as a dict (continuation lines joined to the value)."""
    found: dict[str, str] = {}
    last = None
    for line in lines:
        match = re.match(r"^  (\S+(?: \S+)*)\s{2,}(.*)$", line)
        if match:
            last = match[1]
            found[last] = match[2]
        elif last and line.startswith("   "):
            found[last] += " " + line.strip()
    return found


def expected_go(graph: tuple[list[dict], list[dict]], gene: str) -> dict[str, int]:
    nodes, edges = graph
    category = {n["id"]: n["category"] for n in nodes}
    counts: dict[str, int] = {}
    for e in edges:
        if e["subject"] == gene and category.get(e["object"]) in ASPECT:
            aspect = ASPECT_NAME[ASPECT[category[e["object"]]]]
            counts[aspect] = counts.get(aspect, 0) + 1
    return counts


def expected_products(graph: tuple[list[dict], list[dict]], gene: str) -> set[str]:
    return {e["object"] for e in graph[1] if e["subject"] == gene and e["predicate"] == "biolink:has_gene_product"}


def go_counts(lines: list[str]) -> dict[str, int]:
    return {m[1]: int(m[2]) for line in lines if (m := re.match(r"^  (\w[\w ]+) \((\d+)\)$", line))}


def test_tp53(built: Path, graph: tuple[list[dict], list[dict]]) -> None:
    text = render_text(gene_card(built, "TP53"), width=100)
    s = sections(text)
    assert s[""][0] == "TP53 (NCBIGene:7157), Homo sapiens"
    assert fields(s[""]) == {
        "symbol": "TP53",
        "full name": "tumor protein p53",
        # gene_summary's text (sample/gene_summary.gz, constructed) wins over gene_info's description
        "description": "Constructed test summary (not NCBI text) for TP53: encodes the tumor suppressor p53, called "
        'the "guardian of the genome"; it binds DNA as a tetramer and stops the cell cycle after DNA '
        "damage. [constructed for ncbi-gene-kg]",
        "synonyms": "BCC7, BMFS5, LFS1, P53, TRP53",
        "type": "protein_coding_gene (SO:0001217)",
        "taxon": "Homo sapiens (NCBITaxon:9606)",
        "location": "chromosome 17, map location 17p13.1",
    }
    assert fields(s["xrefs"]) == {"ENSEMBL": "ENSEMBL:ENSG00000141510", "HGNC": "HGNC:11998", "OMIM": "OMIM:191170"}
    go = expected_go(graph, "NCBIGene:7157")
    assert go_counts(s["GO annotations"]) == go and set(go) == set(ASPECT_NAME.values())
    assert f"GO annotations ({sum(go.values())})" in text
    assert "    enables  GO:0003677  DNA binding  [IDA, IMP; 3 publications]" in s["GO annotations"]
    assert fields(s["orthologs"]) == {"Mus musculus": "Trp53 (NCBIGene:22059)", "Danio rerio": "tp53 (NCBIGene:30590)"}
    assert list(fields(s["orthologs"])) == ["Mus musculus", "Danio rerio"]  # in the order of config/taxa.yaml
    diseases = "\n".join(s["diseases"])
    assert "  OMIM:151623\n    associated with  (infores:omim; association basis qualifier: genetic)" in diseases
    assert "  OMIM:114500\n    contributes to  (infores:omim; mim2gene_medgen Comment: susceptibility)" in diseases
    assert sum(1 for line in s["diseases"] if line.startswith("  OMIM:")) == len(
        {e["object"] for e in graph[1] if e["subject"] == "NCBIGene:7157" and e["object"].startswith("OMIM:")}
    )
    assert s["history: replaced ids"] == ["  none"]
    products = expected_products(graph, "NCBIGene:7157")
    assert {line.split()[0] for line in s["proteins"] if line != "  none"} == products
    if products:
        assert any(line.startswith("  UniProtKB:P04637  ") for line in s["proteins"])


def test_brca1(built: Path, graph: tuple[list[dict], list[dict]]) -> None:
    text = render_text(gene_card(built, "BRCA1"), width=100)
    s = sections(text)
    assert s[""][0] == "BRCA1 (NCBIGene:672), Homo sapiens"
    assert fields(s[""]) == {
        "symbol": "BRCA1",
        "full name": "BRCA1 DNA repair associated",
        "description": "Constructed test summary (not NCBI text) for BRCA1: encodes a nuclear phosphoprotein that "
        'keeps the genome stable; it\'s part of the "BRCA1-associated genome surveillance complex" '
        "(BASC). [constructed for ncbi-gene-kg]",
        "synonyms": "BRCAI, BRCC1, BROVCA1, FANCS, IRIS, PNCA4, PPP1R53, PSCP, RNF53",
        "type": "protein_coding_gene (SO:0001217)",
        "taxon": "Homo sapiens (NCBITaxon:9606)",
        "location": "chromosome 17, map location 17q21.31",
    }
    assert fields(s["xrefs"]) == {"ENSEMBL": "ENSEMBL:ENSG00000012048", "HGNC": "HGNC:1100", "OMIM": "OMIM:113705"}
    assert go_counts(s["GO annotations"]) == expected_go(graph, "NCBIGene:672")
    assert "    part of     GO:0070531  BRCA1-A complex  [IBA, IDA, NAS; 6 publications]" in s["GO annotations"]
    assert fields(s["orthologs"]) == {"Mus musculus": "Brca1 (NCBIGene:12189)"}
    assert s["related genes"] == [
        "  homologous to  BRCA1P1 (NCBIGene:394269, Homo sapiens) [NCBI: BRCA1 is a Related functional gene of BRCA1P1]"
    ]
    diseases = "\n".join(s["diseases"])
    # one disease, two sources: each association is shown with its own source
    assert (
        "  OMIM:604370\n    contributes to  (infores:genereviews; mim2gene_medgen Comment: susceptibility)\n"
        "    contributes to  (infores:omim; mim2gene_medgen Comment: susceptibility)"
    ) in diseases
    assert s["history: replaced ids"] == ["  none"]
    assert {line.split()[0] for line in s["proteins"] if line != "  none"} == expected_products(graph, "NCBIGene:672")


def test_negated_annotations_are_shown(built: Path) -> None:
    card = gene_card(built, "GSDMB")
    process = card.go["biological process"]
    negated = [a for a in process if a.negated]
    assert [(a.term, a.evidence) for a in negated] == [("GO:0070269", ["IDA"])]
    assert any(a.term == "GO:0070269" and not a.negated for a in process)
    assert re.search(
        r"\n    NOT actively involved in  GO:0070269  pyroptotic inflammatory response  \[IDA; ", render_text(card)
    )


@pytest.mark.parametrize(
    ("query", "taxon", "gene", "matched"),
    [
        ("TP53", None, "NCBIGene:7157", "symbol"),
        ("7157", None, "NCBIGene:7157", "GeneID"),
        ("NCBIGene:7157", None, "NCBIGene:7157", "GeneID"),
        ("LFS1", None, "NCBIGene:7157", "synonym"),
        ("brca1", "10090", "NCBIGene:12189", "symbol"),
        ("BRCA1", "Homo sapiens", "NCBIGene:672", "symbol"),
    ],
)
def test_finding_the_gene(built: Path, query: str, taxon: str | None, gene: str, matched: str) -> None:
    card = gene_card(built, query, taxon)
    assert (card.id, card.matched) == (gene, matched)


def test_an_ambiguous_symbol_lists_the_genes(built: Path) -> None:
    with pytest.raises(UserError) as error:
        gene_card(built, "brca1")
    message = str(error.value)
    assert "ambiguous" in message and "--taxon" in message
    assert "NCBIGene:672 BRCA1 (Homo sapiens)" in message and "NCBIGene:12189 Brca1 (Mus musculus)" in message


def test_an_unknown_symbol_gets_suggestions(built: Path) -> None:
    with pytest.raises(UserError) as error:
        gene_card(built, "TP5")
    message = str(error.value)
    assert "not found" in message
    assert re.search(r"did you mean: TP53 NCBIGene:7157 \(Homo sapiens\)", message)
    with pytest.raises(UserError) as error:
        gene_card(built, "TP5", "10090")
    # within the taxon (in_taxon is a list): the mouse genes only, the closest first
    suggestions = str(error.value).split("did you mean: ")[1].split("; ")
    assert suggestions[0] == "Trp53 NCBIGene:22059 (Mus musculus)"
    assert all(s.endswith("(Mus musculus)") for s in suggestions)


def test_an_unknown_taxon_or_graph_is_a_clear_error(built: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown taxon"):
        gene_card(built, "TP53", "Narnia")
    with pytest.raises(UserError, match="no built graph"):
        gene_card(tmp_path, "TP53")


def test_json_has_every_field(built: Path) -> None:
    data = json.loads(json.dumps(gene_card(built, "TP53").to_dict()))
    assert data["id"] == "NCBIGene:7157" and data["taxon"] == "NCBITaxon:9606"
    assert set(data) >= {
        "symbol",
        "full_name",
        "synonyms",
        "type",
        "location",
        "xrefs",
        "go",
        "orthologs",
        "diseases",
        "history",
        "proteins",
    }


def test_history_from_the_gene_history_table(tmp_path: Path) -> None:
    """The discontinued GeneIDs a gene replaced (table gene_history of the graph database); a replaced GeneID opens
    its current gene's card. The gene_history row is real (five_taxa.2019-03.gene_history); the cow gene's
    gene_info row is CONSTRUCTED (no real copy at hand) with the symbol and taxon the history gives."""
    data = tmp_path / "data"
    data.mkdir()
    write_rows(
        data / "gene_info",
        GENE_INFO_HEADER,
        [
            "9913\t616662\tC13H10orf68\t-\t-\t-\t13\t-\t"
            "chromosome 13 C10orf68 homolog\tprotein-coding\t-\t-\t-\t-\t20190324\t-"
        ],
    )
    write_rows(data / "gene_history", HISTORY_HEADER, ["9913\t616662\t786891\tC13H10orf68\t20190324"])
    out = tmp_path / "out"
    quiet_build(data, out)
    card = gene_card(out, "616662")
    assert [(r.id, r.symbol, r.date) for r in card.history] == [("NCBIGene:786891", "C13H10orf68", "2019-03-24")]
    assert sections(render_text(card))["history: replaced ids"] == [
        "  NCBIGene:786891 C13H10orf68 (discontinued 2019-03-24)"
    ]
    replaced = gene_card(out, "786891")
    assert replaced.id == "NCBIGene:616662"
    assert "replaced by NCBIGene:616662" in render_text(replaced)
    assert "NCBIGene:786891" in render_html(replaced, out)


def test_the_card_command(built: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ncbi_gene_kg.cli import app

    runner = CliRunner()
    done = runner.invoke(
        app, ["card", "TP53", "--taxon", "9606", "--graph", str(built), "--html", str(tmp_path / "tp53.html")]
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("TP53 (NCBIGene:7157), Homo sapiens\n")
    assert (tmp_path / "tp53.html").read_text().count("GO:0003677") == 1
    done = runner.invoke(app, ["card", "BRCA1", "--graph", str(built), "--json"])
    assert json.loads(done.stdout)["id"] == "NCBIGene:672"
    assert runner.invoke(app, ["card", "brca1", "--graph", str(built)]).exit_code == 1


def test_the_card_page_renders_in_chromium(built: Path, tmp_path: Path) -> None:
    chromium = require_chromium()
    card: GeneCard = gene_card(built, "TP53")
    page_path = tmp_path / "TP53.html"
    page_path.write_text(render_html(card, built))
    page = load_page(
        page_path,
        full_page=True,
        chromium=chromium,
        selectors=("#gene-symbol", "#go-total", "#ortholog-total", "#disease-total", "#synonyms"),
    )
    assert page.console_errors == [] and page.outside_requests == [] and page.failed_requests == []
    assert page.title == "TP53 (NCBIGene:7157) gene card"
    assert page.element_texts["#gene-symbol"] == "TP53 tumor protein p53"
    assert page.element_texts["#go-total"] == str(sum(len(v) for v in card.go.values()))
    assert page.element_texts["#ortholog-total"] == "2"
    assert page.element_texts["#disease-total"] == str(len(card.diseases))
    assert page.element_texts["#synonyms"].split() == ["BCC7", "BMFS5", "LFS1", "P53", "TRP53"]
    assert "Li-Fraumeni" in page.text or "OMIM:151623" in page.text
    share, colours = ink(page.screenshot)
    assert share > 0.05 and colours > 50, "the screenshot is blank"
