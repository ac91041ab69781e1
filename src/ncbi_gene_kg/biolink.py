"""The pinned Biolink model, offline.

The biolink-model package ships the schema YAML and the prefix map, so everything that needs the
model (our checks, kgx's Validator, bmt's Toolkit) reads it from there. kgx and bmt would otherwise
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


def _camel(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in name.split(" "))


@cache
def _classes() -> dict[str, str]:
    """'biolink:GeneToGoTermAssociation' -> the schema's class name, for every class."""
    return {"biolink:" + _camel(name): name for name in schema_view().all_classes()}


@cache
def _slots() -> dict[str, str]:
    """'biolink:actively_involved_in' -> the schema's slot name, for every slot."""
    return {"biolink:" + name.replace(" ", "_"): name for name in schema_view().all_slots()}


def is_predicate(curie: str) -> bool:
    """True when ``curie`` names a predicate (a slot descending from 'related to') in the pinned model."""
    name = _slots().get(curie)
    return name is not None and "related to" in schema_view().slot_ancestors(name)


def is_category(curie: str) -> bool:
    """True when ``curie`` names a class descending from 'named thing' or 'association'."""
    name = _classes().get(curie)
    return name is not None and bool({"named thing", "association"} & set(schema_view().class_ancestors(name)))


def category_ancestors(curie: str) -> list[str]:
    """The class and its is_a ancestors as Biolink CURIEs, most specific first (mixins left out)."""
    return ["biolink:" + _camel(n) for n in schema_view().class_ancestors(_classes()[curie], mixins=False)]


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
def is_multivalued(kgx_property: str) -> bool:
    """True when a KGX property ('xref', 'in_taxon', …) is a multivalued slot in the pinned model."""
    name = _slots().get("biolink:" + kgx_property)
    return bool(name and schema_view().induced_slot(name).multivalued)


@cache
def slot_range(kgx_property: str) -> str | None:
    """The range of a KGX property's slot in the pinned model ('boolean', 'string', a class…), or None.

    >>> slot_range("negated"), slot_range("not_a_slot")
    ('boolean', None)
    """
    name = _slots().get("biolink:" + kgx_property)
    return str(schema_view().induced_slot(name).range) if name else None
