"""Run every transform whose NCBI file is present, through Koza, into a staging folder.

Sources are the Koza configs in config/ (a YAML file with a ``reader``); each config's ``name`` is
the NCBI file name it reads, and its transform field ``also_reads`` names other NCBI files it joins
(gene2refseq reads gene_refseq_uniprotkb_collab): they are found in DATA the same way and passed to
the transform as ``also_read_files`` ({name: [paths]}); a transform runs only when all are present.
Outputs are written under ``<out>/.staging`` and moved into place only
when the whole build succeeded, so an interrupted or failed run never leaves half a graph in OUT.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from koza.runner import KozaRunner
from koza.utils.exceptions import CountValidationError

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.taxa import TaxonScope

TRANSFORMS_DIR = "transforms"


@dataclass(frozen=True)
class SourceConfig:
    """A Koza config in config/; ``name`` is the NCBI file it reads."""

    name: str
    path: Path
    also_reads: tuple[str, ...] = ()


@dataclass
class TransformRun:
    source: SourceConfig
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
    data_dir: Path
    used_sample: bool
    scope: TaxonScope
    runs: list[TransformRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def discover_sources(config_dir: Path = CONFIG_DIR) -> list[SourceConfig]:
    """Every Koza config in ``config_dir`` (files with a ``reader``), by name."""
    sources = []
    for path in sorted(config_dir.glob("*.yaml")):
        config = yaml.safe_load(path.read_text())
        if isinstance(config, dict) and "reader" in config:
            also_reads = (config.get("transform") or {}).get("also_reads") or ()
            sources.append(SourceConfig(config["name"], path, tuple(also_reads)))
    return sources


def find_inputs(data_dir: Path, name: str) -> list[Path]:
    """The files for one NCBI file name: ``name`` or ``name.gz``, else per-species ``*.name[.gz]`` subsets."""
    for candidate in (data_dir / name, data_dir / f"{name}.gz"):
        if candidate.is_file():
            return [candidate]
    subsets = {p for pattern in (f"*.{name}", f"*.{name}.gz") for p in data_dir.glob(pattern)}
    return sorted(subsets)


def choose_data_dir(data_dir: Path | None, sources: list[SourceConfig]) -> tuple[Path, bool]:
    """The folder to read and whether it is the bundled sample.

    An explicit ``data_dir`` must exist; without one, data/ is used when it holds any input,
    otherwise the bundled sample.
    """
    if data_dir is not None:
        if not data_dir.is_dir():
            raise UserError(f"input directory {data_dir} does not exist (run `make download`, or omit DATA "
                            "to use the bundled sample)")
        return data_dir, False
    default = Path("data")
    if default.is_dir() and any(find_inputs(default, s.name) for s in sources):
        return default, False
    return SAMPLE_DIR, True


def run_transform(source: SourceConfig, inputs: list[Path], out_dir: Path, scope: TaxonScope,
                  extra_fields: dict | None = None, also_inputs: dict[str, list[Path]] | None = None
                  ) -> TransformRun:
    """Run one Koza transform on ``inputs``, writing ``<out_dir>/<name>_nodes.tsv`` / ``_edges.tsv``.

    ``also_inputs`` (the files of the config's ``also_reads``) reach the transform as ``also_read_files``;
    their row accounting comes back in the transform metadata ``also_row_accounting`` (a list).
    """
    fields = {"taxa": scope.name, **(extra_fields or {})}
    if also_inputs:
        fields["also_read_files"] = {name: [str(p.resolve()) for p in paths] for name, paths in also_inputs.items()}
    overrides = {"transform": {"extra_fields": fields}}
    try:
        _, runner = KozaRunner.from_config_file(
            str(source.path), output_dir=str(out_dir), input_files=[str(p.resolve()) for p in inputs],
            overrides=overrides,
        )
    except (OSError, yaml.YAMLError, ValueError, TypeError) as error:
        raise UserError(f"{source.path}: cannot load the transform ({error})") from error
    try:
        writer = runner.run()
    except CountValidationError as error:
        raise UserError(f"{source.name}: {error} (config {source.path})") from error
    metadata = runner.transform_metadata
    account = RowAccount.from_dict(metadata["row_accounting"])
    also_accounts = [RowAccount.from_dict(a) for a in metadata.get("also_row_accounting", [])]
    all_inputs = inputs + [p for paths in (also_inputs or {}).values() for p in paths]
    return TransformRun(source, all_inputs, account, writer.node_count, writer.edge_count, also_accounts)


def build(
    out_dir: Path,
    scope: TaxonScope,
    data_dir: Path | None = None,
    extra_fields: dict | None = None,
    on_start: Callable[[SourceConfig, list[Path]], None] | None = None,
    finalize: Callable[[BuildResult, Path], None] | None = None,
    config_dir: Path = CONFIG_DIR,
) -> BuildResult:
    """Run every transform whose input is present, then ``finalize`` (merge, validate) in staging.

    Staged files replace those in ``out_dir`` only after everything succeeded.
    """
    sources = discover_sources(config_dir)
    data_dir, used_sample = choose_data_dir(data_dir, sources)
    result = BuildResult(data_dir, used_sample, scope)
    staging = out_dir / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / TRANSFORMS_DIR).mkdir(parents=True)
    try:
        for source in sources:
            inputs = find_inputs(data_dir, source.name)
            also_inputs = {name: find_inputs(data_dir, name) for name in source.also_reads}
            missing = [name for name, paths in also_inputs.items() if not paths]
            if not inputs or missing:
                result.skipped.append(f"{source.name} (needs {', '.join(missing)})" if inputs else source.name)
                continue
            if on_start:
                on_start(source, inputs + [p for paths in also_inputs.values() for p in paths])
            result.runs.append(run_transform(source, inputs, staging / TRANSFORMS_DIR, scope, extra_fields,
                                             also_inputs))
        if not result.runs:
            raise UserError(f"no NCBI Gene input files in {data_dir}")
        if finalize:
            finalize(result, staging)
        publish(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def publish(staging: Path, out_dir: Path) -> None:
    """Move every staged file into ``out_dir`` (each by an atomic rename), replacing older ones.

    Per-transform outputs of an earlier build whose input is now absent, and graph files of a format or
    taxon this build did not write, are removed, so the folder never mixes two builds.
    """
    staged = {path.relative_to(staging) for path in staging.rglob("*") if path.is_file()}
    owned = [f"{TRANSFORMS_DIR}/*", "by_taxon/*", "ncbi_gene_nodes.*", "ncbi_gene_edges.*"]
    for stale in (path for pattern in owned for path in out_dir.glob(pattern)):
        if stale.is_file() and stale.relative_to(out_dir) not in staged:
            stale.unlink()
    for relative in sorted(staged):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
