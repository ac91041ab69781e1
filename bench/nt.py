"""Seconds to write a built graph as RDF N-Triples (rdf.write_nt: gzip, hashed), as a plain COPY of its KGX TSV
lines, and as KGX TSV the way the build writes it (with its by_taxon split), in one process, alternating, twice
each; prints the faster run of each: plain, build's TSV, N-Triples (issue 27: N-Triples within 2 × the TSV write).

    .venv/bin/python bench/nt.py OUT WORK    # OUT: a build's folder (its ncbi_gene.duckdb); WORK: scratch
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb
from by_taxon import plain_copy, with_by_taxon  # the TSV writes by_taxon is measured with

from ncbi_gene_kg.rdf import write_nt


def main() -> None:
    graph, work = map(Path, sys.argv[1:3])
    con = duckdb.connect()
    con.execute(f"ATTACH '{graph / 'ncbi_gene.duckdb'}' AS graph (READ_ONLY)")
    con.execute("USE graph")
    seconds: dict[str, list[float]] = {"plain": [], "tsv": [], "nt": []}
    for _ in range(2):
        for name, write in (("plain", plain_copy), ("tsv", with_by_taxon), ("nt", write_nt)):
            out = Path(tempfile.mkdtemp(dir=work))
            start = time.perf_counter()
            write(con, out)
            seconds[name].append(time.perf_counter() - start)
    print(*(min(s) for s in seconds.values()))


if __name__ == "__main__":
    main()
