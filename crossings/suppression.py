"""Small-count suppression: the one rule for every count of people that leaves an organisation (outreach
indicators and reports, programme statistics). A count of 1–4 is hidden; where exactly one cell of a line
is hidden, the smallest other non-zero cell of that line is hidden too, so the hidden one cannot be worked
out from the line's total. In a two-way table the rule is applied along the lines and the columns until
nothing changes."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, TypeVar

THRESHOLD = 5  # counts below this (and above zero) are hidden
K = TypeVar("K", bound=Hashable)


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < THRESHOLD


def _second(counts: Mapping[K, int | None], line: Iterable[K], hidden: set[K]) -> K | None:
    """The cell to hide besides a line's only hidden one: the smallest shown non-zero count (the first
    such cell on a tie)."""
    keys = list(line)
    if sum(1 for k in keys if k in hidden) != 1:
        return None
    shown = [(counts[k] or 0, i, k) for i, k in enumerate(keys) if k not in hidden and (counts[k] or 0) > 0]
    return min(shown)[2] if shown else None


def hidden_in_line(counts: Mapping[K, int | None]) -> set[K]:
    """The cells of one breakdown (one line) to hide."""
    hidden = {k for k, n in counts.items() if is_small(n)}
    second = _second(counts, counts, hidden)
    return hidden | ({second} if second is not None else set())


def hidden_in_grid(
    counts: Mapping[tuple[Any, ...], int], axes: tuple[int, ...] = (0, 1)
) -> set[tuple[Any, ...]]:
    """The cells of a two-way table to hide (``axes``: 0 for the lines, 1 for the columns)."""
    hidden = {k for k, n in counts.items() if is_small(n)}
    changed = True
    while changed:
        changed = False
        for axis in axes:
            for value in sorted({k[axis] for k in counts}, key=str):
                second = _second(counts, (k for k in counts if k[axis] == value), hidden)
                if second is not None:
                    hidden.add(second)
                    changed = True
    return hidden
