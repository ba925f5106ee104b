"""Plain records shared by every source parser: what was accepted and what was refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

RecordT = TypeVar("RecordT")


class SourceParseError(ValueError):
    """A payload that cannot be parsed at all (the whole unit of work is refused)."""


@dataclass(frozen=True)
class Rejection:
    """One input row refused, with the reason shown to the analyst.

    `row_number` is the 1-based line number in the file (the header is line 1);
    None means the whole file was refused.
    """

    row_number: int | None
    raw_row: str
    reason: str


@dataclass
class ParseResult(Generic[RecordT]):
    records: list[RecordT] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # File-level remarks that refuse nothing but must not pass silently (e.g. the encoding
    # fallback); shown in the run's metadata and log.
    notes: list[str] = field(default_factory=list)

    @property
    def rows_seen(self) -> int:
        return len(self.records) + len(self.rejections)
