"""Pages of a list: which one ``?page=`` asks for, and its rows with the count of all.

The one reader of page numbers: pages without a form clamp ``?page=`` with
``requested_page_number``; forms use ``page_field`` and API schemas ``page_argument``, both
refusing (422) a page outside 1..LAST_PAGE, so that no page number reaches the database
as an OFFSET it cannot hold.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from app.extensions import db

#: The last page anyone may ask for (at 24 a page, 2.4 million rows).
LAST_PAGE = 100_000


def read_page_number(text: str | None) -> int | None:
    """The page ``text`` names, 1..LAST_PAGE; None when it names none (never raises)."""
    text = (text or "").strip()
    if not text.isdigit() or len(text) > len(str(LAST_PAGE)):
        return None
    number = int(text)
    return number if 1 <= number <= LAST_PAGE else None


def requested_page_number() -> int:
    """``?page=``, clamped to 1..LAST_PAGE; 1 when missing or not a number."""
    text = (request.args.get("page") or "").strip()
    if not text.isdigit():
        return 1
    if len(text) > len(str(LAST_PAGE)):
        return LAST_PAGE  # past the last page: an empty page, like any page after the end
    return max(1, min(int(text), LAST_PAGE))


def page_field(label: object = None, **kwargs) -> IntegerField:
    """A form's ``page`` field: 1..LAST_PAGE, optional."""
    validators = [Optional(), NumberRange(min=1, max=LAST_PAGE)]
    return IntegerField(label or _l("Page"), validators, **kwargs)


def page_argument() -> ma.fields.Integer:
    """An API query's ``page``: 1..LAST_PAGE, default 1."""
    return ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=LAST_PAGE))


def requested_page(statement: Select, per_page: int) -> Pagination:
    """The page of ``statement`` named by ``?page=``; a page past the end is empty rather
    than a 404."""
    return db.paginate(statement, page=requested_page_number(), per_page=per_page, error_out=False)


def page_of(statement: Select, page: int, per_page: int) -> tuple[list, int]:
    """One page (from 1) of ``statement``'s rows and the count of them all, in two queries
    whatever the page."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), int(total or 0)
