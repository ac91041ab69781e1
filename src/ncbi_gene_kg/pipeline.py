"""Run every transform whose NCBI file is present, through Koza, into a staging folder.

Sources are the Koza configs in config/ (sources.py); each config's ``name`` is the NCBI file name it
reads, and its transform field ``also_reads`` names other NCBI files it joins (gene2refseq reads
gene_refseq_uniprotkb_collab): they are found in DATA the same way and passed to the transform as
``also_read_files`` ({name: [paths]}); a transform runs only when all are present.
The build (build.py) runs them into its own build folder; publish.py makes that folder OUT's graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from koza.runner import KozaRunner
from koza.utils.exceptions import CountValidationError

from ncbi_gene_kg.accounting import RowAccount
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR, SAMPLE_DIR
from ncbi_gene_kg.sources import NcbiSource, discover_sources
from ncbi_gene_kg.stages import Stages
from ncbi_gene_kg.taxa import TaxonScope

TRANSFORMS_DIR = "transforms"


@dataclass
class TransformRun:
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
            raise UserError(f"input directory {data_dir} does not exist (run `make download`, or omit DATA "
                            "to use the bundled sample)")
        return data_dir, False
    default = Path("data")
    if default.is_dir() and any(find_inputs(default, s.name) for s in sources):
        return default, False
    return SAMPLE_DIR, True


def run_transform(source: NcbiSource, inputs: list[Path], out_dir: Path, scope: TaxonScope,
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


def run_transforms(out_dir: Path, scope: TaxonScope, data_dir: Path | None = None, extra_fields: dict | None = None,
                   stages: Stages | None = None, on_start: Callable[[NcbiSource, list[Path]], None] | None = None,
                   config_dir: Path = CONFIG_DIR) -> BuildResult:
    """Run every transform whose input is present in DATA, writing into ``out_dir``; one stage each."""
    sources = discover_sources(config_dir)
    data_dir, used_sample = choose_data_dir(data_dir, sources)
    result = BuildResult(data_dir, used_sample, scope)
    stages = stages or Stages()
    out_dir.mkdir(parents=True, exist_ok=True)
    for source in sources:
        inputs = find_inputs(data_dir, source.name)
        also_inputs = {name: find_inputs(data_dir, name) for name in source.also_read_names}
        missing = [name for name, paths in also_inputs.items() if not paths]
        if not inputs or missing:
            result.skipped.append(f"{source.name} (needs {', '.join(missing)})" if inputs else source.name)
            continue
        if on_start:
            on_start(source, inputs + [p for paths in also_inputs.values() for p in paths])
        with stages.stage(f"transform {source.name}"):
            result.runs.append(run_transform(source, inputs, out_dir, scope, extra_fields, also_inputs))
    if not result.runs:
        needs = [s for s in result.skipped if "(needs" in s]
        raise UserError(f"no NCBI Gene input files in {data_dir}" + (f"; found but skipped: {', '.join(needs)}"
                                                                    if needs else ""))
    return result
