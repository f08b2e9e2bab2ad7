"""Demo places, fairs and accounts for `flask seed-demo` (pure data, no database here).

Facts come from /work/shared/REGION.md: the five provinces and the fair editions (the 3rd
in Khenifra, Place Al Massira Al Khadra, 5,000 m2, about 320 exhibitors). Postal codes
other than Beni Mellal's 23000 are unconfirmed; communes whose code is not known have none.
Fair dates are placed relative to "today" so that the Khenifra edition is open during a
demo; they are not historical. The 4th edition (Khouribga, June 2025) is left out: the
demo lives during the 3rd. People, phone numbers and addresses are invented; e-mails use
the reserved `.example` domain.

Cooperatives are built in cooperative_data.py, categories and products in catalog_data.py.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, timedelta

from app.cooperatives.communes import COMMUNES as REGION_COMMUNES

LEGAL_FORMS = ("cooperative", "association", "mutual", "social_enterprise")
LANGUAGES = ("en", "fr", "ar")
#: Documented demo password, shared by every demo account (admin, shopper, cooperatives).
DEMO_PASSWORD = "tadamon-demo-2026"


@dataclass(frozen=True)
class LocalizedText:
    en: str
    fr: str
    ar: str

    def in_language(self, language: str) -> str:
        """The text in `language` ("en", "fr" or "ar"), French for any other."""
        return getattr(self, language) if language in LANGUAGES else self.fr


def translations(fields: dict[str, LocalizedText], base: str = "fr") -> dict[str, dict[str, str]]:
    """A model's `translations` JSON when its own columns hold the `base` language."""
    return {
        language: {field: text.in_language(language) for field, text in fields.items()}
        for language in LANGUAGES
        if language != base
    }


@dataclass(frozen=True)
class Commune:
    name: str
    name_ar: str
    #: Five digits; only Beni Mellal's 23000 is confirmed, None where unknown.
    postal_code: str | None = None


@dataclass(frozen=True)
class Province:
    code: str
    name: LocalizedText
    communes: tuple[Commune, ...]

    def commune(self, name: str) -> Commune:
        return next(commune for commune in self.communes if commune.name == name)


def _province(code: str, en: str, fr: str, ar: str, *communes: Commune) -> Province:
    return Province(code, LocalizedText(en, fr, ar), communes)


def _communes(province: str) -> tuple[Commune, ...]:
    """The province's communes from the region's list (app/cooperatives/communes.py)."""
    return tuple(
        Commune(commune.name, commune.ar, commune.postal_code)
        for commune in REGION_COMMUNES
        if commune.province == province
    )


# fmt: off
PROVINCES: tuple[Province, ...] = (
    _province("azilal", "Azilal", "Azilal", "أزيلال", *_communes("azilal")),
    _province("beni_mellal", "Beni Mellal", "Béni Mellal", "بني ملال", *_communes("beni_mellal")),
    _province("fquih_ben_salah", "Fquih Ben Salah", "Fquih Ben Salah", "الفقيه بن صالح",
              *_communes("fquih_ben_salah")),
    _province("khenifra", "Khenifra", "Khénifra", "خنيفرة", *_communes("khenifra")),
    _province("khouribga", "Khouribga", "Khouribga", "خريبكة", *_communes("khouribga")),
)
# fmt: on
PROVINCES_BY_CODE = {province.code: province for province in PROVINCES}


@dataclass(frozen=True)
class DemoFair:
    edition: int
    slug: str
    province: str
    name: LocalizedText
    city: LocalizedText
    #: Only the Khenifra venue is known; the others name the city.
    venue: LocalizedText
    area_m2: int | None
    exhibitors: int | None  # approximate count announced, None when unknown
    start_offset_days: int  # starts_on = today + offset (negative: in the past)
    days: int  # length, first and last day included


def _fair_name(edition: int, city: LocalizedText) -> LocalizedText:
    en = {1: "1st", 2: "2nd", 3: "3rd"}[edition]
    fr = {1: "1er"}.get(edition, f"{edition}e")
    ar = {1: "الأول", 2: "الثاني", 3: "الثالث"}[edition]
    return LocalizedText(
        f"{en} Regional Social and Solidarity Economy Fair, {city.en}",
        f"{fr} Salon régional de l'économie sociale et solidaire, {city.fr}",
        f"المعرض الجهوي {ar} للاقتصاد الاجتماعي والتضامني، {city.ar}",
    )


def _fair(edition, slug, province, venue, area_m2, exhibitors, offset, days) -> DemoFair:
    city = PROVINCES_BY_CODE[province].name
    return DemoFair(edition, slug, province, _fair_name(edition, city), city, venue or city,
                    area_m2, exhibitors, offset, days)  # fmt: skip


MASSIRA_SQUARE = LocalizedText(
    "Al Massira Al Khadra square", "Place Al Massira Al Khadra", "ساحة المسيرة الخضراء"
)
FAIRS: tuple[DemoFair, ...] = (
    _fair(1, "fair-1-azilal", "azilal", None, None, None, -730, 7),
    _fair(2, "fair-2-beni-mellal", "beni_mellal", None, None, None, -365, 7),
    _fair(3, "fair-3-khenifra", "khenifra", MASSIRA_SQUARE, 5000, 320, -2, 8),
)


def fair_dates(today: date) -> dict[int, tuple[date, date]]:
    """(starts_on, ends_on) per edition; the 3rd runs from today - 2 days to today + 5."""
    dates = {}
    for fair in FAIRS:
        starts_on = today + timedelta(days=fair.start_offset_days)
        dates[fair.edition] = (starts_on, starts_on + timedelta(days=fair.days - 1))
    return dates


def stand_codes(n: int, per_aisle: int = 12) -> list[str]:
    """`n` stand codes aisle by aisle: "A-01" .. "A-12", "B-01", ...; at most 26 aisles."""
    if n > 26 * per_aisle:
        raise ValueError(f"{n} stands do not fit in 26 aisles of {per_aisle}")
    return [f"{string.ascii_uppercase[i // per_aisle]}-{i % per_aisle + 1:02d}" for i in range(n)]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    language: str
    phone: str | None = None
    address: str | None = None  # delivery address, "number, street, Hay ..., city"
    postal_code: str | None = None
    commune: str | None = None
    province: str | None = None


DEMO_ADMIN = DemoPerson("Nadia Alaoui", "admin@souk-tadamon.example", "fr")
DEMO_SHOPPER = DemoPerson(
    "Salma Bennani", "shopper@souk-tadamon.example", "fr", phone="+212600123456",
    address="12, Rue Al Irfane, Hay Al Massira, Beni Mellal", postal_code="23000",
    commune="Beni Mellal", province="beni_mellal",
)  # fmt: skip
#: Other shoppers of the demo's eight weeks of history (app.demo.history).
HISTORY_SHOPPERS = (
    DemoPerson("Youssef Amrani", "youssef@shoppers.example", "ar", phone="+212661234501"),
    DemoPerson("Khadija Ouhaddou", "khadija@shoppers.example", "ar", phone="+212661234502"),
    DemoPerson("Mehdi Tazi", "mehdi@shoppers.example", "fr", phone="+212661234503"),
    DemoPerson("Amina Lahlou", "amina@shoppers.example", "fr", phone="+212661234504"),
)
