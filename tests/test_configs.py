"""Every source's config, checked the same way: a new NCBI file cannot be half added.

A source is a Koza config in config/ with a ``reader`` (the pipeline discovers sources the same way).
Each must load as Koza 2.7 loads it, name a transform module with the two hooks, have its mapping spec
in docs/sources/<name>.md and its tests in tests/test_<name>.py, and state the facts the pipeline reads
from it (sources.py): its URL and columns for ``make download``, its merge rank, its CURIE properties.
The template of CONTRIBUTING.md (docs/template/) is checked too, and run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import read_kgx
from koza.io.yaml_loader import UniqueIncludeLoader
from koza.model.koza import KozaConfig
from koza.runner import KozaRunner, load_transform

from ncbi_gene_kg import merge
from ncbi_gene_kg.download import load_config
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.ingest import RowRules, classify
from ncbi_gene_kg.paths import CONFIG_DIR, PROJECT_ROOT, SAMPLE_DIR
from ncbi_gene_kg.sources import discover_sources, row_rules, sources_by_name, transform_module
from ncbi_gene_kg.sql import ident
from ncbi_gene_kg.taxa import load_scope

CONFIGS = sorted(p for p in CONFIG_DIR.glob("*.yaml") if "reader" in (yaml.safe_load(p.read_text()) or {}))
TEMPLATE = PROJECT_ROOT / "docs" / "template"


def koza_config(path: Path) -> KozaConfig:
    """The config as ``KozaRunner.from_config_file`` loads it (Koza's YAML loader, then ``KozaConfig``)."""
    with path.open() as fh:
        return KozaConfig(**yaml.load(fh, Loader=UniqueIncludeLoader.with_file_base(str(path))))  # noqa: S506


@pytest.fixture(params=CONFIGS, ids=lambda p: p.stem)
def config_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_there_are_sources() -> None:
    assert len(CONFIGS) >= 10


def test_config_loads_as_a_koza_config(config_path: Path) -> None:
    config = koza_config(config_path)
    assert config.name == config_path.stem, "one name everywhere: config/<name>.yaml has name: <name>"
    assert config.reader is not None and config.reader.files
    assert config.metadata is not None and config.metadata.ingest_url, "metadata.ingest_url: the file's URL"
    assert (
        config.writer.node_properties
        or config.writer.edge_properties
        or (config.writer.max_node_count == 0 and config.writer.max_edge_count == 0)
    )


def test_transform_module_has_the_hooks(config_path: Path) -> None:
    config = koza_config(config_path)
    assert Path(config.transform.code).stem == config.name
    hooks = load_transform(transform_module(sources_by_name()[config.name].code))
    assert set(hooks) == {None}, "one untagged set of hooks"
    assert len(hooks[None].prepare_data) == 1 and len(hooks[None].transform) == 1


@pytest.mark.parametrize("taxa", ["default", "all"])
def test_transform_declares_row_rules_for_every_file_it_reads(config_path: Path, taxa: str) -> None:
    """row_rules (and ALSO_READS_ROW_RULES for the files of also_reads) give RowRules whose every condition
    is SQL over the file's columns: classified in DuckDB, in reading order, on tables of no rows."""
    source = sources_by_name()[config_path.stem]
    rules = row_rules(source, load_scope(taxa), {})
    assert list(rules) == [f.name for f in source.files]
    con = duckdb.connect()
    for file in source.files:
        assert isinstance(rules[file.name], RowRules)
        columns = ", ".join(f"NULL::VARCHAR AS {ident(c)}" for c in file.columns)
        con.execute(
            f"CREATE TABLE {file.name} AS SELECT '' AS _file, 0 AS _line, 0 AS _n_fields, 0 AS _n_columns, {columns} "
            "WHERE false"
        )
        assert rules[file.name].taxon_column in (None, *file.columns)
        assert con.table(classify(con, file.name, rules[file.name])).fetchall() == []
    for file in source.files:  # once every file is classified
        for where in rules[file.name].filtered_after_join.values():
            assert con.execute(f"SELECT count(*) FROM {file.name}_emitted WHERE {where}").fetchone() == (0,)


def test_source_has_its_doc_page_and_tests(config_path: Path) -> None:
    name = config_path.stem
    assert (PROJECT_ROOT / "docs" / "sources" / f"{name}.md").is_file()
    assert f"(docs/sources/{name}.md)" in (PROJECT_ROOT / "README.md").read_text(), "the README's table of sources"
    assert (PROJECT_ROOT / "tests" / f"test_{name}.py").is_file()


def test_source_states_its_facts(config_path: Path) -> None:
    config = koza_config(config_path)
    source = sources_by_name()[config.name]
    download = load_config()
    for file in source.files:
        assert download.files[file.name].path == file.url.removeprefix(download.base_url)
        assert file.header.startswith("#") and len(file.header.split("\t")) == 3
    written = {"node": set(config.writer.node_properties or ()), "edge": set(config.writer.edge_properties or ())}
    for kind, properties in source.curie_properties.items():
        assert set(properties) <= written[kind], f"{kind} curie_properties the writer does not write"
    assert not set(source.preferred_for) - written["node"]


def test_merge_ranks_are_distinct_and_every_source_is_ranked() -> None:
    ranks = [s.merge_rank for s in sources_by_name().values()]
    assert len(set(ranks)) == len(ranks)
    assert sorted(merge.SOURCE_ORDER) == sorted(p.stem for p in CONFIGS)
    assert merge.SOURCE_ORDER[0] == "gene_info"
    assert merge.NODE_PROPERTY_SOURCE_ORDER == {"description": ["gene_summary"]}


def test_a_config_missing_a_fact_is_named(tmp_path: Path) -> None:
    text = (CONFIG_DIR / "gene2go.yaml").read_text().replace("  merge_rank: 3\n", "")
    (tmp_path / "gene2go.yaml").write_text(text)
    with pytest.raises(UserError, match=r"gene2go.yaml: a source config needs .*transform.merge_rank"):
        discover_sources(tmp_path)


def test_template_config_and_hooks_load() -> None:
    config = koza_config(TEMPLATE / "source.yaml")
    # Copied to config/, its transform.code names transforms/<name>.py; here it is beside the config.
    assert config.transform.code == "../transforms/source.py"
    hooks = load_transform(transform_module(TEMPLATE / "source.py"))
    assert len(hooks[None].prepare_data) == 1 and len(hooks[None].transform) == 1


def test_template_runs_on_real_rows(tmp_path: Path) -> None:
    """The template as CONTRIBUTING.md hands it out, on the bundled gene_orthologs rows (its column shape)."""
    _, runner = KozaRunner.from_config_file(
        str(TEMPLATE / "source.yaml"),
        output_dir=str(tmp_path),
        input_files=[str(SAMPLE_DIR / "gene_orthologs.gz")],
        overrides={"transform": {"code": str(TEMPLATE / "source.py")}},
    )
    runner.run()
    account = runner.transform_metadata["row_accounting"]
    assert account["read"] == account["emitted"] + account["out_of_scope_total"] + account["rejected_total"]
    edges = read_kgx(tmp_path / "source_edges.tsv")
    assert len(edges) == account["emitted"] > 0
    assert {e["predicate"] for e in edges} == {"biolink:orthologous_to"}
    assert all(e["id"].startswith("urn:md5:") and e["knowledge_level"] and e["agent_type"] for e in edges)
