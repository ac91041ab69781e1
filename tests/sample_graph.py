"""The graph of the bundled sample, built once per test session (the report and card tests share it)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def build_sample_graph(base: Path) -> Path:
    """Run the `transform` command on the bundled sample into ``base/sample-graph/output``.

    The build runs in an empty folder: with no data/ beside it, it reads the bundled sample (as
    `make transform` does on a fresh clone), whatever the checkout's data/ holds.
    """
    from conftest import quiet_build

    work = base / "sample-graph"
    work.mkdir(parents=True, exist_ok=True)
    out = work / "output"
    cwd = os.getcwd()
    os.chdir(work)
    try:
        quiet_build(None, out)
    finally:
        os.chdir(cwd)
    return out
