"""Encodings and line endings: a file is read or refused with its line and byte, never refused
whole for one property (issue 14, item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo import COLUMNS, parse_cdrrmo_csv
from floodingnaque_pipeline.sources.pagasa import parse_pagasa_csv

FLOODS_2022 = "flood_records/flood_records_2022.csv"
NAIA = "pagasa/naia_daily.csv"
CDRRMO_HEADER = ",".join(COLUMNS)
FLOOD_ROW = "{n},2022-03-14,3.0,14.0,2022,DIONISIO,{place},14.47513822,121.0011419,knee,Rain,x,,"


def test_latin1_copy_of_the_2022_file_keeps_every_row_and_says_so(shared_data: Path) -> None:
    original = (shared_data / FLOODS_2022).read_bytes()
    latin1 = original.decode("utf-8").encode("latin-1")
    assert latin1 != original  # the file has Ñ: the copy really is not UTF-8

    as_utf8 = parse_cdrrmo_csv(original, FLOODS_2022)
    as_latin1 = parse_cdrrmo_csv(latin1, FLOODS_2022)

    assert len(as_latin1.records) == 107
    assert as_latin1.records == as_utf8.records  # Ñ decoded to the same barangay/location text
    assert as_latin1.rejections == as_utf8.rejections
    assert as_utf8.notes == []
    [note] = as_latin1.notes
    first_non_ascii = next(i for i, b in enumerate(latin1) if b > 127)
    line = latin1.count(b"\n", 0, first_non_ascii) + 1
    assert "cp1252" in note and f"line {line}, byte offset {first_non_ascii}" in note


def test_cp1252_pagasa_file_is_read_with_a_note(shared_data: Path) -> None:
    text = (shared_data / NAIA).read_text(encoding="utf-8")
    result = parse_pagasa_csv(text.encode("utf-8"), NAIA)
    header, first, *rest = text.split("\n")
    # A degree sign typed after the last value: the row is refused, the file is not.
    cp1252 = "\n".join([header, first[:-1] + "\u00b0", *rest]).encode("cp1252")
    fallback = parse_pagasa_csv(cp1252, NAIA)
    assert fallback.records == result.records[1:]
    assert [r.row_number for r in fallback.rejections] == [2]
    assert "line 2" in fallback.notes[0]


def test_bytes_in_no_accepted_encoding_are_refused_with_line_and_byte() -> None:
    # 0x81 is undefined in cp1252 and invalid as UTF-8.
    content = (CDRRMO_HEADER + "\n" + FLOOD_ROW.format(n=1, place="A") + "\n").encode()
    content += b"2,2022-03-14,\x81\n"
    [rejection] = parse_cdrrmo_csv(content, "x.csv").rejections
    offset = content.index(b"\x81")
    assert rejection.row_number is None
    assert f"line 3, byte offset {offset} (0x81)" in rejection.reason
    assert "UTF-8" in rejection.reason and "cp1252" in rejection.reason


@pytest.mark.parametrize("relative", [FLOODS_2022, NAIA], ids=["cdrrmo", "pagasa"])
def test_cr_only_line_endings_read_like_lf(shared_data: Path, relative: str) -> None:
    original = (shared_data / relative).read_bytes()
    parse = parse_pagasa_csv if relative == NAIA else parse_cdrrmo_csv
    lf = parse(original, relative)
    cr = parse(original.replace(b"\n", b"\r"), relative)
    crlf = parse(original.replace(b"\n", b"\r\n"), relative)
    assert len(lf.records) > 100
    assert cr.records == lf.records == crlf.records
    assert cr.rejections == lf.rejections == crlf.rejections


def test_u2028_inside_a_cdrrmo_field_does_not_shift_later_rows() -> None:
    rows = [
        FLOOD_ROW.format(n=1, place="CORNER\u2028STREET"),  # a line separator pasted from a PDF
        FLOOD_ROW.format(n=2, place="B").replace("14.47513822", "14.48"),
        FLOOD_ROW.format(n=3, place="C").replace("2022-03-14", "2022-13-14"),
    ]
    content = ("\n".join([CDRRMO_HEADER, *rows]) + "\n").encode()
    result = parse_cdrrmo_csv(content, "x.csv")
    assert [e.row_number for e in result.records] == [2, 3]
    [bad] = result.rejections
    assert (bad.row_number, bad.raw_row) == (4, rows[2])


def test_u2028_in_a_pagasa_line_does_not_shift_later_rows(shared_data: Path) -> None:
    header, *lines = (shared_data / NAIA).read_text(encoding="utf-8").split("\n")[:6]
    clean = parse_pagasa_csv("\n".join([header, *lines]).encode(), NAIA)
    # A separator pasted before a value: float() reads it as white space, like a blank.
    pasted = [lines[0].replace(",", ",\u2028", 1), *lines[1:]]
    result = parse_pagasa_csv("\n".join([header, *pasted]).encode(), NAIA)
    assert result.rejections == []
    assert result.records == clean.records
    assert [o.row_number for o in result.records] == [2, 3, 4, 5, 6]
