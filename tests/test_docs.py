"""The Markdown docs: no dead relative link, a README short enough to read, every command in it.

Links are checked in every Markdown file git knows of (tracked, or new and not ignored): the target
file or folder must exist, and a ``#fragment`` must name a heading of the target, spelled as GitHub
spells heading anchors. Links inside code (fenced blocks, code spans) are not links.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import typer.main

from ncbi_gene_kg.cli import app
from ncbi_gene_kg.paths import PROJECT_ROOT

README_MAX_LINES = 300
# [text](target "title") and ![alt](target); [label]: target (a reference definition).
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
EXTERNAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # https:, mailto:, ...


def markdown_files() -> list[Path]:
    """Every Markdown file of the repository that git tracks or would track (not ignored)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*.md"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist)
        skip = {".venv", "output", "data", "bench"}
        return sorted(p for p in PROJECT_ROOT.rglob("*.md") if not skip & set(p.relative_to(PROJECT_ROOT).parts))
    return sorted({PROJECT_ROOT / name for name in listed if name and (PROJECT_ROOT / name).is_file()})


def prose_lines(text: str, code_spans: bool = False) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks; code spans removed unless ``code_spans``."""
    lines, fence = [], None
    for number, line in enumerate(text.split("\n"), 1):
        marker = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0]
            elif marker.group(1)[0] == fence:
                fence = None
            continue
        if fence is None:
            lines.append((number, line if code_spans else CODE_SPAN.sub("", line)))
    return lines


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link and image in a Markdown file."""
    found = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        found += [(number, m.group(1)) for m in INLINE_LINK.finditer(line)]
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            found.append((number, definition.group(1)))
    return found


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.

    >>> github_anchor("`ncbi-gene-kg resolve`")
    'ncbi-gene-kg-resolve'
    >>> github_anchor("gene_info → biolink:Gene")
    'gene_info--biolinkgene'
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The heading anchors of a Markdown file (repeated headings get -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = {}
    for _, line in prose_lines(path.read_text(encoding="utf-8"), code_spans=True):
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            anchor = github_anchor(heading.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            seen.setdefault(f"{anchor}-{count}" if count else anchor, 1)
    return frozenset(seen)


def dead_links(path: Path, root: Path = PROJECT_ROOT) -> list[str]:
    """Every link of ``path`` whose file or heading does not exist (paths in the messages relative to ``root``)."""
    dead = []
    for number, target in links(path):
        if EXTERNAL.match(target):
            continue
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(root)}:{number}: {target}"
        if not resolved.exists():
            dead.append(f"{where} (no such file)")
        elif fragment and resolved.suffix == ".md" and fragment.lower() not in anchors(resolved):
            dead.append(f"{where} (no heading #{fragment} in {resolved.name})")
    return dead


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_dead_relative_link(path: Path) -> None:
    assert dead_links(path) == []


def test_the_link_check_finds_dead_links(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A heading\n## `code` → heading\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#a-heading) [ok](there.md#code--heading) ![ok](there.md) [ok](#local) [ok](https://x.org/y.md)\n"
        "## Local\n"
        "[dead](missing.md) [dead](there.md#no-such-heading)\n"
        "`[code](missing.md)`\n```\n[code](missing.md)\n```\n"
        "[ref]: gone/\n"
    )
    found = [entry.split(": ", 1)[1] for entry in dead_links(page, tmp_path)]
    assert found == [
        "missing.md (no such file)",
        "there.md#no-such-heading (no heading #no-such-heading in there.md)",
        "gone/ (no such file)",
    ]


def test_readme_is_short() -> None:
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to a page under docs/"


def test_readme_names_every_make_target() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z0-9-]+):.*## ", makefile, flags=re.MULTILINE)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert targets and [t for t in targets if f"make {t}" not in readme] == []


def test_readme_names_every_command_and_option() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    missing = [o for p in group.params for o in p.opts if o != "--help" and o not in readme]
    for name, command in group.commands.items():
        if f"ncbi-gene-kg {name}" not in readme:
            missing.append(name)
        missing += [
            f"{name} {o}"
            for p in command.params
            for o in p.opts
            if o.startswith("-") and o != "--help" and o not in readme
        ]
    assert missing == []
