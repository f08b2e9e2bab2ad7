"""Pickup codes cannot be guessed: six digits with no limit on wrong tries let a cooperative
mark a pickup delivered without its shopper in under three hours. After five wrong codes
for a part, handing it over is refused (429) for an hour, the right code included, on the
API and on the dashboard alike; the shopper is told, and every attempt is kept on the part.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support.factories import MembershipFactory, ProductFactory, csrf_from, login_as

from app.extensions import db
from app.notifications.models import Notification
from app.orders.models import CooperativeOrder, PickupAttempt
from app.orders.pickup_attempts import LOCK_DURATION, WRONG_CODES_ALLOWED, locked_until


@pytest.fixture
def ready_pickup(client, shop, shopper, api_token):
    """A coop-pickup part made ready by its cooperative; the owner's API headers."""
    oil = ProductFactory()
    owner = MembershipFactory(cooperative=oil.cooperative).user
    headers = api_token(owner)
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    part = order.parts[0]
    for to in ("confirmed", "ready"):
        assert move(client, part.id, headers, to=to).status_code == 200
    return part, headers, owner


def move(client, part_id, headers, **body):
    return client.post(f"/api/v1/order-parts/{part_id}/transition", json=body, headers=headers)


def wrong_code(part: CooperativeOrder) -> str:
    return "000000" if part.pickup_code != "000000" else "111111"


def status_of(part_id: int) -> str:
    return db.session.scalar(select(CooperativeOrder.status).where(CooperativeOrder.id == part_id))


def attempts_of(part_id: int) -> list[PickupAttempt]:
    return list(
        db.session.scalars(
            select(PickupAttempt).where(PickupAttempt.part_id == part_id).order_by(PickupAttempt.id)
        )
    )


def age_attempts(part_id: int, by: timedelta) -> None:
    """Move every attempt of the part back in time (the clock moving on)."""
    for attempt in attempts_of(part_id):
        attempt.at -= by
    db.session.commit()


def test_five_wrong_codes_lock_the_hand_over_for_an_hour_even_with_the_right_code(
    client, ready_pickup
):
    part, headers, _owner = ready_pickup
    answers = [
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part)).status_code
        for _ in range(WRONG_CODES_ALLOWED)
    ]

    right = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    assert answers == [422] * WRONG_CODES_ALLOWED
    assert right.status_code == 429
    assert right.get_json()["error"]["code"] == "too_many_pickup_attempts"
    assert status_of(part.id) == "ready"


def test_the_hand_over_works_again_an_hour_after_the_fifth_wrong_code(client, ready_pickup):
    part, headers, _owner = ready_pickup
    for _ in range(WRONG_CODES_ALLOWED):
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part))

    age_attempts(part.id, LOCK_DURATION - timedelta(minutes=1))
    still_locked = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)
    age_attempts(part.id, timedelta(minutes=2))
    right = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    assert still_locked.status_code == 429
    assert right.status_code == 200 and status_of(part.id) == "delivered"


def test_wrong_codes_spread_below_the_limit_do_not_lock(client, ready_pickup):
    part, headers, _owner = ready_pickup
    for _ in range(WRONG_CODES_ALLOWED - 1):
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part))

    right = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    assert right.status_code == 200


def test_every_attempt_is_kept_on_the_part_with_who_and_whether_it_was_right(client, ready_pickup):
    part, headers, owner = ready_pickup
    for _ in range(WRONG_CODES_ALLOWED):
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part))
    move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    attempts = attempts_of(part.id)

    assert [attempt.outcome for attempt in attempts] == ["wrong"] * WRONG_CODES_ALLOWED + ["locked"]
    assert {attempt.actor_id for attempt in attempts} == {owner.id}


def test_the_shopper_is_told_once_when_the_hand_over_locks(client, ready_pickup, shopper):
    part, headers, _owner = ready_pickup
    for _ in range(WRONG_CODES_ALLOWED + 2):
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part))

    notices = db.session.scalars(
        select(Notification).where(
            Notification.kind == "pickup_code_locked",
            Notification.recipient_user_id == shopper.id,
        )
    ).all()

    assert len(notices) == 1
    assert notices[0].context["order_number"] == part.order.number


def test_the_dashboard_answers_429_once_locked_and_says_why(client, ready_pickup):
    part, headers, owner = ready_pickup
    for _ in range(WRONG_CODES_ALLOWED):
        move(client, part.id, headers, to="delivered", pickup_code=wrong_code(part))
    login_as(client, owner)
    url = f"/dashboard/{part.cooperative_id}/orders/{part.id}"
    page = client.get(url).get_data(as_text=True)
    token = csrf_from(client, url)

    response = client.post(
        f"{url}/move/delivered",
        data={"csrf_token": token, "delivered-pickup_code": part.pickup_code},
    )

    assert 'name="delivered-pickup_code"' in page
    assert response.status_code == 429
    assert "Too many wrong pickup codes" in response.get_data(as_text=True)
    assert status_of(part.id) == "ready"


def test_dashboard_wrong_codes_count_towards_the_same_lock(client, ready_pickup):
    part, headers, owner = ready_pickup
    login_as(client, owner)
    url = f"/dashboard/{part.cooperative_id}/orders/{part.id}"
    token = csrf_from(client, url)
    for _ in range(WRONG_CODES_ALLOWED):
        client.post(
            f"{url}/move/delivered",
            data={"csrf_token": token, "delivered-pickup_code": wrong_code(part)},
        )

    api = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    assert api.status_code == 429


def test_the_lock_lasts_an_hour_from_the_wrong_code_that_started_it():
    from datetime import UTC, datetime

    start = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    minutes = [start + timedelta(minutes=m) for m in (0, 10, 20, 30, 40)]

    assert locked_until(minutes[:4], start + timedelta(minutes=41)) is None
    assert locked_until(minutes, start + timedelta(minutes=41)) == minutes[-1] + LOCK_DURATION
    assert locked_until(minutes, minutes[-1] + LOCK_DURATION) is None
    # Five wrong codes spread over more than an hour never lock.
    spread = [start + timedelta(minutes=m) for m in (0, 20, 40, 60, 80)]
    assert locked_until(spread, start + timedelta(minutes=81)) is None
