"""Rows -> PostgreSQL COPY text format, with one converter per column chosen up front."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.types import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary

NULL = "\\N"
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))  # backslash first


def _escape(text: str) -> str:
    """COPY text escaping. Chained str.replace, not str.translate: translate goes character by
    character through a dict, ~5 s for the 60 MB of JSON a 10-year backfill stores; replace
    scans in C and leaves text without the four characters untouched."""
    for plain, escaped in _ESCAPES:
        if plain in text:
            text = text.replace(plain, escaped)
    return text


Converter = Callable[[Any], str]


def _number(value: Any) -> str:
    return NULL if value is None else str(value)


def _text(value: Any) -> str:
    return NULL if value is None else _escape(str(value))


def _boolean(value: Any) -> str:
    return NULL if value is None else ("t" if value else "f")


def _timestamp(value: datetime | None) -> str:
    if value is None:
        return NULL
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
    return value.isoformat()


def _date(value: date | None) -> str:
    return NULL if value is None else value.isoformat()


class JsonText(str):
    """JSON that is already serialized (written as is, only COPY-escaped)."""


def _json(value: Any) -> str:
    if value is None:
        return NULL
    text = value if isinstance(value, JsonText) else json.dumps(value)
    return _escape(text)


def _bytes(value: bytes | None) -> str:
    return NULL if value is None else "\\\\x" + value.hex()


def converter_for(table: Table, column: str) -> Converter:
    column_type = table.c[column].type
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, Boolean):
        return _boolean
    if isinstance(impl, DateTime):
        return _timestamp
    if isinstance(impl, Date):
        return _date
    if isinstance(impl, Float | Integer):
        return _number
    if isinstance(impl, JSON) or isinstance(column_type, JSON):
        return _json
    if isinstance(impl, LargeBinary):
        return _bytes
    return _text


def write_copy_text(
    table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> io.StringIO:
    """Serialize rows (tuples in `columns` order) into an in-memory COPY text stream."""
    rows = rows if isinstance(rows, list) else list(rows)
    buffer = io.StringIO()
    if rows:
        buffer.write(_format([converter_for(table, name) for name in columns], rows))
        buffer.seek(0)
    return buffer


class CopyStream:
    """COPY text produced chunk by chunk as COPY FROM STDIN reads it (copy_expert's `file`).

    The server parses and inserts one chunk while the next one is formatted, so client and
    server work overlap instead of running one after the other (1 M rows here: about 2.3 s
    of formatting that otherwise precedes the whole COPY).
    """

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        chunk_rows: int = 50_000,
    ) -> None:
        self._converters = [converter_for(table, name) for name in columns]
        self._rows = rows
        self._chunk_rows = chunk_rows
        self._next = 0

    def read(self, size: int = -1) -> str:  # any length is accepted by psycopg2
        if self._next >= len(self._rows):
            return ""
        chunk = self._rows[self._next : self._next + self._chunk_rows]
        self._next += self._chunk_rows
        return _format(self._converters, chunk)

    readline = read


def _format(converters: Sequence[Converter], rows: Sequence[Sequence[Any]]) -> str:
    """Column by column: numbers go through one C-level comprehension, and repeated values
    (timestamps shared by every location, source names) are converted once."""
    # One pass per column (zip(*rows) over a million rows is several times slower).
    texts = [
        _column_text([row[i] for row in rows], convert) for i, convert in enumerate(converters)
    ]
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _column_text(values: Sequence[Any], convert: Converter) -> list[str]:
    if convert is _number:
        return [NULL if v is None else str(v) for v in values]
    if convert in (_timestamp, _date, _text, _boolean):
        memo: dict[Any, str] = {}
        out = []
        for v in values:
            text = memo.get(v)
            if text is None:
                text = memo[v] = convert(v)
            out.append(text)
        return out
    return [convert(v) for v in values]
