"""The report's plots, drawn with matplotlib and returned as SVG data URIs (self-contained, text as paths).

matplotlib is used through ``Figure`` objects only (no pyplot state, no GUI backend). The SVG is
reproducible: no date in its metadata and a fixed salt for its element ids.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from typing import Any

import matplotlib
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

STYLE: Any = {  # matplotlib rc settings (typed Any: rc_context wants its literal key type)
    "svg.hashsalt": "ncbi-gene-kg",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "figure.dpi": 100,
}
WIDTH = 7.5  # inches; the page's content column is about 960 px
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
ACCOUNTING_COLORS = {"emitted": "#2ca02c", "out of scope": "#9e9e9e", "rejected": "#d62728"}


def data_uri(fig: Figure) -> str:
    """The figure as an ``image/svg+xml`` data URI."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(WIDTH, max(height, 1.6)), layout="constrained")


def top(counts: dict[str, int], n: int) -> dict[str, int]:
    """The ``n - 1`` largest entries and the rest summed as 'other' (all of them when there are at most n).

    >>> top({"a": 5, "b": 3, "c": 1, "d": 1}, 3)
    {'a': 5, 'b': 3, 'other (2)': 2}
    """
    if len(counts) <= n:
        return dict(counts)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    kept, rest = ranked[: n - 1], ranked[n - 1 :]
    return dict(kept) | {f"other ({len(rest)})": sum(v for _, v in rest)}


def hbar(counts: dict[str, int], xlabel: str) -> str | None:
    """A horizontal bar per key, largest on top, each labelled with its count."""
    if not counts:
        return None
    with matplotlib.rc_context(STYLE):
        labels, values = list(counts)[::-1], list(counts.values())[::-1]
        fig = _figure(0.28 * len(labels) + 0.8)
        ax = fig.add_subplot()
        bars = ax.barh(labels, values, color=PALETTE[0])
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8)
        ax.set_xlabel(xlabel)
        ax.margins(x=0.12)
        return data_uri(fig)


def _stacked(
    rows: list[str],
    segments: list[str],
    value: dict[tuple[str, str], float],
    xlabel: str,
    colors: dict[str, str] | None = None,
    legend_title: str | None = None,
) -> str | None:
    """Horizontal bars per row (first row on top), stacked by segment, with a legend of the segments."""
    if not rows or not segments:
        return None
    with matplotlib.rc_context(STYLE):
        fig = _figure(0.3 * len(rows) + 1.2 + 0.18 * max(len(segments) - 4, 0))
        ax = fig.add_subplot()
        left = [0.0] * len(rows)
        y = list(range(len(rows)))[::-1]
        for i, segment in enumerate(segments):
            widths = [value.get((row, segment), 0) for row in rows]
            color = (colors or {}).get(segment, PALETTE[i % len(PALETTE)])
            ax.barh(y, widths, left=left, color=color, label=segment, height=0.7)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(y, rows)
        ax.set_xlabel(xlabel)
        ax.legend(
            title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8, title_fontsize=8
        )
        return data_uri(fig)


def row_accounting(accounts: list[dict[str, Any]]) -> str | None:
    """Per input, the share of its rows emitted, out of scope and rejected."""
    rows = [a["source"] for a in accounts if a["read"]]
    kinds = ["emitted", "out of scope", "rejected"]
    share = {(a["source"], k): 100 * a[k.replace(" ", "_")] / a["read"] for a in accounts if a["read"] for k in kinds}
    return _stacked(rows, kinds, share, "% of the rows read", ACCOUNTING_COLORS)


def edges_by_predicate_and_source(rows: list[dict[str, Any]], max_sources: int = 9) -> str | None:
    """Edges per predicate, stacked by primary knowledge source (the largest sources, the rest as 'other')."""
    per_source: dict[str, int] = {}
    per_predicate: dict[str, int] = {}
    for r in rows:
        per_source[r["primary_knowledge_source"]] = per_source.get(r["primary_knowledge_source"], 0) + r["count"]
        per_predicate[r["predicate"]] = per_predicate.get(r["predicate"], 0) + r["count"]
    sources = list(top(per_source, max_sources))
    kept = set(sources)
    value: dict[tuple[str, str], float] = {}
    for r in rows:
        source = r["primary_knowledge_source"] if r["primary_knowledge_source"] in kept else sources[-1]
        key = (r["predicate"].removeprefix("biolink:"), source)
        value[key] = value.get(key, 0) + r["count"]
    predicates = [p.removeprefix("biolink:") for p in sorted(per_predicate, key=lambda p: (-per_predicate[p], p))]
    return _stacked(predicates, sources, value, "edges", legend_title="primary knowledge source")


def go_aspects(go: dict[str, Any]) -> str | None:
    """GO annotations per aspect, stacked by evidence class."""
    aspects = [a["aspect"] for a in go["aspects"]]
    value = {(c["aspect"], c["evidence_class"]): c["count"] for c in go["by_aspect_and_evidence_class"]}
    return _stacked(aspects, go["evidence_classes"], value, "annotation edges", legend_title="evidence class")


def ortholog_heatmap(orthologs: dict[str, Any]) -> str | None:
    """The taxon-by-taxon matrix of ortholog edges, colour on a log scale, each cell with its count."""
    matrix, taxa = orthologs["matrix"], [t["label"] for t in orthologs["taxa"]]
    if not orthologs["total"] or not taxa:
        return None
    with matplotlib.rc_context(STYLE):
        size = min(max(0.3 * len(taxa) + 2.4, 3.2), WIDTH)
        fig = _figure(size)
        fig.set_figwidth(size + 1.2)
        ax = fig.add_subplot()
        peak = max(max(row) for row in matrix)
        masked = [[v if v else float("nan") for v in row] for row in matrix]
        image = ax.imshow(masked, cmap="viridis", norm=LogNorm(vmin=1, vmax=max(peak, 2)))
        ax.set_xticks(range(len(taxa)), taxa, rotation=60, ha="right", rotation_mode="anchor", fontsize=8)
        ax.set_yticks(range(len(taxa)), taxa, fontsize=8)
        ax.set_facecolor("#f4f4f4")
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                if v:
                    bright = float(image.norm(v)) > 0.6  # type: ignore[arg-type]
                    ax.text(j, i, _short(v), ha="center", va="center", fontsize=7, color="black" if bright else "white")
        bar = fig.colorbar(image, ax=ax, label="ortholog edges", shrink=0.7)
        integer = FuncFormatter(lambda value, _: f"{value:,.0f}")
        bar.ax.yaxis.set_major_formatter(integer)
        bar.ax.yaxis.set_minor_formatter(integer if peak < 10 else NullFormatter())
        return data_uri(fig)


def _short(n: int) -> str:
    """A count in at most four characters.

    >>> [_short(n) for n in (7, 1234, 56789, 2_500_000)]
    ['7', '1.2k', '57k', '2.5M']
    """
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= limit:
            value = n / limit
            return f"{value:.1f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"
    return str(n)


def degree_histogram(bins: Iterable[dict[str, Any]]) -> str | None:
    """Nodes per degree bin, on a log scale."""
    bins = list(bins)
    if not bins:
        return None
    with matplotlib.rc_context(STYLE):
        fig = _figure(2.8)
        ax = fig.add_subplot()
        labels, values = [b["bin"] for b in bins], [b["nodes"] for b in bins]
        bars = ax.bar(labels, values, color=PALETTE[0])
        ax.bar_label(bars, labels=[f"{v:,}" if v else "" for v in values], padding=2, fontsize=7)
        if max(values) > 0:
            ax.set_yscale("log")
            ax.set_ylim(0.8, max(values) * 3)
        ax.set_xlabel("degree (edges at the node)")
        ax.set_ylabel("nodes")
        ax.tick_params(axis="x", labelrotation=45 if len(labels) > 10 else 0)
        return data_uri(fig)
