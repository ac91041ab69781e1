"""The graph of the bundled sample, built in an empty folder (so that it reads the bundled sample, as
`make transform` does on a fresh clone, whatever the checkout's data/ holds); once per test session for the
tests that share the default build (report, card, …)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any


def build_sample(work: Path, **options: Any) -> Path:
    """Run the `transform` command on the bundled sample into ``work/output`` (``options``: run_build's)."""
    from conftest import quiet_build

    work.mkdir(parents=True, exist_ok=True)
    out = work / "output"
    cwd = os.getcwd()
    os.chdir(work)
    try:
        quiet_build(None, out, **options)
    finally:
        os.chdir(cwd)
    return out


@cache
def build_sample_graph(base: Path) -> Path:
    """The default build of the bundled sample, in ``base/sample-graph/output``, once per session."""
    return build_sample(base / "sample-graph")
