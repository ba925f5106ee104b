"""An unfinished `text_lines` generator over a stream its caller has already closed ends quietly.

The label loader stops reading at a refused header and closes its file; the generator is
finalised later (when collected) and used to raise `ValueError: I/O operation on closed file`,
which Python prints as an ignored exception in the middle of the test output.
"""

from __future__ import annotations

import gc
import io
import sys

import pytest

from floodingnaque_pipeline.sources.text_stream import UTF8, text_lines


def test_generator_closed_after_its_stream_raises_nothing() -> None:
    stream = io.BytesIO(b"header\nrow 1\nrow 2\n")
    lines = text_lines(stream, UTF8)
    assert next(lines) == "header"
    stream.close()
    lines.close()  # what collection does; it raised ValueError before the fix


def test_collected_generator_prints_no_ignored_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    ignored: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda hook: ignored.append(hook.exc_value))
    stream = io.BufferedReader(io.BytesIO(b"a\nb\n"))
    lines = text_lines(stream, UTF8)
    next(lines)
    stream.close()
    del lines
    gc.collect()
    assert ignored == []


def test_open_stream_is_handed_back_to_its_caller() -> None:
    stream = io.BytesIO(b"first\nsecond\n")
    lines = text_lines(stream, UTF8)
    assert next(lines) == "first"
    lines.close()
    assert not stream.closed  # the caller may still read it (to finish a hash)
