"""Skip unchanged rows without staging them: compare per-day digests, client vs server.

A batch is cut into series (the key columns other than time: location and source) and each
series into UTC days. One count per series over the batch's span comes first: a series the
table lacks there is new keys only, copied straight in; one whose count differs from the
batch's cannot be unchanged and is merged. Only series with equal counts (a re-run month)
are hashed, one digest per day group. The client hashes its rows' time and compared
values in the binary form PostgreSQL's send functions produce (timestamptz_send: int8
microseconds since 2000-01-01; float8send: IEEE big-endian), in time order; one query has the
server hash its stored rows of the same groups the same way. Equal digests mean the group's
stored rows are exactly the batch's rows (same hours, same values): nothing to write. The
other groups go through the staged merge.

Short of an MD5 collision, a mismatch costs speed, never a wrong answer: digests differ
whenever the byte strings do (an extra stored hour, a key given twice in the batch, an order
the server happened to aggregate in differently), and such groups are merged as before.
Binary forms are exact, so a value is never "equal" merely because it prints the same.
Callers hold the month locks (fast_load.lock_months): nothing changes between the queries
and the writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Table
from sqlalchemy.types import Float

PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_DAYS = 10_000_000  # > any date ordinal: group id = other-key code * _DAYS + day ordinal
# A NULL is a zero presence byte and eight zero bytes: every row has the same width.
_NULL_FIELD = "\\x" + "00" * 9
_NEW, _CANDIDATE, _CHANGED = 0, 1, 2  # per series: absent, same count as stored, other
Span = tuple[datetime, datetime]
_NUMBERS = {float, int, type(None)}  # bool, Decimal, str: merged the usual way


@dataclass
class DigestPlan:
    """The batch split by what its day groups need."""

    unchanged: int = 0
    new_rows: list[Sequence[Any]] = field(default_factory=list)  # groups the server lacks
    changed_rows: list[Sequence[Any]] = field(default_factory=list)  # everything else


def applies(
    table: Table, columns: Sequence[str], key: Sequence[str], compare: Sequence[str], time: str
) -> bool:
    """Only for a batch keyed by the primary key (time among it), comparing floats only."""
    primary = [c.name for c in table.primary_key.columns]
    return (
        time in key
        and sorted(key) == sorted(primary)
        and bool(compare)
        and all(c in columns for c in compare)
        and all(isinstance(table.c[c].type, Float) for c in compare)
    )


def plan(
    cursor: Any,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    compare: Sequence[str],
    time_column: str,
    span: Span,
) -> DigestPlan | None:
    """Split the batch; None when some value has no exact binary form here (merge it all)."""
    try:
        series = _Series.of(columns, rows, key, time_column)
    except (TypeError, ValueError):
        return None
    # First the cheap question: how many rows does the table hold per series in the span?
    # A series it lacks is new keys only; one whose count differs from the batch's cannot
    # be unchanged. Only series with equal counts are worth hashing (a re-run month).
    stored = _server_counts(cursor, table, series.others, time_column, span)
    counts = np.bincount(series.codes, minlength=len(series.code_of))
    status = np.full(len(series.code_of), _CHANGED, dtype=np.int8)
    candidates = []
    for combo, code in series.code_of.items():
        found = stored.get(combo, 0)
        if found == 0:
            status[code] = _NEW
        elif found == counts[code]:
            status[code] = _CANDIDATE
            candidates.append(combo)
    result = DigestPlan()
    if candidates:
        try:
            order, groups = _client_digests(columns, rows, compare, time_column, series)
        except (TypeError, ValueError, OverflowError):
            return None
        digests = _server_digests(cursor, table, series, compare, time_column, span, candidates)
        same = np.zeros(len(rows), dtype=bool)
        for group, (digest, first, last) in groups.items():
            if digests.get(group) == digest:
                same[order[first:last]] = True
        result.unchanged = int(same.sum())
    else:
        same = np.zeros(len(rows), dtype=bool)
    row_status = status[series.codes]
    result.new_rows = [rows[i] for i in np.flatnonzero(row_status == _NEW).tolist()]
    changed = ~same & (row_status != _NEW)
    result.changed_rows = [rows[i] for i in np.flatnonzero(changed).tolist()]
    return result


@dataclass(frozen=True)
class _Series:
    """Each row's code for its values of the key columns other than time (its series)."""

    others: list[str]
    code_of: dict[tuple, int]
    codes: Any  # numpy int64 array, one code per row

    @classmethod
    def of(
        cls, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: Sequence[str], time: str
    ) -> _Series:
        index = {name: i for i, name in enumerate(columns)}
        others = [k for k in key if k != time]
        pick = itemgetter(*[index[k] for k in others])
        combos = list(map(pick, rows)) if len(others) > 1 else [(v,) for v in map(pick, rows)]
        code_of = {combo: code for code, combo in enumerate(dict.fromkeys(combos))}
        codes = np.array(list(map(code_of.__getitem__, combos)), dtype=np.int64)
        return cls(others, code_of, codes)


def _client_digests(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    compare: Sequence[str],
    time_column: str,
    series: _Series,
) -> tuple[Any, dict[int, tuple[str, int, int]]]:
    """The row order by (group, time), and per group id its digest and slice of that order.

    A group id combines the series code and the UTC day. Column-wise with numpy: each row
    becomes a fixed-width record (time, then a presence byte and a float per compared
    column), the records are sorted by (group, time) and every group's bytes are hashed.
    """
    index = {name: i for i, name in enumerate(columns)}
    n = len(rows)
    # A batch repeats each hour once per location: convert each distinct instant once.
    times = list(map(itemgetter(index[time_column]), rows))
    distinct = list(dict.fromkeys(times))
    if any(moment.tzinfo is None for moment in distinct):
        raise ValueError("naive datetime")
    position = {moment: i for i, moment in enumerate(distinct)}
    which = np.array(list(map(position.__getitem__, times)), dtype=np.int64)
    micros = np.array([(m - PG_EPOCH) // MICROSECOND for m in distinct], dtype=np.int64)[which]
    days = np.array([m.astimezone(UTC).toordinal() for m in distinct], dtype=np.int64)[which]
    group_ids = series.codes * _DAYS + days
    order = np.lexsort((micros, group_ids))  # stable: a key given twice stays twice

    fields = [("t", ">i8")]
    for i in range(len(compare)):
        fields += [(f"p{i}", "u1"), (f"v{i}", ">f8")]
    records = np.zeros(n, dtype=np.dtype(fields))
    records["t"] = micros[order]
    # All compared values in one flat list: a single pass over the rows.
    pick = itemgetter(*[index[c] for c in compare])
    flat = list(chain.from_iterable(map(pick, rows)) if len(compare) > 1 else map(pick, rows))
    types = set(map(type, flat))
    if not types <= _NUMBERS:
        raise TypeError("only int and float have an exact binary form here")
    present = None
    if type(None) in types:  # a presence byte of 0 and a value of 0.0 (numpy reads None as NaN)
        present = np.array([v is not None for v in flat], dtype=np.uint8)
        flat = [0.0 if v is None else v for v in flat]
    numbers = np.fromiter(flat, dtype=np.float64, count=len(flat))
    numbers = numbers.reshape(n, len(compare))[order]
    for i in range(len(compare)):
        records[f"p{i}"] = 1 if present is None else present.reshape(n, -1)[order, i]
        records[f"v{i}"] = numbers[:, i]
    data = memoryview(records.tobytes())
    width = records.dtype.itemsize
    sorted_ids = group_ids[order]
    bounds = [0, *(np.flatnonzero(np.diff(sorted_ids)) + 1).tolist(), n]
    digests = {}
    for first, last in zip(bounds, bounds[1:], strict=False):
        digest = hashlib.md5(data[first * width : last * width], usedforsecurity=False)
        digests[int(sorted_ids[first])] = (digest.hexdigest(), first, last)
    return order, digests


def _server_counts(
    cursor: Any, table: Table, others: Sequence[str], time_column: str, span: Span
) -> dict[tuple, int]:
    group = ", ".join(others)
    cursor.execute(
        f"SELECT {group}, count(*) FROM {table.name} "
        f"WHERE {time_column} BETWEEN %s AND %s GROUP BY {group}",
        span,
    )
    return {tuple(found[:-1]): found[-1] for found in cursor.fetchall()}


def _server_digests(
    cursor: Any,
    table: Table,
    series: _Series,
    compare: Sequence[str],
    time_column: str,
    span: Span,
    candidates: Sequence[tuple],
) -> dict[int, str]:
    """Digest per group id of the stored rows in the span, for the candidate series."""
    encoded = " || ".join(
        [f"timestamptz_send({time_column})"]
        + [f"coalesce('\\x01'::bytea || float8send({c}), '{_NULL_FIELD}'::bytea)" for c in compare]
    )
    # Ordered like the primary key index (no sort); with the other key columns fixed per
    # group that is time order, which the hash aggregate keeps within each group.
    order = ", ".join(c.name for c in table.primary_key.columns)
    group = ", ".join(series.others)
    wanted, params = "", list(span)
    if len(candidates) < len(series.code_of):
        wanted = (
            f" AND ({group}) IN (SELECT * FROM unnest({', '.join(['%s'] * len(series.others))}))"
        )
        params += [list(column) for column in zip(*candidates, strict=True)]
    cursor.execute(
        f"SELECT {group}, day, md5(string_agg(b, ''::bytea)) FROM ("
        f"SELECT {group}, ({time_column} AT TIME ZONE 'UTC')::date AS day, {encoded} AS b "
        f"FROM {table.name} WHERE {time_column} BETWEEN %s AND %s{wanted} ORDER BY {order}"
        f") s GROUP BY {group}, day",
        params,
    )
    digests = {}
    for *values, day, digest in cursor.fetchall():
        code = series.code_of.get(tuple(values))
        if code is not None:
            digests[code * _DAYS + day.toordinal()] = digest
    return digests
