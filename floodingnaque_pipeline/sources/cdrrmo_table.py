"""Placeholder: the table-from-PDF CDRRMO export reader (being written)."""

from __future__ import annotations

from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.csv_files import whole_file
from floodingnaque_pipeline.sources.records import ParseResult


def looks_like_table_export(text: str) -> bool:
    return False


def parse_table_export(text: str) -> ParseResult[FloodEvent]:
    return whole_file("not implemented")
