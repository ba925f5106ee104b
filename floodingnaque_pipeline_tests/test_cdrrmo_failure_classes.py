"""The failure classes seen on a year not in shared/ (issue 19), each on a small export written
here: a date printed once for a block in the text layout, a remark wrapped over three lines, a
subsidence at midnight, and printed date ranges."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo_blocks import BlockDates, RecordClues
from floodingnaque_pipeline.sources.cdrrmo_dates import DateClue, read_clue, resolve_date
from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError
from floodingnaque_pipeline.sources.cdrrmo_table import parse_table_export
from floodingnaque_pipeline.sources.cdrrmo_text import parse_text_export
from floodingnaque_pipeline_tests.test_cdrrmo_text_layouts import _export

_HEADER = (
    "DATE      TIME      MONTH    BARANGAY  DEPTH    INCHES  WEATHER       LATITUDE    LONGITUDE"
)


def _dates(text: str) -> dict[int | None, list[date]]:
    found: dict[int | None, list[date]] = {}
    for event in parse_text_export(text).records:
        found.setdefault(event.source_record, []).append(event.event_date)
    return found


def test_a_date_printed_once_for_a_block_serves_the_block_in_the_text_layout() -> None:
    # "May 6" printed once beside record 2 for records 1-3, "June 9" beside record 5 for 4-5;
    # every record prints its MONTH cell, which tells the two blocks apart.
    text = _export(
        "*YEAR 2025",
        _HEADER,
        '1   1600H   MAY   Tambo     Knee   19"  Easterlies   14.5162085   120.9995381',
        "May 6,",
        '2   2025   1610H   MAY   Tambo     Knee   19"  Easterlies   14.5162085   120.9995381',
        '3   1620H   MAY   Tambo     Knee   19"  Easterlies   14.5162085   120.9995381',
        '4   1700H   JUNE   Tambo     Knee   19"  Easterlies   14.5162085   120.9995381',
        "June 9,",
        '5   2025   1710H   JUNE   Tambo     Knee   19"  Easterlies   14.5162085   120.9995381',
    )
    got = _dates(text)
    may6, june9 = [date(2025, 5, 6)], [date(2025, 6, 9)]
    assert got == {1: may6, 2: may6, 3: may6, 4: june9, 5: june9}
    [record_3] = [e for e in parse_text_export(text).records if e.source_record == 3]
    assert "block date 'May 6, 2025'" in record_3.date_evidence
    assert "MONTH cell 'MAY'" in record_3.date_evidence


def _weather_blocks(fifth: str) -> str:
    weather = {1: "Habagat", 2: "Habagat", 3: "Habagat", 4: "Easterlies", 5: fifth}
    lines = []
    for n in range(1, 7):
        year = "2025   " if n in (2, 5) else ""
        if n in (2, 5):
            lines.append("June 3," if n == 2 else "June 9,")
        lines.append(f'{n}   {year}1600H   JUNE   Tambo     Knee   19"  '
                     f'{weather.get(n, "Easterlies")}   14.5162085   120.9995381')  # fmt: skip
    return _export("*YEAR 2025", _HEADER, *lines)


def test_the_weather_places_a_record_between_blocks_printed_mid_block_in_the_text_layout() -> None:
    # "June 3" beside record 2, "June 9" beside 5, the MONTH cells alike: 3 and 4 may end the
    # first block or start the second; the weather of each is that of one block only.
    june3, june9 = [date(2025, 6, 3)], [date(2025, 6, 9)]
    got = _dates(_weather_blocks("Easterlies"))
    assert got == {1: june3, 2: june3, 3: june3, 4: june9, 5: june9, 6: june9}
    # The text layout may give a wrapped cell a neighbour's word: 'Habagat Easterlies' might
    # be 'Habagat', so record 3 is refused, with the reason, rather than dated by a guess.
    text = _weather_blocks("Habagat Easterlies")
    assert 3 not in _dates(text)
    [refused] = parse_text_export(text).rejections
    assert "no date can be established" in refused.reason and "record 3" in refused.reason


def test_a_remark_wrapped_over_three_lines_is_joined() -> None:
    text = _export(
        "*YEAR 2024",
        _HEADER + "   REMARKS",
        "July 24,                    San      Gutter                                Subsided as of",
        "                                                                           1530H 24 July",
        '1   2024   1600H   JULY  Antonio   Level   8"   Habagat   14.4610849   121.0273335   2024',
    )
    [event] = parse_text_export(text).records
    assert event.event_date == date(2024, 7, 24)
    assert "'Subsided as of 1530H 24 July 2024' (lines 3-5)" in event.date_evidence


def test_a_wrapped_remark_alone_dates_the_record_by_the_subsidence_rule() -> None:
    text = _export(
        "*YEAR 2024",
        _HEADER + "   REMARKS",
        "                            San      Gutter                                Subsided as of",
        "                                                                           1530H 24 July",
        '1   1600H   Antonio   Level   8"   Habagat   14.4610849   121.0273335   2024',
    )
    [event] = parse_text_export(text).records
    assert event.event_date == date(2024, 7, 24)
    assert "on or before 2024-07-24" in event.date_evidence
    assert "subsidence rule" in event.date_evidence


def test_a_subsidence_at_midnight_bounds_the_flood_to_the_day_before() -> None:
    remark = read_clue("subsidence remark", "Subsided as of 0000H, 06 November", 7, 7)
    assert remark is not None and remark.midnight
    alone = resolve_date([remark], 2024)
    assert alone.first == date(2024, 11, 5)
    assert "on or before 2024-11-05" in alone.evidence and "midnight" in alone.evidence
    # A date cell naming the 6th disagrees with water gone at the start of the 6th.
    cell = DateClue("date cell", "November 6, 2024", 5, 2024, 11, 6)
    try:
        resolve_date([cell, remark], 2024)
    except RecordError as error:
        assert "midnight" in str(error) and "'November 6, 2024'" in str(error)
    else:
        raise AssertionError("a flood on the 6th cannot subside at 0000H on the 6th")
    before = DateClue("date cell", "November 5, 2024", 5, 2024, 11, 5)
    assert resolve_date([before, remark], 2024).first == date(2024, 11, 5)
    # Not midnight: the same day is allowed.
    later = read_clue("subsidence remark", "Subsided as of 1530H, 06 November", 7, 7)
    assert later is not None and not later.midnight
    assert resolve_date([later], 2024).first == date(2024, 11, 6)


def test_a_subsidence_at_midnight_in_a_text_export() -> None:
    text = _export(
        "*YEAR 2024",
        _HEADER + "   REMARKS",
        "                            San      Gutter                       Subsided as of 0000H,",
        "                                                                  06 November",
        '1   1600H   Antonio   Level   8"   Habagat   14.4610849   121.0273335   2024',
    )
    [event] = parse_text_export(text).records
    assert event.event_date == date(2024, 11, 5)


def test_a_printed_range_labels_every_day_of_it() -> None:
    table = parse_table_export(
        "\n".join(
            (
                ",*YEAR 2023 ,,,,",
                "# ,DATE ,MONTH ,BARANGAY ,LATITUDE ,LONGITUDE",
                "1,1 and 2,SEPTEMBER,Tambo,14.5208,120.9905",
                "2,,,Tambo,14.5209,120.9906",
                "3,20-21 October,,Baclaran,14.5209,120.9906",
            )
        )
    )
    got = [(e.source_record, e.event_date, e.range_day) for e in table.records]
    assert got == [
        (1, date(2023, 9, 1), 0), (1, date(2023, 9, 2), 1),
        (2, date(2023, 9, 1), 0), (2, date(2023, 9, 2), 1),
        (3, date(2023, 10, 20), 0), (3, date(2023, 10, 21), 1),
    ]  # fmt: skip
    assert table.records[1].date_evidence.endswith("day 2 of 2")
    assert "range 1-2" in table.records[1].date_evidence
    text = _export(
        "*YEAR 2025",
        _HEADER,
        "May 6-7,                    San      Gutter",
        '1   2025   1600H   MAY   Antonio   Level   8"   Easterlies   14.4610849   121.0273335',
    )
    assert _dates(text) == {1: [date(2025, 5, 6), date(2025, 5, 7)]}


def test_a_range_past_the_months_end_is_refused() -> None:
    result = parse_table_export(
        "\n".join(
            (
                ",*YEAR 2023 ,,,,",
                "# ,DATE ,MONTH ,BARANGAY ,LATITUDE ,LONGITUDE",
                "1,30-31,SEPTEMBER,Tambo,14.5208,120.9905",
            )
        )
    )
    [refused] = result.rejections
    assert not result.records and "impossible range 30-31" in refused.reason


def test_raw_2023_range_block_floods_both_days(shared_data: Path) -> None:
    text = (shared_data / "flood_records" / "raw_2023.csv").read_text(encoding="utf-8")
    result = parse_table_export(text)
    by_record: dict[int | None, set[date]] = {}
    for event in result.records:
        by_record.setdefault(event.source_record, set()).add(event.event_date)
    # Record 97 sits beside the printed "1 and 2" (SEPTEMBER); 162 beside "20-21" (OCTOBER).
    assert by_record[97] == {date(2023, 9, 1), date(2023, 9, 2)}
    assert by_record[162] == {date(2023, 10, 20), date(2023, 10, 21)}
    keys = [(e.row_number, e.range_day) for e in result.records]
    assert len(keys) == len(set(keys))


def test_a_text_layouts_ragged_weather_cell_does_not_vote_down_the_files_printing_habit() -> None:
    # Ten records, dates printed mid-block on 2 and 7 (indexes); every record reports
    # 'Habagat', but the text layout gave the first printed record's cell a word of its
    # neighbour's: 'Habagat Storm'. That is not surely another weather, so it must not count
    # against the middle habit that places records 0-3 with 'June 3' and 6-9 with 'June 9'.
    def clues(index: int) -> RecordClues:
        printed = {2: "June 3, 2025", 7: "June 9, 2025"}.get(index)
        own = {"date": read_clue("date cell", printed, index + 1) if printed else None}
        weather = "Habagat Storm" if index == 2 else "Habagat"
        return RecordClues(index + 1, own, [], weather, weather_whole=False)

    dates = BlockDates([clues(i) for i in range(10)], 2025)
    for index in (0, 1, 3):
        assert dates.date_of(index).first == date(2025, 6, 3)
    for index in (6, 8, 9):
        assert dates.date_of(index).first == date(2025, 6, 9)
    for index in (4, 5):  # either block's, by position (even blocks' two middles)
        with pytest.raises(RecordError, match="no date can be established"):
            dates.date_of(index)
