"""Tries at a pickup code: kept, counted, and locking the hand-over after too many wrong ones.

A pickup code has six digits: with no limit, a cooperative could try them all and mark a
part delivered without its shopper in under three hours. After ``WRONG_CODES_ALLOWED``
wrong codes within ``LOCK_DURATION``, the part cannot be handed over until
``LOCK_DURATION`` after the last of them, whatever code is given; tries while locked are
kept but not read. The shopper is told when the lock starts.

``locked_until`` is the rule (pure); ``check_pickup_code`` only flushes: its caller
commits the attempt even when the hand-over is refused (``app.orders.services.move_part``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.orders import notices
from app.orders.codes import codes_match
from app.orders.errors import WrongPickupCode
from app.orders.models import CooperativeOrder, PickupAttempt, PickupOutcome

#: Wrong codes for one part, within LOCK_DURATION, that lock its hand-over.
WRONG_CODES_ALLOWED = 5
#: How long the hand-over stays locked after the wrong code that locked it.
LOCK_DURATION = timedelta(hours=1)


class PickupCodeLocked(DomainError):
    """Too many wrong pickup codes: the part cannot be handed over for a while."""

    code = "too_many_pickup_attempts"
    status = 429


def locked_until(wrong_codes_at: Sequence[datetime], now: datetime) -> datetime | None:
    """When the hand-over unlocks, given the times of the part's wrong codes; None if open.

    Locked while the latest wrong code is less than LOCK_DURATION old and it was the
    WRONG_CODES_ALLOWED-th (or later) within LOCK_DURATION up to it. Tries made while
    locked are not wrong codes (they were not read), so a lock lasts LOCK_DURATION from
    the wrong code that started it, and the next needs WRONG_CODES_ALLOWED fresh ones.
    """
    if not wrong_codes_at:
        return None
    latest = max(wrong_codes_at)
    if now >= latest + LOCK_DURATION:
        return None
    within = [at for at in wrong_codes_at if latest - LOCK_DURATION < at <= latest]
    return latest + LOCK_DURATION if len(within) >= WRONG_CODES_ALLOWED else None


def _wrong_codes_since(part_id: int, since: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            select(PickupAttempt.at).where(
                PickupAttempt.part_id == part_id,
                PickupAttempt.outcome == PickupOutcome.WRONG,
                PickupAttempt.at > since,
            )
        )
    )


def check_pickup_code(
    part: CooperativeOrder, code: str | None, member: User, now: datetime
) -> None:
    """Record a try at ``part``'s pickup code by ``member``; flush only.

    Returns when the code is right and the hand-over is not locked. Raises
    ``PickupCodeLocked`` (429) while locked, the right code included, and
    ``WrongPickupCode`` (422) for a wrong code; the wrong code that locks the
    hand-over also writes the shopper's notice. The caller commits in every case.
    """
    wrong_codes_at = _wrong_codes_since(part.id, now - 2 * LOCK_DURATION)
    if locked_until(wrong_codes_at, now) is not None:
        _record(part, member, PickupOutcome.LOCKED, now)
        raise _locked(wrong_codes_at, now)
    if codes_match(part.pickup_code, code):
        _record(part, member, PickupOutcome.RIGHT, now)
        return
    _record(part, member, PickupOutcome.WRONG, now)
    if locked_until([*wrong_codes_at, now], now) is not None:
        _tell_the_shopper(part, now)
    message = _("This is not the pickup code of this order: ask the shopper for it.")
    raise WrongPickupCode(message, fields={"pickup_code": [message]})


def _record(part: CooperativeOrder, member: User, outcome: PickupOutcome, now: datetime) -> None:
    db.session.add(PickupAttempt(part_id=part.id, actor_id=member.id, outcome=outcome, at=now))
    db.session.flush()


def _locked(wrong_codes_at: list[datetime], now: datetime) -> PickupCodeLocked:
    until = locked_until(wrong_codes_at, now)
    assert until is not None
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    message = _(
        "Too many wrong pickup codes for this order: it cannot be handed over for "
        "%(minutes)s more minutes, even with the right code.",
        minutes=minutes,
    )
    return PickupCodeLocked(message, fields={"pickup_code": [message]})


def _tell_the_shopper(part: CooperativeOrder, now: datetime) -> None:
    order = part.order
    notices.tell_shopper(
        order,
        "pickup_code_locked",
        {
            "order_number": order.number,
            "cooperative_name": part.cooperative.translated("name", notices.reader_locale(order)),
            "attempts": WRONG_CODES_ALLOWED,
        },
        f"pickup_code_locked:{part.id}:{now.isoformat()}",
    )
