"""Text written through COPY comes back exactly: backslashes, tabs and CRs in a refused row,
escapes inside a stored JSON body (db/copy_format._escape)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from floodingnaque_pipeline.db.copy_format import JsonText, write_copy_text
from floodingnaque_pipeline.db.models import RawWeatherPull
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.label_ingest import FLOODS, ingest_label_file
from floodingnaque_pipeline.sources.cdrrmo import COLUMNS

TABLE = RawWeatherPull.__table__  # its payload column is JSON: the converter for JsonText
AWKWARD = "C:\\\\exports\\\\n-not-a-newline \t tab \\t literal \\\\ end"


def test_a_refused_row_with_backslashes_and_tabs_is_stored_as_read(
    pg_url: str, tmp_path: Path
) -> None:
    row = f'1,2022-02-30,2,30,2022,DIONISIO,"{AWKWARD}",14.47,121.0,knee,Rain,x,,'
    (tmp_path / "flood_records").mkdir()
    (tmp_path / "flood_records" / "odd.csv").write_text(",".join(COLUMNS) + "\n" + row + "\n")
    database = AppDatabase(pg_url)
    database.migrate()
    with database.session() as session:
        ingest_label_file(session, FLOODS, tmp_path, "flood_records/odd.csv", max_bytes=1 << 20,
                          expected_sha256=None, run_id=None)  # fmt: skip
    with database.session() as session:
        stored = session.execute(text("SELECT raw_row FROM ingest_rejections")).scalars().all()
    database.dispose()
    assert stored == [row]


def test_a_json_body_keeps_its_escapes(pg_url: str) -> None:
    body = '{"note":"a\\\\b \\"q\\" \\u00d1 \\n","values":[1.5,null]}'
    database = AppDatabase(pg_url)
    database.migrate()
    with database.session() as session:
        session.execute(text("CREATE TABLE j (payload jsonb)"))
        cursor = session.connection().connection.driver_connection.cursor()
        stream = write_copy_text(TABLE, ["payload"], [(JsonText(body),)])
        cursor.copy_expert("COPY j (payload) FROM STDIN", stream)
        payload = session.execute(text("SELECT payload FROM j")).scalar_one()
    database.dispose()
    assert payload == {"note": 'a\\b "q" \u00d1 \n', "values": [1.5, None]}
