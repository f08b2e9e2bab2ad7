"""Only verified cooperatives sell: the directory's query and the selling rule."""

from __future__ import annotations

from sqlalchemy import select
from support.factories import CooperativeFactory

from app.catalog.search import matching_cooperatives
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import is_selling, selling_clause, verified_cooperatives
from app.extensions import db


def names(statement) -> list[str]:
    return [cooperative.name for cooperative in db.session.scalars(statement)]


def test_only_verified_cooperatives_are_listed_and_sell():
    verified = CooperativeFactory(name="Tighza")
    pending = CooperativeFactory(name="Amal", status="pending")
    suspended = CooperativeFactory(name="Zitoun", status="suspended")

    assert names(verified_cooperatives()) == ["Tighza"]
    assert [is_selling(c) for c in (verified, pending, suspended, None)] == [
        True,
        False,
        False,
        False,
    ]
    assert db.session.scalars(select(Cooperative.name).where(selling_clause())).all() == ["Tighza"]


def test_directory_filters_by_province_and_by_name_or_commune():
    CooperativeFactory(name="Tighza", province="azilal", commune="Tabant")
    CooperativeFactory(name="Ajdir Zayane", province="khenifra", commune="Ajdir")
    CooperativeFactory(name="Nour", province="khenifra", commune="Mrirt")

    assert names(verified_cooperatives(province="khenifra")) == ["Ajdir Zayane", "Nour"]
    assert names(matching_cooperatives(q="TIGHZA")) == ["Tighza"]
    assert names(matching_cooperatives(q="mrirt")) == ["Nour"]
    assert names(matching_cooperatives(province="azilal", q="nour")) == []


def test_directory_search_is_the_catalogs_word_search():
    CooperativeFactory(name="100% Argan")
    CooperativeFactory(name="Argan 1000")
    CooperativeFactory(
        name="Coopérative Al Amal",
        commune="Ouaouizeght",
        translations={"ar": {"name": "تعاونية الأمل"}},
    )
    assert names(matching_cooperatives(q="100%")) == ["100% Argan"]
    assert names(matching_cooperatives(q="argan 100")) == ["100% Argan"]
    assert names(matching_cooperatives(q="argane")) == ["100% Argan", "Argan 1000"]
    assert names(matching_cooperatives(q="امل")) == ["Coopérative Al Amal"]
    assert names(matching_cooperatives(q="ouaouizeght cooperative")) == ["Coopérative Al Amal"]
