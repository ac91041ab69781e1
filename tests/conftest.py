"""Shared test helpers: run a Koza transform on real rows and read its KGX output; merge transforms as the build
does."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from koza.runner import KozaRunner
from rich.console import Console

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.merge import MergeResult
from ncbi_gene_kg.paths import CONFIG_DIR, PROJECT_ROOT, SAMPLE_DIR
from ncbi_gene_kg.taxa import load_scope

# Real NCBI Gene rows carried by the project (origins in tests/data/ncbi/README.md).
REAL_DATA = PROJECT_ROOT / "tests" / "data" / "ncbi"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "neo4j: needs Java and Maven to run a real Neo4j server")
    config.addinivalue_line("markers", "large: whole real files through the whole build (deselect: -m 'not large')")


def read_kgx(path: Path) -> list[dict[str, str]]:
    """Rows of a KGX TSV file ('' for empty cells); [] when the file does not exist."""
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass
class TransformOutput:
    nodes: list[dict[str, str]]
    edges: list[dict[str, str]]
    account: RowAccount

    def node(self, node_id: str) -> dict[str, str]:
        (found,) = [n for n in self.nodes if n["id"] == node_id]
        return found


def in_graph_order(edges: list[dict[str, str]]) -> list[dict[str, str]]:
    """Edges in the order the graph and every file of it has them: by subject, predicate, object, id."""
    return sorted(edges, key=lambda e: (e["subject"], e["predicate"], e["object"], e["id"]))


def edge_id(
    subject: str, predicate: str, obj: str, source: str = "infores:ncbi-gene", negated: bool = False, **qualifiers: str
) -> str:
    """An edge's id as docs/merge.md defines it, computed here without the project's SQL: the MD5 of subject,
    predicate, object, primary knowledge source, 'true' or '' for the negation, and each qualifier with a
    value as name=value (by name), joined by U+001F."""
    key = [subject, predicate, obj, source, "true" if negated else ""]
    key += [f"{name}={value}" for name, value in sorted(qualifiers.items()) if value]
    return "urn:md5:" + hashlib.md5("\x1f".join(key).encode()).hexdigest()


def run_koza(source: str, inputs: list[Path], out_dir: Path, **extra_fields: str) -> TransformOutput:
    """Run config/<source>.yaml through Koza on ``inputs`` with transform fields (e.g. taxa='all')."""
    overrides = {"transform": {"extra_fields": extra_fields}} if extra_fields else None
    _, runner = KozaRunner.from_config_file(
        str(CONFIG_DIR / f"{source}.yaml"),
        output_dir=str(out_dir),
        input_files=[str(p) for p in inputs],
        overrides=overrides,
    )
    runner.run()
    return TransformOutput(
        read_kgx(out_dir / f"{source}_nodes.tsv"),
        read_kgx(out_dir / f"{source}_edges.tsv"),
        RowAccount.from_dict(runner.transform_metadata["row_accounting"]),
    )


def merge_sources(
    work: Path, inputs: dict[str, list[Path]], taxa: str = "default", **options: Any
) -> tuple[duckdb.DuckDBPyConnection, MergeResult]:
    """Run the transforms of ``inputs`` ({source: files}; files a source also reads are found beside them) into a
    build database in ``work`` and merge them, as the build does; returns the connection (its default database
    the graph's, tables ``nodes`` and ``edges``) and what the merge did."""
    from ncbi_gene_kg.ingest import run_transform
    from ncbi_gene_kg.merge import merge
    from ncbi_gene_kg.pipeline import find_inputs
    from ncbi_gene_kg.scan import connect
    from ncbi_gene_kg.sources import sources_by_name, transform_of

    con = connect(work / "spill")
    scope = load_scope(taxa)
    for name, paths in inputs.items():
        source = sources_by_name()[name]
        files = {name: paths} | {f.name: find_inputs(paths[0].parent, f.name) for f in source.also_reads}
        run_transform(con, transform_of(source), source, files, scope, {"taxa": taxa, **options})
    con.execute(f"ATTACH '{work / 'graph.duckdb'}' AS graph")
    result = merge(con, "graph")
    con.execute("USE graph")
    return con, result


def quiet_build(data: Path | None, out: Path, **options: Any) -> None:
    """`ncbi-gene-kg transform` in this process on ``data`` (None: data/ or the bundled sample) into ``out``,
    default scope, its terminal output discarded; ``options`` are run_build's keywords (jobs, formats, …)."""
    from ncbi_gene_kg.build import run_build

    run_build(
        data, out, "default", "both", 0.01, Console(file=io.StringIO(), width=200), time.perf_counter(), **options
    )


def sample_data(tmp_path: Path, *names: str) -> Path:
    """A DATA folder (``tmp_path``/data) holding copies of these files of the bundled sample."""
    data = tmp_path / "data"
    data.mkdir()
    for name in names:
        shutil.copy(SAMPLE_DIR / name, data / name)
    return data


def write_rows(path: Path, header: str, rows: list[str]) -> Path:
    """Write a header and rows (gzip when the name ends in .gz)."""
    text = "\n".join([header, *rows]) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        path.write_text(text)
    return path


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real NCBI files the tests read (tests/data/ncbi)."""
    return REAL_DATA
