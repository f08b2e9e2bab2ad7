"""No word of English (or French) is left in what an Arabic reader downloads or receives:
the report CSVs (plain and for Excel), the monthly statement PDF, the stand poster and the
packing slip PDFs, and the e-mails."""

from __future__ import annotations

import io

from flask import Flask
from i18n.conftest import Marketplace
from i18n.latin_words import data_words, latin_words_in
from pypdf import PdfReader
from sqlalchemy import select
from support.factories import login_as

from app.core.db import utcnow
from app.extensions import db
from app.fees.defaults import MOROCCO
from app.notifications.models import Notification
from app.notifications.rendering import render
from app.reports.overview import EXPORTS


def test_every_report_csv_holds_no_latin_word_for_an_arabic_admin(client, marketplace):
    login_as(client, marketplace.admin)
    client.get("/lang/ar")
    data = data_words()

    found = {}
    for name in EXPORTS:
        for dialect in ("plain", "excel"):
            response = client.get(f"/admin/reports/{name}.csv", query_string={"dialect": dialect})
            assert response.status_code == 200, name
            text = response.data.decode("utf-8-sig")
            cells = [
                cell
                for line in text.splitlines()
                for cell in line.split(";" if dialect == "excel" else ",")
            ]
            if words := latin_words_in(cells, data):
                found[f"{name} ({dialect})"] = sorted(words)

    assert found == {}


def test_the_monthly_statement_pdf_holds_no_latin_word_for_an_arabic_member(
    client, marketplace: Marketplace
):
    member = marketplace.exhibitor.memberships[0].user
    login_as(client, member)
    client.get("/lang/ar")
    today = utcnow().astimezone(MOROCCO).date()

    response = client.get(
        f"/dashboard/{marketplace.exhibitor.id}/statement/{today.year:04d}-{today.month:02d}.pdf"
    )

    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert latin_words_in(text.splitlines(), data_words()) == set()


def _pdf_lines(data: bytes) -> list[str]:
    """The PDF's drawn text, line by line; Arabic there, so the check below reads real words."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert any("\u0600" <= letter <= "\u06ff" or "\ufb50" <= letter <= "\ufeff" for letter in text)
    return text.splitlines()


def test_the_arabic_stand_posters_hold_no_latin_word(client, marketplace: Marketplace):
    cooperative = marketplace.exhibitor
    login_as(client, cooperative.memberships[0].user)
    client.get("/lang/ar")
    data = data_words()

    found = {}
    for size in ("a4", "a5"):
        response = client.get(f"/dashboard/{cooperative.id}/poster-{size}-ar.pdf")
        assert response.status_code == 200, size
        assert response.mimetype == "application/pdf"
        if words := latin_words_in(_pdf_lines(response.data), data):
            found[size] = sorted(words)

    assert found == {}


def test_the_arabic_packing_slip_holds_no_latin_word(client, marketplace: Marketplace):
    part = next(p for p in marketplace.order.parts if p.cooperative_id == marketplace.exhibitor.id)
    login_as(client, marketplace.exhibitor.memberships[0].user)
    client.get("/lang/ar")

    response = client.get(f"/dashboard/{part.cooperative_id}/orders/{part.id}/packing-slip.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert latin_words_in(_pdf_lines(response.data), data_words()) == set()


def test_every_email_the_marketplace_wrote_holds_no_latin_word_in_arabic(
    app: Flask, marketplace: Marketplace
):
    """Each message written while the marketplace was built, as its Arabic reader gets it."""
    notifications = db.session.scalars(select(Notification)).all()
    data = data_words()

    found = {}
    for notification in notifications:
        message = render(notification.kind, "ar", notification.context)
        if words := latin_words_in([message.subject, *message.body.splitlines()], data):
            found[notification.kind] = sorted(words)

    assert len({notification.kind for notification in notifications}) >= 2
    assert found == {}
