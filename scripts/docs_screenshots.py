"""Refresh the screenshots of docs/report-and-card.md, docs/report.png and docs/card.png, from a built graph.

    make transform && .venv/bin/python scripts/docs_screenshots.py [OUT]

Renders OUT/report.html and the TP53 card in headless Chromium (Debian's chromium package) and saves the
first screenful of each, reduced to 256 colours.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from headless_chromium import load_page  # noqa: E402

from ncbi_gene_kg.card import gene_card, render_html  # noqa: E402
from ncbi_gene_kg.report import REPORT_HTML, write_report  # noqa: E402


def save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    image.save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


def main(out_dir: Path) -> None:
    if not (out_dir / REPORT_HTML).is_file():
        write_report(out_dir)
    save(load_page(out_dir / REPORT_HTML, width=1200, height=1400).screenshot, ROOT / "docs" / "report.png")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "TP53.html"
        page.write_text(render_html(gene_card(out_dir, "TP53", "9606"), Path("output")))
        save(load_page(page, width=1200, height=1100).screenshot, ROOT / "docs" / "card.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "output")
