"""The layout-perturbation harness (issue 19) on a small seeded sample of each shared export
(the bench, `python -m bench.layout_harness`, runs 200 variants a file), and the printing
habits that place records under a date printed once for their block."""

from __future__ import annotations

from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo_block_habits import (
    bottom_blocks,
    middle_blocks,
    top_blocks,
)
from floodingnaque_pipeline_tests.fakes.cdrrmo_variants import (
    export_cells,
    options,
    run_variants,
    variant,
)

# Seeds whose variants cover every habit (none, top, middle, bottom), wrapping, reordering,
# a dropped column, repeated headers, CRLF and leading blanks (checked below).
SEEDS = range(12)


def _text(shared_data: Path, name: str) -> str:
    return (shared_data / "flood_records" / name).read_text(encoding="utf-8")


def test_the_sample_varies_every_way_an_exporter_does() -> None:
    import random

    seen = [options(random.Random(seed)) for seed in SEEDS]
    assert {o.merged_at for o in seen} == {None, "top", "middle", "bottom"}
    varied = ("wrap", "reorder", "dropped", "crlf", "leading_blanks", "headers_every")
    assert all(any(getattr(o, f) for o in seen) for f in varied)


@pytest.mark.parametrize("name", ["raw_2022.csv", "raw_2023.csv", "raw_2025.csv"])
def test_variants_read_as_the_original_with_no_wrong_date(shared_data: Path, name: str) -> None:
    text = _text(shared_data, name)
    export = export_cells(text)
    merged, _ = variant(export, 1)  # dates printed once per block, at its top
    printed_dates = sum(1 for _, roles in export.records if roles.get("date"))
    assert merged != text and merged.count("*YEAR") == 1
    assert printed_dates > 0
    result = run_variants(text, SEEDS, name)
    checked = result.recovered + result.refused + result.wrong_dates + result.wrong_place
    assert result.wrong_dates == 0, result.examples
    # A record between two dates printed mid-block with no clue of its own is refused, never
    # guessed (2022: 6 of 109 in a "middle" variant, where every cut of the file leaves it
    # undecided and both blocks report the same weather); the bench reports the exact share.
    assert result.recovered >= 0.985 * checked, (result.refused, result.examples)


def test_printing_habits_place_the_records_of_a_block() -> None:
    # Ten records; dates printed on records 0, 4 and 7.
    assert top_blocks([0, 4, 7], 10) == {0: 0, 1: 0, 2: 0, 3: 0, 4: 4, 5: 4, 6: 4, 7: 7, 8: 7,
                                         9: 7}  # fmt: skip
    assert top_blocks([1, 4], 6) is None  # record 0 would print the first block's date
    assert bottom_blocks([2, 5], 6) == {0: 2, 1: 2, 2: 2, 3: 5, 4: 5, 5: 5}
    assert bottom_blocks([2, 4], 6) is None
    # Printed at 1 and 5 of eight records: the cut may fall after 1, 2 or 3 (an even block
    # has two middles); records 2 and 3 are undecided, the others are not.
    assert middle_blocks([1, 5], 8) == {0: 1, 1: 1, 4: 5, 5: 5, 6: 5, 7: 5}
    # Printed at 1 and 3 of six records: only 0-1|2-5 puts both in the middle.
    assert middle_blocks([1, 3], 6) == {0: 1, 1: 1, 2: 3, 3: 3, 4: 3, 5: 3}
    # Printed at 1 and 4 of seven: 0-1|2-6 or 0-2|3-6; record 2 is undecided ...
    undecided = middle_blocks([1, 4], 7)
    assert undecided is not None and 2 not in undecided and undecided[3] == 4
    # ... unless its own clues refuse the block printed at 4: then 0-2|3-6 is the best cut.
    decided = middle_blocks([1, 4], 7, lambda i, anchor: not (i == 2 and anchor == 4))
    assert decided is not None and decided[2] == 1
    assert middle_blocks([3], 2) is None


def test_a_day_blocks_weather_breaks_a_tie_of_middle_cuts_across_the_file() -> None:
    # Printed at 1, 4 and 7 of nine: records 2, 3, 5 and 6 are undecided by position ...
    plain = middle_blocks([1, 4, 7], 9)
    assert plain is not None and not plain.keys() & {2, 3, 5, 6}
    # ... record 3 reporting another weather than the block printed at 4 puts it with 1, so
    # the cut after 3 places 2 with it, and 6 with 7; 5 stays undecided (0-3|4|5-8 and
    # 0-3|4-5|6-8 both print each date in its block's middle).
    apart = middle_blocks([1, 4, 7], 9, None, lambda i, anchor: not (i == 3 and anchor == 4))
    assert apart is not None and (apart[2], apart[3], apart[6]) == (1, 1, 7) and 5 not in apart
