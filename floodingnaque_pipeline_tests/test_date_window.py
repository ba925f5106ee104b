"""Plausible dates: nothing more than a day ahead, nothing before the source's first year, in
the PAGASA parser and in every CDRRMO reader (issue 14, item 7)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources import cdrrmo_fields, pagasa
from floodingnaque_pipeline.sources.cdrrmo import COLUMNS, parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError, check_plausible_date
from floodingnaque_pipeline.sources.csv_files import manila_today
from floodingnaque_pipeline.sources.pagasa import parse_pagasa_csv

TODAY = date(2026, 11, 25)
PAGASA_HEADER = "YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION"


def _pagasa_rows(*days: date, today: date) -> pagasa.ParseResult[pagasa.StationObservation]:
    rows = [f"{d.year},{d.month},{d.day},0.5,29.1,24.1,83,2,250" for d in days]
    content = "\n".join([PAGASA_HEADER, *rows]).encode()
    return parse_pagasa_csv(content, "naia_daily.csv", today=today)


def test_pagasa_refuses_the_far_future_and_the_distant_past() -> None:
    good = [date(2020, 1, 1), TODAY, TODAY + timedelta(days=1)]
    bad = [TODAY + timedelta(days=2), date(2031, 7, 1), date(1, 1, 1), date(1900, 5, 5),
           date(2019, 12, 31)]  # fmt: skip
    result = _pagasa_rows(*good, *bad, today=TODAY)
    assert [o.observed_on for o in result.records] == good
    reasons = {r.row_number: r.reason for r in result.rejections}
    assert sorted(reasons) == [5, 6, 7, 8, 9]
    assert "in the future" in reasons[5] and "in the future" in reasons[6]
    assert all(f"before {pagasa.FIRST_YEAR}" in reasons[n] for n in (7, 8, 9))


def test_pagasa_window_moves_with_today() -> None:
    later = date(2031, 7, 1)
    assert _pagasa_rows(later, today=TODAY).records == []
    assert len(_pagasa_rows(later, today=later).records) == 1


@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        (date(cdrrmo_fields.FIRST_YEAR, 1, 1), True),
        (TODAY + timedelta(days=1), True),
        (TODAY + timedelta(days=2), False),
        (date(2031, 1, 1), False),
        (date(1, 1, 1), False),
        (date(1900, 1, 1), False),
        (date(cdrrmo_fields.FIRST_YEAR - 1, 12, 31), False),
    ],
)
def test_cdrrmo_date_window(day: date, accepted: bool) -> None:
    if accepted:
        check_plausible_date(day, TODAY)
    else:
        with pytest.raises(RecordError, match="future|before"):
            check_plausible_date(day, TODAY)


def _cleaned_row(n: int, day: date) -> str:
    return (
        f"{n},{day.isoformat()},{day.month},{day.day},{day.year},DIONISIO,CORNER {n},"
        f"14.47{n},121.001,knee,Rain,x,,"
    )


def test_every_cdrrmo_reader_applies_the_window(shared_data: Path) -> None:
    # Cleaned layout, through the parser the asset calls (today: Manila's real today).
    far = manila_today() + timedelta(days=3)
    rows = [_cleaned_row(1, date(2022, 3, 14)), _cleaned_row(2, far),
            _cleaned_row(3, date(1900, 3, 14))]  # fmt: skip
    result = parse_cdrrmo_csv(("\n".join([",".join(COLUMNS), *rows]) + "\n").encode(), "x.csv")
    assert [e.row_number for e in result.records] == [2]
    assert [(r.row_number, "future" in r.reason, "before" in r.reason)
            for r in result.rejections] == [(3, True, False), (4, False, True)]  # fmt: skip

    # The table-from-PDF export: dates typed as 1900 (title and date cells) are refused; the
    # rest of the year disagree with other date clues first.
    raw = (shared_data / "flood_records/raw_2022.csv").read_text(encoding="utf-8")
    original = parse_cdrrmo_csv(raw.encode(), "raw_2022.csv")
    first = original.records[0].event_date
    assert first.year == 2022
    shifted = re.sub(r"\b(YEAR|[A-Z][a-z]{2}) 2022\b", r"\1 1900", raw)  # title, date cells
    moved = parse_cdrrmo_csv(shifted.encode(), "raw_2022.csv")
    assert moved.records == []  # no flood lands in 1900
    assert sum("before 2010" in r.reason for r in moved.rejections) > 10
