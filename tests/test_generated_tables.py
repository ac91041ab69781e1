"""The generated tables (src/ncbi_gene_kg/generated/) against the pinned packages they are made from.

The build reads Biolink and prefix-registry facts from these tables instead of loading the model (bmt) and
bioregistry on every build; here they are made again from the pinned packages (scripts/generate_tables.py)
and must be identical, and the CURIE prefixes they give must be bioregistry's for every database name the
bundled sample's dbXrefs use.
"""

from __future__ import annotations

import gzip
import importlib.util
from types import ModuleType

import bioregistry
import pytest

from ncbi_gene_kg.biolink import prefix_map
from ncbi_gene_kg.curie import is_known_prefix, resolve
from ncbi_gene_kg.paths import GENERATED_DIR, PROJECT_ROOT, SAMPLE_DIR
from ncbi_gene_kg.tables import load_table


def generate_tables() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_tables", PROJECT_ROOT / "scripts" / "generate_tables.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tables_are_what_the_pinned_packages_give() -> None:
    for name, text in generate_tables().generate().items():
        assert (GENERATED_DIR / name).read_text(encoding="utf-8") == text, f"{name}: run scripts/generate_tables.py"


def sample_dbxref_names() -> list[str]:
    """The database names of the bundled sample's gene_info dbXrefs (MIM, HGNC, Ensembl, ...)."""
    names = set()
    with gzip.open(SAMPLE_DIR / "gene_info.gz", "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            xrefs = line.split("\t")[5]
            names |= {x.split(":", 1)[0] for x in xrefs.split("|") if x != "-"}
    return sorted(names)


def bioregistry_prefix(name: str) -> tuple[str | None, str | None]:
    """The CURIE prefix and pattern bioregistry itself gives a database name (as curie.resolve did before the
    generated table): Biolink's prefix for the resource, else bioregistry's preferred one."""
    overrides = {row["ncbi_db"]: row["bioregistry_prefix"] for row in load_table("dbxref_prefixes")}
    normalized = bioregistry.normalize_prefix(overrides.get(name) or name)
    if normalized is None:
        return None, None
    biolink = [p for p in prefix_map() if bioregistry.normalize_prefix(p) == normalized]
    return (biolink[0] if biolink else bioregistry.get_preferred_prefix(normalized) or normalized), (
        bioregistry.get_pattern(normalized)
    )


@pytest.mark.parametrize("name", sample_dbxref_names())
def test_database_names_resolve_as_bioregistry_does(name: str) -> None:
    found = resolve(name)
    if found.local_is_curie:  # AllianceGenome:HGNC:5 (mappings/dbxref_prefixes.tsv)
        return
    prefix, pattern = bioregistry_prefix(name)
    assert found.prefix == prefix
    assert found.pattern in (pattern, None)  # None: RE2 does not compile the registry's pattern


def test_known_prefixes_are_bioregistry_s_or_biolink_s() -> None:
    for prefix in ["NCBIGene", "OMIM", "refseq", "PMID", "ECO", "infores", "NOSUCH", "GO", "UniProtKB", "HGNC", "FOO"]:
        expected = prefix in prefix_map() or bioregistry.normalize_prefix(prefix) is not None
        assert is_known_prefix(prefix) == expected, prefix
