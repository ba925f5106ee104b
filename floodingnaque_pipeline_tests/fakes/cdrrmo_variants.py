"""Seeded layout variants of a CDRRMO PDF export, the way a PDF exporter would vary them
(issue 19): dates printed once per block (top, middle or bottom), cells wrapped over 1-4 lines
with the year split from day and month, columns reordered, one optional column dropped, page
headers repeated mid-file, blank lines, CRLF and leading blanks.

A variant is re-rendered from the cells the reader found in the original export
(`export_cells`), in the same layout (table-from-PDF or text-from-PDF), so what changes is only
the layout: the reading of a variant must give each record the same (date, barangay).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date

from floodingnaque_pipeline.sources.barangays import canonical_barangay
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_table_grid import Grid, read_grid
from floodingnaque_pipeline.sources.cdrrmo_text_barangay import place
from floodingnaque_pipeline.sources.cdrrmo_text_cells import read_cells
from floodingnaque_pipeline.sources.cdrrmo_text_lines import read_lines, split_records, title_year

DATE_ROLES = ("date", "month", "day", "year")
OPTIONAL = ("location", "depth", "time")  # one of them may be left out of a variant
TABLE_NAMES = {
    "number": "#", "date": "DATE", "month": "MONTH", "day": "DAY", "year": "YEAR",
    "barangay": "BARANGAY", "location": "LOCATION", "depth": "FLOOD DEPTH",
    "weather": "WEATHER DISTURBANCES", "remarks": "REMARKS", "subsided": "TIME SUBSIDED",
    "latitude": "LATITUDE", "longitude": "LONGITUDE", "coordinates": "COORDINATES",
}  # fmt: skip
TEXT_COLUMNS = ("date", "time", "month", "barangay", "location", "depth", "weather", "remarks",
                "latitude", "longitude")  # fmt: skip


@dataclass
class Export:
    layout: str  # "table" or "text"
    year: int
    records: list[tuple[int, dict[str, str]]]  # (printed number, role -> cell text)
    days: dict[int, Reading] = field(default_factory=dict)  # the baseline reading


def export_cells(text: str) -> Export:
    """The records of a PDF export as cells per role, and the days the reader gave each."""
    grid = read_grid(text)
    if isinstance(grid, Grid):
        records = [(r.number, {role: r.text(role) for role in r.fragments}) for r in grid.records]
        export = Export("table", grid.year or 0, records)
    else:
        lines = read_lines(text)
        found, _ = split_records(lines)
        title = title_year(lines)
        records = []
        for record in found:
            cells = read_cells(record)
            placement = place(cells.free, None)
            coordinates = [*cells.coordinates, "", ""]
            roles = {
                "date": " ".join(c.text for c in cells.date_parts),
                "month": cells.month_cells[0].text if cells.month_cells else "",
                "barangay": placement.barangay_text,
                "location": placement.location,
                "depth": cells.depth_text,
                "weather": cells.disturbance,
                "remarks": " ".join(c.text for c in cells.remark),
                "latitude": coordinates[0],
                "longitude": coordinates[1],
                "time": "1600H",
            }
            records.append((record.number, roles))
        export = Export("text", title[0] if title else 0, records)
    export.days = reading(text)
    for number, roles in export.records:
        # A name the reader completed across records ("San" / 128 / "Dionisio"): as read.
        if number in export.days and export.layout == "text":
            if canonical_barangay(roles.get("barangay", "")) != export.days[number][1]:
                roles["barangay"] = export.days[number][1]
    return export


Reading = tuple[tuple[date, ...], str]  # the days a record labels, its barangay


def reading(text: str) -> dict[int, Reading]:
    """Record number -> (the days it labels, its barangay), as the readers read `text`."""
    days: dict[int, list[date]] = {}
    places: dict[int, str] = {}
    for event in parse_cdrrmo_csv(text.encode(), "variant.csv").records:
        if event.source_record is not None:
            days.setdefault(event.source_record, []).append(event.event_date)
            places[event.source_record] = event.barangay
    return {n: (tuple(sorted(d)), places[n]) for n, d in days.items()}


@dataclass
class Comparison:
    """A variant's reading against the original's, per record the original accepted."""

    recovered: int = 0  # the same days and barangay
    refused: int = 0  # no event (a refusal: the analyst is told)
    wrong_dates: int = 0  # a day the original does not give it (worse than a refusal)
    wrong_place: int = 0  # the same days, another barangay
    extra: int = 0  # accepted here, refused in the original
    examples: list[str] = field(default_factory=list)

    def add(self, other: Comparison) -> None:
        for name in ("recovered", "refused", "wrong_dates", "wrong_place", "extra"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.examples.extend(other.examples[: max(0, 20 - len(self.examples))])


def compare(original: dict[int, Reading], read: dict[int, Reading], label: str) -> Comparison:
    result = Comparison()
    for number, (days, barangay) in original.items():
        got = read.get(number)
        if got is None:
            result.refused += 1
        elif set(got[0]) - set(days):
            result.wrong_dates += 1
            result.examples.append(f"{label} #{number}: {got[0]} for {days}")
        elif got[0] != days:
            result.refused += 1  # a day of a range lost: the label is short, not wrong
        elif got[1] != barangay:
            result.wrong_place += 1
            result.examples.append(f"{label} #{number}: {got[1]} for {barangay}")
        else:
            result.recovered += 1
    result.extra = len(read.keys() - original.keys())
    return result


def _blocks(export: Export) -> list[list[int]]:
    """Runs of consecutive records the baseline reading gives the same days (indexes); a
    record it refused stays in the run around it and prints only its own cells."""
    blocks: list[list[int]] = []
    previous = None
    for index, (number, _) in enumerate(export.records):
        days = export.days.get(number, ((), ""))[0]
        if not days:
            if blocks:
                blocks[-1].append(index)
            else:
                blocks.append([index])
            continue
        if days != previous or not blocks:
            blocks.append([index])
        else:
            blocks[-1].append(index)
        previous = days
    return blocks


def _printed(role: str, days: tuple[date, ...]) -> str:
    """A block's date cell as an export prints it, when no record of the block printed one."""
    first = days[0]
    span = f"{first.day}-{days[-1].day}" if len(days) > 1 else str(first.day)
    return {"date": f"{span} {first:%B} {first.year}", "month": f"{first:%B}".upper(),
            "day": span, "year": str(first.year)}[role]  # fmt: skip


def _date_cells(export: Export, merged_at: str | None) -> list[dict[str, str]]:
    """Per record, the date-role texts it prints: every record its block's text, or (merged)
    only the record at the block's top, middle or bottom (one exporter, one habit)."""
    printed = [dict.fromkeys(DATE_ROLES, "") for _ in export.records]
    present = {role for _, roles in export.records for role in roles if role in DATE_ROLES}
    for block in _blocks(export):
        dated = [i for i in block if export.days.get(export.records[i][0])]
        for i in block:
            if i not in dated and not merged_at:  # refused by the baseline: as printed
                for role in present:
                    printed[i][role] = export.records[i][1].get(role, "")
        if not dated:
            continue
        block = block[block.index(dated[0]) : block.index(dated[-1]) + 1]
        days = export.days[export.records[dated[0]][0]][0]
        for role in present:
            texts = [export.records[i][1].get(role, "") for i in dated]
            shown = next((t for t in texts if t.strip()), "") or _printed(role, days)
            if not merged_at or len(dated) == 1:
                for i, own in zip(dated, texts, strict=True):
                    printed[i][role] = own or shown
                continue
            # The block's middle counts the records refused by the baseline too: they are in it.
            chosen = {"top": 0, "middle": len(block) // 2, "bottom": len(block) - 1}[merged_at]
            printed[block[chosen]][role] = shown
    return printed


def _wrap(text: str, rng: random.Random, role: str, layout: str) -> list[str]:
    """The cell's text over 1-4 lines, cut between words; a date's year on a line of its own."""
    words = text.split()
    if not words:
        return []
    if role in ("latitude", "longitude", "coordinates", "time", "month"):
        return [text]
    if role == "date" and any(w.strip(",").isdigit() and len(w.strip(",")) == 4 for w in words):
        year = [i for i, w in enumerate(words) if len(w.strip(",")) == 4 and w.strip(",").isdigit()]
        head, tail = words[: year[0]], words[year[0] :]
        if layout == "text" and len(head) == 2 and rng.random() < 0.5:
            return [head[0], head[1], " ".join(tail)]  # "May" / "6," / "2025"
        return [" ".join(head), " ".join(tail)] if head else [" ".join(tail)]
    if role == "remarks" and layout == "text":
        return _wrap_remark(words, rng)
    pieces = min(len(words), rng.randint(1, 4), 3 if role == "barangay" else 4)
    cuts = sorted(rng.sample(range(1, len(words)), pieces - 1)) if pieces > 1 else []
    return [" ".join(words[a:b]) for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]


def _wrap_remark(words: list[str], rng: random.Random) -> list[str]:
    """'Subsided as of 1530H, 24 July 2025' as a text export wraps it: the words, then time,
    day and month, then the year on the anchor line."""
    first_digit = next((i for i, w in enumerate(words) if w[0].isdigit()), len(words))
    head, rest = words[:first_digit], words[first_digit:]
    if not rest or rng.random() < 0.3:
        return [" ".join(words)]
    if rest[-1].isdigit() and len(rest[-1]) == 4 and len(rest) > 1:
        return [" ".join(head), " ".join(rest[:-1]), rest[-1]]
    return [" ".join(head), " ".join(rest)]


@dataclass(frozen=True)
class Options:
    merged_at: str | None  # where a block's date is printed once: top, middle, bottom
    wrap: bool
    reorder: bool
    dropped: str | None
    headers_every: int  # 0: header once; else repeated before every n-th record
    blank_lines: float  # probability of a blank line before a record
    crlf: bool
    leading_blanks: bool


def options(rng: random.Random) -> Options:
    return Options(
        merged_at=rng.choice((None, "top", "middle", "bottom")),
        wrap=rng.random() < 0.7,
        reorder=rng.random() < 0.5,
        dropped=rng.choice((None, *OPTIONAL)),
        headers_every=rng.choice((0, 0, 7, 15, 31)),
        blank_lines=rng.choice((0.0, 0.05, 0.2)),
        crlf=rng.random() < 0.3,
        leading_blanks=rng.random() < 0.3,
    )


def variant(export: Export, seed: int) -> tuple[str, Options]:
    """One seeded variant of the export, and what was varied."""
    rng = random.Random(seed)
    chosen = options(rng)
    render = _render_table if export.layout == "table" else _render_text
    lines = render(export, rng, chosen)
    return ("\r\n" if chosen.crlf else "\n").join(lines) + "\n", chosen


def _cells(export: Export, rng: random.Random, chosen: Options) -> list[dict[str, list[str]]]:
    dates = _date_cells(export, chosen.merged_at)
    result = []
    for (_, roles), printed in zip(export.records, dates, strict=True):
        cells = {**roles, **{r: printed[r] for r in DATE_ROLES if r in roles or printed[r]}}
        if chosen.dropped:
            cells.pop(chosen.dropped, None)
        layout = export.layout
        result.append(
            {
                role: (_wrap(text, rng, role, layout) if chosen.wrap else ([text] if text else []))
                for role, text in cells.items()
            }
        )
    return result


def _render_table(export: Export, rng: random.Random, chosen: Options) -> list[str]:
    present = {role for _, roles in export.records for role in roles}
    columns = [c for c in TABLE_NAMES if c in present | {"number"} and c != chosen.dropped]
    if chosen.reorder:
        rng.shuffle(columns)
    rows: list[list[str]] = [[""] * len(columns) for _ in range(2)]
    rows[0][0] = f"*YEAR {export.year}"
    header = [TABLE_NAMES[c] for c in columns]
    rows[1] = header
    for k, ((number, _), cells) in enumerate(zip(export.records, _cells(export, rng, chosen),
                                                 strict=True)):  # fmt: skip
        if chosen.headers_every and k and k % chosen.headers_every == 0:
            rows.append(list(header))
        if rng.random() < chosen.blank_lines:
            rows.append([""] * len(columns))
        height = max([1, *(len(p) for p in cells.values())])
        if height % 2 == 0:  # the PDF centres the number in its row: an odd band
            height -= 1
            for role, pieces in cells.items():
                if len(pieces) > height:
                    cells[role] = [*pieces[: height - 1], " ".join(pieces[height - 1 :])]
        middle = height // 2
        band = [[""] * len(columns) for _ in range(height)]
        for index, role in enumerate(columns):
            pieces = [str(number)] if role == "number" else cells.get(role, [])
            start = middle - len(pieces) // 2
            for offset, piece in enumerate(pieces):
                pad = " " if chosen.leading_blanks else ""
                band[start + offset][index] = pad + piece
        rows.extend(band)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().rstrip("\n").split("\n")


def _render_text(export: Export, rng: random.Random, chosen: Options) -> list[str]:
    # The date stays first, the barangay left of the location and the remarks right of both
    # (the text reader finds a remark's pieces at a line's right end).
    before = [c for c in TEXT_COLUMNS[1:4] if c not in ("barangay", chosen.dropped)]
    after = [c for c in TEXT_COLUMNS[5:] if c not in ("remarks", chosen.dropped)]
    if chosen.reorder:
        rng.shuffle(before)
        rng.shuffle(after)
    place_at = rng.randint(0, len(after))
    columns = ["date", *before, "barangay", "location", *after[:place_at], "remarks"]
    columns += after[place_at:]
    columns = [c for c in columns if c != chosen.dropped]
    header = [f"*YEAR {export.year}", "   ".join(c.upper() for c in columns)]
    lines = [_quoted(line) for line in header]
    for k, ((number, _), cells) in enumerate(zip(export.records, _cells(export, rng, chosen),
                                                 strict=True)):  # fmt: skip
        if chosen.headers_every and k and k % chosen.headers_every == 0:
            lines.append(_quoted("\f" + header[1]))
        if rng.random() < chosen.blank_lines:
            lines.append("")
        height = max([1, *(len(p) for p in cells.values())])
        grid = [[""] * len(columns) for _ in range(height)]
        for index, role in enumerate(columns):
            pieces = cells.get(role, [])
            for offset, piece in enumerate(pieces):  # bottom-aligned: ends on the anchor line
                grid[height - len(pieces) + offset][index] = piece
        for row, texts in enumerate(grid):
            body = "".join(t.ljust(len(t) + 2) if t else "  " for t in texts).rstrip()
            if row == height - 1:
                body = f"{number}   {body.lstrip()}"
            else:
                body = body.lstrip()
            if not body.strip():
                continue
            if chosen.leading_blanks:
                body = "   " + body
            lines.append(_quoted(body))
    return lines


def _quoted(line: str) -> str:
    return '"' + line.replace('"', '""') + '"'


def run_variants(text: str, seeds: range, label: str) -> Comparison:
    """Every seeded variant of one export, read and compared with the export's own reading."""
    export = export_cells(text)
    total = Comparison()
    for seed in seeds:
        rendered, _ = variant(export, seed)
        total.add(compare(export.days, reading(rendered), f"{label} seed {seed}"))
    return total
