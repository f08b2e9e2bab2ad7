"""Cached pages shown with the stock of this moment.

Cached HTML keeps each stock mention between markers (templates'
``storefront/catalog/_stock.html``); ``with_fresh_stock`` reads the stock of the
products it mentions in one query and rewrites them, so a checkout, which changes
stock and not the catalog, retires no cached page (app/catalog/cache.py).
"""

from __future__ import annotations

import re

from flask import get_template_attribute

from app.catalog.summaries import stock_of

#: Written by stock_note(); content is autoescaped, so no text of a shopper can forge one.
_MARKED = re.compile(r"<!--stock:(\d+):([01])-->.*?<!--/stock-->", re.DOTALL)


def with_fresh_stock(html: str) -> tuple[str, dict[int, int]]:
    """``html`` with every marked stock mention rewritten from the stock now, and that stock."""
    ids = sorted({int(product_id) for product_id, _detail in _MARKED.findall(html)})
    if not ids:
        return html, {}
    stocks = stock_of(ids)
    stock_text = get_template_attribute("storefront/catalog/_stock.html", "stock_text")
    said: dict[tuple[int, bool], str] = {}

    def rewrite(match: re.Match[str]) -> str:
        product_id, detail = int(match[1]), match[2] == "1"
        stock = stocks.get(product_id, 0)
        key = (stock if detail else min(stock, 1), detail)
        if key not in said:
            said[key] = str(stock_text(stock, detail))
        return f"<!--stock:{product_id}:{match[2]}-->{said[key]}<!--/stock-->"

    return _MARKED.sub(rewrite, html), stocks
