"""The build report: ``report.html``, one self-contained page, and ``report.json`` with the same figures.

Written at the end of ``make transform`` from the graph's tables (queried with DuckDB, so it works for the
full-size graph), ``graph_metadata.json`` and ``validation_report.json``.
The page has no external resource (styles inline, plots as SVG data URIs rendered by matplotlib) and
no script, so it works opened from disk.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from ncbi_gene_kg.diff import CHANGES_JSON, example_line, one_line
from ncbi_gene_kg.graphdb import GRAPH, column_or_null, columns, open_graph
from ncbi_gene_kg.pages import render
from ncbi_gene_kg.sql import scalar
from ncbi_gene_kg.tables import load_table, register_table
from ncbi_gene_kg.taxa import load_scope

REPORT_HTML = "report.html"
REPORT_JSON = "report.json"
NO_VALUE = "(none)"
# GO aspect names as the GO Consortium writes them, for gene2go's Category values (go_category.tsv).
ASPECTS = {"Function": "molecular function", "Process": "biological process", "Component": "cellular component"}
MAX_TAXA = 20  # the ortholog matrix and the taxon plot show at most this many taxa (TAXA=all)
TOP_NODES = 10
TOP_PROPERTIES = 10  # changed properties the report lists (changes.json has them all)


def write_report(
    out_dir: Path, name: str = GRAPH, stages: list[dict] | None = None, graph: duckdb.DuckDBPyConnection | None = None
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.json`` into ``out_dir`` from the graph and reports there.

    Args:
        out_dir: a build's output folder (or its staging folder) with the graph database ``<name>.duckdb``,
            ``graph_metadata.json`` and ``validation_report.json``.
        name: the graph's file name stem.
        stages: the build's stages so far (stage, seconds, peak_rss_mb), shown when given.
        graph: a connection whose database holds the graph's tables ``nodes`` and ``edges`` (the build's,
            after the merge), read instead of opening the graph database.

    Returns:
        The paths of the HTML page and the JSON file.

    Raises:
        UserError: when the folder holds no built graph.
    """
    figures = compute_figures(out_dir, name, graph)
    if stages is not None:
        figures["build"]["stages"] = stages
    html_path, json_path = out_dir / REPORT_HTML, out_dir / REPORT_JSON
    json_path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    html_path.write_text(render("report.html.j2", f=figures, plots=draw_plots(figures)))
    return html_path, json_path


def compute_figures(out_dir: Path, name: str = GRAPH, graph: duckdb.DuckDBPyConnection | None = None) -> dict[str, Any]:
    """Every figure of the report as plain JSON-able data (the content of ``report.json``).

    The graph is read from the graph database in ``out_dir``, or from ``graph``'s tables ``nodes`` and ``edges``
    (the report adds its own temp tables and views to that connection: n, e, go, degree and its mapping tables).
    """
    con = graph if graph is not None else open_graph(out_dir, name)
    try:
        metadata = json.loads((out_dir / "graph_metadata.json").read_text())
        validation = json.loads((out_dir / "validation_report.json").read_text())
        changes = out_dir / CHANGES_JSON  # a build's diff from OUT's previous graph; absent for older builds
        _load(con)
        labels = _taxon_labels(con)
        scope = metadata.get("taxonScope", {})
        return {
            "graph": name,
            "build": {
                "date": metadata.get("dateCreated"),
                "taxon_scope": scope.get("name"),
                "taxa_in_scope": scope.get("tax_ids"),
                "bundled_sample": any(f.get("bundled_sample") for f in metadata.get("isBasedOn", [])),
                "software_versions": metadata.get("softwareVersions", {}),
            },
            "inputs": metadata.get("isBasedOn", []),
            "row_accounting": row_accounting(validation),
            "nodes": node_figures(con, labels),
            "edges": edge_figures(con),
            "go_annotations": go_figures(con),
            "orthologs": ortholog_matrix(con, scope.get("tax_ids"), labels),
            "degree": degree_figures(con),
            "validation": validation_figures(validation),
            "changes": change_figures(json.loads(changes.read_text()) if changes.is_file() else None),
        }
    finally:
        if graph is None:
            con.close()


def _load(con: duckdb.DuckDBPyConnection) -> None:
    """Views ``n`` and ``e``: the columns of the graph's tables the report uses (taxa as TSV writes them)."""
    node_cols = ", ".join(column_or_null(con, "nodes", c) for c in ("id", "category", "name", "in_taxon_label"))
    taxon = "array_to_string(in_taxon, '|')" if "in_taxon" in columns(con, "nodes") else "NULL::VARCHAR"
    edge_cols = ", ".join(
        column_or_null(con, "edges", c) for c in ("id", "subject", "predicate", "object", "primary_knowledge_source")
    )
    evidence = "has_evidence" if "has_evidence" in columns(con, "edges") else "NULL::VARCHAR[]"
    negated = "coalesce(negated, false)" if "negated" in columns(con, "edges") else "false"
    con.execute(f"CREATE OR REPLACE TEMP VIEW n AS SELECT {node_cols}, {taxon} AS in_taxon FROM nodes")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW e AS SELECT {edge_cols}, {evidence} AS has_evidence, {negated} AS negated "
        "FROM edges"
    )


def _taxon_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """NCBITaxon CURIE -> label: the nodes' in_taxon_label, else the label config/taxa.yaml gives."""
    labels = {f"NCBITaxon:{tax_id}": label for tax_id, label in load_scope("all").labels().items()}
    rows = con.execute("SELECT in_taxon, min(in_taxon_label) FROM n WHERE in_taxon_label IS NOT NULL GROUP BY 1")
    labels.update(dict(rows.fetchall()))
    return labels


def _counts(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, int]:
    """``key -> count`` from a two-column query, largest first (ties by key); NULL keys as '(none)'."""
    rows = con.execute(f"SELECT coalesce(k, '{NO_VALUE}'), n FROM ({query}) t(k, n) ORDER BY n DESC, 1").fetchall()
    return dict(rows)


def row_accounting(validation: dict) -> list[dict[str, Any]]:
    """Per input: rows read, emitted, out of scope and rejected, and every reason with its count."""
    accounts = []
    for account in validation.get("row_accounting", []):
        reasons = [
            {"kind": kind, "reason": reason, "count": t["count"], "examples": t["examples"]}
            for kind, key in (
                ("out of scope", "out_of_scope"),
                ("rejected", "rejected"),
                ("value dropped", "dropped_values"),
            )
            for reason, t in account.get(key, {}).items()
        ]
        reasons += [
            {"kind": "warning", "reason": w, "count": None, "examples": []} for w in account.get("warnings", [])
        ]
        accounts.append(
            {
                "source": account["source"],
                "files": account.get("files", []),
                "read": account["read"],
                "emitted": account["emitted"],
                "out_of_scope": account.get("out_of_scope_total", 0),
                "rejected": account.get("rejected_total", 0),
                "reasons": reasons,
            }
        )
    return accounts


def node_figures(con: duckdb.DuckDBPyConnection, labels: dict[str, str]) -> dict[str, Any]:
    """Nodes: the total, by category and by taxon (labels from ``labels``)."""
    by_taxon = _counts(con, "SELECT in_taxon, count(*) FROM n GROUP BY 1")
    return {
        "total": scalar(con, "SELECT count(*) FROM n"),
        "by_category": _counts(con, "SELECT category, count(*) FROM n GROUP BY 1"),
        "by_taxon": [
            {"taxon": taxon, "label": labels.get(taxon, "no taxon" if taxon == NO_VALUE else taxon), "count": n}
            for taxon, n in by_taxon.items()
        ],
    }


def edge_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Edges: the total, by predicate, by primary knowledge source and by both."""
    pairs = con.execute(f"""
        SELECT predicate, coalesce(primary_knowledge_source, '{NO_VALUE}'), count(*) FROM e
        GROUP BY ALL ORDER BY 3 DESC, 1, 2""").fetchall()
    return {
        "total": scalar(con, "SELECT count(*) FROM e"),
        "by_predicate": _counts(con, "SELECT predicate, count(*) FROM e GROUP BY 1"),
        "by_primary_knowledge_source": _counts(con, "SELECT primary_knowledge_source, count(*) FROM e GROUP BY 1"),
        "by_predicate_and_source": [{"predicate": p, "primary_knowledge_source": s, "count": n} for p, s, n in pairs],
    }


def go_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """GO annotation edges (gene to a GO term node) by aspect, evidence class and evidence code.

    The aspect is the category of the GO term node; the evidence class is the GO Consortium's group
    of the edge's evidence code (has_evidence ECO term back to its GO code, go_evidence_to_eco.tsv,
    then go_evidence_knowledge_level.tsv). An edge backed by codes of several classes (annotations
    merged from several gene2go rows) counts once in each.

    The edges are counted by their aspect, negation and list of evidence terms (a few hundred groups for
    millions of edges); each group's classes and codes are worked out here. Genes are one more pass.
    """
    register_table(con, "go_category")
    annotations = """
        FROM e JOIN n ON n.id = e.object JOIN go_category a ON a.node_category = n.category
    """
    groups = con.execute(
        f"SELECT a.Category, e.negated, e.has_evidence, count(*) {annotations} GROUP BY ALL"
    ).fetchall()
    genes = dict(
        con.execute(f"""
        SELECT coalesce(a.Category, ''), count(DISTINCT e.subject) {annotations}
        GROUP BY GROUPING SETS ((a.Category), ())
    """).fetchall()
    )
    codes_of: dict[str, list[str]] = defaultdict(list)
    for row in load_table("go_evidence_to_eco"):
        codes_of[row["eco_id"]].append(row["evidence_code"])
    class_of = {row["evidence_code"]: row["evidence_group"] for row in load_table("go_evidence_knowledge_level")}
    cells: dict[tuple[str, str], int] = defaultdict(int)
    codes: dict[tuple[str, str], int] = defaultdict(int)
    per_aspect: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for aspect, negated, evidence, n in groups:
        per_aspect[aspect][0] += n
        per_aspect[aspect][1] += n if negated else 0
        found_classes, found_codes = set(), set()
        for eco in evidence or [None]:
            for code in codes_of.get(eco, [None]) if eco else [None]:
                found_codes.add(code or eco or "none")
                found_classes.add(class_of.get(code, "other") if code else "no evidence" if eco is None else "other")
        for c in found_classes:
            cells[(aspect, c)] += n
        for c in found_codes:
            codes[(aspect, c)] += n
    order = [*dict.fromkeys(class_of.values()), "other", "no evidence"]
    aspects = [a for a in ASPECTS if a in per_aspect]
    classes = [c for c in order if c in {c for _, c in cells}]
    return {
        "total": sum(n for n, _ in per_aspect.values()),
        "negated": sum(neg for _, neg in per_aspect.values()),
        "genes_annotated": genes.get("", 0),
        "aspects": [
            {"aspect": ASPECTS[a], "annotations": per_aspect[a][0], "negated": per_aspect[a][1], "genes": genes[a]}
            for a in aspects
        ],
        "evidence_classes": classes,
        "by_aspect_and_evidence_class": [
            {"aspect": ASPECTS[a], "evidence_class": c, "count": cells.get((a, c), 0)} for a in aspects for c in classes
        ],
        "by_aspect_and_evidence_code": [
            {"aspect": ASPECTS[a], "evidence_code": code, "count": n}
            for (a, code), n in sorted(codes.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
        ],
    }


def ortholog_matrix(con: duckdb.DuckDBPyConnection, scope: list[str] | None, labels: dict[str, str]) -> dict:
    """Ortholog edges between each pair of taxa (symmetric: an edge counts in both cells of its pair).

    The axes are the taxa in scope, in the order of config/taxa.yaml; with every taxon in scope
    (TAXA=all), the ``MAX_TAXA`` taxa with the most ortholog edges.
    """
    pairs = con.execute("""
        SELECT s.in_taxon, o.in_taxon, count(*) FROM e
        JOIN n s ON s.id = e.subject JOIN n o ON o.id = e.object
        WHERE e.predicate = 'biolink:orthologous_to' GROUP BY ALL
    """).fetchall()
    if scope is not None:
        taxa = [f"NCBITaxon:{t}" for t in scope]
    else:
        per_taxon: dict[str, int] = {}
        for a, b, n in pairs:
            for t in {a, b}:
                per_taxon[t] = per_taxon.get(t, 0) + n
        taxa = sorted(per_taxon, key=lambda t: (-per_taxon[t], t))[:MAX_TAXA]
    index = {t: i for i, t in enumerate(taxa)}
    matrix = [[0] * len(taxa) for _ in taxa]
    outside = 0
    for a, b, n in pairs:
        if a in index and b in index:
            matrix[index[a]][index[b]] += n
            if a != b:
                matrix[index[b]][index[a]] += n
        else:
            outside += n
    return {
        "total": sum(n for _, _, n in pairs),
        "taxa": [{"taxon": t, "label": labels.get(t, t)} for t in taxa],
        "matrix": matrix,
        "outside_matrix": outside,
    }


def degree_bins(distribution: dict[int, int]) -> list[dict[str, Any]]:
    """Nodes per degree bin: 0, 1, 2, 3-4, 5-8, 9-16, ... (powers of two).

    >>> degree_bins({0: 2, 1: 5, 3: 1, 4: 1, 9: 3})
    [{'bin': '0', 'nodes': 2}, {'bin': '1', 'nodes': 5}, {'bin': '2', 'nodes': 0}, {'bin': '3-4', 'nodes': 2}, \
{'bin': '5-8', 'nodes': 0}, {'bin': '9-16', 'nodes': 3}]
    """
    if not distribution:
        return []
    bins, low, high = [(0, 0), (1, 1), (2, 2)], 3, 4
    while low <= max(distribution):
        bins.append((low, high))
        low, high = high + 1, high * 2
    while len(bins) > 1 and bins[-1][0] > max(distribution):
        bins.pop()
    return [
        {
            "bin": str(lo) if lo == hi else f"{lo}-{hi}",
            "nodes": sum(n for d, n in distribution.items() if lo <= d <= hi),
        }
        for lo, hi in bins
    ]


def degree_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Degree (edges at a node, as subject or object) over all nodes, per category, and the top nodes."""
    con.execute("""
        CREATE TEMP TABLE degree AS
        WITH ends AS (SELECT subject AS id FROM e UNION ALL SELECT object FROM e),
             d AS (SELECT id, count(*) AS degree FROM ends GROUP BY id)
        SELECT n.id, n.name, n.category, coalesce(d.degree, 0) AS degree FROM n LEFT JOIN d USING (id)
    """)
    distribution = dict(con.execute("SELECT degree, count(*) FROM degree GROUP BY 1 ORDER BY 1").fetchall())
    per_category = con.execute("""
        SELECT category, count(*), avg(degree), median(degree), max(degree) FROM degree GROUP BY 1 ORDER BY 1
    """).fetchall()
    top = con.execute(f"SELECT id, name, category, degree FROM degree ORDER BY degree DESC, id LIMIT {TOP_NODES}")
    return {
        "distribution": [{"degree": d, "nodes": n} for d, n in distribution.items()],
        "bins": degree_bins(distribution),
        "max": max(distribution, default=0),
        "mean": round(sum(d * n for d, n in distribution.items()) / max(sum(distribution.values()), 1), 2),
        "median": _weighted_median(distribution),
        "by_category": [
            {"category": c, "nodes": n, "mean": round(float(m), 2), "median": float(med), "max": mx}
            for c, n, m, med, mx in per_category
        ],
        "top_nodes": [{"id": i, "name": nm, "category": c, "degree": d} for i, nm, c, d in top.fetchall()],
    }


def _weighted_median(distribution: dict[int, int]) -> float:
    """The median of a value -> frequency table.

    >>> _weighted_median({1: 3, 10: 1}), _weighted_median({1: 1, 3: 1}), _weighted_median({})
    (1.0, 2.0, 0.0)
    """
    total = sum(distribution.values())
    if not total:
        return 0.0
    values = sorted(distribution)

    def nth(k: int) -> int:
        """The k-th smallest value (0-based), counting each value as often as its frequency."""
        seen = 0
        for value in values:
            seen += distribution[value]
            if seen > k:
                return value
        return values[-1]

    return float(nth(total // 2)) if total % 2 else (nth(total // 2 - 1) + nth(total // 2)) / 2


def validation_figures(validation: dict) -> dict[str, Any]:
    """The validation result with each problem class's count (examples in validation_report.json)."""
    groups = {}
    for key in ("errors", "warnings", "conflicts", "dropped_nodes", "dangling_edges", "xref_collisions"):
        groups[key] = [
            {"problem": label, "count": t["count"], "examples": [_readable(x) for x in t["examples"]]}
            for label, t in validation.get(key, {}).items()
        ]
    return {
        "valid": validation.get("valid", False),
        "errors_total": validation.get("errors_total", 0),
        **{f"{k}_total": sum(p["count"] for p in v) for k, v in groups.items()},
        **groups,
    }


def change_figures(changes: dict[str, Any] | None) -> dict[str, Any]:
    """The changes since the previous build (changes.json, diff.py): counts, the top changed properties with an
    example, removed genes by reason; ``previous`` is None when there was nothing to compare with."""
    if changes is None or changes["old"] is None:
        return {"previous": None, "note": changes["note"] if changes else "no changes.json in this build"}
    nodes, edges = changes["nodes"], changes["edges"]
    return {
        "previous": changes["old"],
        "incomparable": changes["incomparable"],
        "summary": one_line(changes),
        "nodes": {k: nodes[k] for k in ("added", "removed", "changed")},
        "edges": {k: edges[k] for k in ("added", "removed", "changed")},
        "changed_properties": [
            {"property": p, "nodes": n, "example": example_line(nodes["examples"][p][0], p)}
            for p, n in list(nodes["changed_properties"].items())[:TOP_PROPERTIES]
        ],
        "removed_genes": changes["removed_genes"]["by_reason"],
    }


def _readable(example: str) -> str:
    r"""An example as a person reads it: merge keys join their fields with the unit separator (0x1f).

    >>> _readable("NCBIGene:1\x1fbiolink:enables\x1fGO:1\x1f\x1finfores:go\x1f: a vs b")
    'NCBIGene:1 · biolink:enables · GO:1 ·  · infores:go · : a vs b'
    """
    return example.replace("\x1f", " · ")


def draw_plots(f: dict[str, Any]) -> dict[str, str | None]:
    """The report's plots as SVG data URIs (None where there is nothing to draw)."""
    from ncbi_gene_kg import plots  # matplotlib: imported only when the report is drawn

    nodes_by_taxon = f["nodes"]["by_taxon"]
    return {
        "row_accounting": plots.row_accounting(f["row_accounting"]),
        "nodes_by_category": plots.hbar(f["nodes"]["by_category"], "nodes"),
        "nodes_by_taxon": plots.hbar(plots.top({t["label"]: t["count"] for t in nodes_by_taxon}, MAX_TAXA), "nodes"),
        "edges": plots.edges_by_predicate_and_source(f["edges"]["by_predicate_and_source"]),
        "go": plots.go_aspects(f["go_annotations"]),
        "orthologs": plots.ortholog_heatmap(f["orthologs"]),
        "degree": plots.degree_histogram(f["degree"]["bins"]),
        "changes": plots.hbar({c["property"]: c["nodes"] for c in f["changes"].get("changed_properties", [])}, "nodes"),
    }
