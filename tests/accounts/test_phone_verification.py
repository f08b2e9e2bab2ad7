"""Phone verification: "verify my phone" on the account page texts a 6-digit code (kept only
as an HMAC, ten minutes, five tries, three sends an hour per account and per phone); typing
it makes the number the account's, verified. A new phone at checkout is not verified."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from support.factories import UserFactory, csrf_from, login_as

from app.accounts import phones
from app.accounts.models import PhoneCode, User
from app.accounts.operations import remember_address
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification

PHONE = "+212612345678"


@pytest.fixture
def texts(caplog):
    """The SMS the test backend (the log channel) sent: ``texts(phone)`` lists their text."""
    caplog.set_level("INFO", logger="app.notifications.outbox")

    def to(phone: str) -> list[str]:
        return [
            record.getMessage().split("\n", 1)[1]
            for record in caplog.records
            if record.getMessage().startswith(f"SMS to {phone} ")
        ]

    return to


def code_in(text: str) -> str:
    return re.search(r"(?<!\d)\d{6}(?!\d)", text).group()


def ask_code(client, phone="06 12 34 56 78"):
    return client.post(
        "/account/phone", data={"csrf_token": csrf_from(client, "/account/phone"), "phone": phone}
    )


def type_code(client, code: str):
    # The code page's token: the form shows only while a code is pending, so read the
    # phone page's (one session, one token).
    return client.post(
        "/account/phone/code",
        data={"csrf_token": csrf_from(client, "/account/phone"), "code": code},
    )


def fresh(user: User) -> User:
    return db.session.get(User, user.id, populate_existing=True)


def test_verify_my_phone_texts_a_code_that_makes_the_number_the_accounts_verified_phone(
    client, shopper, texts
):
    login_as(client, shopper)
    assert 'href="/account/phone"' in client.get("/account").text

    response = ask_code(client)

    assert response.status_code == 302 and response.location.endswith("/account/phone/code")
    [text] = texts(PHONE)
    code = code_in(text)
    page = client.get("/account/phone/code").text
    assert PHONE in page
    assert not fresh(shopper).phone_verified

    verified = type_code(client, f"{code[:3]} {code[3:]}")

    assert verified.status_code == 302 and verified.location.endswith("/account")
    user = fresh(shopper)
    assert user.phone == PHONE and user.phone_verified
    assert "Change my phone" in client.get("/account").text


def test_the_code_is_kept_only_as_an_hmac_and_erased_from_the_outbox_once_texted(
    client, shopper, texts
):
    login_as(client, shopper)
    ask_code(client)
    code = code_in(texts(PHONE)[0])

    sent = db.session.scalars(select(PhoneCode)).one()
    assert code not in sent.code_hash
    assert sent.code_hash == phones.code_hash(shopper.id, PHONE, code)
    message = db.session.scalars(
        select(Notification).where(Notification.kind == "phone_code")
    ).one()
    assert (message.channel, message.recipient_phone, message.status) == ("sms", PHONE, "sent")
    # Never on the account's inbox page, and the code is gone from the row once sent.
    assert message.recipient_user_id is None and message.context["code"] == ""


def test_a_wrong_code_is_refused_and_counted_and_the_fifth_kills_the_code(client, shopper, texts):
    login_as(client, shopper)
    ask_code(client)
    code = code_in(texts(PHONE)[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for left in (4, 3, 2, 1):
        response = type_code(client, wrong)
        assert response.status_code == 422
        assert f"{left} tr" in response.text  # "4 tries left" ... "1 try left"
    fifth = type_code(client, wrong)
    assert fifth.status_code == 422 and "Ask for a new one" in fifth.text
    assert db.session.scalars(select(PhoneCode)).one().attempts == 5

    too_late = type_code(client, code)

    assert too_late.status_code == 422 and "no longer works" in too_late.text
    assert not fresh(shopper).phone_verified


def test_an_expired_code_is_refused(client, shopper, texts):
    login_as(client, shopper)
    ask_code(client)
    code = code_in(texts(PHONE)[0])
    sent = db.session.scalars(select(PhoneCode)).one()
    assert sent.expires_at - sent.created_at == timedelta(minutes=10)
    sent.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    response = type_code(client, code)

    assert response.status_code == 422 and "no longer works" in response.text
    assert not fresh(shopper).phone_verified


def test_a_new_code_replaces_the_former_one(client, shopper, monkeypatch):
    drawn = iter(["111111", "222222"])
    monkeypatch.setattr(phones, "new_code", lambda: next(drawn))
    login_as(client, shopper)
    ask_code(client)
    ask_code(client)

    assert type_code(client, "111111").status_code == 422
    assert type_code(client, "222222").status_code == 302


def test_one_account_cannot_verify_a_phone_with_the_code_sent_to_another(
    client, app, monkeypatch, texts
):
    owner, intruder = UserFactory(), UserFactory()
    drawn = iter(["111111", "222222"])
    monkeypatch.setattr(phones, "new_code", lambda: next(drawn))
    login_as(client, owner)
    ask_code(client)
    intruder_client = login_as(app.test_client(), intruder)
    ask_code(intruder_client)  # the intruder asks for a code to the owner's phone
    assert [code_in(text) for text in texts(PHONE)] == ["111111", "222222"]

    refused = type_code(intruder_client, "111111")  # the owner's code, read off their phone

    assert refused.status_code == 422
    assert not fresh(intruder).phone_verified
    assert type_code(client, "111111").status_code == 302
    assert fresh(owner).phone_verified and not fresh(intruder).phone_verified


def test_a_number_that_is_not_moroccan_re_renders_the_form_with_its_message(client, shopper):
    login_as(client, shopper)

    response = ask_code(client, phone="12345")

    assert response.status_code == 422
    assert "Enter a Moroccan phone number" in response.text
    assert db.session.scalars(select(PhoneCode)).all() == []


def test_three_codes_an_hour_go_to_one_account_and_to_one_phone(client, app, shopper, texts):
    login_as(client, shopper)
    for _attempt in range(3):
        assert ask_code(client).status_code == 302
    refused = ask_code(client)
    assert refused.status_code == 429 and "Too many codes" in refused.text

    other = login_as(app.test_client(), UserFactory())
    assert ask_code(other).status_code == 429  # the same phone, from another account
    assert ask_code(other, phone="0661234567").status_code == 302
    assert len(texts(PHONE)) == 3


def test_the_code_page_without_a_pending_code_leads_to_asking_for_one(client, shopper):
    login_as(client, shopper)

    response = client.get("/account/phone/code")

    assert response.status_code == 302 and response.location.endswith("/account/phone")


def test_the_pages_need_a_login(client):
    assert client.get("/account/phone").status_code == 302
    assert "/login" in client.get("/account/phone").location


def test_a_new_phone_at_checkout_is_no_longer_verified(shopper):
    shopper.phone, shopper.phone_verified_at = PHONE, utcnow()
    address = SimpleNamespace(name="Fatima", line1="", city="", postal_code="")

    remember_address(shopper, address, PHONE)
    assert fresh(shopper).phone_verified

    remember_address(shopper, address, "+212661234567")
    assert fresh(shopper).phone == "+212661234567" and not fresh(shopper).phone_verified


@pytest.mark.parametrize(
    ("language", "words"), [("fr", "Vérifier mon téléphone"), ("ar", "تأكيد رقم هاتفي")]
)
def test_the_phone_page_speaks_french_and_arabic(client, shopper, language, words):
    login_as(client, shopper)
    client.get(f"/lang/{language}")

    assert words in client.get("/account/phone").text
