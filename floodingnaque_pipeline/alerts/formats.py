"""An issue in the formats the city's tools already read: GeoJSON (QGIS, any web map), CAP 1.2
(the OASIS / ITU-T X.1303 Common Alerting Protocol PAGASA issues its warnings in) and an Atom
feed of the current CAP alerts. XML is built with ElementTree, which does the escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

from floodingnaque_pipeline.alerts.issue import LEVEL_NAMES, BarangayRisk
from floodingnaque_pipeline.alerts.reasons import MEANINGS
from floodingnaque_pipeline.domain.time import MANILA

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SENDER = "floodingnaque@paranaque.gov.ph"
SEVERITY = {1: "Moderate", 2: "Severe"}
CERTAINTY = {1: "Possible", 2: "Likely"}
AREA_RADIUS_KM = 1.0  # a barangay's point as a small circle: CAP has no bare point
ET.register_namespace("cap", CAP_NS)  # readable prefixes instead of ns0/ns1
ET.register_namespace("", ATOM_NS)


def _when(moment: datetime) -> str:
    """CAP dateTime: local time with its offset, no fractions (2026-12-04T08:00:00+08:00)."""
    return moment.astimezone(MANILA).replace(microsecond=0).isoformat()


def risk_geojson(issued_at: datetime, serving: str, risks: list[BarangayRisk]) -> dict:
    """RFC 7946 FeatureCollection: one Point ([lon, lat]) per barangay and day."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]},
            "properties": {
                "name": r.name,
                "location_id": r.location_id,
                "day": r.day.isoformat(),
                "level": LEVEL_NAMES[r.level],
                "level_code": r.level,
                "probability": r.probability,
                "reasons": r.reasons,
                "why": r.why,
            },
        }  # fmt: skip
        for r in risks
    ]
    return {"type": "FeatureCollection", "issued_at": _when(issued_at), "serving": serving,
            "features": features}  # fmt: skip


def _add(parent: ET.Element, tag: str, text: str, ns: str = CAP_NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    element.text = text
    return element


def cap_alert(risk: BarangayRisk, issued_at: datetime, serving: str, identifier: str) -> bytes:
    """One CAP 1.2 <alert> for a barangay at Alert (Moderate) or Critical (Severe)."""
    if risk.level not in SEVERITY:
        raise ValueError(f"CAP alerts are for Alert or Critical, not {LEVEL_NAMES[risk.level]}")
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    for tag, text in (("identifier", identifier), ("sender", SENDER), ("sent", _when(issued_at)),
                      ("status", "Actual"), ("msgType", "Alert"), ("scope", "Public")):  # fmt: skip
        _add(alert, tag, text)
    info = _add(alert, "info", "")
    info.text = None
    onset = datetime.combine(risk.day, time(0), MANILA)
    today = issued_at.astimezone(MANILA).date() >= risk.day
    level = LEVEL_NAMES[risk.level]
    for tag, text in (
        ("language", "en-PH"), ("category", "Met"), ("event", "Flood risk"),
        ("urgency", "Expected" if today else "Future"), ("severity", SEVERITY[risk.level]),
        ("certainty", CERTAINTY[risk.level]), ("onset", _when(onset)),
        ("expires", _when(datetime.combine(risk.day + timedelta(days=1), time(8), MANILA))),
        ("senderName", f"Parañaque flood early warning ({serving})"),
        ("headline", f"{level} flood risk in {risk.name} on {risk.day:%a %d %b %Y}"),
        ("description", "; ".join(risk.reasons)), ("instruction", MEANINGS[risk.level]),
    ):  # fmt: skip
        _add(info, tag, text)
    for name, value in sorted(risk.why.items()):
        parameter = _add(info, "parameter", "")
        parameter.text = None
        _add(parameter, "valueName", str(name))
        _add(parameter, "value", str(value))
    area = _add(info, "area", "")
    area.text = None
    _add(area, "areaDesc", risk.name)
    _add(area, "circle", f"{risk.latitude},{risk.longitude} {AREA_RADIUS_KM}")
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def atom_feed(
    entries: list[tuple[str, str, str]], updated: datetime, feed_id: str, title: str
) -> bytes:
    """Atom 1.0 feed of the current alerts: (identifier, title, href of the CAP file)."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    for tag, text in (("id", feed_id), ("title", title), ("updated", _when(updated))):
        _add(feed, tag, text, ATOM_NS)
    author = _add(feed, "author", "", ATOM_NS)
    author.text = None
    _add(author, "name", "floodingnaque", ATOM_NS)
    for identifier, entry_title, href in entries:
        entry = _add(feed, "entry", "", ATOM_NS)
        entry.text = None
        _add(entry, "id", f"urn:floodingnaque:{identifier}", ATOM_NS)
        _add(entry, "title", entry_title, ATOM_NS)
        _add(entry, "updated", _when(updated), ATOM_NS)
        link = ET.SubElement(entry, f"{{{ATOM_NS}}}link")
        link.set("rel", "alternate")
        link.set("type", "application/cap+xml")
        link.set("href", href)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
