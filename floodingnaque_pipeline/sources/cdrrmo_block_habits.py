"""Where an export prints a merged date cell inside its block: the file's habit.

One exporter prints every merged cell the same way: at the top of its block, at the bottom, or
in the middle (a PDF centres a merged cell's text). Given only which records print a date
(`anchors`), each habit either cannot have produced the file, or places every record in a
block: top -> the last printed date at or above it; bottom -> the first at or below it;
middle -> every segmentation of the file into blocks whose printed record sits in the middle
(`middle_blocks`). A record is placed by the habits only when every habit the file admits (and
its evidence does not contradict: `cdrrmo_blocks`) places it in the same block. Pure module.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

Placement = dict[int, int]  # record index -> index of the record printing its block's date
Fits = Callable[[int, int], bool]  # (record, anchor): its own clues accept that block's date


def top_blocks(
    anchors: list[int], count: int, fits: Fits | None = None, alike: Fits | None = None
) -> Placement | None:
    if not anchors or anchors[0] != 0:
        return None  # the first record starts the first block: it would print the date
    return {i: anchors[bisect_right(anchors, i) - 1] for i in range(count)}


def bottom_blocks(
    anchors: list[int], count: int, fits: Fits | None = None, alike: Fits | None = None
) -> Placement | None:
    if not anchors or anchors[-1] != count - 1:
        return None
    return {i: anchors[bisect_left(anchors, i)] for i in range(count)}


def middle_blocks(
    anchors: list[int],
    count: int,
    fits: Fits | None = None,
    alike: Fits | None = None,
    even: tuple[int, ...] = (0, 1, 2),
) -> Placement | None:
    """Records whose block is the same in every best way to cut the file into blocks, each
    printing its date on its middle record (either middle one of an even block); None if no
    cut fits. The best cuts put the fewest records in a block their own clues refuse (`fits`):
    a record whose remark disagrees with every reading must not rule the habit out. Among
    those, the fewest records in a block whose printed record reports another weather
    disturbance (`alike`: the records of one flood day share it), which only breaks ties:
    position alone leaves a border record of two middle-printed blocks undecided."""
    if not anchors:
        return None
    blocks = len(anchors)
    # spans[k]: the (start, end, refusals) block k may span; cost before/after in `ahead`.
    spans: list[list[tuple[int, int, int]]] = []
    ahead: dict[int, int] = {0: 0}  # start of block k -> fewest refusals before it
    for k, printed in enumerate(anchors):
        limit = anchors[k + 1] - 1 if k + 1 < blocks else count - 1
        found, following = [], {}
        for start, before in ahead.items():
            offset = printed - start
            for length in {2 * offset + e for e in even} if offset >= 0 else ():
                end = start + length - 1
                if end < printed or end > limit or (k + 1 == blocks and end != limit):
                    continue
                refused = _cost(range(start, end + 1), printed, count, fits, alike)
                found.append((start, end, refused))
                following[end + 1] = min(following.get(end + 1, before + refused), before + refused)
        spans.append(found)
        ahead = {start: cost for start, cost in following.items()} if found else {}
        if not ahead:
            return None
    best = ahead.get(count)
    if best is None:
        return None
    # Walk back keeping only spans on a best path.
    before_cost = _costs_before(spans)
    behind: dict[int, int] = {count: 0}
    placed: dict[int, set[int]] = {}
    for k in range(blocks - 1, -1, -1):
        kept: dict[int, int] = {}
        for start, end, refused in spans[k]:
            after = behind.get(end + 1)
            here = before_cost[k].get(start)
            if after is None or here is None or here + refused + after != best:
                continue
            kept[start] = min(kept.get(start, refused + after), refused + after)
            for i in range(start, end + 1):
                placed.setdefault(i, set()).add(anchors[k])
        behind = kept
    return {i: next(iter(found)) for i, found in placed.items() if len(found) == 1}


def _cost(records: range, printed: int, count: int, fits: Fits | None, alike: Fits | None) -> int:
    """A block's cost: its records the clues refuse first, then those of another weather."""
    refused = sum(not fits(i, printed) for i in records) if fits else 0
    apart = sum(not alike(i, printed) for i in records) if alike else 0
    return refused * (count + 1) + apart


def _costs_before(spans: list[list[tuple[int, int, int]]]) -> list[dict[int, int]]:
    costs: list[dict[int, int]] = [{0: 0}]
    for found in spans:
        following: dict[int, int] = {}
        for start, end, refused in found:
            if start in costs[-1]:
                total = costs[-1][start] + refused
                following[end + 1] = min(following.get(end + 1, total), total)
        costs.append(following)
    return costs


def lower_middle_blocks(
    anchors: list[int], count: int, fits: Fits | None = None, alike: Fits | None = None
) -> Placement | None:
    """`middle_blocks` where an even block prints its date on the lower of its two middle
    records: one exporter breaks the tie one way for every block of its file."""
    return middle_blocks(anchors, count, fits, alike, even=(0, 1))


def upper_middle_blocks(
    anchors: list[int], count: int, fits: Fits | None = None, alike: Fits | None = None
) -> Placement | None:
    """`middle_blocks` where an even block prints its date on the upper middle record."""
    return middle_blocks(anchors, count, fits, alike, even=(1, 2))


# The middle habit as two: a file whose even blocks break the tie both ways is not one
# exporter's; a record both place in the same block is placed (the cuts of either are fewer).
HABITS = {
    "top": top_blocks,
    "bottom": bottom_blocks,
    "middle": lower_middle_blocks,
    "upper middle": upper_middle_blocks,
}
