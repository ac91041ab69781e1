"""`make bench`: this project against the decompression floor and a per-row ingest, on one corpus, by the targets
of issue 24 (docs/performance.md).

Every step runs as its own process under GNU time (wall and CPU seconds); a build's peak memory is the largest
stage peak its report.json records (each stage resets the process's high-water mark, so GNU time alone would
see the last stage's). Steps that are compared run one after the other on an idle machine; results go to
bench/results/<date>-<profile>.json and a Markdown table on stdout, each target with its figure.

- floor: ``zcat -f`` of the corpus's files piped to ``wc -l``;
- the whole build, default scope and TAXA=all (ratio to the floor), and with every format (TSV + JSON Lines +
  Parquet against TSV alone, by the outputs stage);
- `ncbi-gene-kg diff` of the default-scope graph and the TAXA=all one (every node and edge of the other taxa
  added, every shared one compared property by property; with --skip-all-taxa, the every-format graph: nothing
  changed, but every record is still compared), against the default build's wall time and peak memory;
- by_taxon: the TSV with its by_taxon split against a plain COPY of the same tables (in one process, on the
  built graph database);
- N-Triples: the graph written as ncbi_gene.nt.gz against its TSV as the build writes it (by_taxon included) and
  against the plain COPY (likewise);
- a per-row Koza gene_info ingest as Monarch's ncbi-gene does it (bench/baseline/gene_info) on the corpus's
  gene_info, human, mouse, fly and zebrafish kept, against our whole build of that one file and those taxa;
- `ncbi-gene-kg resolve TP53 --taxon 9606` as a fresh process against a bare ``python -c 'import duckdb'``
  (alternating, 10 runs each, medians);
- the bundled sample's build (3 runs, median).

    .venv/bin/python bench/run.py --profile small          # corpus in bench/corpus/small (made if absent)
    .venv/bin/python bench/run.py --profile full --skip-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
MONARCH_TAXA = ["9606", "10090", "7227", "7955"]  # human, mouse, fly and zebrafish, as Monarch's ingest keeps
TARGETS = {  # what issue 24 asks, as (figure, comparison, bound)
    "build_default_x_floor": ("<=", 5.0),
    "build_all_x_floor": ("<=", 8.0),
    "peak_memory_gib": ("<", 4.0),
    "every_format_over_tsv_outputs": ("<=", 1.5),
    "by_taxon_extra_over_one_write": ("<=", 1.0),
    "nt_over_tsv_write": ("<=", 2.0),  # issue 27
    "monarch_style_over_ours": (">=", 10.0),
    "resolve_over_import_duckdb": ("<=", 3.0),
    "sample_build_s": ("<=", 5.0),
    "diff_over_build_wall": ("<=", 1.0),  # issue 26: a diff of two graphs costs less than one build of them
    "diff_over_build_peak_memory": ("<=", 1.0),
}


def timed(command: list[str], log: Path, cwd: Path = ROOT) -> dict:
    """Run ``command`` under GNU time: wall and CPU seconds, peak RSS in MB (GNU time's)."""
    stats = log.with_suffix(".time")
    with log.open("w") as out:
        gnu_time = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats)]
        done = subprocess.run([*gnu_time, *command], stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}; see {log}")
    wall, user, system, rss_kb = stats.read_text().split()[-4:]
    return {"wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2), "peak_rss_mb": int(rss_kb) // 1024}


def build(data: Path, out: Path, log: Path, *options: str) -> dict:
    """`ncbi-gene-kg transform` as a process; its stage table and peak memory from the build's report.json."""
    step = timed([str(BIN / "ncbi-gene-kg"), "transform", "--data", str(data), "--out", str(out), *options], log)
    stages = json.loads((out / "report.json").read_text())["build"]["stages"]
    step["stages"] = {s["stage"]: s["seconds"] for s in stages}
    step["peak_rss_mb"] = max(step["peak_rss_mb"], *(s["peak_rss_mb"] for s in stages))
    return step


def diff(old: Path, new: Path, log: Path) -> dict:
    """`ncbi-gene-kg diff OLD NEW --json` as a process (the report goes to the log)."""
    return timed([str(BIN / "ncbi-gene-kg"), "diff", str(old), str(new), "--json"], log)


def machine() -> dict:
    """The machine the figures were taken on, and its load before the first step."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "load_before": round(os.getloadavg()[0], 2),
    }


def by_taxon_cost(graph: Path, work: Path) -> dict:
    """The TSV with its by_taxon split against a plain COPY of the same lines (bench/by_taxon.py)."""
    done = subprocess.run(
        [str(BIN / "python"), str(BENCH / "by_taxon.py"), str(graph), str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    plain, split = map(float, done.stdout.split())
    return {"plain_copy_s": round(plain, 2), "tsv_and_by_taxon_s": round(split, 2)}


def nt_cost(graph: Path, work: Path) -> dict:
    """The graph as N-Triples against a plain COPY of its TSV lines and the build's TSV write (bench/nt.py)."""
    done = subprocess.run(
        [str(BIN / "python"), str(BENCH / "nt.py"), str(graph), str(work)], capture_output=True, text=True, check=True
    )
    plain, tsv, nt = map(float, done.stdout.split())
    return {"plain_copy_s": round(plain, 2), "tsv_write_s": round(tsv, 2), "nt_s": round(nt, 2)}


def latency(graph: Path, runs: int = 10) -> dict:
    """Medians of a fresh `ncbi-gene-kg resolve TP53 --taxon 9606` process and of a bare `python -c 'import duckdb'`,
    alternating."""
    commands = {
        "import_duckdb_s": [str(BIN / "python"), "-c", "import duckdb"],
        # human TP53: the full corpus has TP53 of dog and rat too, and an ambiguous name exits 3
        "resolve_s": [str(BIN / "ncbi-gene-kg"), "resolve", "TP53", "--taxon", "9606", "--out", str(graph)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(t), 3) for name, t in times.items()}


def monarch_style(corpus: Path, work: Path) -> dict:
    """The per-row Koza gene_info ingest (bench/baseline/gene_info, its taxon filter narrowed to MONARCH_TAXA) and
    our whole build of the corpus's gene_info alone, same taxa, as whole processes."""
    data = work / "gene_info_only"
    data.mkdir()
    (data / "gene_info.gz").symlink_to(corpus / "gene_info.gz")
    config = yaml.safe_load((BENCH / "baseline" / "gene_info.yaml").read_text())
    config["reader"]["filters"][0]["value"] = MONARCH_TAXA
    config["transform"]["code"] = str(BENCH / "baseline" / "gene_info.py")
    baseline_yaml = work / "gene_info.yaml"
    baseline_yaml.write_text(yaml.safe_dump(config))
    baseline = timed(
        [str(BIN / "koza"), "transform", str(baseline_yaml), "-o", str(work / "monarch"), str(data / "gene_info.gz")],
        work / "monarch.log",
    )
    ours = build(data, work / "ours-gene-info", work / "ours-gene-info.log", "--taxa", ",".join(MONARCH_TAXA))
    return {"baseline": baseline, "ours": ours}


def sample_build(work: Path, runs: int = 3) -> dict:
    """The bundled sample's build in an empty folder (as `make transform` on a fresh clone), median of ``runs``."""
    walls = []
    for i in range(runs):
        folder = work / f"sample-{i}"
        folder.mkdir()
        step = timed([str(BIN / "ncbi-gene-kg"), "transform", "--out", "out"], work / f"sample-{i}.log", folder)
        walls.append(step["wall_s"])
    return {"wall_s": statistics.median(walls), "runs": walls}


def verdicts(figures: dict) -> dict:
    """Each target with its figure and whether it is met."""
    found = {}
    for name, (comparison, bound) in TARGETS.items():
        if name in figures:
            value = figures[name]
            met = {"<=": value <= bound, "<": value < bound, ">=": value >= bound}[comparison]
            found[name] = {"figure": value, "target": f"{comparison} {bound}", "met": met}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="small", help="corpus profile of bench/make_corpus.py")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default bench/corpus/<profile>)")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the (slow) per-row gene_info ingest")
    parser.add_argument("--skip-all-taxa", action="store_true", help="leave out the TAXA=all build")
    args = parser.parse_args()
    corpus = (args.corpus or BENCH / "corpus" / args.profile).resolve()
    if not corpus.is_dir():
        subprocess.run(
            [sys.executable, str(BENCH / "make_corpus.py"), "--profile", args.profile, "--out", str(corpus)], check=True
        )
    inputs = sorted(p for p in corpus.iterdir() if p.name != "corpus.json")
    work = Path(tempfile.mkdtemp(prefix="ncbi-gene-kg-bench-", dir=os.environ.get("BENCH_TMP")))
    results: dict = {"profile": args.profile, "corpus": str(corpus), "date": date.today().isoformat()}
    results["machine"] = machine()
    files = " ".join(f"'{p}'" for p in inputs)
    steps = {"floor": timed(["bash", "-c", f"zcat -f {files} | wc -l"], work / "floor.log")}
    results["rows"] = int((work / "floor.log").read_text().split()[0]) - len(inputs)
    steps["build_default"] = build(corpus, work / "out-default", work / "default.log")
    steps["build_every_format"] = build(
        corpus, work / "out-formats", work / "formats.log", "--format", "tsv,jsonl,parquet"
    )
    second = work / "out-formats"  # the graph the default one is diffed with
    if not args.skip_all_taxa:
        shutil.rmtree(second)
        second = work / "out-all"
        steps["build_all"] = build(corpus, second, work / "all.log", "--taxa", "all")
    steps["diff"] = diff(work / "out-default", second, work / "diff.log")
    shutil.rmtree(second)
    floor = steps["floor"]["wall_s"]
    figures = {
        "build_default_x_floor": round(steps["build_default"]["wall_s"] / floor, 2),
        "peak_memory_gib": round(max(s["peak_rss_mb"] for s in steps.values()) / 1024, 2),
        "every_format_over_tsv_outputs": round(
            steps["build_every_format"]["stages"]["outputs"] / steps["build_default"]["stages"]["outputs"], 2
        ),
    }
    for figure, measure in (("diff_over_build_wall", "wall_s"), ("diff_over_build_peak_memory", "peak_rss_mb")):
        figures[figure] = round(steps["diff"][measure] / steps["build_default"][measure], 2)
    if "build_all" in steps:
        figures["build_all_x_floor"] = round(steps["build_all"]["wall_s"] / floor, 2)
    results["by_taxon"] = by_taxon_cost(work / "out-default", work)
    figures["by_taxon_extra_over_one_write"] = round(
        results["by_taxon"]["tsv_and_by_taxon_s"] / results["by_taxon"]["plain_copy_s"] - 1, 2
    )
    results["nt"] = nt_cost(work / "out-default", work)
    figures["nt_over_tsv_write"] = round(results["nt"]["nt_s"] / results["nt"]["tsv_write_s"], 2)
    results["nt"]["nt_over_plain_copy"] = round(results["nt"]["nt_s"] / results["nt"]["plain_copy_s"], 2)
    results["resolve"] = latency(work / "out-default")
    figures["resolve_over_import_duckdb"] = round(
        results["resolve"]["resolve_s"] / results["resolve"]["import_duckdb_s"], 2
    )
    if not args.skip_baseline:
        results["monarch_style_gene_info"] = monarch_style(corpus, work)
        comparison = results["monarch_style_gene_info"]
        figures["monarch_style_over_ours"] = round(comparison["baseline"]["wall_s"] / comparison["ours"]["wall_s"], 2)
    results["sample_build"] = sample_build(work)
    figures["sample_build_s"] = results["sample_build"]["wall_s"]
    results["steps"], results["figures"], results["targets"] = steps, figures, verdicts(figures)
    results["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    out = BENCH / "results" / f"{results['date']}-{args.profile}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['rows']:,} input rows; {results['machine']}; results in {out.relative_to(ROOT)}\n")
    print("| step | wall s | CPU s | peak MB | × floor |\n|---|---:|---:|---:|---:|")
    for name, s in steps.items():
        print(f"| {name} | {s['wall_s']} | {s['cpu_s']} | {s['peak_rss_mb']} | {round(s['wall_s'] / floor, 2)} |")
    print("\n| target | figure | bound | met |\n|---|---:|---|---|")
    for name, verdict in results["targets"].items():
        print(f"| {name} | {verdict['figure']} | {verdict['target']} | {'yes' if verdict['met'] else 'no'} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
