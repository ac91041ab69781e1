"""`make bench`: the decompression floor, the per-row Koza baseline and this project, on one corpus.

Each step runs as its own process under GNU time (wall, CPU, peak RSS of the process tree's largest
process). Results go to bench/results/<date>-<profile>.json and a Markdown table on stdout.

Besides the corpus, every run makes the Monarch-style gene_info comparison of issue 17: the 278,889
real gene_info rows in tests/data/ncbi/gene_info (human, mouse, fly, zebrafish and small_taxa,
concatenated under one header into one gzip file) through the per-row baseline's gene_info transform
(bench/baseline/gene_info.yaml, the Monarch-style peer) and through ours (config/gene_info.yaml),
each as a whole `koza transform` process, startup included, against their own floor.

    .venv/bin/python bench/run.py --profile small          # corpus in bench/corpus/small (made if absent)
    .venv/bin/python bench/run.py --profile full --skip-baseline
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
BASELINE = ["gene_info", "gene2go", "gene_orthologs"]  # the three large files: 98 % of the corpus rows
REAL_GENE_INFO = [
    "Homo_sapiens.2022-11",
    "Mus_musculus.2023-03",
    "Drosophila_melanogaster.2021-07",
    "Danio_rerio.2021-07",
    "small_taxa.2019-08",
]


def timed(command: list[str], log: Path) -> dict:
    """Run ``command`` under GNU time; wall and CPU seconds, peak RSS in MB."""
    stats = log.with_suffix(".time")
    with log.open("w") as out:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats), *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}; see {log}")
    wall, user, system, rss_kb = stats.read_text().split()[-4:]
    return {"wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2), "peak_rss_mb": int(rss_kb) // 1024}


def combine(steps: list[dict]) -> dict:
    return {
        "wall_s": round(sum(s["wall_s"] for s in steps), 2),
        "cpu_s": round(sum(s["cpu_s"] for s in steps), 2),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in steps),
    }


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "load_before": os.getloadavg()[0],
    }


def real_gene_info(out: Path) -> int:
    """The Monarch-style comparison's input: the real per-species gene_info files under one header."""
    header, rows = None, []
    for name in REAL_GENE_INFO:
        with gzip.open(ROOT / "tests" / "data" / "ncbi" / "gene_info" / f"{name}.gene_info.gz", "rb") as fh:
            lines = fh.read().splitlines(keepends=True)
        header = header or lines[0]
        rows += [line for line in lines if not line.startswith(b"#")]
    out.write_bytes(gzip.compress(header + b"".join(rows), compresslevel=6, mtime=0))
    return len(rows)


def gene_info_comparison(work: Path) -> dict:
    """Floor, Monarch-style per-row baseline and ours on the 278,889 real gene_info rows (whole processes)."""
    data = work / "real" / "gene_info.gz"
    data.parent.mkdir()
    rows = real_gene_info(data)
    steps = {
        "floor: zcat | wc -l": timed(["bash", "-c", f"zcat '{data}' | wc -l"], work / "real-floor.log"),
        "baseline: koza transform bench/baseline/gene_info.yaml (per row)": timed(
            [
                str(BIN / "koza"),
                "transform",
                str(BENCH / "baseline" / "gene_info.yaml"),
                "-o",
                str(work / "real-baseline"),
                str(data),
            ],
            work / "real-baseline.log",
        ),
        "ours: koza transform config/gene_info.yaml": timed(
            [
                str(BIN / "koza"),
                "transform",
                str(ROOT / "config" / "gene_info.yaml"),
                "-o",
                str(work / "real-ours"),
                str(data),
            ],
            work / "real-ours.log",
        ),
    }
    floor = steps["floor: zcat | wc -l"]["wall_s"]
    for step in steps.values():
        step["rows_per_s"] = round(rows / step["wall_s"])
        step["x_floor"] = round(step["wall_s"] / floor, 1)
    baseline, ours = list(steps.values())[1:]
    return {"rows": rows, "steps": steps, "baseline_over_ours": round(baseline["wall_s"] / ours["wall_s"], 1)}


def table(steps: dict) -> str:
    lines = ["| step | wall s | CPU s | peak RSS MB | rows/s | × floor |", "|---|---:|---:|---:|---:|---:|"]
    lines += [
        f"| {name} | {s['wall_s']} | {s['cpu_s']} | {s['peak_rss_mb']} | {s['rows_per_s']:,} | {s['x_floor']} |"
        for name, s in steps.items()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="small", help="corpus profile of bench/make_corpus.py")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default bench/corpus/<profile>)")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the (slow) per-row baseline")
    parser.add_argument(
        "--skip-gene-info",
        action="store_true",
        help="leave out the Monarch-style comparison on the real gene_info rows",
    )
    args = parser.parse_args()
    corpus = (args.corpus or BENCH / "corpus" / args.profile).resolve()
    if not corpus.is_dir():
        subprocess.run(
            [sys.executable, str(BENCH / "make_corpus.py"), "--profile", args.profile, "--out", str(corpus)], check=True
        )
    inputs = sorted(p for p in corpus.iterdir() if p.name != "corpus.json")
    work = Path(tempfile.mkdtemp(prefix="ncbi-gene-kg-bench-"))
    results: dict = {
        "profile": args.profile,
        "corpus": str(corpus),
        "date": date.today().isoformat(),
        "machine": machine(),
        "steps": {},
    }
    files = " ".join(f"'{p}'" for p in inputs)
    floor = timed(["bash", "-c", f"zcat -f {files} | wc -l"], work / "floor.log")
    rows = int((work / "floor.log").read_text().split()[0]) - len(inputs)
    results["rows"] = rows
    results["steps"]["floor: zcat | wc -l"] = floor
    if not args.skip_baseline:
        results["steps"]["baseline: Koza per row (3 large files, default scope)"] = combine(
            [
                timed(
                    [
                        str(BIN / "koza"),
                        "transform",
                        str(BENCH / "baseline" / f"{name}.yaml"),
                        "-o",
                        str(work / "baseline"),
                        *map(str, sorted(corpus.glob(f"{name}*"))),
                    ],
                    work / f"baseline-{name}.log",
                )
                for name in BASELINE
            ]
        )
    for taxa in ("default", "all"):
        results["steps"][f"ncbi-gene-kg transform, TAXA={taxa}"] = timed(
            [
                str(BIN / "ncbi-gene-kg"),
                "transform",
                "--data",
                str(corpus),
                "--out",
                str(work / f"out-{taxa}"),
                "--taxa",
                taxa,
            ],
            work / f"ours-{taxa}.log",
        )
    for step in results["steps"].values():
        step["rows_per_s"] = round(rows / step["wall_s"])
        step["x_floor"] = round(step["wall_s"] / floor["wall_s"], 1)
    ours = results["steps"]["ncbi-gene-kg transform, TAXA=default"]
    baseline = results["steps"].get("baseline: Koza per row (3 large files, default scope)")
    if baseline:
        results["baseline_over_ours"] = round(baseline["wall_s"] / ours["wall_s"], 1)
    if not args.skip_gene_info:
        results["gene_info_comparison"] = gene_info_comparison(work)
    out = BENCH / "results" / f"{results['date']}-{args.profile}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{rows:,} input rows; {results['machine']}; results in {out.relative_to(ROOT)}\n")
    print(table(results["steps"]))
    if baseline:
        print(
            f"\nbaseline / ours (default scope; the baseline covers 3 files, ours all): "
            f"{results['baseline_over_ours']} ×"
        )
    if comparison := results.get("gene_info_comparison"):
        print(f"\nMonarch-style gene_info comparison, {comparison['rows']:,} real rows (whole processes):\n")
        print(table(comparison["steps"]))
        print(f"\nbaseline / ours: {comparison['baseline_over_ours']} ×")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
