"""/notifications: signed-in users read their own messages in their language, and mark them read."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.factories import UserFactory, csrf_from, login_as

from app.extensions import db
from app.notifications import operations, services
from app.notifications.models import Notification
from app.notifications.operations import notify


@pytest.fixture(autouse=True)
def _no_delivery(monkeypatch):
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)


def _paid(user, number: str) -> Notification:
    return notify(
        "order_paid",
        user=user,
        context={"order_number": number, "total_cents": 12050},
        dedupe_key=f"paid:{number}:{user.id}",
    )


def test_page_needs_a_signed_in_user(client):
    response = client.get("/notifications")
    assert response.status_code in (302, 401)


def test_page_lists_the_users_own_notifications_newest_first_in_their_language(client):
    reader = UserFactory(locale="ar")
    someone_else = UserFactory()
    _paid(reader, "ST-OLD001")
    _paid(reader, "ST-NEW002")
    _paid(someone_else, "ST-OTHER3")
    db.session.commit()

    html = login_as(client, reader).get("/notifications").get_data(as_text=True)

    assert "تم استلام الدفع الخاص بالطلب رقم ST-NEW002" in html
    assert html.index("ST-NEW002") < html.index("ST-OLD001")
    assert "ST-OTHER3" not in html
    assert "120,50 درهم" in html
    assert html.count('class="notification unread"') == 2


def test_the_reader_chosen_language_wins_over_the_one_the_message_was_sent_in(client):
    reader = UserFactory(locale="ar")
    _paid(reader, "ST-LANG01")
    db.session.commit()
    login_as(client, reader)

    html = client.get("/lang/en?next=/notifications", follow_redirects=True).get_data(as_text=True)

    assert "Payment received for order ST-LANG01" in html


def test_mark_all_read_marks_only_the_readers_notifications(client):
    reader = UserFactory(locale="fr")
    someone_else = UserFactory()
    _paid(reader, "ST-READ01")
    other = _paid(someone_else, "ST-READ02")
    db.session.commit()
    login_as(client, reader)

    token = csrf_from(client, "/notifications")
    response = client.post("/notifications/read", data={"csrf_token": token})

    assert response.status_code == 302
    html = client.get("/notifications").get_data(as_text=True)
    assert 'class="notification read"' in html and "unread" not in html
    assert (
        db.session.scalar(select(Notification.read_at).where(Notification.id == other.id)) is None
    )


def test_mark_all_read_without_csrf_token_changes_nothing(client):
    reader = UserFactory()
    _paid(reader, "ST-CSRF01")
    db.session.commit()

    login_as(client, reader).post("/notifications/read", data={})

    assert db.session.scalar(select(Notification.read_at)) is None


def test_mark_read_by_ids_ignores_other_users_ids():
    reader, someone_else = UserFactory(), UserFactory()
    mine, theirs = _paid(reader, "ST-IDS001"), _paid(someone_else, "ST-IDS002")
    db.session.commit()

    assert services.mark_read(reader, [mine.id, theirs.id]) == 1
    assert services.mark_read(reader, [mine.id]) == 0
    assert db.session.get(Notification, theirs.id).read_at is None


def test_nav_links_to_the_page_for_signed_in_users(client):
    reader = UserFactory()
    db.session.commit()
    assert 'href="/notifications"' not in client.get("/no-such-page").get_data(as_text=True)
    html = login_as(client, reader).get("/notifications").get_data(as_text=True)
    assert 'href="/notifications"' in html


def test_pages_hold_twenty_notifications(client):
    reader = UserFactory(locale="en")
    for n in range(21):
        _paid(reader, f"ST-P{n:05d}")
    db.session.commit()
    login_as(client, reader)

    first = client.get("/notifications").get_data(as_text=True)
    second = client.get("/notifications?page=2").get_data(as_text=True)

    assert first.count('<tr class="notification') == 20
    assert second.count('<tr class="notification') == 1 and "ST-P00000" in second
