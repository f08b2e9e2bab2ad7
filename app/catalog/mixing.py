"""Which new products the home page shows: a pure rule, so no cooperative fills the shelf."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

Item = TypeVar("Item")

#: Most products of one cooperative among the new products on the home page.
PER_COOPERATIVE = 2


def mixed_newest(
    newest_first: Iterable[Item],
    cooperative_of: Callable[[Item], Hashable],
    limit: int,
    per_cooperative: int = PER_COOPERATIVE,
) -> list[Item]:
    """The first ``limit`` items of ``newest_first``, skipping any beyond ``per_cooperative``
    of one cooperative; keeps the newest-first order. Fewer than ``limit`` when the
    candidates run out: a shelf is never filled up by breaking the rule."""
    taken: Counter[Hashable] = Counter()
    chosen: list[Item] = []
    for item in newest_first:
        if len(chosen) >= limit:
            break
        cooperative = cooperative_of(item)
        if taken[cooperative] >= per_cooperative:
            continue
        taken[cooperative] += 1
        chosen.append(item)
    return chosen
