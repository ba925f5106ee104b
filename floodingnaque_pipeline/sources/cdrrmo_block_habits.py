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

Placement = dict[int, int]  # record index -> index of the record printing its block's date


def top_blocks(anchors: list[int], count: int) -> Placement | None:
    if not anchors or anchors[0] != 0:
        return None  # the first record starts the first block: it would print the date
    return {i: anchors[bisect_right(anchors, i) - 1] for i in range(count)}


def bottom_blocks(anchors: list[int], count: int) -> Placement | None:
    if not anchors or anchors[-1] != count - 1:
        return None
    return {i: anchors[bisect_left(anchors, i)] for i in range(count)}


def middle_blocks(anchors: list[int], count: int) -> Placement | None:
    """Records whose block is the same in every way to cut the file into blocks, each printing
    its date on its middle record (either middle one of an even block); None if no cut fits."""
    if not anchors:
        return None
    # pairs[k]: the (start, end) block k may span, pruned to those that reach the file's end.
    pairs: list[set[tuple[int, int]]] = []
    starts = {0}
    for k, printed in enumerate(anchors):
        found = set()
        limit = anchors[k + 1] - 1 if k + 1 < len(anchors) else count - 1
        for start in starts:
            offset = printed - start
            if offset < 0:
                continue
            for length in {2 * offset, 2 * offset + 1, 2 * offset + 2}:
                end = start + length - 1
                if end >= printed and end <= limit and (k + 1 < len(anchors) or end == limit):
                    found.add((start, end))
        pairs.append(found)
        starts = {end + 1 for _, end in found}
    reachable = {count}
    for k in range(len(anchors) - 1, -1, -1):
        pairs[k] = {(s, e) for s, e in pairs[k] if e + 1 in reachable}
        reachable = {s for s, _ in pairs[k]}
    if 0 not in reachable:
        return None
    placed: dict[int, set[int]] = {}
    for k, found in enumerate(pairs):
        for start, end in found:
            for i in range(start, end + 1):
                placed.setdefault(i, set()).add(anchors[k])
    return {i: next(iter(blocks)) for i, blocks in placed.items() if len(blocks) == 1}


HABITS = {"top": top_blocks, "bottom": bottom_blocks, "middle": middle_blocks}
