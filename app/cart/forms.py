"""HTML forms of the cart: add a product, change a line's quantity, remove a line."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.cart.services import MAX_QUANTITY
from app.core.ids import MAX_ID


class AddToCartForm(FlaskForm):
    """Posted by the product page and the product cards: which product, how many units, and
    the page to come back to (a card's; the cart when absent or not on this site)."""

    product_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[
            InputRequired(_l("Enter how many units you want.")),
            NumberRange(min=1, max=MAX_QUANTITY),
        ],
    )
    next = HiddenField()


class CartLineForm(FlaskForm):
    """One line's quantity on the cart page (0 removes the line)."""

    quantity = IntegerField(
        _l("Quantity"),
        validators=[
            InputRequired(_l("Enter how many units you want.")),
            NumberRange(min=0, max=MAX_QUANTITY),
        ],
    )


class RemoveLineForm(FlaskForm):
    """Only the CSRF token: the line is named by the URL."""
