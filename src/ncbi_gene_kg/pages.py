"""Render the HTML pages (the build report, the gene card) from the Jinja2 templates in ``templates/``.

Autoescaping is on: every value from the graph is text, never markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def number(value: Any) -> str:
    """A count with thousands separators; other values as they are.

    >>> number(1234567), number(0.5), number(None)
    ('1,234,567', '0.5', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return str(value)


def size(n: int) -> str:
    """A file size in bytes, KiB, MiB or GiB.

    >>> size(512), size(8873), size(1_450_000_000)
    ('512 B', '8.7 KiB', '1.4 GiB')
    """
    value, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"


def percent(part: float, whole: float) -> str:
    """``part`` as a share of ``whole``.

    >>> percent(1, 3), percent(0, 0)
    ('33.3 %', '')
    """
    return f"{100 * part / whole:.1f} %" if whole else ""


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment for ``templates/`` (autoescaped, strict), with the number, size and percent helpers."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, size=size)
    env.globals.update(percent=percent)
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)
