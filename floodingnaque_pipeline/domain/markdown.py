"""Markdown tables for run metadata and reports: one escaping rule everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def markdown_cell(value: Any, width: int = 80) -> str:
    """A cell that cannot break the table: pipes escaped, newlines flattened, long text cut."""
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:width]


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, width: int = 80, align: str = ""
) -> str:
    """`align`: one letter per column, "r" right-aligns it (numbers); default left."""
    rules = ["---:" if a == "r" else "---" for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "|" + "".join(f"{r}|" for r in rules)]
    lines += ["| " + " | ".join(markdown_cell(v, width) for v in row) + " |" for row in rows]
    return "\n".join(lines)
