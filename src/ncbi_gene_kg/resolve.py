"""`ncbi-gene-kg resolve`: is a GeneID, symbol or sequence accession current, what replaced it and when.

Answered from the published graph database (OUT/ncbi_gene.duckdb, graphdb.py): its genes (table ``nodes``),
the discontinued GeneIDs (table ``gene_history``, the SSSOM mapping set's rows, sssom.py) and, after
``transform --accessions``, the accession lookup table (accessions.py).

A fresh `resolve` process should cost little more than Python and DuckDB starting: this module imports only
what every answer needs; the taxon scope (yaml) and the accession lookup are imported when an answer needs them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.graphdb import GRAPH_DB, has_table, open_graph
from ncbi_gene_kg.sql import ident, quote, string_list

# Names of sssom.py, history.py and accessions.py, restated rather than imported: those modules bring the Biolink
# model's tables, the merge's helpers and the file scanner, which a `resolve` process has no use for (a fresh
# process should cost little more than Python and DuckDB starting). tests/test_resolve_accessions.py checks
# that they are the same.
GENE = "NCBIGene"  # history.GENE
NCBITAXON = "NCBITaxon"  # sssom.NCBITAXON
NO_TERM_FOUND = "sssom:NoTermFound"  # sssom.NO_TERM_FOUND
TAXON_KEY = "in_taxon="  # sssom.TAXON_KEY: how the SSSOM `other` column gives the taxon
HISTORY_MAPPINGS = "gene_history"  # sssom.HISTORY_MAPPINGS: the mapping set's rows in the graph database
ACCESSIONS_FILE = "ncbi_gene_accessions.duckdb"  # accessions.ACCESSIONS_FILE: accessions.py imported only if OUT has it
GENE_CATEGORY = "biolink:Gene"
NOT_FOUND, AMBIGUOUS = 1, 3


@dataclass
class Gene:
    """A gene as the graph has it: id, symbol, taxon (CURIE) and the taxon's name."""

    id: str
    symbol: str | None = None
    taxon: str | None = None
    taxon_label: str | None = None
    in_graph: bool = True

    def describe(self) -> str:
        """The gene as one line: id, symbol and taxon, flagged if the id is not a node of the graph."""
        where = self.taxon_label or self.taxon
        text = self.id + (f" {self.symbol}" if self.symbol else "") + (f" ({where})" if where else "")
        return text if self.in_graph else text + " [not a node of this graph]"


@dataclass
class Discontinued:
    """One discontinued GeneID as the SSSOM mapping set records it."""

    id: str
    symbol: str | None
    date: str | None
    taxon: str | None
    taxon_label: str | None
    current: Gene | None
    comment: str | None

    def describe(self) -> str:
        """The discontinued id as one line: when it was discontinued and what replaced it, if anything."""
        where = self.taxon_label or self.taxon
        text = self.id + (f" {self.symbol}" if self.symbol else "") + (f" ({where})" if where else "")
        if self.current is None:
            if self.comment and self.comment != "discontinued without replacement":
                return f"{text}: discontinued on {self.date}, no current id ({self.comment})"
            return f"{text}: discontinued on {self.date} without replacement"
        return f"{text}: discontinued on {self.date}, replaced by {self.current.describe()}" + (
            f" ({self.comment})" if self.comment else ""
        )


@dataclass
class Match:
    """How a query matched: 'GeneID', 'symbol', 'synonym' or 'discontinued symbol'."""

    matched_by: str
    gene: Gene | None = None
    discontinued: Discontinued | None = None

    @property
    def record(self) -> Gene | Discontinued:
        """The gene, or else the discontinued id, the query matched (a match has one of the two)."""
        record = self.gene or self.discontinued
        assert record is not None, "a match is of a gene or of a discontinued id"
        return record

    @property
    def taxon(self) -> str | None:
        """The taxon (CURIE) of the matched gene or discontinued id."""
        return self.record.taxon

    @property
    def key(self) -> str:
        """The gene the match stands for: the current gene, else the discontinued id."""
        if self.gene is not None:
            return self.gene.id
        assert self.discontinued is not None
        return self.discontinued.current.id if self.discontinued.current else self.discontinued.id

    def describe(self) -> str:
        """The matched record as one line, followed by how the query matched it."""
        return f"{self.record.describe()} [{self.matched_by}]"


@dataclass
class Resolution:
    """The answer to `ncbi-gene-kg resolve`: status is current, replaced, discontinued, ambiguous or not found."""

    query: str
    taxon: str | None
    status: str
    answer: Match | None = None
    replaced: list[Discontinued] = field(default_factory=list)  # ids the current gene replaced
    candidates: list[Match] = field(default_factory=list)  # every match, for ambiguous answers
    also: list[Match] = field(default_factory=list)  # weaker matches beside a unique answer
    more: int = 0  # candidates not listed (an accession of a whole chromosome names thousands of genes)

    @property
    def exit_code(self) -> int:
        """The command's exit status: NOT_FOUND, AMBIGUOUS, or 0 for an answer (current, replaced, discontinued)."""
        return {"not found": NOT_FOUND, "ambiguous": AMBIGUOUS}.get(self.status, 0)

    def to_json(self) -> str:
        """The resolution as indented JSON (for ``--json``)."""
        return json.dumps(asdict(self), indent=2)

    def text(self) -> str:
        """The resolution for people: the answer and what it replaced, or the candidates, or why nothing matched."""
        scope = f" in taxon {self.taxon}" if self.taxon else ""
        if self.status == "not found":
            return (
                f"{self.query}: not found{scope} (neither a GeneID nor a symbol, synonym or discontinued "
                "symbol of this graph's genes)"
            )
        if self.status == "ambiguous":
            keys = {m.key for m in self.candidates}
            lines = [f"{self.query}: ambiguous{scope}, names {len(keys)} genes:"]
            lines += [f"  {m.describe()}" for m in self.candidates]
            if self.more:
                lines[0] = f"{self.query}: ambiguous{scope}, names {len(keys) + self.more} genes (first {len(keys)}):"
                lines.append(f"  ... and {self.more} more")
            if self.also:
                lines.append("  and, less closely (a synonym where a symbol matched, ...):")
                lines += [f"    {m.describe()}" for m in self.also]
            lines.append("  give --taxon or a GeneID to choose")
            return "\n".join(lines)
        match = self.answer
        assert match is not None
        how = f" (matched by {match.matched_by})" if match.matched_by != "GeneID" else ""
        lines = [match.record.describe() + (": current" if self.status == "current" else "") + how]
        if self.replaced:
            lines.append(f"  it replaced {len(self.replaced)} discontinued GeneID(s):")
            lines += [
                f"    {d.id}" + (f" {d.symbol}" if d.symbol else "") + f" (discontinued on {d.date})"
                for d in self.replaced[:20]
            ]
            if len(self.replaced) > 20:
                lines.append(f"    ... and {len(self.replaced) - 20} more")
        if self.also:
            lines.append("  the query also matches:")
            lines += [f"    {m.describe()}" for m in self.also]
        return "\n".join(lines)


class _Graph:
    """The published graph database, read-only: its genes (table ``nodes``) and discontinued GeneIDs
    (table ``gene_history``, absent when gene_history was not an input).

    Each query is one SQL statement over the tables themselves (no temp objects, nothing loaded whole), with the
    values written into it: the genes as :attr:`genes_sql` selects them, the mapping set's rows as
    :attr:`history_sql` does.
    """

    def __init__(self, out_dir: Path):
        database = out_dir / GRAPH_DB
        if not database.is_file():
            raise UserError(
                f"{database} not found: build the graph first (`make transform`, or --out for another output folder)"
            )
        self.con = open_graph(out_dir)
        columns = set(self.con.table("nodes").columns)

        def column(name: str, null: str = "NULL::VARCHAR") -> str:
            """``name`` as a column of table nodes, or a NULL of its type (a graph has only the columns some node
            has)."""
            return ident(name) if name in columns else null

        # in_taxon is multivalued in Biolink; a gene has one, shown as KGX writes the value.
        taxon = "array_to_string(in_taxon, '|')" if "in_taxon" in columns else "NULL::VARCHAR"
        self.genes_sql = f"""
            SELECT id, {column("symbol") if "symbol" in columns else column("name")} AS symbol,
                   {column("synonym", "NULL::VARCHAR[]")} AS synonym, {column("in_taxon", "NULL::VARCHAR[]")} AS taxa,
                   {taxon} AS taxon, {column("in_taxon_label")} AS taxon_label
            FROM nodes WHERE category = '{GENE_CATEGORY}'"""
        self.history_sql = (
            f"""
            SELECT subject_id AS id, subject_label AS symbol, object_id AS current, mapping_date AS date, comment,
                   regexp_extract(other, '{TAXON_KEY}([^|]+)', 1) AS taxon
            FROM {HISTORY_MAPPINGS}"""
            if has_table(self.con, HISTORY_MAPPINGS)
            else None
        )

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    @cached_property
    def labels(self) -> dict[str, str]:
        """NCBITaxon CURIE -> the name config/taxa.yaml gives, for taxa the graph's genes do not label (the
        taxon of a discontinued GeneID or of an accession's gene that is not a node)."""
        from ncbi_gene_kg.taxa import load_scope  # here: yaml slows a fresh process, and most answers need none

        return {f"{NCBITAXON}:{t}": label for t, label in load_scope("all").labels().items()}

    @staticmethod
    def _literal(where: str, params: list) -> str:
        """``where`` with each ``?`` replaced by its parameter as a quoted SQL string.

        DuckDB's Python binding spends most of a second on the first query with parameters and about a
        millisecond on a literal one; the conditions here are fixed strings whose only ``?`` are parameters.
        """
        parts = where.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError(f"{where!r} takes {len(parts) - 1} parameters, got {len(params)}")
        return "".join(
            part + (quote(str(value)) if i < len(params) else "")
            for i, (part, value) in enumerate(zip(parts, [*params, None], strict=True))
        )

    def genes(self, where: str, params: list, taxa: list[str] | None = None) -> list[Gene]:
        """The graph's genes that satisfy ``where`` (over id, symbol, synonym; ``?`` placeholders filled from
        ``params``), of one of ``taxa`` when given, by id."""
        in_taxa = "" if taxa is None else f" AND list_has_any(taxa, [{string_list(taxa)}])"
        rows = self.con.execute(
            f"SELECT id, symbol, taxon, taxon_label FROM ({self.genes_sql}) "
            f"WHERE {self._literal(where, params)}{in_taxa} ORDER BY id"
        ).fetchall()
        return [Gene(*row) for row in rows]

    def genes_by_id(self, ids: set[str]) -> dict[str, Gene]:
        """The graph's genes among ``ids``, by id: one scan of the nodes for them all, none for no id."""
        if not ids:
            return {}
        rows = self.con.execute(
            f"SELECT id, symbol, taxon, taxon_label FROM ({self.genes_sql}) "
            f"WHERE list_contains([{string_list(sorted(ids))}], id)"
        ).fetchall()
        return {row[0]: Gene(*row) for row in rows}

    def discontinued(self, where: str, params: list, taxa: list[str] | None = None) -> list[Discontinued]:
        """The discontinued GeneIDs that satisfy ``where`` (over id, symbol, current), of one of ``taxa`` when
        given, in GeneID order, each with its current gene as the graph has it.

        The current genes are read after the mapping set's rows, and only when there are any: most answers have
        none, and a lookup by id scans the nodes (string statistics keep only a prefix, 'NCBIGene', so the
        order by id prunes nothing).
        """
        if self.history_sql is None:
            return []
        in_taxa = "" if taxa is None else f" AND taxon IN ({string_list(taxa)})"
        rows = self.con.execute(
            f"SELECT id, symbol, date, taxon, current, comment FROM ({self.history_sql}) "
            f"WHERE {self._literal(where, params)}{in_taxa} ORDER BY CAST(split_part(id, ':', 2) AS BIGINT)"
        ).fetchall()
        genes = self.genes_by_id({row[4] for row in rows} - {NO_TERM_FOUND})
        return [
            Discontinued(
                gene_id,
                symbol,
                date,
                taxon,
                self.labels.get(taxon or ""),
                None if current == NO_TERM_FOUND else genes.get(current, Gene(current, in_graph=False)),
                comment,
            )
            for gene_id, symbol, date, taxon, current, comment in rows
        ]


def _gene_id(query: str) -> str | None:
    """'7157' or 'NCBIGene:7157' (any case of the prefix) -> 'NCBIGene:7157'; None for anything else."""
    found = re.fullmatch(rf"(?:{GENE}:)?([0-9]+)", query.strip(), re.IGNORECASE)
    return f"{GENE}:{found[1]}" if found else None


def resolve(query: str, taxon: str | None = None, out_dir: Path = Path("output")) -> Resolution:
    """Tell whether a GeneID or symbol names a current gene of the built graph, what replaced it and when.

    A GeneID (``7157`` or ``NCBIGene:7157``) is looked up among the graph's genes, then among the discontinued
    GeneIDs of table ``gene_history``. A symbol is matched against current symbols, synonyms and the symbols of
    discontinued GeneIDs (exactly, else ignoring case). Within a taxon the first of these kinds that matches
    decides (a current symbol over a synonym); when the matches name more than one gene, in one taxon or across
    taxa, the answer is ``ambiguous`` with every candidate listed, never a guess. ``taxon`` (a tax_id or a name
    from config/taxa.yaml, several separated by commas) limits the genes considered.

    Raises:
        UserError: no graph database in ``out_dir``, or an unknown taxon.
    """
    taxa = None
    tax_ids = [t.strip() for t in (taxon or "").split(",")]
    if taxon and all(t.isdigit() for t in tax_ids):  # tax_ids need no config
        taxa = [f"{NCBITAXON}:{t}" for t in tax_ids]
    elif taxon:
        from ncbi_gene_kg.taxa import load_scope  # only for taxon names: yaml costs a fresh process 0.1 s

        taxa = [f"{NCBITAXON}:{t}" for t in (load_scope(taxon).tax_ids or [])]
    graph = _Graph(out_dir)
    try:
        return _answer(graph, Resolution(query, taxon, "not found"), taxa, out_dir)
    finally:
        graph.close()


def _answer(graph: _Graph, resolution: Resolution, taxa: list[str] | None, out_dir: Path) -> Resolution:
    """Fill in ``resolution`` for its query from ``graph``: a GeneID, else an accession, else a symbol."""
    query = resolution.query
    gene_id = _gene_id(query)
    if gene_id:
        genes = graph.genes("id = ?", [gene_id], taxa)
        if genes:
            resolution.status, resolution.answer = "current", Match("GeneID", gene=genes[0])
            resolution.replaced = graph.discontinued("current = ?", [gene_id])
            return resolution
        for record in graph.discontinued("id = ?", [gene_id], taxa):
            resolution.status = "replaced" if record.current else "discontinued"
            resolution.answer = Match("GeneID", discontinued=record)
        return resolution
    if _accession(graph, resolution, taxa, out_dir):
        return resolution
    return _symbol(graph, resolution, taxa)


def _accession(graph: _Graph, resolution: Resolution, taxa: list[str] | None, out_dir: Path) -> bool:
    """Answer ``resolution`` as a sequence accession from the lookup table; False when there is no table (built
    without ``--accessions``) or the query is no accession it has."""
    if not (out_dir / ACCESSIONS_FILE).is_file():
        return False
    from ncbi_gene_kg.accessions import MAX_CANDIDATES, accession_matches

    accession = accession_matches(out_dir, resolution.query, taxa)
    if accession is None:
        return False
    how, hits = accession
    listed = hits[:MAX_CANDIDATES]
    genes = graph.genes_by_id({gene_id for gene_id, _ in listed})
    # a gene gene2accession names that is no node of the graph: its id and the taxon gene2accession gives
    found = [
        genes.get(gene_id)
        or Gene(gene_id, None, f"{NCBITAXON}:{tax}", graph.labels.get(f"{NCBITAXON}:{tax}"), in_graph=False)
        for gene_id, tax in listed
    ]
    if len(hits) > 1:
        resolution.status, resolution.more = "ambiguous", len(hits) - len(found)
        resolution.candidates = [Match(how, gene=g) for g in found]
    else:
        resolution.status, resolution.answer = "current", Match(how, gene=found[0])
        resolution.replaced = graph.discontinued("current = ?", [found[0].id])
    return True


def _symbol(graph: _Graph, resolution: Resolution, taxa: list[str] | None) -> Resolution:
    """Answer ``resolution`` as a symbol: current symbols, synonyms, discontinued symbols; exactly, else in any
    case; in each taxon the first kind that matches counts."""
    symbol = resolution.query.strip()
    for compare, synonyms in (
        ("symbol = ?", "list_contains(synonym, ?)"),
        ("lower(symbol) = lower(?)", "list_contains(list_transform(synonym, lambda s: lower(s)), lower(?))"),
    ):
        tiers = [
            [Match("symbol", gene=g) for g in graph.genes(compare, [symbol], taxa)],
            [Match("synonym", gene=g) for g in graph.genes(synonyms, [symbol], taxa)],
            [Match("discontinued symbol", discontinued=d) for d in graph.discontinued(compare, [symbol], taxa)],
        ]
        matches = [m for tier in tiers for m in tier]
        if matches:
            break
    else:
        return resolution
    # In each taxon, the matches of the first kind (symbol, synonym, discontinued symbol) that has any.
    best: dict[str | None, int] = {}
    for rank, tier in enumerate(tiers):
        for match in tier:
            best.setdefault(match.taxon, rank)
    chosen = [m for rank, tier in enumerate(tiers) for m in tier if best[m.taxon] == rank]
    others = [m for m in matches if m not in chosen]
    if len({m.key for m in chosen}) > 1:
        resolution.status, resolution.candidates, resolution.also = "ambiguous", chosen, others
        return resolution
    answer = chosen[0]
    resolution.answer = answer
    resolution.also = [m for m in matches if m.key != answer.key]
    if answer.gene is not None:
        resolution.status = "current"
        resolution.replaced = graph.discontinued("current = ?", [answer.gene.id])
    else:
        resolution.status = "replaced" if answer.discontinued and answer.discontinued.current else "discontinued"
    return resolution
