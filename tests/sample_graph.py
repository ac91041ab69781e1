"""The graph of the bundled sample, built once per test session (the report and card tests share it)."""

from __future__ import annotations

import io
import os
import time
from functools import cache
from pathlib import Path

from rich.console import Console


@cache
def build_sample_graph(base: Path) -> Path:
    """Run the `transform` command on the bundled sample into ``base/sample-graph/output``.

    The build runs in an empty folder: with no data/ beside it, it reads the bundled sample (as
    `make transform` does on a fresh clone), whatever the checkout's data/ holds.
    """
    from ncbi_gene_kg.build import run_build

    work = base / "sample-graph"
    work.mkdir(parents=True, exist_ok=True)
    out = work / "output"
    cwd = os.getcwd()
    os.chdir(work)
    try:
        run_build(None, out, "default", "both", 0.01, Console(file=io.StringIO(), width=200), time.perf_counter())
    finally:
        os.chdir(cwd)
    return out
