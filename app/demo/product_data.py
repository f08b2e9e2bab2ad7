"""Demo product listings for `flask seed-demo`, built from catalog_data.py's templates.

Each cooperative lists 6 to 9 products from its specialities, named like
"Huile d'olive extra vierge — Picholine, Tighza", with a description in en/fr/ar, a price
within the template's range, stock (a few sold out or low) and labels. ALL CERTIFICATE
NUMBERS ARE DEMO VALUES (prefixed "DEMO"), stable per cooperative. The same seed and
cooperatives give the same listings.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.demo.catalog_data import IGP_AREAS, PRODUCT_TEMPLATES, ProductTemplate
from app.demo.cooperative_data import DemoCooperative
from app.demo.fair_data import PROVINCES_BY_CODE, LocalizedText

T = LocalizedText

# fmt: off
# Qualifiers that make each listing's name distinct: "Huile d'olive — Picholine, Tighza".
_VARIANTS = {
    "terroir": (T("this season's harvest", "récolte de l'année", "محصول هذا الموسم"),
                T("mountain terroir", "terroir de montagne", "من الجبل"),
                T("small batch", "petite production", "إنتاج محدود"),
                T("women's know-how", "savoir-faire féminin", "صنعة النساء"),
                T("fair edition", "édition du salon", "طبعة المعرض")),
    "olive-oil": (T("Picholine", "Picholine", "بيشولين"),),
    "honey": (T("raw", "cru", "خام"),),
    "crafts": (T("handmade", "fait main", "صنع يدوي"),
               T("traditional motifs", "motifs traditionnels", "زخارف تقليدية"),
               T("single piece", "pièce unique", "قطعة فريدة"),
               T("women's know-how", "savoir-faire féminin", "صنعة النساء")),
    "cosmetics": (T("handmade", "fait main", "صنع يدوي"),
                  T("mountain herbs", "plantes de montagne", "أعشاب جبلية"),
                  T("small batch", "petite production", "إنتاج محدود")),
    "services": (T("with a local guide", "avec un guide local", "مع مرشد محلي"),
                 T("small group", "petit groupe", "مجموعة صغيرة"),
                 T("spring season", "saison de printemps", "موسم الربيع"),
                 T("autumn season", "saison d'automne", "موسم الخريف")),
}
_DESCRIPTIONS = {
    "terroir": T("A terroir product of {commune} ({province}), prepared by {coop} and sold "
                 "without middlemen.",
                 "Produit du terroir de {commune} ({province}), préparé par {coop} et vendu "
                 "sans intermédiaire.",
                 "منتوج مجالي من {commune} (إقليم {province})، تحضره {coop} ويباع دون وسطاء."),
    "crafts": T("Handmade in {commune} ({province}) by {coop}; no two pieces are alike.",
                "Fait main à {commune} ({province}) par {coop} ; aucune pièce n'est identique.",
                "صنع يدوي في {commune} (إقليم {province}) من طرف {coop}؛ لا تتشابه قطعتان."),
    "cosmetics": T("Natural care made in small batches in {commune} ({province}) by {coop}.",
                   "Soin naturel fabriqué en petites séries à {commune} ({province}) par {coop}.",
                   "منتوج عناية طبيعي يصنع بكميات صغيرة في {commune} (إقليم {province}) "
                   "من طرف {coop}."),
    "services": T("Hosted by {coop} in {commune} ({province}); book online.",
                  "Proposé par {coop} à {commune} ({province}) ; réservation en ligne.",
                  "تقدمه {coop} في {commune} (إقليم {province})؛ الحجز عبر الإنترنت."),
}
_HONEY_NOTE = T(" Pure honey, neither heated nor blended.", " Miel pur, ni chauffé ni mélangé.",
                " عسل حر، غير مسخن وغير مخلوط.")
_IGP_NOTE = T(" Protected geographical indication: {igp}.",
              " Indication géographique protégée : {igp}.", " مؤشر جغرافي محمي: {igp}.")
_ORGANIC_NOTE = T(" Certified organic.", " Certifié biologique.", " منتوج عضوي معتمد.")
# fmt: on


@dataclass(frozen=True)
class DemoLabel:
    kind: str  # "IGP", "AOP", "label_agricole" or "organic" (app.catalog.models.LabelKind)
    name: str  # official name: "Miel d'Euphorbe Tadla-Azilal", "Agriculture biologique"...
    certificate_number: str  # DEMO value, never a real certificate


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    cooperative_slug: str
    template_key: str
    category: str  # leaf category slug
    name: LocalizedText
    description: LocalizedText
    price_cents: int
    stock: int
    unit: str
    origin_commune: str
    origin_province: str  # province code
    labels: tuple[DemoLabel, ...]
    is_food: bool
    status: str  # "active" or "draft"

    @property
    def image_seed(self) -> int:
        """A seed for render_product_image that does not depend on the build order."""
        return zlib.crc32(self.slug.encode())


def _certificate(code: str, *parts: str) -> str:
    """A stable DEMO certificate number per cooperative (and product, for Label Agricole)."""
    return f"DEMO-{code}-{zlib.crc32(':'.join(parts).encode()) % 100000:05d}"


def _labels(rng: random.Random, template: ProductTemplate, coop: DemoCooperative):
    labels = []
    if template.igp and coop.province in IGP_AREAS[template.igp]:
        labels.append(DemoLabel("IGP", template.igp, _certificate("IGP", coop.slug, template.igp)))
    if rng.random() < template.label_agricole_share:
        certificate = _certificate("LA", coop.slug, template.key)
        labels.append(DemoLabel("label_agricole", "Label Agricole", certificate))
    if rng.random() < template.organic_share:
        certificate = _certificate("BIO", coop.slug)
        labels.append(DemoLabel("organic", "Agriculture biologique", certificate))
    return tuple(labels)


def _price_cents(rng: random.Random, template: ProductTemplate) -> int:
    """Within the template's range: 10 DH steps above 1,000 DH, whole DH above 100, else 0.50."""
    high = template.max_price_cents
    step = 1000 if high >= 100_000 else 100 if high >= 10_000 else 50
    return rng.randrange(-(-template.min_price_cents // step) * step, high + 1, step)


def _stock(rng: random.Random, template: ProductTemplate) -> int:
    roll = rng.random()
    if roll < 0.05:
        return 0  # sold out
    if roll < 0.12:
        return rng.randint(1, 3)  # low: triggers the low-stock alert
    return rng.randint(4, 12 if template.max_price_cents >= 100_000 else 120)


def _choose(
    rng: random.Random, templates: Sequence[ProductTemplate], count: int
) -> list[tuple[ProductTemplate, LocalizedText]]:
    """`count` (template, variant) pairs with distinct names, spreading over templates first."""
    order = rng.sample(list(templates), len(templates))
    used: set[tuple[str, str]] = set()
    chosen: list[tuple[ProductTemplate, LocalizedText]] = []
    while len(chosen) < count:
        before = len(chosen)
        for template in order:
            variants = _VARIANTS.get(template.category, ()) + _VARIANTS[template.top_category()]
            free = [v for v in variants if (template.name.en, v.en) not in used]
            if free and len(chosen) < count:
                variant = rng.choice(free)
                used.add((template.name.en, variant.en))
                chosen.append((template, variant))
        if len(chosen) == before:
            break
    return chosen


def _describe(template: ProductTemplate, coop: DemoCooperative, labels) -> LocalizedText:
    province = PROVINCES_BY_CODE[coop.province]
    communes = {"ar": province.commune(coop.commune).name_ar}
    # "by the ... Cooperative", "par la Coopérative ..."; a social enterprise's name stands alone.
    plain = coop.legal_form == "social_enterprise"
    articles = {"en": "" if plain else "the ", "ar": ""}
    articles["fr"] = {"cooperative": "la ", "association": "l'", "mutual": "la "}.get(
        coop.legal_form, ""
    )
    texts = {}
    for language in ("en", "fr", "ar"):
        pattern = _DESCRIPTIONS[template.top_category()].in_language(language)
        text = pattern.format(
            coop=articles[language] + coop.name.in_language(language),
            commune=communes.get(language, coop.commune),
            province=province.name.in_language(language),
        )
        if template.category == "honey":
            text += _HONEY_NOTE.in_language(language)
        for label in labels:
            if label.kind == "IGP":
                text += _IGP_NOTE.in_language(language).format(igp=label.name)
            elif label.kind == "organic":
                text += _ORGANIC_NOTE.in_language(language)
        texts[language] = text
    return T(**texts)


def build_products(
    cooperatives: Iterable[DemoCooperative],
    per_cooperative: tuple[int, int] = (6, 9),
    seed: int = 2026,
) -> list[DemoProduct]:
    """Between per_cooperative[0] and [1] listings per cooperative, from its specialities.

    Prices fall in the template's range; a few listings are sold out (stock 0), a few are
    low (1-3) and a few are drafts, so that the dashboards have something to show.
    """
    rng = random.Random(seed)
    products = []
    for coop in cooperatives:
        templates = [
            t
            for t in PRODUCT_TEMPLATES
            if t.category in coop.specialities and (not t.only_in or coop.province in t.only_in)
        ]
        if not templates:
            raise ValueError(f"no product template for the specialities of {coop.slug}")
        listed: dict[str, int] = {}  # template key -> listings so far, for unique slugs
        for template, variant in _choose(rng, templates, rng.randint(*per_cooperative)):
            labels = _labels(rng, template, coop)
            listed[template.key] = listed.get(template.key, 0) + 1
            slug = f"{coop.slug}-{template.key}"
            slug += f"-{listed[template.key]}" if listed[template.key] > 1 else ""
            name = T(
                f"{template.name.en} — {variant.en}, {coop.short_name}",
                f"{template.name.fr} — {variant.fr}, {coop.short_name}",
                f"{template.name.ar} — {variant.ar}، {coop.short_name_ar}",
            )
            products.append(
                DemoProduct(
                    slug=slug,
                    cooperative_slug=coop.slug,
                    template_key=template.key,
                    category=template.category,
                    name=name,
                    description=_describe(template, coop, labels),
                    price_cents=_price_cents(rng, template),
                    stock=_stock(rng, template),
                    unit=template.unit,
                    origin_commune=coop.commune,
                    origin_province=coop.province,
                    labels=labels,
                    is_food=template.is_food,
                    status="draft" if rng.random() < 0.05 else "active",
                )
            )
    return products
