"""Product pages and the product API show fair-trade splits from rules a process keeps for a
few seconds (``FEE_DISPLAY_CACHE_SECONDS``); checkout always reads the rules afresh."""

from __future__ import annotations

from support.factories import ProductFactory

from app.core.db import utcnow
from app.fees import services as fees
from app.fees.services import install_default_rules, unit_splits


def test_splits_shown_reuse_the_rules_read_within_the_cache_period(app, monkeypatch, count_queries):
    install_default_rules()
    product = ProductFactory(price_cents=12000)
    monkeypatch.setitem(app.config, "FEE_DISPLAY_CACHE_SECONDS", 60)
    monkeypatch.setattr(fees, "_display_cache", {})
    first = unit_splits([product])

    with count_queries() as statements:
        second = unit_splits([product])

    assert statements == []
    assert second == first
    assert second[product.id].producer_cents == 11040


def test_without_a_cache_period_every_split_reads_the_rules_in_force(app, monkeypatch):
    install_default_rules()
    product = ProductFactory(price_cents=12000)
    monkeypatch.setitem(app.config, "FEE_DISPLAY_CACHE_SECONDS", 0)
    assert unit_splits([product])[product.id].producer_cents == 11040

    for rule in fees.rules_in_force():
        fees.end_rule(rule, None, utcnow())

    assert unit_splits([product]) == {}
