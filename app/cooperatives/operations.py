"""Flush-only steps of cooperatives, for the use cases of other domains."""

from __future__ import annotations

from typing import Any

from app.cooperatives.models import Cooperative, Membership
from app.notifications.models import DEFAULT_LOCALE
from app.notifications.operations import notify


def tell_members(
    cooperative: Cooperative,
    members: list[Membership],
    kind: str,
    context: dict[str, Any],
    dedupe_key: str,
) -> None:
    """Write one ``kind`` message to each of the cooperative's ``members`` (loaded with their
    users, e.g. by ``queries.members_by_cooperative``), naming the cooperative in the language
    each reads; ``dedupe_key`` is made each member's own."""
    for membership in members:
        reader = membership.user
        notify(
            kind,
            user=reader,
            context={
                **context,
                "cooperative_name": cooperative.translated("name", reader.locale or DEFAULT_LOCALE),
            },
            dedupe_key=f"{dedupe_key}:{membership.user_id}",
        )
