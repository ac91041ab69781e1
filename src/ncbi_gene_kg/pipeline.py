"""Run every transform whose NCBI file is present, through Koza, into a staging folder.

Sources are the Koza configs in config/ (sources.py); each config's ``name`` is the NCBI file name it
reads, and its transform field ``also_reads`` names other NCBI files it joins (gene2refseq reads
gene_refseq_uniprotkb_collab): they are found in DATA the same way and passed to the transform as
``also_read_files`` ({name: [paths]}); a transform runs only when all are present.
The build (build.py) runs them into its own build folder; publish.py makes that folder OUT's graph.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from koza.runner import KozaRunner
from koza.utils.exceptions import CountValidationError

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.scan import MEMORY_SHARE
from ncbi_gene_kg.sources import NcbiSource, discover_sources
from ncbi_gene_kg.stages import Stages, StageTime
from ncbi_gene_kg.taxa import TaxonScope

TRANSFORMS_DIR = "transforms"


@dataclass
class TransformRun:
    """One transform's run: its config, the files it read, their accounting and its node and edge counts."""

    source: NcbiSource
    inputs: list[Path]
    account: RowAccount
    nodes: int
    edges: int
    also_accounts: list[RowAccount] = field(default_factory=list)

    @property
    def accounts(self) -> list[RowAccount]:
        """The row accounting of every file read: the config's own file, then each of ``also_reads``."""
        return [self.account, *self.also_accounts]


@dataclass
class BuildResult:
    """The transform stage of a build: where the inputs came from, the scope, the runs and what was skipped."""

    data_dir: Path
    used_sample: bool
    scope: TaxonScope
    runs: list[TransformRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


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
    """Transforms run at once by default: two where there are two cores (DuckDB loads a file on one thread)."""
    return min(2, os.cpu_count() or 1)


def run_transforms(
    out_dir: Path,
    scope: TaxonScope,
    data_dir: Path | None = None,
    extra_fields: dict | None = None,
    stages: Stages | None = None,
    on_start: Callable[[NcbiSource, list[Path]], None] | None = None,
    config_dir: Path = CONFIG_DIR,
    jobs: int = 1,
) -> BuildResult:
    """Run every transform whose input is present in DATA, writing into ``out_dir``; one stage each.

    With ``jobs`` > 1 the transforms run in that many worker processes, largest input first; the
    results keep the configs' order, so the outputs do not depend on which finished first.
    """
    sources = discover_sources(config_dir)
    data_dir, used_sample = choose_data_dir(data_dir, sources)
    result = BuildResult(data_dir, used_sample, scope)
    stages = stages or Stages()
    out_dir.mkdir(parents=True, exist_ok=True)
    planned: list[Planned] = []
    needs: list[str] = []  # present, but without a file it joins
    for source in sources:
        inputs = find_inputs(data_dir, source.name)
        also_inputs = {name: find_inputs(data_dir, name) for name in source.also_read_names}
        missing = [name for name, paths in also_inputs.items() if not paths]
        if inputs and missing:
            needs.append(f"{source.name} (needs {', '.join(missing)})")
        if not inputs or missing:
            result.skipped.append(needs[-1] if inputs else source.name)
            continue
        planned.append(Planned(source, inputs, also_inputs, out_dir, scope, extra_fields or {}))
    if not planned:
        raise UserError(
            f"no NCBI Gene input files in {data_dir}" + (f"; found but skipped: {', '.join(needs)}" if needs else "")
        )
    if jobs <= 1 or len(planned) == 1:
        for job in planned:
            if on_start:
                on_start(job.source, job.files)
            with stages.stage(f"transform {job.source.name}"):
                result.runs.append(job.run())
        return result
    for job in planned:
        if on_start:
            on_start(job.source, job.files)
    largest_first = sorted(planned, key=lambda j: -sum(p.stat().st_size for p in j.files))
    with ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init, initargs=(jobs,)
    ) as pool:
        futures = {job.source.name: pool.submit(_timed, job) for job in largest_first}
        done = [futures[job.source.name].result() for job in planned]
    for run, stage in done:
        result.runs.append(run)
        stages.done.append(stage)
    return result


@dataclass(frozen=True)
class Planned:
    """One transform to run: its config, its files, where it writes, and its transform fields."""

    source: NcbiSource
    inputs: list[Path]
    also_inputs: dict[str, list[Path]]
    out_dir: Path
    scope: TaxonScope
    extra_fields: dict

    @property
    def files(self) -> list[Path]:
        """Every file the transform reads: its own, then those of ``also_reads``."""
        return self.inputs + [p for paths in self.also_inputs.values() for p in paths]

    def run(self) -> TransformRun:
        """Run the Koza transform in this process, writing ``<out_dir>/<name>_nodes.tsv`` / ``_edges.tsv``.

        ``also_inputs`` (the files of the config's ``also_reads``) reach the transform as ``also_read_files``;
        their row accounting comes back in the transform metadata ``also_row_accounting`` (a list).
        """
        fields = {"taxa": self.scope.name, **self.extra_fields}
        if self.also_inputs:
            fields["also_read_files"] = {n: [str(p.resolve()) for p in paths] for n, paths in self.also_inputs.items()}
        try:
            _, runner = KozaRunner.from_config_file(
                str(self.source.path),
                output_dir=str(self.out_dir),
                input_files=[str(p.resolve()) for p in self.inputs],
                overrides={"transform": {"extra_fields": fields}},
            )
        except (OSError, yaml.YAMLError, ValueError, TypeError) as error:
            raise UserError(f"{self.source.path}: cannot load the transform ({error})") from error
        try:
            writer = runner.run()
        except CountValidationError as error:
            raise UserError(f"{self.source.name}: {error} (config {self.source.path})") from error
        metadata = runner.transform_metadata
        account = RowAccount.from_dict(metadata["row_accounting"])
        also_accounts = [RowAccount.from_dict(a) for a in metadata.get("also_row_accounting", [])]
        return TransformRun(self.source, self.files, account, writer.node_count, writer.edge_count, also_accounts)


def _timed(job: Planned) -> tuple[TransformRun, StageTime]:
    """Run ``job`` in a worker process, as one stage (its wall time and the worker's peak memory)."""
    stages = Stages()
    with stages.stage(f"transform {job.source.name}"):
        run = job.run()
    return run, stages.done[0]


def _worker_init(jobs: int) -> None:
    """A worker dies with the build (Linux: PR_SET_PDEATHSIG) and shares DuckDB's memory bound with the others."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    os.environ[MEMORY_SHARE] = str(jobs)
