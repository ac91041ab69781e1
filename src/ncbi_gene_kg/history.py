"""Discontinued GeneIDs: remapping them in the merge, the SSSOM mapping set, and `ncbi-gene-kg resolve`.

The gene_history transform writes ``gene_history_discontinued.tsv`` (:data:`HISTORY_TABLE`) beside its
empty KGX outputs: one row per discontinued GeneID in the taxon scope, with the current id its chain of
replacements ends at (NULL when the chain ends in a GeneID discontinued without replacement). From it:

- :func:`remap_discontinued` rewrites, in the merge's ``node_rows`` / ``edge_rows`` tables and before
  nodes and edges are built, every node id, edge subject/object and xref that names a discontinued GeneID
  (the NCBI files are produced at different times): to the current id, or the row or value is dropped
  when there is none. gene_info's own rows are left as they are. Everything is counted.
- :func:`write_sssom` writes ``ncbi_gene_history.sssom.tsv``: an SSSOM mapping set, one mapping per
  discontinued GeneID to its current id (IAO:0100001 "term replaced by"), or to ``sssom:NoTermFound``.
- :func:`resolve` answers `ncbi-gene-kg resolve` from the built output (the SSSOM file and the nodes).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bioregistry
import duckdb

from ncbi_gene_kg import provenance
from ncbi_gene_kg.accounting import Tally, example_tallies
from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.scan import connect
from ncbi_gene_kg.sql import quote, string_list
from ncbi_gene_kg.taxa import TaxonScope, load_scope

HISTORY_TABLE = "gene_history_discontinued.tsv"
# chain_end: 'current' (current_id is set), 'discontinued' (the chain ends in a GeneID discontinued without
# replacement) or 'loop' (the chain comes back to an id it passed; no current id).
HISTORY_COLUMNS = ["tax_id", "discontinued_id", "discontinued_symbol", "discontinue_date", "replaced_by",
                   "current_id", "via", "chain_end"]
SSSOM_FILE = "ncbi_gene_history.sssom.tsv"
NODES_FILE = "ncbi_gene_nodes.tsv"
GENE = "NCBIGene"
EXEMPT_SOURCE = "gene_info"  # the gene records themselves: never rewritten

# SSSOM: IAO:0100001 "term replaced by" is what OBO ontologies use from an obsolete term to its replacement.
PREDICATE = "IAO:0100001"
NO_TERM_FOUND = "sssom:NoTermFound"
DIRECT = "semapv:UnspecifiedMatching"  # NCBI's own record; how NCBI decided is not stated per row
CHAINED = "semapv:MappingChaining"  # the current id is reached through ids that were discontinued in turn
SSSOM_COLUMNS = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                 "mapping_justification", "mapping_cardinality", "mapping_date", "comment", "other"]
# No published location yet: a URN that names the set; replace with the release URL once there is one.
MAPPING_SET_ID = "urn:ncbi-gene-kg:ncbi_gene_history"
GENE_HISTORY_URL = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_history.gz"
NCBI_LICENSE = "https://www.ncbi.nlm.nih.gov/home/about/policies/"
NCBITAXON = "NCBITaxon"
TAXON_KEY = "in_taxon="  # how the taxon is written in the SSSOM `other` column


def side_output_dir(writer) -> Path:
    """The folder a Koza writer writes its KGX files to (TSVWriter.dirname, JSONLWriter.output_dir)."""
    for attribute in ("dirname", "output_dir"):
        value = getattr(writer, attribute, None)
        if value is not None:
            return Path(value)
    raise TypeError(f"cannot tell the output folder of {type(writer).__name__}")


def load_history(con: duckdb.DuckDBPyConnection, history: Path, table: str = "discontinued_genes") -> bool:
    """Load the gene_history transform's table into temp table ``table``; False when the file is absent.

    Columns: HISTORY_COLUMNS plus ``old`` ('NCBIGene:<discontinued id>') and ``new`` ('NCBIGene:<current
    id>', NULL when there is none).
    """
    if not history.is_file():
        return False
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in HISTORY_COLUMNS) + "}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT '{GENE}:' || discontinued_id AS old, '{GENE}:' || current_id AS new, *
        FROM read_csv({quote(str(history))}, delim = '\t', quote = '', escape = '', header = true,
                      columns = {columns}, auto_detect = false)
    """)
    return True



def remap_discontinued(con: duckdb.DuckDBPyConnection, history: Path) -> dict[str, Tally]:
    """Rewrite discontinued GeneIDs in the merge's ``node_rows`` and ``edge_rows`` (before they are merged).

    ``history`` is the gene_history transform's ``gene_history_discontinued.tsv``; without it nothing
    changes. In every row but gene_info's: a node id, an edge subject or object, or an xref naming a
    discontinued GeneID becomes the current id. A row with no current id is dropped (an xref value is
    left out); so is a node row whose current gene already has a row from the same source (it would only
    conflict with it), a second node row of a source for the same current gene, and an edge whose two
    ends become the same gene. Returns a tally per reason (examples: ``old -> new``).
    """
    if not load_history(con, history):
        return {}
    found: dict[str, Tally] = {}
    found |= _remap_edges(con)
    found |= _remap_nodes(con)
    found |= _remap_xrefs(con)
    found |= example_tallies(con, f"""
        SELECT 'gene_info has a node for a discontinued GeneID (kept; gene_info and gene_history are from '
               || 'different dates)' AS reason, r.id || ' -> ' || coalesce(d.new, '-') AS example
        FROM node_rows r JOIN discontinued_genes d ON d.old = r.id WHERE r._source = '{EXEMPT_SOURCE}'
    """)
    return dict(sorted(found.items()))


def _remap_edges(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE edge_remap AS
        SELECT *, CASE
                   WHEN (old_subject IS NOT NULL AND new_subject IS NULL)
                        OR (old_object IS NOT NULL AND new_object IS NULL)
                       THEN 'edge naming a discontinued GeneID without a current id (dropped)'
                   WHEN coalesce(new_subject, subject) = coalesce(new_object, object)
                       THEN 'edge whose two ends are the same gene once remapped (dropped)'
                   ELSE 'edge naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT e.rid, e._source, e.subject, e.object, s.old AS old_subject, s.new AS new_subject,
                   o.old AS old_object, o.new AS new_object
            FROM (SELECT rowid AS rid, _source, subject, object FROM edge_rows) e
            LEFT JOIN discontinued_genes s ON s.old = e.subject
            LEFT JOIN discontinued_genes o ON o.old = e.object
            WHERE s.old IS NOT NULL OR o.old IS NOT NULL
        )
    """)
    found = example_tallies(con, """
        SELECT _source || ' ' || outcome AS reason,
               subject || ' -> ' || object || CASE WHEN outcome LIKE '%(dropped)' THEN ''
                   ELSE ' as ' || coalesce(new_subject, subject) || ' -> ' || coalesce(new_object, object) END
                   AS example
        FROM edge_remap
    """)
    con.execute("""
        UPDATE edge_rows SET subject = coalesce(m.new_subject, edge_rows.subject),
                             object = coalesce(m.new_object, edge_rows.object)
        FROM edge_remap m WHERE edge_rows.rowid = m.rid AND m.outcome NOT LIKE '%(dropped)'
    """)
    con.execute("DELETE FROM edge_rows WHERE rowid IN (SELECT rid FROM edge_remap WHERE outcome LIKE '%(dropped)')")
    return found


def _remap_nodes(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE node_remap AS
        SELECT *, CASE
                   WHEN new IS NULL THEN 'node row for a discontinued GeneID without a current id (dropped)'
                   WHEN own THEN 'node row for a discontinued GeneID whose current gene has its own row '
                                 || 'from the same source (dropped)'
                   WHEN rank > 1 THEN 'node row for a discontinued GeneID whose current gene has a row for '
                                      || 'a more recently discontinued GeneID (dropped)'
                   ELSE 'node row for a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT r.rid, r._source, d.old, d.new,
                   EXISTS (SELECT 1 FROM node_rows o WHERE o._source = r._source AND o.id = d.new) AS own,
                   row_number() OVER (PARTITION BY r._source, d.new
                                      ORDER BY d.discontinue_date DESC, CAST(d.discontinued_id AS BIGINT) DESC)
                       AS rank
            FROM (SELECT rowid AS rid, _source, id FROM node_rows WHERE _source <> '{EXEMPT_SOURCE}') r
            JOIN discontinued_genes d ON d.old = r.id
        )
    """)
    found = example_tallies(con, "SELECT _source || ' ' || outcome AS reason, "
                                 "old || ' -> ' || coalesce(new, '-') AS example FROM node_remap")
    con.execute("UPDATE node_rows SET id = m.new FROM node_remap m "
                "WHERE node_rows.rowid = m.rid AND m.outcome NOT LIKE '%(dropped)'")
    con.execute("DELETE FROM node_rows WHERE rowid IN (SELECT rid FROM node_remap WHERE outcome LIKE '%(dropped)')")
    return found


def _remap_xrefs(con: duckdb.DuckDBPyConnection) -> dict[str, Tally]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE xref_remap AS
        SELECT x.*, d.old IS NOT NULL AS discontinued, d.new,
               CASE WHEN d.new IS NULL THEN 'xref naming a discontinued GeneID without a current id (left out)'
                    WHEN d.new = x.id THEN 'xref naming a discontinued GeneID of the node itself (left out)'
                    ELSE 'xref naming a discontinued GeneID, remapped to the current id' END AS outcome
        FROM (
            SELECT rid, _source, id, generate_subscripts(parts, 1) AS pos, unnest(parts) AS value
            FROM (SELECT rowid AS rid, _source, id, string_split(xref, '|') AS parts FROM node_rows
                  WHERE _source <> '{EXEMPT_SOURCE}' AND xref LIKE '%{GENE}:%')
        ) x LEFT JOIN discontinued_genes d ON d.old = x.value
    """)
    found = example_tallies(con, "SELECT _source || ' ' || outcome AS reason, id || ': ' || value || ' -> ' || "
                          "coalesce(new, '-') AS example FROM xref_remap WHERE discontinued")
    con.execute("""
        UPDATE node_rows SET xref = f.xref FROM (
            SELECT rid, nullif(string_agg(coalesce(new, value), '|' ORDER BY pos)
                               FILTER (WHERE outcome NOT LIKE '%(left out)' OR NOT discontinued), '') AS xref
            FROM xref_remap GROUP BY rid HAVING bool_or(discontinued)
        ) f WHERE node_rows.rowid = f.rid
    """)
    return found


def _sssom_metadata(build_version: str) -> dict:
    return {
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": build_version,
        "mapping_set_title": "NCBI Gene: discontinued GeneIDs and the GeneIDs that replace them",
        "mapping_set_description": (
            "One mapping per discontinued NCBI GeneID in the taxon scope, from NCBI Gene's gene_history file: "
            "to the current GeneID its chain of replacements ends at, or to sssom:NoTermFound when it was "
            "discontinued without replacement. mapping_date is the Discontinue_Date; `other` gives the taxon."),
        "license": NCBI_LICENSE,
        "mapping_set_source": [GENE_HISTORY_URL],
        "mapping_provider": "https://www.ncbi.nlm.nih.gov/gene",
        "mapping_tool": "ncbi-gene-kg",
        "mapping_tool_version": version("ncbi-gene-kg"),
        "publication_date": build_version,
        "subject_source": provenance.NCBI_GENE,
        "object_source": provenance.NCBI_GENE,
    }


def sssom_curie_map() -> dict[str, str]:
    """Prefixes the mapping set uses beyond SSSOM's built-in ones: NCBIGene and IAO as the Biolink model
    expands them, infores as bioregistry does (the Biolink model has no infores prefix)."""
    biolink = prefix_map()
    return {GENE: biolink[GENE], "IAO": biolink["IAO"], "infores": bioregistry.get_uri_prefix("infores")}


def write_sssom(con: duckdb.DuckDBPyConnection, history: Path, path: Path, build_version: str,
                nodes: str = "nodes") -> int:
    """Write the SSSOM mapping set of discontinued GeneIDs to ``path``; returns how many mappings.

    The metadata block and header come from the sssom library (``write_table`` on the mapping set with its
    metadata and prefix map); the rows are formatted by DuckDB the way that writer formats them (tab
    separated, quoted only where a value holds a tab, quote or newline), since there may be millions.
    Object labels are the current genes' symbols from the merged ``nodes`` table. Writes nothing and returns
    0 when ``history`` does not exist (gene_history was not an input).
    """
    if not load_history(con, history, "sssom_history"):
        return 0
    import pandas as pd
    from curies import Converter
    from sssom.util import MappingSetDataFrame
    from sssom.writers import write_table

    node_columns = con.table(nodes).columns
    symbol = "n.symbol" if "symbol" in node_columns else "n.name" if "name" in node_columns else "NULL"
    rows = con.sql(f"""
        SELECT h.old AS subject_id, h.discontinued_symbol AS subject_label, '{PREDICATE}' AS predicate_id,
               coalesce(h.new, '{NO_TERM_FOUND}') AS object_id, {symbol} AS object_label,
               CASE WHEN h.new IS NOT NULL AND h.via IS NOT NULL THEN '{CHAINED}' ELSE '{DIRECT}' END
                   AS mapping_justification,
               CASE WHEN h.new IS NULL THEN '1:0'
                    WHEN count(*) OVER (PARTITION BY h.new) > 1 THEN 'n:1' ELSE '1:1' END AS mapping_cardinality,
               h.discontinue_date AS mapping_date,
               CASE h.chain_end
                   WHEN 'loop' THEN 'the chain of replacements loops back (' || h.old || ' -> {GENE}:'
                                    || replace(h.via, '|', ' -> {GENE}:') || ' -> ...); no current id'
                   WHEN 'discontinued' THEN CASE WHEN h.replaced_by IS NULL THEN 'discontinued without replacement'
                       ELSE 'replaced by {GENE}:' || replace(h.via, '|', ', then {GENE}:')
                            || ', itself discontinued without replacement' END
                   ELSE CASE WHEN h.via IS NOT NULL THEN 'replaced by {GENE}:' || replace(h.via, '|', ', then {GENE}:')
                             || ', then ' || h.new END
               END AS comment,
               '{TAXON_KEY}{NCBITAXON}:' || h.tax_id AS other
        FROM sssom_history h LEFT JOIN {nodes} n ON n.id = h.new
        ORDER BY CAST(h.discontinued_id AS BIGINT)
    """)
    if rows.columns != SSSOM_COLUMNS:
        raise RuntimeError(f"SSSOM columns {rows.columns} differ from {SSSOM_COLUMNS}")
    converter = Converter.from_prefix_map(sssom_curie_map())
    header = MappingSetDataFrame(df=pd.DataFrame(columns=SSSOM_COLUMNS), converter=converter,
                                 metadata=_sssom_metadata(build_version))
    part = path.with_name(path.name + ".rows")
    rows.write_csv(str(part), sep="\t", header=False, quotechar='"', escapechar='"')
    with path.open("w", encoding="utf-8") as fh:
        write_table(header, fh, condense=False)
    with path.open("ab") as out, part.open("rb") as body:
        shutil.copyfileobj(body, out, 1 << 22)
    part.unlink()
    return con.execute("SELECT count(*) FROM sssom_history").fetchone()[0]


# --- resolve -----------------------------------------------------------------------------------------------

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
        where = self.taxon_label or self.taxon
        text = self.id + (f" {self.symbol}" if self.symbol else "") + (f" ({where})" if where else "")
        if self.current is None:
            if self.comment and self.comment != "discontinued without replacement":
                return f"{text}: discontinued on {self.date}, no current id ({self.comment})"
            return f"{text}: discontinued on {self.date} without replacement"
        return f"{text}: discontinued on {self.date}, replaced by {self.current.describe()}" + (
            f" ({self.comment})" if self.comment else "")


@dataclass
class Match:
    """How a query matched: 'GeneID', 'symbol', 'synonym' or 'discontinued symbol'."""

    matched_by: str
    gene: Gene | None = None
    discontinued: Discontinued | None = None

    @property
    def taxon(self) -> str | None:
        return self.gene.taxon if self.gene is not None else self.discontinued.taxon

    @property
    def key(self) -> str:
        """The gene the match stands for: the current gene, else the discontinued id."""
        if self.gene is not None:
            return self.gene.id
        assert self.discontinued is not None
        return self.discontinued.current.id if self.discontinued.current else self.discontinued.id

    def describe(self) -> str:
        what = self.gene.describe() if self.gene else self.discontinued.describe()
        return f"{what} [{self.matched_by}]"


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
        return {"not found": NOT_FOUND, "ambiguous": AMBIGUOUS}.get(self.status, 0)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def text(self) -> str:
        scope = f" in taxon {self.taxon}" if self.taxon else ""
        if self.status == "not found":
            return f"{self.query}: not found{scope} (neither a GeneID nor a symbol, synonym or discontinued " \
                   "symbol of this graph's genes)"
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
        if self.status == "current":
            lines = [f"{match.gene.describe()}: current" + (
                f" (matched by {match.matched_by})" if match.matched_by != "GeneID" else "")]
        else:
            lines = [match.discontinued.describe() + (
                f" (matched by {match.matched_by})" if match.matched_by != "GeneID" else "")]
        if self.replaced:
            lines.append(f"  it replaced {len(self.replaced)} discontinued GeneID(s):")
            lines += [f"    {d.id}" + (f" {d.symbol}" if d.symbol else "") + f" (discontinued on {d.date})"
                      for d in self.replaced[:20]]
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
            raise UserError(f"{nodes} not found: build the graph first (`make transform`, or --out for another "
                            "output folder)")
        self.con = connect()
        columns = self._columns(nodes)

        def column(name: str) -> str:
            return f'"{name}"' if name in columns else "NULL"

        symbol = column("symbol") if "symbol" in columns else column("name")
        self.con.execute(f"""
            CREATE TEMP VIEW genes AS
            SELECT id, {symbol} AS symbol, {column('synonym')} AS synonym, {column('in_taxon')} AS taxon,
                   {column('in_taxon_label')} AS taxon_label
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
            self.con.execute("CREATE TEMP VIEW history AS SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS symbol, "
                             "NULL::VARCHAR AS current, NULL::VARCHAR AS date, NULL::VARCHAR AS comment, "
                             "NULL::VARCHAR AS taxon WHERE false")
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
        return "".join(part + (quote(str(value)) if i < len(params) else "")
                       for i, (part, value) in enumerate(zip(parts, [*params, None], strict=True)))

    def genes(self, where: str, params: list) -> list[Gene]:
        rows = self.con.execute(f"SELECT id, symbol, taxon, taxon_label FROM genes WHERE "
                                f"{self._literal(where, params)} ORDER BY id").fetchall()
        return [Gene(*row) for row in rows]

    def gene(self, gene_id: str) -> Gene:
        found = self.genes("id = ?", [gene_id])
        return found[0] if found else Gene(gene_id, in_graph=False)

    def discontinued(self, where: str, params: list) -> list[Discontinued]:
        rows = self.con.execute(f"SELECT id, symbol, date, taxon, current, comment FROM history WHERE "
                                f"{self._literal(where, params)} "
                                "ORDER BY CAST(split_part(id, ':', 2) AS BIGINT)").fetchall()
        return [Discontinued(gene_id, symbol, date, taxon, self.labels.get(taxon or ""),
                             None if current == NO_TERM_FOUND else self.gene(current), comment)
                for gene_id, symbol, date, taxon, current, comment in rows]


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
        found = [g if g.in_graph else Gene(g.id, None, f"{NCBITAXON}:{tax}", graph.labels.get(f"{NCBITAXON}:{tax}"),
                                           in_graph=False) for g, (_, tax) in zip(found, hits, strict=False)]
        if len(hits) > 1:
            resolution.status, resolution.more = "ambiguous", len(hits) - len(found)
            resolution.candidates = [Match(how, gene=g) for g in found]
            return resolution
        resolution.status, resolution.answer = "current", Match(how, gene=found[0])
        resolution.replaced = graph.discontinued("current = ?", [found[0].id])
        return resolution

    symbol = query.strip()
    for compare, synonyms in (("{} = ?", "list_contains(string_split(synonym, '|'), ?)"),
                              ("lower({}) = lower(?)", "list_contains(string_split(lower(synonym), '|'), lower(?))")):
        tiers = [
            [Match("symbol", gene=g) for g in graph.genes(compare.format("symbol") + in_taxa, [symbol])],
            [Match("synonym", gene=g) for g in graph.genes(synonyms + in_taxa, [symbol])],
            [Match("discontinued symbol", discontinued=d) for d in graph.discontinued(
                compare.format("symbol") + in_taxa, [symbol])],
        ]
        matches = [m for tier in tiers for m in tier]
        if matches:
            break
    else:
        return resolution
    # In each taxon, the matches of the first kind (symbol, synonym, discontinued symbol) that has any.
    best = {}
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
        resolution.status = "replaced" if answer.discontinued.current else "discontinued"
    return resolution


# --- sequence accessions (gene2accession, `transform --accessions`) -------------------------------------

ACCESSIONS_FILE = "ncbi_gene_accessions.duckdb"
ACCESSION_COLUMNS = {  # gene2accession column -> kind of sequence (NCBI Gene FTP README, section gene2accession)
    "RNA_nucleotide_accession.version": "RNA",
    "protein_accession.version": "protein",
    "genomic_nucleotide_accession.version": "genomic",
    "mature_peptide_accession.version": "mature peptide",
}
GENE2ACCESSION_COLUMNS = ["tax_id", "GeneID", *ACCESSION_COLUMNS, "start_position_on_the_genomic_accession",
                          "end_position_on_the_genomic_accession", "orientation", "assembly"]
# RefSeq (NM_000546, NC_000017) and INSDC accessions (nucleotide U43746, AC060780; protein AAA59989; WGS
# contigs AAAA01000001), with an optional version, and for a genomic accession an optional 1-based position.
ACCESSION_PATTERN = re.compile(
    r"(?P<accession>[A-Z]{2}_[0-9]{5,}|[A-Z][0-9]{5}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{8}|[A-Z]{3}[0-9]{5}"
    r"|[A-Z]{3}[0-9]{7}|[A-Z]{4,6}[0-9]{8,})(?:\.(?P<version>[0-9]+))?(?::(?P<position>[0-9]+))?")
ACCESSION_REJECTED = {
    "GeneID is not a number": "NOT coalesce(regexp_full_match(\"GeneID\", '[0-9]+'), false)",
    "tax_id is not a number": "NOT coalesce(regexp_full_match(\"tax_id\", '[0-9]+'), false)",
}
MAX_CANDIDATES = 20  # genes listed for an accession that names many (a chromosome without a position)


def index_accessions(data_dir: Path, out_dir: Path, scope: TaxonScope) -> dict[str, Any]:
    """Write OUT/ncbi_gene_accessions.duckdb from DATA's gene2accession: every accession of every gene in scope.

    Table ``accessions`` (accession without version, its version, kind, gene, tax_id; one row per distinct
    value, indexed on the accession) and table ``placements`` (a gene's genomic accession.version with its
    0-based inclusive start and end, for positions). The lookup table of `ncbi-gene-kg resolve`, not part of
    the graph. Returns the row accounting (read, emitted, out of scope, rejected by reason).
    """
    from ncbi_gene_kg.accounting import TAXON_OUT_OF_SCOPE, WRONG_COLUMN_COUNT, case_of, tallies
    from ncbi_gene_kg.pipeline import find_inputs
    from ncbi_gene_kg.scan import scan

    paths = find_inputs(data_dir, "gene2accession")
    if not paths:
        raise UserError(f"--accessions: no gene2accession or gene2accession.gz in {data_dir} (fetch "
                        "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2accession.gz into it; `make download` "
                        "leaves it out, it is 4 GB)")
    con = connect(preserve_order=False)
    scan(con, "g2a", paths, GENE2ACCESSION_COLUMNS, scope)
    rejected = {WRONG_COLUMN_COUNT: "_n_fields <> _n_columns"} | ACCESSION_REJECTED
    con.execute(f"CREATE TEMP TABLE g2a_classified AS SELECT *, {case_of(rejected)} AS _rejected FROM g2a")
    emitted = "(SELECT * FROM g2a_classified WHERE _rejected IS NULL)"
    tmp = out_dir / f".{ACCESSIONS_FILE}.part"
    tmp.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    con.execute(f"ATTACH {quote(str(tmp))} AS lookup")
    listed = " UNION ALL ".join(
        f"SELECT split_part(\"{column}\", '.', 1) AS accession, \"{column}\" AS version, '{kind}' AS kind, "
        f"CAST(GeneID AS BIGINT) AS gene, tax_id FROM {emitted} WHERE \"{column}\" IS NOT NULL"
        for column, kind in ACCESSION_COLUMNS.items())
    con.execute(f"CREATE TABLE lookup.accessions AS SELECT DISTINCT * FROM ({listed}) ORDER BY accession, gene")
    con.execute("CREATE INDEX accession_index ON lookup.accessions (accession)")
    con.execute(f"""
        CREATE TABLE lookup.placements AS
        SELECT DISTINCT "genomic_nucleotide_accession.version" AS version,
               CAST(start_position_on_the_genomic_accession AS BIGINT) AS start0,
               CAST(end_position_on_the_genomic_accession AS BIGINT) AS end0,
               CAST(GeneID AS BIGINT) AS gene, tax_id, assembly
        FROM {emitted}
        WHERE "genomic_nucleotide_accession.version" IS NOT NULL
          AND regexp_full_match(start_position_on_the_genomic_accession, '[0-9]+')
          AND regexp_full_match(end_position_on_the_genomic_accession, '[0-9]+')
        ORDER BY version, start0
    """)
    con.execute("CREATE INDEX placement_index ON lookup.placements (version)")
    read, out_of_scope = con.execute("SELECT count(*), count(*) FILTER (WHERE _fields IS NULL) FROM g2a_lines"
                                     ).fetchone()
    account = {
        "files": [p.name for p in paths], "read": read,
        "emitted": con.execute("SELECT count(*) FROM g2a_classified WHERE _rejected IS NULL").fetchone()[0],
        "out_of_scope": {TAXON_OUT_OF_SCOPE: out_of_scope} if out_of_scope else {},
        "rejected": {reason: t.count for reason, t in tallies(
            con, "SELECT _rejected AS reason, _file, _line FROM g2a_classified WHERE _rejected IS NOT NULL").items()},
        "accessions": con.execute("SELECT count(*) FROM lookup.accessions").fetchone()[0],
    }
    con.execute("DETACH lookup")
    con.close()
    tmp.replace(out_dir / ACCESSIONS_FILE)
    return account


def accession_matches(out_dir: Path, query: str, taxa: list[str] | None) -> tuple[str, list[tuple[str, str]]] | None:
    """(how it matched, [(GeneID CURIE, tax_id)]) for an accession query, or None when it is not one or unknown.

    The accession is looked up without its version (``NM_000546.6`` and ``NM_000546`` find the same gene); with
    a position (``NC_000017.11:7668421``, 1-based, on that version) only the genes placed over it count.
    """
    found = ACCESSION_PATTERN.fullmatch(query.strip().upper())
    path = out_dir / ACCESSIONS_FILE
    if not found or not path.is_file():
        return None
    in_taxa = "" if taxa is None else f" AND tax_id IN ({string_list(t.split(':', 1)[1] for t in taxa)})"
    # Values are written into the SQL (quoted; the accession is letters, digits and '_' by the pattern): a
    # query with parameters costs DuckDB's Python binding most of a second the first time, a literal one ms.
    with duckdb.connect(str(path), read_only=True) as con:
        if found["position"]:
            version = found["accession"] + (f".{found['version']}" if found["version"] else "")
            column = "version" if found["version"] else "split_part(version, '.', 1)"
            position = int(found["position"])
            rows = con.execute(f"SELECT DISTINCT gene, tax_id FROM placements WHERE {column} = {quote(version)} "
                               f"AND start0 < {position} AND {position} <= end0 + 1{in_taxa} ORDER BY gene"
                               ).fetchall()
            how = f"position on genomic accession {version}"
        else:
            listed = con.execute("SELECT kind, version, gene, tax_id FROM accessions "
                                 f"WHERE accession = {quote(found['accession'])}{in_taxa}").fetchall()
            rows = sorted({(gene, tax_id) for _, _, gene, tax_id in listed})
            kinds = sorted({kind for kind, _, _, _ in listed})
            versions = sorted({version for _, version, _, _ in listed})
            asked = found["accession"] + (f".{found['version']}" if found["version"] else "")
            how = f"{'/'.join(kinds)} accession {asked}"
            if found["version"] and asked not in versions:
                how += f" (gene2accession has {', '.join(versions)})"
    if not rows:
        return None
    return how, [(f"{GENE}:{gene}", tax_id) for gene, tax_id in rows]
