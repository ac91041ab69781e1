"""The NCBI files the project reads, each described by its own Koza config in config/.

A config with a ``reader`` is a source; its ``name`` is the NCBI file name. Besides what Koza reads,
its ``transform`` section states the facts the rest of the pipeline needs, so that adding a file
means adding its config (CONTRIBUTING.md):

- ``merge_rank``: precedence when two sources give a node different values of a single-valued
  property (1 wins); ``preferred_for``: properties for which this source wins over every rank.
- ``curie_properties``: ``{node: [...], edge: [...]}``, the properties it writes whose values are
  CURIEs (validation checks their prefixes against the registry).
- ``only_with``: a yes/no transform field without which the source is not read (gene2pubmed:
  ``publications``); the build lists the file as present and unused.
- ``also_reads``: other NCBI files the transform joins, each ``{url, columns}``; the source's own
  URL is ``metadata.ingest_url`` and its columns the reader's.
- ``non_biolink_properties``: node properties the transform writes that the Biolink model has no slot for
  (gene_info's ``chromosome`` and ``map_location``), each ``{multivalued, description}``: typed, declared in
  the graph's metadata, the RIG and the validation report, and left out of a ``--biolink-strict`` build.
- ``runs_after``: other sources whose stored tables the transform reads when they are in the build
  (gene_info reads mim2gene_medgen's MIM types); the build runs it once they are done.

Its ``writer`` section declares the node and edge properties the transform writes (the columns of its
tables) and the count guards (``min_node_count``, ``max_edge_count: 0`` for a node-only source), which
the build enforces as Koza does.

The transform module (``transform.code``) states what it does in its ``TRANSFORM``
(:class:`ncbi_gene_kg.ingest.Transform`): the columns it reads, how it classifies rows (``row_rules(scope,
options)`` for its own file and one for each file it also reads; :func:`row_rules` gathers them, for the
reference ingest guide and the config test) and the function that maps the emitted rows to KGX tables.

``make download`` fetches each file from its URL and accepts it when the first line starts with the
header its columns give (see :attr:`NcbiFile.header`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import yaml

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR

if TYPE_CHECKING:
    from ncbi_gene_kg.ingest import RowRules, Transform
    from ncbi_gene_kg.taxa import TaxonScope

HEADER_COLUMNS = 3  # columns of the header checked before a download is accepted
# The writer's count guards (Koza's names): a build fails when a transform's output is outside them.
COUNT_BOUNDS = ("min_node_count", "max_node_count", "min_edge_count", "max_edge_count")


@dataclass(frozen=True)
class NcbiFile:
    """A file of the NCBI Gene FTP site: its name, URL and columns."""

    name: str
    url: str
    columns: tuple[str, ...]

    @property
    def header(self) -> str:
        """The prefix the file's first line must start with: '#' and its first columns, tab-separated.

        >>> NcbiFile("gene2go", "https://x/gene2go.gz", ("tax_id", "GeneID", "GO_ID", "Evidence")).header
        '#tax_id\\tGeneID\\tGO_ID'
        """
        return "#" + "\t".join(self.columns[:HEADER_COLUMNS])


@dataclass(frozen=True)
class NonBiolinkProperty:
    """A node property outside the Biolink model that a source declares (``non_biolink_properties``)."""

    name: str
    source: str
    multivalued: bool
    description: str

    def to_dict(self) -> dict[str, Any]:
        """As graph_metadata.json and the RIG list it."""
        kind = "list of strings" if self.multivalued else "string"
        return {"source": self.source, "type": kind, "description": self.description}


@dataclass(frozen=True)
class NcbiSource:
    """A Koza config in config/ and the facts it states (see the module docstring)."""

    name: str
    path: Path
    file: NcbiFile
    merge_rank: int
    code: Path
    preferred_for: tuple[str, ...] = ()
    curie_properties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    also_reads: tuple[NcbiFile, ...] = ()
    node_properties: tuple[str, ...] = ()
    edge_properties: tuple[str, ...] = ()
    count_bounds: dict[str, int] = field(default_factory=dict)
    only_with: str | None = None
    runs_after: tuple[str, ...] = ()
    non_biolink_properties: tuple[NonBiolinkProperty, ...] = ()

    @property
    def also_read_names(self) -> tuple[str, ...]:
        """The names of the other NCBI files the transform joins."""
        return tuple(f.name for f in self.also_reads)

    @property
    def files(self) -> tuple[NcbiFile, ...]:
        """Every file the transform reads: its own, then those it joins."""
        return (self.file, *self.also_reads)


def discover_sources(config_dir: Path = CONFIG_DIR) -> list[NcbiSource]:
    """Every source config in ``config_dir``, by file name; UserError naming the config when a fact is missing."""
    sources = []
    for path in sorted(config_dir.glob("*.yaml")):
        config = yaml.safe_load(path.read_text())
        if isinstance(config, dict) and "reader" in config:
            sources.append(_source(path, config))
    return sources


@cache
def sources_by_name() -> dict[str, NcbiSource]:
    """The project's sources (config/), by name."""
    return {s.name: s for s in discover_sources()}


def merge_order() -> list[str]:
    """Source names by merge precedence, first first."""
    return [s.name for s in sorted(sources_by_name().values(), key=lambda s: s.merge_rank)]


def property_preferences() -> dict[str, list[str]]:
    """Property -> the sources preferred for it (``preferred_for``), ahead of the merge order."""
    preferred: dict[str, list[str]] = {}
    for name in merge_order():
        for prop in sources_by_name()[name].preferred_for:
            preferred.setdefault(prop, []).append(name)
    return preferred


@cache
def non_biolink_properties() -> dict[str, NonBiolinkProperty]:
    """The node properties outside the Biolink model that the sources declare, by name."""
    return {p.name: p for s in sources_by_name().values() for p in s.non_biolink_properties}


def curie_properties(kind: str) -> list[str]:
    """Every property of ``kind`` (node or edge) that some source fills with CURIEs."""
    return sorted({p for s in sources_by_name().values() for p in s.curie_properties.get(kind, ())})


@cache
def transform_module(code: Path) -> ModuleType:
    """The transform module at ``code``, imported as Koza imports it (its hooks are not run)."""
    spec = importlib.util.spec_from_file_location(f"ncbi_gene_kg_transform_{code.stem}", code)
    if spec is None or spec.loader is None:
        raise UserError(f"{code}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def transform_of(source: NcbiSource) -> Transform:
    """The source's transform: its module's ``TRANSFORM``."""
    found = getattr(transform_module(source.code), "TRANSFORM", None)
    if found is None:
        raise UserError(f"{source.code}: defines no TRANSFORM (see docs/template/source.py)")
    return cast("Transform", found)


def row_rules(source: NcbiSource, scope: TaxonScope, options: Mapping[str, Any]) -> dict[str, RowRules]:
    """Each file the source reads -> the row rules its transform applies, for ``scope`` and the transform fields."""
    transform = transform_of(source)
    rules = {source.name: transform.row_rules(scope, options)}
    return rules | {f.name: transform.also_reads[f.name](scope, options) for f in source.also_reads}


def _source(path: Path, config: dict) -> NcbiSource:
    transform = config.get("transform") or {}
    try:
        own = NcbiFile(config["name"], config["metadata"]["ingest_url"], _columns(config["reader"]["columns"]))
        also = tuple(
            NcbiFile(name, entry["url"], tuple(entry["columns"]))
            for name, entry in (transform.get("also_reads") or {}).items()
        )
        return NcbiSource(
            own.name,
            path,
            own,
            int(transform["merge_rank"]),
            (path.parent / transform["code"]).resolve(),
            tuple(transform.get("preferred_for") or ()),
            {kind: tuple(props) for kind, props in (transform.get("curie_properties") or {}).items()},
            also,
            tuple((config.get("writer") or {}).get("node_properties") or ()),
            tuple((config.get("writer") or {}).get("edge_properties") or ()),
            {k: int(v) for k, v in (config.get("writer") or {}).items() if k in COUNT_BOUNDS and v is not None},
            transform.get("only_with"),
            tuple(transform.get("runs_after") or ()),
            tuple(
                NonBiolinkProperty(name, own.name, bool(entry["multivalued"]), " ".join(entry["description"].split()))
                for name, entry in (transform.get("non_biolink_properties") or {}).items()
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UserError(
            f"{path}: a source config needs name, metadata.ingest_url, reader.columns, transform.code and "
            f"transform.merge_rank; also_reads maps names to {{url, columns}}, non_biolink_properties to "
            f"{{multivalued, description}} ({error!r})"
        ) from error


def _columns(columns: list) -> tuple[str, ...]:
    """Reader columns are names or ``{name: type}``."""
    return tuple(c if isinstance(c, str) else next(iter(c)) for c in columns)
