"""Admins find orders by number, shopper, cooperative and status, and list the refunds made;
each links to the order's page (``admin.order``), where refunds are made."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.accounts.models import User
from app.admin import bp
from app.cooperatives.forms import options
from app.cooperatives.models import Cooperative
from app.core.paging import requested_page
from app.extensions import db
from app.orders.labels import ORDER_STATUS_NAMES, PART_STATUS_NAMES
from app.orders.models import CooperativeOrder, Order
from app.payments.models import FundedBy, Refund

PER_PAGE = 50


def _int_or_none(value: object) -> int | None:
    return None if value in (None, "") else int(str(value))


class OrderSearchForm(FlaskForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    number = StringField(_l("Order number"), [Optional(), Length(max=20)])
    shopper = StringField(_l("Shopper's e-mail"), [Optional(), Length(max=254)])
    cooperative = SelectField(_l("Cooperative"), choices=[], coerce=_int_or_none, default="")
    status = SelectField(_l("Status"), choices=[], default="")

    @classmethod
    def with_choices(cls, formdata) -> OrderSearchForm:
        form = cls(formdata)
        cooperatives = db.session.execute(
            select(Cooperative.id, Cooperative.name).order_by(Cooperative.name, Cooperative.id)
        ).all()
        form.cooperative.choices = options([("", _l("Any cooperative")), *cooperatives])
        form.status.choices = options(
            [
                ("", _l("Any status")),
                *((f"order:{code}", name) for code, name in ORDER_STATUS_NAMES.items()),
                *(
                    (f"part:{code}", _l("Part: %(name)s", name=name))
                    for code, name in PART_STATUS_NAMES.items()
                ),
            ]
        )
        return form


class RefundFilterForm(FlaskForm):
    class Meta:
        csrf = False

    number = StringField(_l("Order number"), [Optional(), Length(max=20)])
    funded_by = SelectField(
        _l("Funded by"),
        choices=options(
            [
                ("", _l("Anyone")),
                (FundedBy.COOPERATIVE.value, _l("The cooperative")),
                (FundedBy.PLATFORM.value, _l("The platform")),
            ]
        ),
        default="",
    )


def _number_prefix(text: str) -> str:
    """What an admin typed as an order number, in the stored form "ST-..." (a prefix)."""
    code = "".join(character for character in text.upper() if character.isalnum())
    code = code[2:] if code.startswith("ST") else code
    return "ST-" + code


def _orders(form: OrderSearchForm) -> Select[tuple[Order]]:
    statement = (
        select(Order)
        .join(Order.shopper)
        .options(
            joinedload(Order.shopper),
            selectinload(Order.parts).joinedload(CooperativeOrder.cooperative),
        )
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )
    if form.number.data and form.number.data.strip():
        statement = statement.where(Order.number.startswith(_number_prefix(form.number.data)))
    if form.shopper.data and form.shopper.data.strip():
        pattern = "%" + form.shopper.data.strip().lower().replace("%", "").replace("_", "") + "%"
        statement = statement.where(func.lower(User.email).like(pattern))
    part_matches = []
    if form.cooperative.data is not None:
        part_matches.append(CooperativeOrder.cooperative_id == form.cooperative.data)
    kind, _sep, status = (form.status.data or "").partition(":")
    if kind == "order":
        statement = statement.where(Order.status == status)
    elif kind == "part":
        part_matches.append(CooperativeOrder.status == status)
    if part_matches:
        statement = statement.where(
            exists().where(CooperativeOrder.order_id == Order.id, *part_matches)
        )
    return statement


@bp.route("/orders/search")
def order_search():
    """Orders matching every criterion given (number prefix, part of the shopper's e-mail,
    a cooperative with a part in it, the order's or a part's status), newest first."""
    form = OrderSearchForm.with_choices(request.args)
    valid = form.validate()
    statement = _orders(form) if valid else select(Order).where(Order.id.is_(None))
    page = requested_page(statement, PER_PAGE)
    return render_template("admin/orders_search/orders.html", form=form, page=page), (
        200 if valid else 422
    )


@bp.route("/refunds")
def refunds_list():
    """Every refund, newest first, with who funded it, why and who made it."""
    form = RefundFilterForm(request.args)
    valid = form.validate()
    statement = (
        select(Refund)
        .join(Refund.order)
        .options(
            joinedload(Refund.order),
            joinedload(Refund.actor),
            joinedload(Refund.part).joinedload(CooperativeOrder.cooperative),
        )
        .order_by(Refund.created_at.desc(), Refund.id.desc())
    )
    if valid and form.number.data and form.number.data.strip():
        statement = statement.where(Order.number.startswith(_number_prefix(form.number.data)))
    if valid and form.funded_by.data:
        statement = statement.where(Refund.funded_by == form.funded_by.data)
    page = requested_page(statement, PER_PAGE)
    return render_template("admin/orders_search/refunds.html", form=form, page=page), (
        200 if valid else 422
    )
