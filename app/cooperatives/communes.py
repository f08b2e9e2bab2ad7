"""The communes of Beni Mellal-Khenifra with their French and Arabic names.

Cooperatives and products store a commune as typed (usually its Latin name, "Mrirt");
``commune_name`` shows it in the reader's language when it is one of the region's
communes, and as typed otherwise. The demo data draws its communes from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commune:
    #: The Latin name as usually typed (and stored), without accents.
    name: str
    fr: str
    ar: str
    province: str
    #: Five digits; only Beni Mellal's 23000 is confirmed, None where unknown.
    postal_code: str | None = None


def _c(province: str, name: str, ar: str, postal_code: str | None = None, fr: str = "") -> Commune:
    return Commune(name, fr or name, ar, province, postal_code)


# fmt: off
COMMUNES: tuple[Commune, ...] = (
    _c("azilal", "Azilal", "أزيلال", "22000"), _c("azilal", "Demnate", "دمنات", "22300"),
    _c("azilal", "Ait Taguella", "آيت تكلا"), _c("azilal", "Tabant", "تبانت"),
    _c("azilal", "Ait Attab", "آيت اعتاب"), _c("azilal", "Ouaouizeght", "واويزغت"),
    _c("azilal", "Bzou", "بزو"), _c("azilal", "Foum Jemaa", "فم الجمعة"),
    _c("beni_mellal", "Beni Mellal", "بني ملال", "23000", "Béni Mellal"),
    _c("beni_mellal", "Kasba Tadla", "قصبة تادلة", "23350"),
    _c("beni_mellal", "Zaouiat Cheikh", "زاوية الشيخ"), _c("beni_mellal", "Foum Oudi", "فم أودي"),
    _c("beni_mellal", "El Ksiba", "القصيبة"), _c("beni_mellal", "Aghbala", "أغبالة"),
    _c("fquih_ben_salah", "Fquih Ben Salah", "الفقيه بن صالح", "23200"),
    _c("fquih_ben_salah", "Souk Sebt Ouled Nemma", "سوق السبت أولاد النمة"),
    _c("fquih_ben_salah", "Ouled Ayad", "أولاد عياد"),
    _c("fquih_ben_salah", "Dar Ould Zidouh", "دار ولد زيدوح"),
    _c("fquih_ben_salah", "Had Boumoussa", "حد بوموسى"),
    _c("khenifra", "Khenifra", "خنيفرة", "54000", "Khénifra"), _c("khenifra", "Mrirt", "مريرت"),
    _c("khenifra", "Aguelmous", "أكلموس"), _c("khenifra", "Kerrouchen", "كروشن"),
    _c("khenifra", "Ajdir", "أجدير"), _c("khenifra", "El Kbab", "القباب"),
    _c("khouribga", "Khouribga", "خريبكة", "25000"),
    _c("khouribga", "Oued Zem", "وادي زم", "25350"), _c("khouribga", "Boujniba", "بوجنيبة"),
    _c("khouribga", "Bejaad", "أبي الجعد", None, "Béjaâd"), _c("khouribga", "Hattane", "حطان"),
)
# fmt: on
_BY_NAME = {commune.name.casefold(): commune for commune in COMMUNES}
_BY_NAME |= {commune.fr.casefold(): commune for commune in COMMUNES}
_BY_NAME |= {commune.ar: commune for commune in COMMUNES}


def find_commune(text: str | None) -> Commune | None:
    """The region's commune named ``text`` (Latin, French or Arabic name), else None."""
    return _BY_NAME.get((text or "").strip().casefold()) if text else None


def commune_name(text: str | None, language: str) -> str:
    """``text`` in the reader's language when it names one of the region's communes."""
    commune = find_commune(text)
    if commune is None:
        return text or ""
    return commune.ar if language == "ar" else commune.fr
