"""Barangay and location of a text-export record, from its free pieces (`RecordCells.free`).

The BARANGAY column is left of LOCATION, so on each line the first free piece is the barangay's
if the line holds one; a name wrapped over lines comes back in order ("San" ... "Antonio",
"Moonwal" / "k", "San" / "Martin De" / "Porres"). Candidates are the names that these first
pieces (or their first words) spell, alone or joined across up to three lines. A full name
("Don Galo", "San"+"Antonio") beats a fragment alias ("Marcelo" may be a compound's name), a
whole piece beats the first words of one ("Sto. Niño de Coastal" is a street), a name wrapped
over lines beats one printed whole (the BARANGAY column is the narrow one: "San Antonio Ave."
is a street), and the earlier candidate wins a tie. The other free pieces, in reading order,
are the location. A name may end just below the record's number, on the line that opens the
next record ("San" / "128 ..." / "Dionisio"): that piece is borrowed only when it completes a
name begun here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import combinations

from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.sources.barangays import (
    ALIASES,
    canonical_barangay,
    normalise_barangay_text,
)
from floodingnaque_pipeline.sources.cdrrmo_text_lines import Chunk

_MAX_PIECES = 3


@dataclass(frozen=True)
class Piece:
    chunk: Chunk
    text: str  # the whole chunk or its first words
    whole: bool


@dataclass(frozen=True)
class Placement:
    barangay_text: str  # "" when no piece spells a barangay
    location: str
    borrowed: Chunk | None  # the next record's piece this record's name ends with


def _first_per_line(free: list[Chunk]) -> list[Chunk]:
    seen: set[int] = set()
    firsts = []
    for chunk in free:
        if chunk.line not in seen:
            seen.add(chunk.line)
            firsts.append(chunk)
    return firsts


def _compact(text: str) -> str:
    return normalise_barangay_text(text).replace(" ", "")


@cache
def _spellings() -> tuple[str, ...]:
    names = [loc.name for loc in load_default_locations()] + list(ALIASES)
    return tuple(_compact(name) for name in names)


def _pieces(chunk: Chunk) -> list[Piece]:
    """The chunk and its first words, kept only when part of some barangay's spelling."""
    words = chunk.text.split()
    pieces = [Piece(chunk, chunk.text, True)] + [
        Piece(chunk, " ".join(words[:n]), False) for n in range(len(words) - 1, 0, -1)
    ]
    return [
        p for p in pieces if _compact(p.text) and any(_compact(p.text) in s for s in _spellings())
    ]


def _spelled(pieces: tuple[Piece, ...]) -> tuple[str, str] | None:
    """(text, canonical name) when the pieces, joined with or without blanks, name a barangay."""
    for glue in (" ", ""):
        text = glue.join(p.text for p in pieces)
        if name := canonical_barangay(text):
            return text, name
    return None


def _candidates(
    firsts: list[Chunk],
) -> list[tuple[tuple[bool, bool, int, int], str, tuple[Piece, ...]]]:
    found = []
    useful = [(i, _pieces(chunk)) for i, chunk in enumerate(firsts)]
    useful = [(i, pieces) for i, pieces in useful if pieces]
    for size in range(1, _MAX_PIECES + 1):
        for chosen in combinations(useful, size):
            for pieces in _product([pieces for _, pieces in chosen]):
                if spelled := _spelled(pieces):
                    text, name = spelled
                    full = _compact(text) == _compact(name)
                    whole = all(p.whole for p in pieces)
                    rank = (full, whole, len(pieces), -firsts.index(pieces[0].chunk))
                    found.append((rank, text, pieces))
    return found


def _product(options: list[list[Piece]]) -> list[tuple[Piece, ...]]:
    result: list[tuple[Piece, ...]] = [()]
    for option in options:
        result = [(*done, piece) for done in result for piece in option]
    return result


def place(free: list[Chunk], next_first: Chunk | None) -> Placement:
    firsts = _first_per_line(free)
    found = _candidates(firsts)
    borrowed = None
    if next_first is not None and not any(rank[0] for rank, _, _ in found):
        completed = [c for c in _candidates([*firsts, next_first]) if c[2][-1].chunk is next_first]
        completed = [c for c in completed if len(c[2]) > 1 and c[0][0]]
        if completed:
            found, borrowed = completed, next_first
    if not found:
        return Placement("", _location(free, ()), None)
    _, text, pieces = max(found, key=lambda c: c[0])
    return Placement(text, _location(free, pieces), borrowed)


def _location(free: list[Chunk], used: tuple[Piece, ...]) -> str:
    by_chunk = {p.chunk: p for p in used}
    parts = []
    for chunk in free:
        piece = by_chunk.get(chunk)
        if piece is None:
            parts.append(chunk.text)
        elif not piece.whole:
            parts.append(chunk.text[len(piece.text) :].strip())
    return " ".join(p for p in parts if p)
