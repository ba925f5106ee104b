"""Streamed COPY text is the same text as the one-piece buffer, chunk boundaries included."""

from floodingnaque_pipeline.db.copy_format import CopyStream, write_copy_text
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, weather_rows

TABLE = WeatherData.__table__


def _drain(stream: CopyStream) -> list[str]:
    chunks = []
    while chunk := stream.read(8192):
        chunks.append(chunk)
    return chunks


def test_chunks_join_to_the_whole_buffer() -> None:
    rows = weather_rows([1, 2], hours=5)  # NULLs included
    chunks = _drain(CopyStream(TABLE, WEATHER_COLUMNS, rows, chunk_rows=3))
    assert len(chunks) == 4
    assert all(chunk.endswith("\n") for chunk in chunks)  # no row split across chunks
    assert "".join(chunks) == write_copy_text(TABLE, WEATHER_COLUMNS, rows).getvalue()


def test_no_rows_is_an_empty_stream() -> None:
    assert _drain(CopyStream(TABLE, WEATHER_COLUMNS, [])) == []
