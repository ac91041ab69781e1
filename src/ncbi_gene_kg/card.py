"""`ncbi-gene-kg card SYMBOL`: one gene's page, answered from the built graph with DuckDB.

The card reads the published graph database in OUT (graphdb.py; never the NCBI files, never a
transform): the gene's node, the edges at it (one scan of table edges) and the nodes at their other
ends. Its values are typed: a multivalued property is a list, ``negated`` a boolean, coordinates
integers. It prints as text, or writes an HTML page in the style of the build report.

Finding the gene: an ``NCBIGene:`` id or a bare GeneID; else the symbol, exactly, then ignoring
case, then among the synonyms, each step within ``--taxon`` when given. A query that matches
nothing or several genes raises :class:`UserError` with the candidates or the closest symbols.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH, column_or_null, columns, open_graph
from ncbi_gene_kg.pages import render
from ncbi_gene_kg.resolve import Resolution, resolve
from ncbi_gene_kg.tables import load_table
from ncbi_gene_kg.taxa import load_scope

GENE = "biolink:Gene"
DISEASE_CATEGORIES = {"biolink:Disease", "biolink:PhenotypicFeature", "biolink:DiseaseOrPhenotypicFeature"}
ORTHOLOG_PREDICATES = {"biolink:orthologous_to"}
PRODUCT_PREDICATES = {"biolink:has_gene_product": "subject", "biolink:gene_product_of": "object"}
# GO aspects, in the order the GO Consortium lists them, for gene2go's Category values (go_category.tsv)
ASPECTS = {"Function": "molecular function", "Process": "biological process", "Component": "cellular component"}
# Edge properties shown with a disease association (besides predicate and source): Biolink qualifiers
QUALIFIER_SLOTS = ("has_confidence_level", "allelic_requirement", "qualifiers")
# Node properties that give a gene's place in the genome (gene_info's chromosome and band: outside the Biolink
# model, left out of a --biolink-strict build), shown when a graph has them
LOCATION_SLOTS = ("chromosome", "map_location")
# Edges that place the gene on a sequence (gene_neighbors with locations: true), shown with the location
LOCATION_PREDICATE = "biolink:has_sequence_location"
# Gene-to-gene edges of gene_neighbors, shown as the gene's neighbors (gene_group's overlaps edges carry
# NCBI's relationship in original_predicate and stay with the related genes)
NEIGHBOR_PREDICATES = ("biolink:genetic_neighborhood_of", "biolink:overlaps")
MAX_SUGGESTIONS = 8


@dataclass
class Annotation:
    """A GO annotation: the gene ``predicate`` the term, with evidence codes and publications."""

    predicate: str
    negated: bool
    term: str
    term_name: str | None
    evidence: list[str]
    publications: list[str]


@dataclass
class RelatedGene:
    """Another gene at an edge of this one (an ortholog, a readthrough or pseudogene relation)."""

    id: str
    symbol: str | None
    taxon: str | None
    taxon_label: str | None
    predicate: str
    original_predicate: str | None = None
    direction: str = "out"  # "out": this gene is the subject; "in": the object


@dataclass
class DiseaseLink:
    """One association of the gene with a disease (one per primary knowledge source)."""

    predicate: str
    primary_knowledge_source: str | None
    qualifiers: dict[str, str]
    description: str | None


@dataclass
class Disease:
    """A disease or phenotype the gene is associated with, and the associations (one per source)."""

    id: str
    name: str | None
    links: list[DiseaseLink]


@dataclass
class Product:
    """A gene product (protein, RNA) the gene has, with the product node's xrefs (e.g. RefSeq ids)."""

    id: str
    name: str | None
    category: str | None
    xrefs: list[str] = field(default_factory=list)


@dataclass
class Replaced:
    """A discontinued GeneID that this gene replaced (gene_history, through the SSSOM mapping set)."""

    id: str
    symbol: str | None
    date: str | None


@dataclass
class GeneCard:
    """Everything the card shows about one gene: its node, its edges grouped by kind, and how the query found it."""

    id: str
    symbol: str | None
    name: str | None
    full_name: str | None
    description: str | None
    synonyms: list[str]
    type: str | None
    type_label: str | None
    taxon: str | None
    taxon_label: str | None
    location: dict[str, str]
    xrefs: dict[str, list[str]]
    go: dict[str, list[Annotation]]
    orthologs: dict[str, list[RelatedGene]]
    related_genes: list[RelatedGene]
    diseases: list[Disease]
    proteins: list[Product]
    other_edges: dict[str, int] = field(default_factory=dict)
    history: list[Replaced] = field(default_factory=list)  # the discontinued GeneIDs this gene replaced
    query: str = ""
    matched: str = "GeneID"  # how the query found the gene (resolve.resolve): GeneID, symbol, synonym, ...
    notes: list[str] = field(default_factory=list)  # a replaced id the query named; other genes it matches

    def to_dict(self) -> dict[str, Any]:
        """The gene's card as a JSON-ready dict."""
        return dataclasses.asdict(self)


def joined(value: Any) -> Any:
    """A value the card shows as one: a list (a multivalued property: a gene's taxon, its SO type) as KGX TSV
    writes it, joined by '|'; anything else as it is.

    >>> joined(["NCBITaxon:9606"]), joined(["a", "b"]), joined(None), joined("x")
    ('NCBITaxon:9606', 'a|b', None, 'x')
    """
    return "|".join(value) if isinstance(value, list) else value


def words(predicate: str) -> str:
    """A Biolink predicate as words.

    >>> words("biolink:actively_involved_in")
    'actively involved in'
    """
    return predicate.removeprefix("biolink:").replace("_", " ")


# --- finding the gene ------------------------------------------------------------------------------


def _suggestions(con: duckdb.DuckDBPyConnection, query: str, taxa: list[str] | None) -> list[str]:
    """The gene symbols closest to ``query`` (prefix matches first, then by Jaro-Winkler similarity)."""
    in_taxa = "" if taxa is None else "AND list_has_any(in_taxon, $taxa)"
    params: dict[str, Any] = {"q": query.strip()} | ({"taxa": taxa} if taxa is not None else {})
    select = ", ".join(column_or_null(con, "nodes", c) for c in ("id", "symbol", "name", "in_taxon_label"))
    # in_taxon is a list (shown joined, as KGX writes it); a graph without it gets a NULL list, for list_has_any
    in_taxon = "in_taxon" if "in_taxon" in columns(con, "nodes") else "NULL::VARCHAR[] AS in_taxon"
    rows = con.execute(
        f"""
        SELECT symbol || ' ' || id || ' (' || coalesce(in_taxon_label, array_to_string(in_taxon, '|'), 'no taxon')
               || ')'
        FROM (
            SELECT id, coalesce(symbol, name) AS symbol, in_taxon, in_taxon_label
            FROM (SELECT {select}, {in_taxon}, category FROM nodes) WHERE category = '{GENE}' {in_taxa})
        WHERE symbol IS NOT NULL
        ORDER BY greatest(jaro_winkler_similarity(lower(symbol), lower($q)),
                          CASE WHEN starts_with(lower(symbol), lower($q)) THEN 0.99 ELSE 0 END) DESC, symbol, id
        LIMIT {MAX_SUGGESTIONS}""",
        params,
    ).fetchall()
    return [row[0] for row in rows]


def find_gene(
    con: duckdb.DuckDBPyConnection, out_dir: Path, query: str, taxon: str | None = None
) -> tuple[str, Resolution]:
    """The id of the current gene ``query`` names, found as `ncbi-gene-kg resolve` finds it.

    A GeneID, a symbol, a synonym or a discontinued GeneID or symbol (whose current gene is taken);
    see :func:`ncbi_gene_kg.resolve.resolve`.

    Raises:
        UserError: no gene, several genes, or a GeneID discontinued without replacement; the message
            lists the candidates, or the closest symbols.
    """
    resolution = resolve(query, taxon, out_dir)
    answer = resolution.answer
    if resolution.status == "current" and answer is not None and answer.gene is not None:
        return answer.gene.id, resolution
    if (
        resolution.status == "replaced"
        and answer is not None
        and answer.discontinued is not None
        and answer.discontinued.current is not None
        and answer.discontinued.current.in_graph
    ):
        return answer.discontinued.current.id, resolution
    if resolution.status == "ambiguous":
        raise UserError(resolution.text().replace("\n  give --taxon", "\n  give --taxon (tax_id or species)"))
    if resolution.status == "not found":
        taxa = [f"NCBITaxon:{t}" for t in load_scope(taxon).tax_ids or []] if taxon else None
        suggestions = _suggestions(con, query, taxa)
        hint = "\n  did you mean: " + "; ".join(suggestions) if suggestions else ""
        raise UserError(resolution.text() + hint)
    raise UserError(resolution.text())


# --- building the card -----------------------------------------------------------------------------


def gene_card(out_dir: Path, query: str, taxon: str | None = None, name: str = GRAPH) -> GeneCard:
    """The card of the gene ``query`` names, from the graph in ``out_dir``.

    Raises:
        UserError: no graph, an unknown taxon, or a query that names no current gene or several.
    """
    con = open_graph(out_dir, name)
    try:
        gene_id, resolution = find_gene(con, out_dir, query, taxon)
        card = _build(con, gene_id)
    finally:
        con.close()
    card.query = query
    card.matched = resolution.answer.matched_by if resolution.answer else "GeneID"
    if resolution.status == "replaced" and resolution.answer and resolution.answer.discontinued:
        card.notes.append(resolution.answer.discontinued.describe())
    card.notes += [f"{query} also matches {m.describe()}" for m in resolution.also]
    card.history = [Replaced(d.id, d.symbol, d.date) for d in resolution.replaced]
    return card


def _rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(query, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _evidence_codes() -> dict[str, str]:
    return {row["eco_id"]: row["evidence_code"] for row in load_table("go_evidence_to_eco")}


def _type_labels() -> dict[str, str]:
    return {row["so_id"]: row["so_label"] for row in load_table("gene_type_to_so")}


def _build(con: duckdb.DuckDBPyConnection, gene_id: str) -> GeneCard:
    """The card of node ``gene_id``: its edges (one scan of table edges, kept in a temp table: temp objects live
    in memory, beside the read-only database) sorted into the card's sections."""
    (node,) = _rows(con, "SELECT * FROM nodes WHERE id = ?", [gene_id])
    con.execute("CREATE TEMP TABLE ge AS SELECT * FROM edges WHERE subject = $g OR object = $g", {"g": gene_id})
    con.execute(
        "CREATE TEMP TABLE nb AS SELECT * FROM nodes WHERE id IN (SELECT subject FROM ge UNION SELECT object FROM ge)"
    )
    neighbours = {row["id"]: row for row in _rows(con, "SELECT * FROM nb")}
    edges = _rows(con, "SELECT * FROM ge ORDER BY predicate, subject, object, id")
    aspects = {row["node_category"]: row["Category"] for row in load_table("go_category")}
    eco = _evidence_codes()
    qualifier_slots = sorted({k for e in edges for k in e if k.endswith("_qualifier")}) + list(QUALIFIER_SLOTS)

    go: dict[str, list[Annotation]] = {label: [] for label in ASPECTS.values()}
    orthologs: dict[str, list[RelatedGene]] = {}
    related: list[RelatedGene] = []
    diseases: dict[str, Disease] = {}
    proteins: list[Product] = []
    other: dict[str, int] = {}
    places: list[tuple[bool, str, str]] = []
    for edge in edges:
        outgoing = edge["subject"] == gene_id
        other_id = edge["object"] if outgoing else edge["subject"]
        other_node = neighbours.get(other_id, {})
        category = other_node.get("category")
        predicate = edge["predicate"]
        aspect = aspects.get(category or "")
        if predicate == LOCATION_PREDICATE and outgoing:
            places.append(_place(edge, other_node))
        elif aspect and outgoing:
            go[ASPECTS[aspect]].append(
                Annotation(
                    predicate,
                    bool(edge.get("negated")),
                    other_id,
                    other_node.get("name"),
                    sorted({eco.get(e, e) for e in edge.get("has_evidence") or []}),
                    edge.get("publications") or [],
                )
            )
        elif category == GENE and other_id != gene_id:
            gene = RelatedGene(
                other_id,
                other_node.get("symbol") or other_node.get("name"),
                joined(other_node.get("in_taxon")),
                other_node.get("in_taxon_label"),
                predicate,
                edge.get("original_predicate"),
                "out" if outgoing else "in",
            )
            if predicate in ORTHOLOG_PREDICATES:
                orthologs.setdefault(gene.taxon_label or gene.taxon or "no taxon", []).append(gene)
            else:
                related.append(gene)
        elif category in DISEASE_CATEGORIES and outgoing:
            disease = diseases.setdefault(other_id, Disease(other_id, other_node.get("name"), []))
            disease.links.append(
                DiseaseLink(
                    predicate,
                    edge.get("primary_knowledge_source"),
                    {slot: joined(edge[slot]) for slot in qualifier_slots if edge.get(slot)},
                    edge.get("description"),
                )
            )
        elif PRODUCT_PREDICATES.get(predicate) == ("subject" if outgoing else "object"):
            proteins.append(Product(other_id, other_node.get("name"), category, other_node.get("xref") or []))
        else:
            other[predicate] = other.get(predicate, 0) + 1

    for disease in diseases.values():
        disease.links.sort(key=lambda link: (link.predicate, link.primary_knowledge_source or ""))
    for terms in go.values():
        terms.sort(key=lambda a: (a.predicate, a.negated, (a.term_name or "").lower(), a.term))
    taxon_order = {f"NCBITaxon:{t}": i for i, t in enumerate(load_scope("all").labels())}
    orthologs = dict(sorted(orthologs.items(), key=lambda kv: (taxon_order.get(kv[1][0].taxon or "", 1 << 30), kv[0])))
    for genes in orthologs.values():
        genes.sort(key=lambda g: (g.symbol or "", g.id))
    related.sort(key=lambda g: (g.predicate, g.symbol or "", g.id))
    xrefs: dict[str, list[str]] = {}
    for xref in node.get("xref") or []:
        xrefs.setdefault(xref.split(":", 1)[0], []).append(xref)
    return GeneCard(
        id=gene_id,
        symbol=node.get("symbol") or node.get("name"),
        name=node.get("name"),
        full_name=node.get("full_name"),
        description=node.get("description"),
        synonyms=node.get("synonym") or [],
        type=joined(node.get("type")),
        type_label=_type_labels().get(joined(node.get("type")) or ""),
        taxon=joined(node.get("in_taxon")),
        taxon_label=node.get("in_taxon_label"),
        location={slot: joined(node[slot]) for slot in LOCATION_SLOTS if node.get(slot)}
        | {
            "placement" + (f" {i}" if i > 1 else ""): f"{sequence} {text}"
            for i, (_, sequence, text) in enumerate(sorted(places), start=1)
        },
        xrefs={prefix: sorted(ids) for prefix, ids in sorted(xrefs.items(), key=lambda kv: kv[0].lower())},
        go={aspect: annotations for aspect, annotations in go.items() if annotations},
        orthologs=orthologs,
        related_genes=related,
        diseases=sorted(diseases.values(), key=lambda d: d.id),
        proteins=sorted({p.id: p for p in proteins}.values(), key=lambda p: p.id),
        other_edges=dict(sorted(other.items())),
    )


def _place(edge: dict[str, Any], sequence: dict[str, Any]) -> tuple[bool, str, str]:
    """(not on a reference assembly, accession, text) of a location edge: the sequence node's name,
    the interbase coordinates and the strand, e.g. 'chromosome 21 (GRCh38.p14), interbase
    41420557-41459214, strand +'. Placements on a reference assembly sort first."""
    accession = edge["object"].split(":", 1)[-1]
    text = ", ".join(
        filter(
            None,
            (
                sequence.get("name"),
                f"interbase {edge.get('start_interbase_coordinate')}-{edge.get('end_interbase_coordinate')}",
                f"strand {edge['strand']}" if edge.get("strand") else None,
            ),
        )
    )
    reference = "of the assembly Reference " in (sequence.get("description") or "")
    return not reference, accession, text


def is_neighbor(gene: RelatedGene) -> bool:
    """A gene_neighbors edge (a neighbor or an overlapping gene), not a gene_group relationship."""
    return gene.predicate in NEIGHBOR_PREDICATES and not gene.original_predicate


# --- text ------------------------------------------------------------------------------------------


def _fields(pairs: list[tuple[str, str]], width: int) -> list[str]:
    """``label  value`` lines, labels padded to the longest, values wrapped under themselves."""
    if not pairs:
        return ["  none"]
    label_width = max(len(label) for label, _ in pairs) + 2
    indent = " " * (2 + label_width)
    lines = []
    for label, value in pairs:
        wrapped = textwrap.wrap(value, width=max(width - len(indent), 30), break_on_hyphens=False) or [""]
        lines += [f"  {label:<{label_width}}{wrapped[0]}", *(indent + line for line in wrapped[1:])]
    return lines


def _evidence_text(a: Annotation) -> str:
    pubs = f"; {len(a.publications)} publication{'s' if len(a.publications) != 1 else ''}" if a.publications else ""
    return f"[{', '.join(a.evidence) or 'no evidence code'}{pubs}]"


def _related_text(card: GeneCard, g: RelatedGene) -> str:
    """A gene-to-gene edge from the card gene's side, with NCBI's own words for the relationship.

    gene_group's original_predicate is the subject's row: "<object> is a <relationship> of <subject>".
    """
    text = f"{words(g.predicate)}  {g.symbol} ({g.id}, {g.taxon_label or g.taxon or 'no taxon'})"
    if g.original_predicate:
        this, other = card.symbol, g.symbol
        text += (
            f" [NCBI: {other} is a {g.original_predicate} of {this}]"
            if g.direction == "out"
            else f" [NCBI: {this} is a {g.original_predicate} of {other}]"
        )
    return text


def render_text(card: GeneCard, width: int = 100) -> str:
    """The card as plain text: a heading line, then one section per kind of fact, two-space indented."""
    lines = [f"{card.symbol} ({card.id})" + (f", {card.taxon_label}" if card.taxon_label else "")]
    if card.matched not in ("GeneID", "symbol"):
        lines.append(f"  (found by {card.matched})")
    lines += [f"  ({note})" for note in card.notes]
    lines.append("")
    taxon = f"{card.taxon_label} ({card.taxon})" if card.taxon_label else (card.taxon or "-")
    gene_type = f"{card.type_label} ({card.type})" if card.type_label else (card.type or "-")
    location = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in card.location.items()) or "not in the graph"
    lines += _fields(
        [
            ("symbol", card.symbol or "-"),
            ("full name", card.full_name or card.name or "-"),
            ("description", card.description or "-"),
            ("synonyms", ", ".join(card.synonyms) or "-"),
            ("type", gene_type),
            ("taxon", taxon),
            ("location", location),
        ],
        width,
    )

    lines += ["", f"xrefs ({sum(len(v) for v in card.xrefs.values())})"]
    lines += _fields([(prefix, ", ".join(ids)) for prefix, ids in card.xrefs.items()], width)

    lines += ["", f"GO annotations ({sum(len(v) for v in card.go.values())})"]
    if not card.go:
        lines.append("  none")
    for aspect, terms in card.go.items():
        lines.append(f"  {aspect} ({len(terms)})")
        relations = [("NOT " if a.negated else "") + words(a.predicate) for a in terms]
        rel_width = max(len(r) for r in relations)
        for relation, a in zip(relations, terms, strict=True):
            lines.append(f"    {relation:<{rel_width}}  {a.term}  {a.term_name or ''}  {_evidence_text(a)}")

    lines += ["", f"orthologs ({sum(len(v) for v in card.orthologs.values())})"]
    lines += _fields(
        [(species, ", ".join(f"{g.symbol} ({g.id})" for g in genes)) for species, genes in card.orthologs.items()],
        width,
    )
    neighbors = [g for g in card.related_genes if is_neighbor(g)]
    if neighbors:
        lines += ["", f"neighbors ({len(neighbors)})"]
        lines += _fields(
            [
                (
                    words(predicate),
                    ", ".join(f"{g.symbol or '?'} ({g.id})" for g in neighbors if g.predicate == predicate),
                )
                for predicate in NEIGHBOR_PREDICATES
                if any(g.predicate == predicate for g in neighbors)
            ],
            width,
        )
    related = [g for g in card.related_genes if not is_neighbor(g)]
    if related:
        lines += ["", f"related genes ({len(related)})"]
        lines += [f"  {_related_text(card, g)}" for g in related]

    lines += ["", f"diseases ({len(card.diseases)})"]
    if not card.diseases:
        lines.append("  none")
    for d in card.diseases:
        lines.append(f"  {d.id}" + (f"  {d.name}" if d.name else ""))
        for link in d.links:
            details = [
                link.primary_knowledge_source or "no source",
                *(f"{k.replace('_', ' ')}: {v}" for k, v in link.qualifiers.items()),
            ]
            if link.description:
                details.append(link.description)
            lines.append(f"    {words(link.predicate)}  ({'; '.join(details)})")

    lines += ["", f"history: replaced ids ({len(card.history)})"]
    lines += [
        f"  {r.id}" + (f" {r.symbol}" if r.symbol else "") + (f" (discontinued {r.date})" if r.date else "")
        for r in card.history
    ] or ["  none"]
    lines += ["", f"proteins ({len(card.proteins)})"]
    lines += ["  " + "  ".join(filter(None, (p.id, p.name, ", ".join(p.xrefs)))) for p in card.proteins] or ["  none"]
    if card.other_edges:
        lines += ["", "other edges"]
        lines += _fields([(words(p), str(n)) for p, n in card.other_edges.items()], width)
    return "\n".join(lines) + "\n"


def render_html(card: GeneCard, graph_dir: Path) -> str:
    """The card as a self-contained HTML page in the style of the build report."""
    return render(
        "card.html.j2",
        c=card,
        words=words,
        graph_dir=str(graph_dir),
        go_total=sum(len(v) for v in card.go.values()),
        ortholog_total=sum(len(v) for v in card.orthologs.values()),
    )


def run_card(
    query: str,
    taxon: str | None,
    graph_dir: Path,
    html: Path | None = None,
    as_json: bool = False,
    console: Console | None = None,
) -> GeneCard:
    """The `card` command: print the card (text, or JSON) to stdout; with ``html``, also write the page."""
    card = gene_card(graph_dir, query, taxon)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(card, graph_dir))
        if console is not None:
            console.print(f"wrote {html}", highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(card.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(card, width=min(shutil.get_terminal_size((100, 24)).columns, 120)))
    return card
