"""A build killed at any point leaves OUT with the previous graph or the new one, never a mix; one build at a time.

Real builds run as separate processes, on three of the bundled sample's files (gene_history,
gene_info, mim2gene_medgen: three transforms, so a build can be stopped between two of them).
``NCBI_GENE_KG_PAUSE_AT`` stops a build (SIGSTOP) as it reaches a stage; the test then kills it with
SIGKILL, as a crash or an OOM killer would.
The old graph is the default taxon scope; the new one is human only (TAXA=9606), so the two differ.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.pipeline import find_inputs

GRAPH_FILES = [
    "ncbi_gene_nodes.tsv",
    "ncbi_gene_edges.tsv",
    "graph_metadata.json",
    "validation_report.json",
    "report.json",
    "ncbi_gene.tar.gz",
    "transforms/gene_info_nodes.tsv",
]


def command(out: Path, taxa: str) -> list[str]:
    # One transform at a time: the build process itself reaches (and stops at) each transform's stage.
    return [
        sys.executable,
        "-m",
        "ncbi_gene_kg",
        "transform",
        "--data",
        "data",
        "--out",
        str(out),
        "--taxa",
        taxa,
        "--jobs",
        "1",
    ]


def environment(pause_at: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("NCBI_GENE_KG_PAUSE_AT", None)
    if pause_at:
        env["NCBI_GENE_KG_PAUSE_AT"] = pause_at
    return env


def build(out: Path, taxa: str, cwd: Path) -> None:
    subprocess.run(command(out, taxa), cwd=cwd, env=environment(), check=True, capture_output=True)


def paused_build(out: Path, taxa: str, cwd: Path, stage: str) -> subprocess.Popen:
    """A build stopped (SIGSTOP) as it reaches ``stage``."""
    process = subprocess.Popen(
        command(out, taxa), cwd=cwd, env=environment(stage), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the build ended ({process.returncode}) before {stage}: {process.stderr.read().decode()}")
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return process
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the build did not reach {stage}")


def snapshot(out: Path) -> dict[str, bytes]:
    """OUT's graph files; report.json without its "changes" section, which says what OUT held before the build
    (tests/test_diff.py checks it), so that a graph built over another compares equal to one built alone."""
    files = {name: (out / name).read_bytes() for name in GRAPH_FILES if (out / name).exists()}
    if "report.json" in files:
        report = json.loads(files["report.json"])
        report.pop("changes", None)
        files["report.json"] = json.dumps(report).encode()
    return files


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A folder to build in (with data/), the old graph's files and the new graph's."""
    work = tmp_path_factory.mktemp("faults")
    (work / "data").mkdir()
    for name in ("gene_history", "gene_info", "mim2gene_medgen"):
        for path in find_inputs(SAMPLE_DIR, name):
            shutil.copy(path, work / "data" / path.name)
    build(work / "old", "default", work)
    build(work / "new", "9606", work)
    old, new = snapshot(work / "old"), snapshot(work / "new")
    assert old["ncbi_gene_nodes.tsv"] != new["ncbi_gene_nodes.tsv"]
    return work, old, new


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("transform gene_info", "old"),  # gene_history's files are written, gene_info's and mim2gene's not yet
        ("validate", "old"),  # the merged graph is written, not yet validated
        ("publish:switch", "old"),  # the links are in place, the switch not yet made
        ("publish:cleanup", "new"),  # switched; the old build's folder not yet removed
    ],
)
def test_a_killed_build_leaves_one_whole_graph(graphs, tmp_path: Path, stage: str, expected: str) -> None:
    work, old, new = graphs
    out = tmp_path / "out"
    shutil.copytree(work / "old", out, symlinks=True)
    process = paused_build(out, "9606", work, stage)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert snapshot(out) == (old if expected == "old" else new)
    assert len(list((out / ".builds").iterdir())) == 2  # the published build and the killed one's leftovers
    if stage.startswith("publish"):
        # The next build takes the lock the killed one held, clears what it left and publishes.
        build(out, "9606", work)
        assert snapshot(out) == new
        assert len(list((out / ".builds").iterdir())) == 1


def test_a_second_build_into_the_same_folder_is_refused(graphs, tmp_path: Path) -> None:
    work, old, new = graphs
    out = tmp_path / "out"
    shutil.copytree(work / "old", out, symlinks=True)
    first = paused_build(out, "9606", work, "merge")
    second = subprocess.run(command(out, "default"), cwd=work, env=environment(), capture_output=True, text=True)
    assert second.returncode == 1
    assert f"{out}: another build is writing to this folder (pid {first.pid}, started " in second.stderr
    assert snapshot(out) == old
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=300) == 0
    assert snapshot(out) == new


def test_an_older_plain_output_folder_is_adopted_without_a_gap(graphs, tmp_path: Path) -> None:
    """OUT written by a version without links: its plain files are kept whole until the switch."""
    work, old, new = graphs
    out = tmp_path / "out"
    shutil.copytree(work / "old", out, symlinks=False)  # plain files, as older versions wrote them
    for hidden in (".builds", ".current", ".lock"):
        path = out / hidden
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    process = paused_build(out, "9606", work, "publish:switch")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert snapshot(out) == old
    build(out, "9606", work)
    assert snapshot(out) == new
