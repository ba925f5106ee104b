"""Issue 21 items 1, 2 and 4: each flood_risk issue gives a map, a self-contained bulletin in
a real headless Chromium (Debian's /usr/bin/chromium), and the webhook message carries the same
summary; the reasons come from the rows' structured inputs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from floodingnaque_pipeline.alerts.bulletin import bulletin_html, summary
from floodingnaque_pipeline.alerts.issue import BarangayRisk, FloodHistory, Issue
from floodingnaque_pipeline.alerts.reasons import plain_reasons
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.ml.risk_publish import _window_rain
from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    first_red_hour_end,
    materialization_metadata,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.weather_rows import seed_locations

CHROMIUM = Path("/usr/bin/chromium")
ISSUED = datetime(2024, 7, 20, 8, tzinfo=MANILA)
DAY = date(2024, 7, 20)
WHY = {"rain_so_far_mm": 42.0, "forecast_rain_mm": 38.0, "rule": "Orange", "probability": 0.31}


def risk(name: str, level: int, location_id: int = 1, day: date = DAY) -> BarangayRisk:
    return BarangayRisk(location_id, name, 14.5, 121.0, day, level, 0.31, ["r"], WHY)


def test_reasons_are_the_rows_fields_in_plain_words() -> None:
    history = FloodHistory(17, "2022–23", {1: 9})
    text = plain_reasons(risk("Tambo", 1), history)
    assert text == ("42 mm since 08:00, 38 mm more forecast by 08:00 the next day; floods "
                    "recorded here on 9 of the 17 flood days of 2022–23; PAGASA Orange rule; "
                    "model probability 31%")  # fmt: skip
    bare = BarangayRisk(2, "X", 14.5, 121.0, DAY, 0, None, ["stored reason"], {})
    assert plain_reasons(bare, FloodHistory(0, "")) == "stored reason"


def test_changes_and_summary_compare_with_the_previous_issue() -> None:
    issue = Issue(ISSUED, "PAGASA rules", [risk("Tambo", 2), risk("Vitalez", 0, 2)],
                  ISSUED - timedelta(hours=1), {(1, DAY): 1, (2, DAY): 0})  # fmt: skip
    assert [(r.name, before) for r, before in issue.changes()] == [("Tambo", 1)]
    text = summary(issue)
    assert text.startswith("Flood risk issued 2024-07-20 08:00 (Manila) by PAGASA rules: 1 ")
    assert "Tambo Critical on Sat 20 Jul (42 mm since 08:00" in text and "Vitalez" not in text


def test_names_are_escaped_in_the_page() -> None:
    page = bulletin_html(Issue(ISSUED, "PAGASA rules", [risk("A&B <Sto. Niño>", 1)]), b"png")
    assert "A&amp;B &lt;Sto. Niño&gt;" in page and "<Sto." not in page


@pytest.fixture
def red_issue(app_db: AppDatabase, db_url: str) -> tuple[dict, int]:
    seed_locations(app_db)
    [(location_id, lat, lon)] = query(
        app_db, "SELECT id, latitude, longitude FROM locations WHERE slug = 'baclaran'"
    )
    now = first_red_hour_end(lat, lon) - timedelta(hours=4, minutes=20)  # Red still forecast
    write_stand_in_weather(app_db, now, dry=False)
    for hour in (now - timedelta(hours=1), now):  # two issues: the second says what changed
        as_of = {"ops": {"flood_risk": {"config": {"as_of": hour.isoformat()}}}}
        meta = materialization_metadata(
            run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of), "flood_risk"
        )
    return meta, location_id


def test_flood_risk_writes_the_bulletin_and_the_alert_carries_its_summary(
    app_db: AppDatabase, red_issue: tuple[dict, int], bulletins_in_tmp: Path
) -> None:
    meta, _ = red_issue
    assert next(iter(meta)) == "verdict"
    assert meta["verdict"].startswith("PAGASA rules alone: no current model")
    assert meta["map"].startswith("![risk map, today and tomorrow](data:image/png;base64,")
    bulletin = Path(meta["bulletin"])
    assert bulletin.parent == bulletins_in_tmp and bulletin.name.startswith("flood-risk-")
    payloads = [json.loads(p) if isinstance(p, str) else p
                for (p,) in query(app_db, "SELECT payload FROM alert_outbox "
                                          "WHERE kind = 'flood_risk'")]  # fmt: skip
    assert payloads and all(p["summary"].startswith("Flood risk issued") for p in payloads)
    assert all(Path(p["bulletin"]).is_file() for p in payloads)  # one per issue, kept
    this_issue = [p for p in payloads if p["issued_at"] == meta["issued_at"]]
    assert all(p["summary"] == meta["summary"] for p in this_issue)
    assert all(p["bulletin"] == str(bulletin) for p in this_issue)
    assert "Baclaran Critical" in meta["summary"]


def test_the_bulletin_reads_right_in_a_real_browser(red_issue: tuple[dict, int]) -> None:
    meta, _ = red_issue
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(Path(meta["bulletin"]).as_uri())
            assert "by PAGASA rules" in page.inner_text("#issued")
            raised = page.inner_text("#raised")
            assert "Baclaran" in raised and "Critical" in raised and "PAGASA Red rule" in raised
            assert "Last observed hour: 20" in page.inner_text("#freshness")
            body = page.inner_text("body")  # the second issue compares with the first
            assert "First issue" not in body and "since 2024-07-04 11:00 (manila)" in body.lower()
            width = page.eval_on_selector("#map", "img => img.complete && img.naturalWidth")
            assert width and width > 300  # the inline map decodes
            assert len(page.query_selector_all("#all tr.risk")) == 32  # 16 barangays x 2 days
            history = page.eval_on_selector("#history", "img => img.complete && img.naturalWidth")
            assert history and history > 300  # the per-barangay history plot decodes
            assert "evacuation" in page.inner_text("#meanings")
        finally:
            browser.close()


def test_history_counts_rain_in_the_models_08_to_08_window() -> None:
    hours = pd.DataFrame({
        "location_id": [1, 1, 1, 1],
        # hour ends 08:00 and 09:00 Manila on the 20th, and the same 09:00 from a 2nd source
        "observed_at": pd.to_datetime(["2024-07-20T00:00Z", "2024-07-20T01:00Z",
                                       "2024-07-20T01:00Z", "2024-07-21T00:00Z"]),
        "precipitation_mm": [5.0, 2.0, 2.0, 1.0],
    })  # fmt: skip
    rain = _window_rain(hours)
    assert rain == {(1, date(2024, 7, 19)): 5.0, (1, date(2024, 7, 20)): 3.0}
