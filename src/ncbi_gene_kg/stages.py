"""The stages of a build, each timed (wall seconds) with its peak memory, for the summary and the reports.

Peak memory is the process's resident-set high-water mark during the stage: Linux lets a process reset
it (``/proc/self/clear_refs``), so each stage reports its own peak rather than the build's so far. DuckDB
runs in this process, so its memory is counted.

``NCBI_GENE_KG_PAUSE_AT=<stage>`` stops the process (SIGSTOP) as it reaches that stage, so that a test (or
a person) can inspect the half-built state or kill the build there; ``kill -CONT`` resumes it.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

PAUSE_AT = "NCBI_GENE_KG_PAUSE_AT"
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class StageTime:
    """One stage: its name, wall time and peak resident memory."""

    stage: str
    seconds: float
    peak_rss_mb: int


def checkpoint(stage: str) -> None:
    """Stop here when ``NCBI_GENE_KG_PAUSE_AT`` names this stage (fault tests kill the build at that point)."""
    if os.environ.get(PAUSE_AT) == stage:
        os.kill(os.getpid(), signal.SIGSTOP)


def peak_rss_mb() -> int:
    """The process's peak resident memory since the last :func:`reset_peak` (MB)."""
    try:
        found = re.search(r"^VmHWM:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        found = None
    if found:
        return int(found[1]) // 1024
    import resource  # not Linux: the peak of the whole process

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def reset_peak() -> None:
    """Start a new peak-memory window (Linux; elsewhere the peak stays the process's)."""
    with suppress(OSError):
        _CLEAR_REFS.write_text("5")


@dataclass
class Stages:
    """The stages run so far, in order."""

    done: list[StageTime] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (recorded only when it completes)."""
        checkpoint(name)
        reset_peak()
        started = time.perf_counter()
        yield
        self.done.append(StageTime(name, round(time.perf_counter() - started, 2), peak_rss_mb()))

    def to_list(self) -> list[dict]:
        """The stages as plain JSON-able data (report.json)."""
        return [asdict(s) for s in self.done]
