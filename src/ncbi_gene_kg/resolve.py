"""`ncbi-gene-kg resolve`: is a GeneID, symbol or sequence accession current, what replaced it and when.

Answered from the built output: the nodes, the SSSOM mapping set (sssom.py) and, after
``transform --accessions``, the accession lookup table (accessions.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ncbi_gene_kg.accessions import MAX_CANDIDATES, accession_matches
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.history import GENE, NODES_FILE
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sql import ident, quote, string_list
from ncbi_gene_kg.sssom import NCBITAXON, NO_TERM_FOUND, SSSOM_FILE, TAXON_KEY
from ncbi_gene_kg.taxa import load_scope

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
    """The built output, read with DuckDB: views ``genes`` (from the nodes) and ``history`` (the SSSOM set)."""

    def __init__(self, out_dir: Path):
        nodes, sssom = out_dir / NODES_FILE, out_dir / SSSOM_FILE
        if not nodes.is_file():
            raise UserError(
                f"{nodes} not found: build the graph first (`make transform`, or --out for another output folder)"
            )
        self.con = connect()
        columns = self._columns(nodes)

        def column(name: str) -> str:
            """``name`` quoted as a column of the node file, or NULL if the file lacks it."""
            return ident(name) if name in columns else "NULL"

        symbol = column("symbol") if "symbol" in columns else column("name")
        self.con.execute(f"""
            CREATE TEMP VIEW genes AS
            SELECT id, {symbol} AS symbol, {column("synonym")} AS synonym, {column("in_taxon")} AS taxon,
                   {column("in_taxon_label")} AS taxon_label
            FROM read_csv({quote(str(nodes))}, delim = '\t', quote = '', escape = '', header = true,
                          all_varchar = true)
            WHERE category = 'biolink:Gene'
        """)
        if sssom.is_file():
            skip = self._metadata_lines(sssom)
            self.con.execute(f"""
                CREATE TEMP VIEW history AS
                SELECT subject_id AS id, subject_label AS symbol, object_id AS current, mapping_date AS date,
                       comment, regexp_extract(other, '{TAXON_KEY}([^|]+)', 1) AS taxon
                FROM read_csv({quote(str(sssom))}, delim = '\t', quote = '"', escape = '"', header = true,
                              skip = {skip}, all_varchar = true)
            """)
        else:
            self.con.execute(
                "CREATE TEMP VIEW history AS SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS symbol, "
                "NULL::VARCHAR AS current, NULL::VARCHAR AS date, NULL::VARCHAR AS comment, "
                "NULL::VARCHAR AS taxon WHERE false"
            )
        self.labels = {f"{NCBITAXON}:{t}": label for t, label in load_scope("all").labels().items()}

    @staticmethod
    def _columns(path: Path) -> list[str]:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().rstrip("\n").split("\t")

    @staticmethod
    def _metadata_lines(path: Path) -> int:
        n = 0
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    break
                n += 1
        return n

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

    def genes(self, where: str, params: list) -> list[Gene]:
        """The graph's genes that satisfy ``where`` (``?`` placeholders filled from ``params``), by id."""
        rows = self.con.execute(
            f"SELECT id, symbol, taxon, taxon_label FROM genes WHERE {self._literal(where, params)} ORDER BY id"
        ).fetchall()
        return [Gene(*row) for row in rows]

    def gene(self, gene_id: str) -> Gene:
        """The gene with this id, or a bare Gene marked not in the graph if no node has it."""
        found = self.genes("id = ?", [gene_id])
        return found[0] if found else Gene(gene_id, in_graph=False)

    def discontinued(self, where: str, params: list) -> list[Discontinued]:
        """The SSSOM set's discontinued GeneIDs that satisfy ``where``, in GeneID order, with their current genes."""
        rows = self.con.execute(
            f"SELECT id, symbol, date, taxon, current, comment FROM history WHERE "
            f"{self._literal(where, params)} "
            "ORDER BY CAST(split_part(id, ':', 2) AS BIGINT)"
        ).fetchall()
        return [
            Discontinued(
                gene_id,
                symbol,
                date,
                taxon,
                self.labels.get(taxon or ""),
                None if current == NO_TERM_FOUND else self.gene(current),
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
    GeneIDs of ``ncbi_gene_history.sssom.tsv``. A symbol is matched against current symbols, synonyms and the
    symbols of discontinued GeneIDs (exactly, else ignoring case). Within a taxon the first of these kinds
    that matches decides (a current symbol over a synonym); when the matches name more than one gene, in one
    taxon or across taxa, the answer is ``ambiguous`` with every candidate listed, never a guess. ``taxon``
    (a tax_id or a name from config/taxa.yaml, several separated by commas) limits the genes considered.
    """
    graph = _Graph(out_dir)
    taxa = None
    if taxon:
        taxa = [f"{NCBITAXON}:{t}" for t in (load_scope(taxon).tax_ids or [])]
    in_taxa = "" if taxa is None else f" AND taxon IN ({string_list(taxa)})"
    resolution = Resolution(query, taxon, "not found")
    gene_id = _gene_id(query)
    if gene_id:
        genes = graph.genes(f"id = ?{in_taxa}", [gene_id])
        if genes:
            resolution.status, resolution.answer = "current", Match("GeneID", gene=genes[0])
            resolution.replaced = graph.discontinued("current = ?", [gene_id])
            return resolution
        for record in graph.discontinued(f"id = ?{in_taxa}", [gene_id]):
            resolution.status = "replaced" if record.current else "discontinued"
            resolution.answer = Match("GeneID", discontinued=record)
        return resolution

    accession = accession_matches(out_dir, query, taxa)
    if accession is not None:
        how, hits = accession
        found = [graph.gene(gene_id) for gene_id, _ in hits[:MAX_CANDIDATES]]
        found = [
            g
            if g.in_graph
            else Gene(g.id, None, f"{NCBITAXON}:{tax}", graph.labels.get(f"{NCBITAXON}:{tax}"), in_graph=False)
            for g, (_, tax) in zip(found, hits, strict=False)
        ]
        if len(hits) > 1:
            resolution.status, resolution.more = "ambiguous", len(hits) - len(found)
            resolution.candidates = [Match(how, gene=g) for g in found]
            return resolution
        resolution.status, resolution.answer = "current", Match(how, gene=found[0])
        resolution.replaced = graph.discontinued("current = ?", [found[0].id])
        return resolution

    symbol = query.strip()
    for compare, synonyms in (
        ("{} = ?", "list_contains(string_split(synonym, '|'), ?)"),
        ("lower({}) = lower(?)", "list_contains(string_split(lower(synonym), '|'), lower(?))"),
    ):
        tiers = [
            [Match("symbol", gene=g) for g in graph.genes(compare.format("symbol") + in_taxa, [symbol])],
            [Match("synonym", gene=g) for g in graph.genes(synonyms + in_taxa, [symbol])],
            [
                Match("discontinued symbol", discontinued=d)
                for d in graph.discontinued(compare.format("symbol") + in_taxa, [symbol])
            ],
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
