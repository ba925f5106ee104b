"""Refusals grouped by cause, for a person to read: "140 records: no date can be established"
once, with the lines, instead of 140 sections. Pure: no Dagster, no database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from floodingnaque_pipeline.sources.records import Rejection

_RECORD_PREFIX = re.compile(r"^record #?(\d+):\s*")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MAX_DETAIL_CHARS = 300  # one record's own reason, when the group's reasons differ


@dataclass
class CauseGroup:
    cause: str
    refusals: list[Rejection] = field(default_factory=list)

    @property
    def details(self) -> list[str]:
        return [without_record(r.reason) for r in self.refusals]


def without_record(reason: str) -> str:
    return _RECORD_PREFIX.sub("", reason)


def record_number(reason: str) -> str:
    """The printed record number a reason names ('record 23: ...', 'record #45: ...'), or ''."""
    found = _RECORD_PREFIX.match(reason)
    return found.group(1) if found else ""


def cause_of(rejection: Rejection) -> str:
    """What refusals share: the reason without its record number, up to its first detail
    (':' or '('), with ISO dates generalised: 'conflicting dates', 'date <date> not backed by
    the month/day columns'."""
    if rejection.row_number is None:
        return "the whole file: " + rejection.reason
    head = re.split(r"[:(]", without_record(rejection.reason), maxsplit=1)[0].strip()
    return _DATE.sub("<date>", head) or rejection.reason


def group_by_cause(refusals: Sequence[Rejection]) -> list[CauseGroup]:
    """Biggest group first, then in order of the first line of each group."""
    groups: dict[str, CauseGroup] = {}
    for refusal in refusals:
        cause = cause_of(refusal)
        groups.setdefault(cause, CauseGroup(cause)).refusals.append(refusal)
    return sorted(groups.values(), key=lambda g: (-len(g.refusals), g.refusals[0].row_number or 0))


def _where(refusal: Rejection) -> str:
    number = record_number(refusal.reason)
    record = f" (record {number})" if number else ""
    return f"line {refusal.row_number}{record}"


def _where_all(refusals: Sequence[Rejection]) -> str:
    """'lines 3-158, 160' when no record number is printed, else each line with its record."""
    if any(record_number(r.reason) for r in refusals):
        return ", ".join(_where(r) for r in refusals if r.row_number is not None)
    numbers = sorted({r.row_number for r in refusals if r.row_number is not None})
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    spans = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(spans) if spans else ""


def grouped_markdown(refusals: Sequence[Rejection]) -> list[str]:
    """One section per cause: '## 140 records: <cause>', the full reason once when every record
    of the group has the same one (else each record's own, cut to MAX_DETAIL_CHARS), the lines,
    and the printed text of the group's first record as an example."""
    lines: list[str] = []
    for group in group_by_cause(refusals):
        count = len(group.refusals)
        lines += [f"## {count} record{'s' if count != 1 else ''}: {group.cause}", ""]
        details = group.details
        if len(set(details)) == 1:
            lines += [f"Reason: {details[0]}", ""]
            where = _where_all(group.refusals)
            lines += [f"Where: {where}", ""] if where else []
        else:
            for refusal in group.refusals:
                reason = refusal.reason
                cut = reason if len(reason) <= MAX_DETAIL_CHARS else reason[:MAX_DETAIL_CHARS] + "…"
                lines.append(f"- line {refusal.row_number}: {cut}")
            lines.append("")
        example = group.refusals[0]
        if example.raw_row:
            lines += [f"Printed text of {_where(example)}:", "", "```", example.raw_row, "```", ""]
    return lines
