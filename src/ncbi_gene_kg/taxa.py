"""The taxon scope: which organisms' rows the transforms keep, matched exactly on tax_id."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR

TAXA_CONFIG = CONFIG_DIR / "taxa.yaml"


@dataclass(frozen=True)
class Taxon:
    """A taxon of a scope: its NCBI tax_id, its label, and its per-species gene_info file if NCBI has one."""

    tax_id: int
    label: str
    gene_info_subset: str | None = None


@dataclass(frozen=True)
class TaxonScope:
    """A named set of taxa; ``taxa`` is None for every taxon (TAXA=all)."""

    name: str
    taxa: tuple[Taxon, ...] | None
    known: tuple[Taxon, ...] = ()  # every taxon the config names, for labels

    @property
    def tax_ids(self) -> list[str] | None:
        """The tax_ids as the strings they are in the files, or None for every taxon."""
        return None if self.taxa is None else [str(t.tax_id) for t in self.taxa]

    def labels(self) -> dict[str, str]:
        """tax_id -> scientific name for every taxon the config knows."""
        return {str(t.tax_id): t.label for t in self.known}


def load_scope(spec: str = "default", config_path: Path = TAXA_CONFIG) -> TaxonScope:
    """Resolve a scope: a scope name from the config, ``all``, or a comma-separated list of tax_ids or labels.

    >>> load_scope("9606,Mus musculus").tax_ids
    ['9606', '10090']
    """
    try:
        scopes = yaml.safe_load(config_path.read_text())["scopes"]
        named = {name: tuple(Taxon(**t) for t in taxa) for name, taxa in scopes.items()}
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise UserError(f"{config_path}: not a valid taxon scope file ({error})") from error
    known = tuple({t.tax_id: t for taxa in named.values() for t in taxa}.values())
    spec = spec.strip()
    if spec == "all":
        return TaxonScope("all", None, known)
    if spec in named:
        return TaxonScope(spec, named[spec], known)
    by_label = {t.label.lower(): t for t in known}
    by_id = {str(t.tax_id): t for t in known}
    taxa = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        if item.isdigit():
            taxa.append(by_id.get(item, Taxon(int(item), "")))
        elif item.lower() in by_label:
            taxa.append(by_label[item.lower()])
        else:
            raise UserError(
                f"unknown taxon {item!r}: use a tax_id, a label from {config_path}, "
                f"a scope name ({', '.join(named)}), or 'all'"
            )
    if not taxa:
        raise UserError("empty taxon scope")
    return TaxonScope(spec, tuple(taxa), known)
