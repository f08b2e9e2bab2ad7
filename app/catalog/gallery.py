"""How a member arranges a product's gallery: a pure rule over the photos' ids, main first."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class PhotoAction(StrEnum):
    """What a member may do to one photo of the gallery."""

    UP = "up"
    DOWN = "down"
    MAIN = "main"
    DELETE = "delete"


def arranged(order: Sequence[int], photo_id: int, action: PhotoAction) -> list[int]:
    """The gallery's ids after ``action`` on ``photo_id`` (the first id is the main photo).

    ``up``/``down`` swap it with its neighbour (nothing moves past an end), ``main`` moves it
    first keeping the others' order, ``delete`` drops it. Raises ``KeyError`` when
    ``photo_id`` is not in ``order``.
    """
    ids = list(order)
    if photo_id not in ids:
        raise KeyError(photo_id)
    index = ids.index(photo_id)
    if action is PhotoAction.DELETE:
        del ids[index]
    elif action is PhotoAction.MAIN:
        ids.insert(0, ids.pop(index))
    else:
        other = index - 1 if action is PhotoAction.UP else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
    return ids
