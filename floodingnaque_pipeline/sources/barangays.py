"""Map loose CDRRMO barangay spellings to the 16 canonical Parañaque barangays.

The CDRRMO sheets were exported from PDFs, so barangay cells arrive upper- or mixed-case, with
or without the Ñ, abbreviated ("STO NIÑO", "Sto. Nino") or cut in half where a name wrapped onto
two lines ("SAN MARTIN DE" / "PORRES", "GREEN" for Marcelo Green, "ANTONIO" for San Antonio).
`canonical_barangay` normalises the text and looks it up; anything it cannot place with
confidence returns None, so the caller can fall back to coordinates or reject the row.

Deliberately unmapped: cells naming two barangays, e.g. "Vitalez Margelo" (2023 file: a wrapped
"Marcelo" glued onto "Vitalez"); the CDRRMO parser then places the row by its coordinates.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np

from floodingnaque_pipeline.domain.geo import haversine_km
from floodingnaque_pipeline.locations import MonitoredLocation, load_default_locations

DEFAULT_MAX_KM = 3.0

# Normalised loose spelling -> canonical name. Fragments come from names wrapped across PDF
# lines; each one is unique among the 16 barangays, so the mapping is unambiguous.
ALIASES: dict[str, str] = {
    "GREEN": "Marcelo Green",
    "MARCELO": "Marcelo Green",
    "MARGELO": "Marcelo Green",
    "MARGELO GREEN": "Marcelo Green",
    "PORRES": "San Martin de Porres",
    "DE PORRES": "San Martin de Porres",
    "SAN MARTIN": "San Martin de Porres",
    "SAN MARTIN DE": "San Martin de Porres",
    "MARTIN DE PORRES": "San Martin de Porres",
    "SMDP": "San Martin de Porres",
    "ANTONIO": "San Antonio",
    "DIONISIO": "San Dionisio",
    "ISIDRO": "San Isidro",
    "NINO": "Santo Niño",
    "BF": "BF Homes",
    "B F HOMES": "BF Homes",
    "BOSCO": "Don Bosco",
    "GALO": "Don Galo",
    "DONGALO": "Don Galo",
    "HUERTA": "La Huerta",
    "LAHUERTA": "La Huerta",
    "SUNVALLEY": "Sun Valley",
    "VITALES": "Vitalez",
}
_TOKEN_EXPANSIONS = {"STO": "SANTO", "STA": "SANTA"}
_PREFIXES = ("BARANGAY ", "BRGY ", "BGY ")


def normalise_barangay_text(text: str) -> str:
    """Upper-case, strip accents (Ñ -> N) and punctuation, expand STO -> SANTO, collapse spaces."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()
    folded = re.sub(r"[^A-Z0-9]+", " ", folded).strip()
    tokens = [_TOKEN_EXPANSIONS.get(tok, tok) for tok in folded.split()]
    result = " ".join(tokens)
    for prefix in _PREFIXES:
        if result.startswith(prefix):
            result = result[len(prefix) :]
    return result


@cache
def _lookup() -> dict[str, str]:
    table = {normalise_barangay_text(loc.name): loc.name for loc in load_default_locations()}
    for alias, name in ALIASES.items():
        table.setdefault(normalise_barangay_text(alias), name)
    return table


def canonical_barangay(text: str | None) -> str | None:
    """The canonical barangay name for a loose spelling, or None when it cannot be placed."""
    if not text or not text.strip():
        return None
    return _lookup().get(normalise_barangay_text(text))


@cache
def _centroids() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Names, latitudes and longitudes of the centroids: one vector call per lookup."""
    locations: list[MonitoredLocation] = load_default_locations()
    return (
        tuple(loc.name for loc in locations),
        np.array([loc.latitude for loc in locations]),
        np.array([loc.longitude for loc in locations]),
    )


def nearest_barangay(
    lat: float, lon: float, max_km: float = DEFAULT_MAX_KM
) -> tuple[str, float] | None:
    """(canonical name, distance km) of the closest barangay centroid within max_km, else None.

    Centroids are approximate (from CDRRMO coordinates), so this is a best guess near borders.
    """
    names, latitudes, longitudes = _centroids()
    distances = haversine_km(lat, lon, latitudes, longitudes)
    nearest = int(np.argmin(distances))  # the first of equals, as min() picked before
    km = float(distances[nearest])
    return (names[nearest], km) if km <= max_km else None
