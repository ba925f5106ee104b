"""What storing one label file keeps between its batches: the accepted line numbers (for the
stale-row delete) and the refusals (compared with the stored ones at the end). Both are built
so that a million-row file costs little memory. No Dagster here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    select,
    text,
)

from floodingnaque_pipeline.db.copy_format import write_copy_text
from floodingnaque_pipeline.db.models_labels import IngestRejection
from floodingnaque_pipeline.sources.records import Rejection


class LineSet:
    """The accepted line numbers of a file as one bit each: a million-row file costs 125 kB,
    where a set of (line,) tuples costs ~90 MB."""

    def __init__(self) -> None:
        self._bits = bytearray()
        self._count = 0

    def add(self, key: tuple[Any, ...]) -> None:
        (line,) = key
        byte, bit = divmod(line, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
        if not self._bits[byte] >> bit & 1:
            self._bits[byte] |= 1 << bit
            self._count += 1

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 1 or not isinstance(key[0], int):
            return False
        byte, bit = divmod(key[0], 8)
        return 0 <= byte < len(self._bits) and bool(self._bits[byte] >> bit & 1)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[int]]:
        return ((line,) for line in range(len(self._bits) * 8) if (line,) in self)


class LineDaySet:
    """Keys (line, range_day) of a file whose records may label a range of days: day 0 of every
    record as one bit per line (a LineSet), the rare further days of a range as tuples."""

    def __init__(self) -> None:
        self._first = LineSet()
        self._more: set[tuple[int, int]] = set()

    def add(self, key: tuple[Any, ...]) -> None:
        line, day = key
        if day == 0:
            self._first.add((line,))
        else:
            self._more.add((line, day))

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        line, day = key
        return (line,) in self._first if day == 0 else key in self._more

    def __len__(self) -> int:
        return len(self._first) + len(self._more)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        yield from ((line, 0) for (line,) in self._first)
        yield from self._more


KeptKeys = LineSet | LineDaySet | set[tuple[Any, ...]]


STAGE_COLUMNS = ("line", "raw_row", "reason")


class RejectionStage:
    """The new version's refusals, staged in a temporary table so they can be compared with the
    stored ones without holding either in memory. The stored refusals then equal the staged
    ones; identical ones are left untouched, so re-ingesting the same content rewrites nothing
    (they keep the run that first refused them)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.name = f"_stage_rejections_{uuid.uuid4().hex[:8]}"
        self._table = Table(
            self.name,
            MetaData(),
            Column("line", Integer, nullable=False),  # the whole-file refusal is line -1
            Column("raw_row", Text, nullable=False),
            Column("reason", Text, nullable=False),
            Index(f"ix{self.name}", "line"),  # probed once per stored refusal below
            prefixes=["TEMPORARY"],
        )
        self._table.create(connection)
        self.rows = 0

    def add(self, refusals: Sequence[Rejection]) -> None:
        if not refusals:
            return
        rows = [(-1 if r.row_number is None else r.row_number, r.raw_row, r.reason)
                for r in refusals]  # fmt: skip
        if self._connection.dialect.name == "postgresql":  # COPY: a file may hold 1 M refusals
            buffer = write_copy_text(self._table, STAGE_COLUMNS, rows)
            cursor = self._connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.copy_expert(f"COPY {self.name} ({', '.join(STAGE_COLUMNS)}) FROM STDIN", buffer)
        else:
            self._connection.execute(
                self._table.insert(), [dict(zip(STAGE_COLUMNS, row, strict=True)) for row in rows]
            )
        self.rows += len(refusals)

    def replace(self, source: str, file_name: str, sha256: str, run_id: str | None) -> None:
        c, stage = self._connection, self.name
        file = {"source": source, "file": file_name, "sha": sha256, "run": run_id}
        same = (
            "s.line = coalesce(r.row_number, -1) AND s.raw_row = r.raw_row AND s.reason = r.reason"
        )
        c.execute(
            text(
                "DELETE FROM ingest_rejections AS r WHERE r.source = :source AND r.file = :file "
                "AND (r.file_sha256 IS NULL OR r.file_sha256 <> :sha OR NOT EXISTS "
                f"(SELECT 1 FROM {stage} AS s WHERE {same}))"
            ),
            file,
        )
        kept = c.execute(
            select(func.count())
            .select_from(IngestRejection.__table__)
            .where(IngestRejection.source == source, IngestRejection.file == file_name)
        ).scalar_one()
        if kept < self.rows:  # kept == rows: the same refusals as stored, nothing to add
            unmatched = (
                ""
                if kept == 0
                else "WHERE NOT EXISTS (SELECT 1 FROM ingest_rejections AS r WHERE "
                f"r.source = :source AND r.file = :file AND {same})"
            )
            c.execute(
                text(
                    "INSERT INTO ingest_rejections (source, file, file_sha256, row_number, "
                    "raw_row, reason, run_id) SELECT :source, :file, :sha, "
                    "CASE WHEN s.line = -1 THEN NULL ELSE s.line END, s.raw_row, s.reason, :run "
                    f"FROM {stage} AS s {unmatched} ORDER BY s.line"
                ),
                file,
            )
        c.execute(text(f"DROP TABLE {stage}"))
