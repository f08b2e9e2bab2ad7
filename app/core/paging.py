"""Pages of a list: which one ``?page=`` asks for, and its rows with the count of all."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from app.extensions import db

#: Beyond this page number the request is treated as this page (it is empty anyway).
LAST_PAGE = 100_000


def requested_page_number() -> int:
    """``?page=``, clamped to 1..LAST_PAGE; 1 when missing or not a number."""
    return max(1, min(request.args.get("page", 1, type=int) or 1, LAST_PAGE))


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
