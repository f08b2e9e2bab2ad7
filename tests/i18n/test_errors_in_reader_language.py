"""What goes wrong is told in the reader's language: refused state moves (pages and API
messages; the API's codes stay) and the error pages of every status the site answers."""

from __future__ import annotations

import pytest
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from i18n.conftest import Marketplace
from markupsafe import escape
from support.factories import csrf_from, issue_token, login_as
from werkzeug.exceptions import default_exceptions

from app.core.errors import IllegalTransition
from app.extensions import db
from app.web.errors import ERROR_WORDS, handle_http_exception


def _werkzeug_english(status: int) -> str:
    return default_exceptions[status].description


def test_a_refused_move_is_told_with_the_states_names_in_the_readers_language(app):
    for language, expected in [
        ("ar", "لا يمكن نقل هذا الجزء من الطلب من «في انتظار التعاونية» إلى «تم التسليم»."),
        (
            "fr",
            "Cette partie de la commande ne peut pas passer de "
            "« En attente de la coopérative » à « Livrée ».",
        ),
        (
            "en",
            "This part of the order cannot go from “Waiting for the cooperative” to “Delivered”.",
        ),
    ]:
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the test's app context keeps the locale of the request before
            error = IllegalTransition("order part", "pending", "delivered")
        assert error.message == expected
        assert (error.code, error.status) == ("illegal_transition", 409)
        assert (error.from_state, error.to_state) == ("pending", "delivered")


def test_every_machine_of_the_domains_has_its_words(app):
    moves = [
        ("order", "completed", "paid"),
        ("order part", "delivered", "shipped"),
        ("cooperative", "verified", "verified"),
        ("payout", "paid", "approved"),
        ("payout batch", "paid", "sent"),
    ]
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        refresh()
        messages = [IllegalTransition(*move).message for move in moves]
    for (machine, from_state, to_state), message in zip(moves, messages, strict=True):
        assert machine not in message and f"“{from_state}”" not in message, message
        assert f"“{to_state}”" not in message, message
        assert not any("a" <= character.lower() <= "z" for character in message), message


def test_the_api_tells_a_refused_move_in_the_readers_language_and_keeps_its_code(
    client, marketplace: Marketplace
):
    part = next(p for p in marketplace.order.parts if p.cooperative_id == marketplace.exhibitor.id)
    owner = marketplace.exhibitor.memberships[0].user
    owner.locale = "ar"
    db.session.flush()
    token = issue_token(owner)

    response = client.post(
        f"/api/v1/order-parts/{part.id}/transition",
        json={"to": "delivered"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "illegal_transition"
    assert "«تم التسليم»" in error["message"] and "cannot" not in error["message"]


def test_a_refused_move_on_a_page_is_told_in_arabic(client, marketplace: Marketplace):
    login_as(client, marketplace.admin)
    client.get("/lang/ar")
    url = f"/admin/cooperatives/{marketplace.exhibitor.id}"
    token = csrf_from(client, url)
    response = client.post(
        f"{url}/verify", data={"note": "", "csrf_token": token, "confirmed": "yes"}
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "لا يمكن نقل هذه التعاونية من «متحقق منها» إلى «متحقق منها»." in html
    assert "cannot go" not in html


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_error_pages_show_no_english(client, language):
    client.get(f"/lang/{language}")
    not_found = client.get("/no-such-page")
    wrong_method = client.delete("/")
    for response, status in ((not_found, 404), (wrong_method, 405)):
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert _werkzeug_english(status) not in html
        assert str(ERROR_WORDS[status][0]) not in html or language == "en"


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("status", sorted(ERROR_WORDS))
def test_each_status_has_a_translated_page(app, language, status):
    """Every status of the table, and Werkzeug's English nowhere on the page."""
    error = CSRFError() if status == 400 else default_exceptions[status]()

    def words_in(language: str) -> tuple[str, str]:
        with app.test_request_context("/", headers={"Accept-Language": language}):
            refresh()
            return tuple(str(words) for words in ERROR_WORDS[status])

    with app.test_request_context("/", headers={"Accept-Language": language}):
        refresh()
        page, answered = handle_http_exception(error)

    assert answered == status
    assert _werkzeug_english(status) not in page and error.description not in page
    (title, description), english = words_in(language), words_in("en")
    assert escape(title) in page and title != english[0]
    if status != 400:  # a CSRF failure says why instead
        assert escape(description) in page and description != english[1]


def test_api_errors_of_http_give_translated_messages(client):
    response = client.get("/api/v1/no-such-endpoint", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    message = response.get_json()["error"]["message"]
    assert message != _werkzeug_english(404) and "page" not in message
