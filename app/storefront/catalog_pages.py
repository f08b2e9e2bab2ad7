"""Shoppers' catalog pages: the home page, the product list with its filters, one product."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from app.catalog.cache import cached_answer
from app.catalog.forms import LABEL_NAMES, ProductFilterForm, choices
from app.catalog.label_summary import label_certificates
from app.catalog.queries import (
    categories_in_tree_order,
    category_tree,
    more_from_cooperative,
    new_product_ids,
    search_product_ids,
    tile_pictures,
    visible_product,
)
from app.catalog.search_help import help_when_nothing_found
from app.catalog.summaries import product_rows
from app.cooperatives.labels import province_choices, province_name
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import has_document
from app.core.errors import NotFound
from app.core.language import current_language
from app.fair.models import Fair
from app.fair.queries import all_fairs, open_fair
from app.fees.services import unit_splits
from app.storefront import bp
from app.storefront.fresh_stock import with_fresh_stock

NEW_PRODUCTS_ON_HOME = 8


def _url_or_none(endpoint: str, **values: Any) -> str | None:
    """A link to a page another part of the site provides, or None while it does not exist.

    Extra values a route does not take become query arguments, so passing both
    an id and a slug works whichever of the two the route is keyed by.
    """
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def cooperative_url(cooperative: Cooperative) -> str | None:
    return _url_or_none("storefront.cooperative", slug=cooperative.slug)


def fair_url(fair: Fair) -> str:
    return _url_or_none("storefront.fair", fair_id=fair.id) or url_for(
        "storefront.products", fair=fair.id
    )


def catalog_context() -> dict[str, Any]:
    """What product cards (storefront/catalog/_cards.html) need besides the products."""
    language = current_language()
    return {
        "province_label": lambda code: province_name(code, language),
        "label_names": LABEL_NAMES,
        "cooperative_url": cooperative_url,
        "language": language,
    }


@bp.get("/")
def home():
    """The fair open today first, new products of many cooperatives (at most two of one),
    the five provinces and the categories as tiles with a product photo."""
    language = current_language()
    fair = open_fair()
    return render_template(
        "storefront/catalog/home.html",
        fair=fair,
        fair_link=fair_url(fair) if fair is not None else None,
        products=product_rows(new_product_ids(NEW_PRODUCTS_ON_HOME), language),
        provinces=province_choices(language),
        categories=category_tree(),
        pictures=tile_pictures(),
        **catalog_context(),
    )


def _filter_form() -> ProductFilterForm:
    language = current_language()
    form = ProductFilterForm(formdata=request.args)
    form.province.choices = choices([("", _("All provinces")), *province_choices(language)])
    form.category.choices = choices(
        [("", _("All categories"))]
        + [
            (
                node.category.slug,
                "\u00a0\u00a0" * node.depth + node.category.translated("name", language),
            )
            for node in categories_in_tree_order()
        ]
    )
    form.label.choices = choices(
        [("", _("Any label"))] + [(kind.value, name) for kind, name in LABEL_NAMES.items()]
    )
    form.fair.choices = choices(
        [("", _("Any fair"))]
        + [
            (
                str(fair.id),
                fair.translated("name", language)
                + f" ({fair.translated('city', language)}, {fair.starts_on.year})",
            )
            for fair in all_fairs()
        ]
    )
    return form


@bp.get("/products")
def products():
    """Products on sale with the API's filters and sorts (prices typed in dirhams); 422 if bad.

    The content (filters, grid, pagination) is the same for every reader of one language and
    is cached; the layout around it (login state, cart, language switcher) is not.
    """
    status, content = cached_answer(
        "html-products",
        _products_content,
        refresh=lambda found: (found[0], with_fresh_stock(found[1])[0]),
    )
    return render_template("storefront/catalog/list.html", content=content), status


def _products_content() -> tuple[int, str]:
    form = _filter_form()
    search_help = None
    if form.validate():
        arguments = form.search_arguments()
        ids, total = search_product_ids(**arguments)
        found = product_rows(ids, current_language())
        status = 200
        if total == 0 and arguments["q"]:
            search_help = help_when_nothing_found(arguments["q"], current_language())
    else:
        arguments = {"page": 1, "per_page": 24}
        found, total = [], 0
        status = 422
    page_args = {key: value for key, value in request.args.items() if key != "page" and value}
    filtered = any(key not in ("per_page", "sort") for key in page_args)
    content = render_template(
        "storefront/catalog/_list_content.html",
        form=form,
        products=found,
        total=total,
        page=arguments["page"],
        per_page=arguments["per_page"],
        page_args=page_args,
        filtered=filtered,
        search_help=search_help,
        **catalog_context(),
    )
    return status, content


@bp.get("/products/<id:product_id>")
def product(product_id: int):
    """One product on sale: photo, price, stock, origin, labels, cooperative, fair-trade split.

    Everything but the add-to-cart form (its CSRF token is the reader's) is cached.
    """
    shown = cached_answer(
        "html-product", lambda: _product_parts(product_id), refresh=_with_fresh_stock
    )
    return render_template(
        "storefront/catalog/product.html",
        shown=shown,
        cart_add_url=_url_or_none("storefront.cart_add"),
    )


#: Between the two parts refreshed together (one stock query): never in autoescaped HTML.
_PART_BREAK = "\x00"


def _with_fresh_stock(shown: dict[str, Any]) -> dict[str, Any]:
    """The product's stock and its cards' ("more from the cooperative") as of now."""
    both, stocks = with_fresh_stock(shown["top"] + _PART_BREAK + shown.get("facts", ""))
    shown["top"], shown["facts"] = both.split(_PART_BREAK)
    shown["stock"] = stocks.get(shown["product_id"], 0)
    return shown


def _product_parts(product_id: int) -> dict[str, Any]:
    """The product's name, stock and its page's two rendered parts; NotFound when not on sale."""
    found = visible_product(product_id)
    if found is None:
        raise NotFound(_("This product is not on sale."))
    split = unit_splits([found]).get(found.id)
    context = {
        "product": found,
        "split": split,
        # A label shows as certified only with its certificate filed by the cooperative.
        "labels_certified": has_document(found.cooperative_id, "label_certificate"),
        "label_certificates": label_certificates,
        "more": product_rows(more_from_cooperative(found), current_language()),
        **catalog_context(),
    }
    return {
        "product_id": found.id,
        "stock": found.stock,
        "name": found.translated("name", current_language()),
        "gallery": render_template("storefront/catalog/_product_gallery.html", **context),
        "top": render_template("storefront/catalog/_product_top.html", **context),
        "facts": render_template("storefront/catalog/_product_facts.html", **context),
    }
