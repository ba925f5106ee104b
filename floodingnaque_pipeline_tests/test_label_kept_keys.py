"""The kept keys of a flood-record file: a bit per line for day 0, tuples for the further days
of a range, and exact membership either way (the stale-row delete trusts it)."""

from floodingnaque_pipeline.db.label_staging import LineDaySet


def test_line_day_set_holds_exactly_what_was_added() -> None:
    kept = LineDaySet()
    for key in [(3, 0), (3, 1), (9, 0), (12, 2)]:
        kept.add(key)
    kept.add((3, 0))  # a repeat counts once
    assert len(kept) == 4
    assert sorted(kept) == [(3, 0), (3, 1), (9, 0), (12, 2)]
    assert (3, 1) in kept and (12, 2) in kept and (9, 0) in kept
    assert (9, 1) not in kept and (12, 0) not in kept and (4, 0) not in kept
    assert (3,) not in kept and "3" not in kept
