"""A response stored as received is digested without re-serialising it: the same data gives
the same digest whatever the volatile fields say, other data another digest."""

from __future__ import annotations

import json

from floodingnaque_pipeline.db.raw_pulls import body_digest

BODY = {"latitude": 14.48, "generationtime_ms": 0.42, "hourly": {"temperature_2m": [27.1, 26.8]}}


def _text(payload: object, **dumps: object) -> str:
    return json.dumps(payload, separators=(",", ":"), **dumps)  # type: ignore[arg-type]


def test_only_the_volatile_fields_are_ignored() -> None:
    again = {**BODY, "generationtime_ms": 12.5e-3}
    assert body_digest(_text(BODY)) == body_digest(_text(again))
    assert body_digest(_text([BODY, BODY])) == body_digest(_text([again, BODY]))
    changed = {**BODY, "hourly": {"temperature_2m": [27.1, 26.9]}}
    assert body_digest(_text(BODY)) != body_digest(_text(changed))


def test_a_field_merely_named_like_a_volatile_one_still_counts() -> None:
    quoted = {**BODY, "note": "generationtime_ms"}
    other = {**BODY, "note": "something else"}
    assert body_digest(_text(quoted)) != body_digest(_text(other))
