"""The region's communes are shown in the reader's language."""

from __future__ import annotations

from support.factories import CooperativeFactory

from app.cooperatives.communes import COMMUNES, commune_name, find_commune
from app.demo.fair_data import PROVINCES


def test_every_commune_of_the_region_has_a_french_and_an_arabic_name():
    for commune in COMMUNES:
        assert commune.fr and commune.ar
        assert not any("a" <= character.lower() <= "z" for character in commune.ar)


def test_a_commune_is_found_by_its_latin_french_or_arabic_name():
    assert find_commune("Khenifra") is find_commune("Khénifra") is find_commune("خنيفرة")
    assert commune_name("Beni Mellal", "fr") == "Béni Mellal"
    assert commune_name("Mrirt", "ar") == "مريرت"
    assert commune_name("Somewhere else", "ar") == "Somewhere else"


def test_the_demo_draws_its_communes_from_the_regions_list():
    demo = {
        (province.code, commune.name) for province in PROVINCES for commune in province.communes
    }
    assert demo == {(commune.province, commune.name) for commune in COMMUNES}


def test_the_cooperative_page_shows_its_commune_in_arabic(client):
    cooperative = CooperativeFactory(commune="Mrirt", province="khenifra")

    arabic = client.get(f"/cooperatives/{cooperative.slug}", headers={"Accept-Language": "ar"})
    french = client.get(f"/cooperatives/{cooperative.slug}", headers={"Accept-Language": "fr"})

    assert "مريرت" in arabic.get_data(as_text=True)
    assert "Mrirt" in french.get_data(as_text=True)
