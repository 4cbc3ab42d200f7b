"""Tables for the terminal, laid out by rich: columns stay aligned with Chinese names in them."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text


def table(header: list[str], rows: list[list[str]], *, title: str | None = None) -> Table:
    """A plain table (no borders but a rule under the header) of string cells."""
    drawn = Table(
        *header, title=title, box=None, show_edge=False, pad_edge=False, header_style="bold", title_justify="left"
    )
    for row in rows:
        drawn.add_row(*(Text(str(cell)) for cell in row))  # Text: cells are shown as written, never read as markup
    return drawn


def render(renderable, *, width: int = 160) -> str:
    """``renderable`` as plain text (no colour codes), for logs, files and tests."""
    console = Console(width=width, color_system=None, force_terminal=False, highlight=False)
    with console.capture() as captured:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())
