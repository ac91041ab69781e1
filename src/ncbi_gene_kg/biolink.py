"""The pinned Biolink model, offline.

The biolink-model package ships the schema YAML and the prefix map, so everything that needs the
model (our checks, kgx's Validator, bmt's Toolkit) reads it from there. The facts the build looks up
(multivalued slots, ranges, categories, predicates) come from tables generated from that schema
(generated/, scripts/generate_tables.py): loading the model takes about 2 s, and only kgx's Validator
needs it whole. kgx and bmt would otherwise
fetch the schema, the predicate map and three JSON-LD contexts from GitHub at import time;
``use_offline_model()`` must run before ``import kgx`` and points all of them at the local copies.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from ncbi_gene_kg.tables import load_table

if TYPE_CHECKING:
    from bmt import Toolkit
    from linkml_runtime.utils.schemaview import SchemaView

BIOLINK_VERSION = version("biolink-model")
SCHEMA_PATH = Path(str(resources.files("biolink_model") / "schema" / "biolink_model.yaml"))
PREFIX_MAP_PATH = Path(str(resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json"))


@cache
def prefix_map() -> dict[str, str]:
    """Biolink's own prefix map (prefix -> URI prefix) from the pinned biolink-model package."""
    prefixes: dict[str, str] = json.loads(PREFIX_MAP_PATH.read_text())
    return prefixes


@cache
def toolkit() -> Toolkit:
    """bmt's Toolkit over the pinned schema, offline; kgx's Validator is given the same one (share_toolkit)."""
    use_offline_model()
    from bmt import Toolkit

    return Toolkit()


@cache
def schema_view() -> SchemaView:
    """A linkml SchemaView over the pinned schema: the Toolkit's, so the model is loaded once (about a second)."""
    return toolkit().view


def share_toolkit() -> None:
    """Make kgx use :func:`toolkit` instead of loading the model again (about 2 s each time).

    kgx keeps its default Toolkit in a module global (``kgx.utils.kgx_utils._default_toolkit``) and offers no
    setter; and importing that module builds another Toolkit (``kgx_utils.tk``), so while it is imported a
    Toolkit is made as a copy of ours (the same SchemaView). The pinned kgx version is tested with this.
    """
    from bmt import Toolkit

    shared = toolkit()
    if "kgx.utils.kgx_utils" not in sys.modules:
        load = Toolkit.__init__

        def copy(self: Toolkit, *args: object, **kwargs: object) -> None:
            """Toolkit.__init__ while kgx is imported: share our Toolkit's state instead of parsing the model."""
            self.__dict__.update(shared.__dict__)

        Toolkit.__init__ = copy
        try:
            import kgx.utils.kgx_utils  # noqa: F401
        finally:
            Toolkit.__init__ = load
    import kgx.utils.kgx_utils as kgx_utils

    kgx_utils._default_toolkit = shared


@cache
def _slots() -> dict[str, dict[str, str]]:
    """KGX property name ('xref', 'actively_involved_in') -> its slot's facts (generated/biolink_slots.tsv)."""
    return {row["slot"]: row for row in load_table("biolink_slots", generated=True)}


@cache
def _classes() -> dict[str, dict[str, str]]:
    """'biolink:GeneToGoTermAssociation' -> the class's facts (generated/biolink_classes.tsv)."""
    return {row["class"]: row for row in load_table("biolink_classes", generated=True)}


def is_predicate(curie: str) -> bool:
    """True when ``curie`` names a predicate (a slot descending from 'related to') in the pinned model.

    >>> is_predicate("biolink:orthologous_to"), is_predicate("biolink:name")
    (True, False)
    """
    slot = _slots().get(curie.removeprefix("biolink:")) if curie.startswith("biolink:") else None
    return slot is not None and slot["predicate"] == "true"


def is_category(curie: str) -> bool:
    """True when ``curie`` names a class descending from 'named thing' or 'association'.

    >>> is_category("biolink:Gene"), is_category("biolink:GeneOrGeneProduct")
    (True, False)
    """
    found = _classes().get(curie)
    return found is not None and found["category"] == "true"


def category_ancestors(curie: str) -> list[str]:
    """The class and its is_a ancestors as Biolink CURIEs, most specific first (mixins left out).

    >>> category_ancestors("biolink:Gene")[:3]
    ['biolink:Gene', 'biolink:BiologicalEntity', 'biolink:NamedThing']
    """
    return _classes()[curie]["ancestors"].split("|")


@cache
def use_offline_model() -> None:
    """Make bmt and kgx use the pinned, packaged Biolink model instead of fetching it.

    Idempotent. Call before the first ``import kgx``: kgx builds a Toolkit at import time.
    """
    import bmt.toolkit
    import kgx.config as kgx_config  # kgx.config itself does no network I/O

    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(SCHEMA_PATH), {"predicate mappings": []})
    context = {"@context": prefix_map()}
    for name in ("biolink", "monarch_context", "obo_context"):
        kgx_config.jsonld_context_map[name] = context["@context"]


@cache
def is_slot(kgx_property: str) -> bool:
    """True when a KGX property ('xref', 'negated', …) is a slot of the pinned model.

    >>> is_slot("in_taxon_label"), is_slot("chromosome")
    (True, False)
    """
    return kgx_property in _slots()


def is_multivalued(kgx_property: str) -> bool:
    """True when a KGX property ('xref', 'in_taxon', …) is a multivalued slot in the pinned model.

    >>> is_multivalued("xref"), is_multivalued("name")
    (True, False)
    """
    slot = _slots().get(kgx_property)
    return slot is not None and slot["multivalued"] == "true"


def slot_range(kgx_property: str) -> str | None:
    """The range of a KGX property's slot in the pinned model ('boolean', 'string', a class…), or None.

    >>> slot_range("negated"), slot_range("not_a_slot")
    ('boolean', None)
    """
    slot = _slots().get(kgx_property)
    return slot["range"] or None if slot else None
