"""The page of a list a page shows, from ``?page=``."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

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
