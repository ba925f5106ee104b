"""A file refused whole never erases the last accepted version's rows (issue 22, item 0): the
refusal is stored, the run fails with the reason as its headline, and the landing sensor does
not request the same bytes again."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import dagster as dg
import pytest

from floodingnaque_pipeline import label_ingest
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.labels.sensors import run_outcome
from floodingnaque_pipeline.landing_state import REFUSED_TAG, RunOutcome
from floodingnaque_pipeline_tests.labels_support import drop, ingest, logged_check, query, refusal

NAIA = "pagasa/naia_daily.csv"
NAIA_ROWS = 1827


def _xlsx() -> bytes:
    """What an analyst's 'Save as Excel' lands: a zip of XML parts, not a CSV."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr(
            "xl/workbook.xml", "<workbook><sheets><sheet name='NAIA'/></sheets></workbook>"
        )
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 500 + "</worksheet>")
    return buffer.getvalue()


def _wrong_header(text: str) -> bytes:
    lines = text.splitlines()
    return "\n".join(["DATE,RAIN_MM,TMAX,TMIN", *lines[1:]]).encode()


def _every_row_bad(text: str) -> bytes:
    lines = text.splitlines()
    return "\n".join([lines[0], *(line.replace(",", ";") for line in lines[1:50])]).encode()


# case -> (bad bytes from the good file's text, a piece of the stored reason)
REDROPS = {
    "wrong-header": (_wrong_header, "unexpected header"),
    "excel": (lambda _text: _xlsx(), ""),
    "header-only": (lambda text: text.splitlines()[0].encode() + b"\n", "no data rows"),
    "every-row-bad": (_every_row_bad, "expected 9 fields"),
}


@pytest.mark.parametrize("case", list(REDROPS))
def test_a_redrop_refused_whole_keeps_the_stored_rows_and_fails_with_the_reason(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path, case: str
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    good = (shared_data / NAIA).read_text(encoding="utf-8")
    drop(tmp_path, NAIA, good.encode())
    assert ingest(NAIA, db_url, tmp_path, instance).success
    count = "SELECT count(*) FROM station_observations WHERE source_file = :f"
    rows_before = query(app_db, "SELECT * FROM station_observations ORDER BY observed_on")
    assert query(app_db, count, f=NAIA) == [(NAIA_ROWS,)]

    make, needle = REDROPS[case]
    drop(tmp_path, NAIA, make(good))
    tags = {"dagster/run_key": f"{NAIA}@bad-{case}#1"}
    result = ingest(NAIA, db_url, tmp_path, instance, raise_on_error=False, tags=tags)

    assert query(app_db, "SELECT * FROM station_observations ORDER BY observed_on") == rows_before
    reasons = [r for (r,) in query(app_db, "SELECT reason FROM ingest_rejections WHERE file = :f",
                                   f=NAIA)]  # fmt: skip
    assert reasons and all(needle in r for r in reasons)
    description, _ = refusal(result)
    assert description.startswith(f"{NAIA} refused whole: ")
    assert needle in description and reasons[0][:60] in description
    assert f"the {NAIA_ROWS:,} rows of its last accepted version are kept" in description.lower()
    # The check says what happened, not "1 of 1,828 rows refused (0.1%)".
    evaluation = logged_check(instance, result.run_id)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "file refused whole: " in (evaluation.description or "")
    # The sensor settles the run as refused: the same bytes are not requested again.
    assert instance.get_run_by_id(result.run_id).tags[REFUSED_TAG] == "true"  # type: ignore[union-attr]
    assert run_outcome(instance, tags["dagster/run_key"]) is RunOutcome.REFUSED


def test_a_wrong_name_fails_the_run_and_touches_no_other_file(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    drop(tmp_path, NAIA, shared_data / NAIA)
    assert ingest(NAIA, db_url, tmp_path, instance).success
    wrong = "pagasa/sangley_point_2024.csv"  # a station the registry does not hold
    drop(tmp_path, wrong, shared_data / NAIA)
    description, _ = refusal(ingest(wrong, db_url, tmp_path, instance, raise_on_error=False))
    assert "unknown PAGASA station file name 'pagasa/sangley_point_2024.csv'" in description
    assert "nothing of it is stored" in description.lower()
    assert query(app_db, "SELECT count(*) FROM station_observations") == [(NAIA_ROWS,)]
    [(reason,)] = query(app_db, "SELECT reason FROM ingest_rejections WHERE file = :f", f=wrong)
    assert "unknown PAGASA station file name" in reason


def test_a_partly_refused_redrop_still_replaces_the_files_rows(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    lines = (shared_data / NAIA).read_text(encoding="utf-8").splitlines()
    drop(tmp_path, NAIA, "\n".join(lines).encode())
    assert ingest(NAIA, db_url, tmp_path, instance).success
    # 100 days fewer and one bad row: accepted rows replace, the stale ones go.
    drop(tmp_path, NAIA, "\n".join([*lines[:-101], "2024,1,1,x,1,1,1,1,1"]).encode())
    assert ingest(NAIA, db_url, tmp_path, instance).success
    assert query(app_db, "SELECT count(*) FROM station_observations") == [(NAIA_ROWS - 101,)]


def test_the_ingest_cli_says_refused_whole_and_exits_1(
    sqlite_url: str,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    drop(tmp_path, NAIA, shared_data / NAIA)
    assert label_ingest.main([NAIA, "--landing-dir", str(tmp_path)]) == 0
    drop(tmp_path, NAIA, b"DATE,RAIN\n2024-01-01,3\n")
    capsys.readouterr()
    assert label_ingest.main([NAIA, "--landing-dir", str(tmp_path)]) == 1
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (report["refused_whole"], report["kept_previous"]) == (True, NAIA_ROWS)
