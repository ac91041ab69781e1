"""Run every transform whose NCBI file is present into the build's database.

Sources are the Koza configs in config/ (sources.py); each config's ``name`` is the NCBI file name it
reads, and its transform field ``also_reads`` names other NCBI files it joins (gene2refseq reads
gene_refseq_uniprotkb_collab): they are found in DATA the same way, and a transform runs only when all
are present. A config whose transform field ``only_with`` names a yes/no field (gene2pubmed:
``publications``) runs only when that field is on; otherwise its file is listed as present and unused,
and not read.

Each transform runs on its own connection (a cursor) to the build's one DuckDB database
(:func:`ncbi_gene_kg.ingest.run_transform`) and stores its nodes and edges there as typed tables, which
the merge reads. Transforms run side by side in threads (DuckDB works outside Python's lock, and the
database's memory bound and threads are shared by all of them), largest input first, except that a
transform whose config's ``runs_after`` names another one in the build starts once that one is done (it
reads that one's tables; those are small and go first); their results keep the configs' order.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.ingest import Options, flag, run_transform
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.sources import NcbiSource, discover_sources, transform_of
from ncbi_gene_kg.stages import Stages, StageTime
from ncbi_gene_kg.taxa import TaxonScope


@dataclass
class TransformRun:
    """One transform's run: its config, the files it read, their accounting and its node and edge counts."""

    source: NcbiSource
    inputs: list[Path]
    accounts: list[RowAccount]
    nodes: int
    edges: int

    @property
    def account(self) -> RowAccount:
        """The row accounting of the config's own file (``accounts`` adds each of ``also_reads``)."""
        return self.accounts[0]


@dataclass
class BuildResult:
    """The transform stage of a build: where the inputs came from, the scope, the runs and what was skipped."""

    data_dir: Path
    used_sample: bool
    scope: TaxonScope
    runs: list[TransformRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # present, but their transform is off


def find_inputs(data_dir: Path, name: str) -> list[Path]:
    """The files for one NCBI file name: ``name`` or ``name.gz``, else per-species ``*.name[.gz]`` subsets."""
    for candidate in (data_dir / name, data_dir / f"{name}.gz"):
        if candidate.is_file():
            return [candidate]
    subsets = {p for pattern in (f"*.{name}", f"*.{name}.gz") for p in data_dir.glob(pattern)}
    return sorted(subsets)


def choose_data_dir(data_dir: Path | None, sources: list[NcbiSource]) -> tuple[Path, bool]:
    """The folder to read and whether it is the bundled sample.

    An explicit ``data_dir`` must exist; without one, data/ is used when it holds any input,
    otherwise the bundled sample.
    """
    if data_dir is not None:
        if not data_dir.is_dir():
            raise UserError(
                f"input directory {data_dir} does not exist (run `make download`, or omit DATA "
                "to use the bundled sample)"
            )
        return data_dir, False
    default = Path("data")
    if default.is_dir() and any(find_inputs(default, s.name) for s in sources):
        return default, False
    return SAMPLE_DIR, True


def default_jobs() -> int:
    """Transforms run at once by default: two where there are two cores (a file's scan is one thread)."""
    return min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class Planned:
    """One transform to run: its config and its files (by NCBI file name: its own, then ``also_reads``)."""

    source: NcbiSource
    files: dict[str, list[Path]]

    @property
    def paths(self) -> list[Path]:
        """Every file the transform reads."""
        return [p for paths in self.files.values() for p in paths]

    def run(self, con: duckdb.DuckDBPyConnection, scope: TaxonScope, options: Options) -> TransformRun:
        """Run the transform on ``con`` (its own cursor of the build database)."""
        tables = run_transform(con, transform_of(self.source), self.source, self.files, scope, options)
        accounts = [tables.account(), *(joined.account() for joined in tables.joined.values())]
        return TransformRun(self.source, self.paths, accounts, tables.stored["node"], tables.stored["edge"])


def plan(data_dir: Path | None, options: Options, config_dir: Path = CONFIG_DIR) -> tuple[list[Planned], BuildResult]:
    """The transforms to run on DATA's files, and the BuildResult that will hold their runs.

    The scope of the result is set by the caller (``run_transforms``)."""
    sources = discover_sources(config_dir)
    data_dir, used_sample = choose_data_dir(data_dir, sources)
    result = BuildResult(data_dir, used_sample, TaxonScope("", None))
    planned: list[Planned] = []
    needs: list[str] = []  # present, but without a file it joins
    for source in sources:
        files = {f.name: find_inputs(data_dir, f.name) for f in source.files}
        missing = [name for name, paths in files.items() if not paths and name != source.name]
        if files[source.name] and missing:
            needs.append(f"{source.name} (needs {', '.join(missing)})")
        if not files[source.name] or missing:
            result.skipped.append(needs[-1] if files[source.name] else source.name)
        elif source.only_with and not flag(options, source.only_with, False):
            result.unused.append(f"{source.name} (present; read only with {source.only_with})")
        else:
            planned.append(Planned(source, files))
    if not planned:
        raise UserError(
            f"no NCBI Gene input files in {data_dir}" + (f"; found but skipped: {', '.join(needs)}" if needs else "")
        )
    return planned, result


def run_transforms(
    con: duckdb.DuckDBPyConnection,
    scope: TaxonScope,
    data_dir: Path | None = None,
    options: Options | None = None,
    stages: Stages | None = None,
    on_start: Callable[[NcbiSource, list[Path]], None] | None = None,
    config_dir: Path = CONFIG_DIR,
    jobs: int = 1,
) -> BuildResult:
    """Run every transform whose input is present in DATA into the database of ``con``; one stage each.

    ``options`` are the transform fields the build sets (taxa is ``scope``'s name). With ``jobs`` > 1 the
    transforms run in that many threads, each on its own cursor, largest input first; the results keep
    the configs' order. A failing transform stops the others (their queries are interrupted).
    """
    options = {"taxa": scope.name, **(options or {})}
    planned, result = plan(data_dir, options, config_dir)
    result.scope = scope
    stages = stages or Stages()
    for job in planned:
        if on_start:
            on_start(job.source, job.paths)
    cursors = {job.source.name: con.cursor() for job in planned}

    def timed(job: Planned) -> tuple[TransformRun, StageTime]:
        """Run ``job`` as one stage (its wall time; the peak memory is the process's, shared by the jobs), once
        the transforms it runs after are done (submitted before it: :func:`start_order`)."""
        for name in job.source.runs_after:
            if name in futures:
                futures[name].result()
        own = Stages()
        with own.stage(f"transform {job.source.name}"):
            run = job.run(cursors[job.source.name], scope, options)
        return run, own.done[0]

    futures: dict[str, Future] = {}
    try:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            for job in start_order(planned):
                futures[job.source.name] = pool.submit(timed, job)
            try:
                wait(futures.values(), return_when=FIRST_EXCEPTION)
                done = [futures[job.source.name].result() for job in planned]
            except BaseException:  # a failed transform, or ^C: the others stop too
                for future in futures.values():
                    future.cancel()
                for cursor in cursors.values():
                    cursor.interrupt()
                raise
    finally:
        for cursor in cursors.values():
            cursor.close()
    for run, stage in done:
        result.runs.append(run)
        stages.done.append(stage)
    return result


def start_order(planned: list[Planned]) -> list[Planned]:
    """The order the transforms start in: those another one runs after first, then largest input first (the
    longest ones start early, so that the last to finish is not a large one started late)."""
    awaited = {name for job in planned for name in job.source.runs_after}
    return sorted(planned, key=lambda j: (j.source.name not in awaited, -sum(p.stat().st_size for p in j.paths)))
