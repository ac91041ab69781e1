"""Publishing a build into OUT atomically, and one build at a time.

Each build writes into its own folder, ``OUT/.builds/<id>/``. OUT's graph files are symbolic links
through one link, ``OUT/.current -> .builds/<id>`` (``OUT/ncbi_gene_nodes.tsv -> .current/ncbi_gene_nodes.tsv``),
so publishing is a single atomic rename of ``.current``: a build killed at any moment leaves OUT showing
either the previous graph or the new one, never a mix. Links for files that the new build adds are made
before the switch (until then they lead nowhere, as the file did not exist); links the new build no
longer fills, and older build folders, are removed after it.

A lock (``OUT/.lock``, held with flock, so a killed build releases it) keeps a second build from
writing into the same OUT at the same time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.stages import checkpoint

BUILDS = ".builds"
CURRENT = ".current"
LOCK = ".lock"


@contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """Hold OUT's build lock for the block; raise UserError at once if another build holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / LOCK).open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise UserError(
                f"{out_dir}: another build is writing to this folder ({holder}); wait for it to "
                "finish or choose another --out"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.seek(0)
            lock.truncate()


def new_build_dir(out_dir: Path) -> Path:
    """An empty folder for this build's files (call while holding the lock); removes unpublished leftovers."""
    builds = out_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    for stale in builds.iterdir():
        if stale != _current(out_dir):
            _remove(stale)
    build_dir = builds / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    build_dir.mkdir()
    return build_dir


def publish(build_dir: Path, out_dir: Path) -> None:
    """Make ``build_dir`` OUT's graph in one atomic step (see the module docstring)."""
    names = sorted(p.name for p in build_dir.iterdir())
    if _current(out_dir) is None:
        _adopt_unlinked_files(out_dir, names)
    for name in names:
        _link(out_dir / name, Path(CURRENT) / name)
    checkpoint("publish:switch")
    _link(out_dir / CURRENT, Path(BUILDS) / build_dir.name)
    checkpoint("publish:cleanup")
    for entry in out_dir.iterdir():
        if entry.is_symlink() and entry.name != CURRENT and not entry.exists():
            entry.unlink()
    for old in (out_dir / BUILDS).iterdir():
        if old != build_dir:
            _remove(old)


def discard(build_dir: Path) -> None:
    """Remove an unpublished build's folder."""
    _remove(build_dir)


def _current(out_dir: Path) -> Path | None:
    link = out_dir / CURRENT
    return (out_dir / os.readlink(link)) if link.is_symlink() else None


def _link(path: Path, target: Path) -> None:
    """Point ``path`` at ``target`` atomically (a new link renamed over the old entry)."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    temporary = path.with_name(f".{path.name}.link-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)


def _adopt_unlinked_files(out_dir: Path, names: list[str]) -> None:
    """OUT written by an older version holds plain files: move them into a build folder behind ``.current``.

    Each file is hard-linked (folders are moved) into ``.builds/previous`` and ``.current`` made to point
    there; the plain files are then replaced by links to the same content, so the old graph stays whole.
    """
    plain = [out_dir / name for name in names if (out_dir / name).exists() and not (out_dir / name).is_symlink()]
    previous = out_dir / BUILDS / "previous"
    _remove(previous)
    previous.mkdir(parents=True)
    for path in plain:
        if path.is_dir():
            path.rename(previous / path.name)
        else:
            os.link(path, previous / path.name)
    _link(out_dir / CURRENT, Path(BUILDS) / previous.name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
