"""Demo cooperatives and pending applications for `flask seed-demo` (no database here).

DEMO DATA, invented, never a real record: cooperative and person names, registration
numbers, ICE, RIBs (random, with a correct check key so that they pass validation), ONSSA
authorization numbers (prefixed "DEMO"), phone numbers, addresses, and e-mail addresses
(on the reserved `.example` domain). Each builder draws from its own
`random.Random(seed)`: the same seed gives the same cooperatives.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace

from app.core.slugs import slugify
from app.demo.fair_data import PROVINCES, PROVINCES_BY_CODE, LocalizedText, stand_codes

COOPERATIVE_EMAIL_DOMAIN = "coops.example"


@dataclass(frozen=True)
class _Theme:
    """What a demo cooperative makes, and how its name reads in each language."""

    key: str
    specialities: tuple[str, ...]  # category slugs of app/demo/catalog_data.py
    provinces: tuple[str, ...]  # where such cooperatives are placed; empty for anywhere
    communes: tuple[str, ...]  # preferred communes, when in one of those provinces
    weight: int
    cooperative_tail: LocalizedText  # "Coopérative Tighza" + " pour l'huile d'olive"
    association_tail: LocalizedText  # "Association Ouzoud" + " des femmes artisanes"
    craft: LocalizedText  # "Our craft: ..."


def _theme(key, specialities, provinces, communes, weight, tail, association, craft) -> _Theme:
    preferred = tuple(communes.split(",")) if communes else ()
    texts = (LocalizedText(*tail), LocalizedText(*association), LocalizedText(*craft))
    return _Theme(
        key, tuple(specialities.split()), tuple(provinces.split()), preferred, weight, *texts
    )


# fmt: off
THEMES: tuple[_Theme, ...] = (
    _theme("olive", "olive-oil soaps", "", "", 5,
           ("Olive Oil", "pour l'huile d'olive", "لزيت الزيتون"),
           ("Women Olive Oil Producers", "des femmes productrices d'huile d'olive",
            "للنساء منتجات زيت الزيتون"),
           ("olive oil", "l'huile d'olive", "زيت الزيتون")),
    _theme("honey", "honey herbs", "", "", 3,
           ("Beekeeping", "du miel", "لتربية النحل"),
           ("Women Beekeepers", "des femmes apicultrices", "للنساء مربيات النحل"),
           ("honey and beekeeping", "le miel et l'apiculture", "العسل وتربية النحل")),
    _theme("almond", "almonds-nuts fruits", "azilal beni_mellal khenifra", "", 2,
           ("Almond", "des amandes", "للوز"),
           ("Women Almond Growers", "des femmes productrices d'amandes", "للنساء منتجات اللوز"),
           ("almonds and nuts", "les amandes et les fruits secs", "اللوز والفواكه الجافة")),
    _theme("fruit", "fruits almonds-nuts", "beni_mellal fquih_ben_salah khouribga", "", 2,
           ("Fruit", "des fruits du terroir", "للفواكه المحلية"),
           ("Women Fruit Processors", "des femmes pour la valorisation des fruits",
            "للنساء لتثمين الفواكه"),
           ("pomegranates, carob and molasses", "les grenades, la caroube et les mélasses",
            "الرمان والخروب والدبس")),
    _theme("couscous", "couscous-cereals sellou-sweets", "", "", 2,
           ("Couscous", "du couscous", "للكسكس"),
           ("Women Couscous Makers", "des femmes du couscous", "للنساء صانعات الكسكس"),
           ("hand-rolled couscous and cereals", "le couscous roulé main et les céréales",
            "الكسكس المفتول يدويا والحبوب")),
    _theme("sweets", "sellou-sweets couscous-cereals almonds-nuts", "", "", 1,
           ("Traditional Sweets", "des douceurs traditionnelles", "للحلويات التقليدية"),
           ("Women Pastry Makers", "des femmes pâtissières", "للنساء صانعات الحلويات"),
           ("sellou and traditional sweets", "le sellou et les douceurs traditionnelles",
            "السلو والحلويات التقليدية")),
    _theme("saffron", "spices-saffron herbs", "azilal beni_mellal", "", 1,
           ("Saffron and Spices", "du safran et des épices", "للزعفران والتوابل"),
           ("Women Saffron Growers", "des femmes productrices de safran", "للنساء منتجات الزعفران"),
           ("saffron and spices", "le safran et les épices", "الزعفران والتوابل")),
    _theme("herbs", "herbs floral-waters spices-saffron", "", "", 1,
           ("Aromatic Plants", "des plantes aromatiques et médicinales",
            "للنباتات العطرية والطبية"),
           ("Women Herb Gatherers", "des femmes cueilleuses de plantes", "للنساء جامعات الأعشاب"),
           ("aromatic and medicinal plants", "les plantes aromatiques et médicinales",
            "النباتات العطرية والطبية")),
    _theme("carpet", "carpets-textiles", "khenifra azilal khouribga", "Bejaad", 2,
           ("Carpet", "du tapis", "للزرابي"),
           ("Women Weavers", "des femmes tisserandes", "للنساء النساجات"),
           ("hand-knotted carpets and weaving", "le tapis noué main et le tissage",
            "الزرابي المعقودة يدويا والنسيج")),
    _theme("pottery", "pottery basketry", "azilal", "Demnate", 1,
           ("Pottery", "de la poterie", "للفخار"),
           ("Potters", "des potiers", "للخزافين"),
           ("glazed pottery", "la poterie émaillée", "الفخار المزجج")),
    _theme("sewing", "sewing-embroidery carpets-textiles", "", "", 1,
           ("Sewing and Embroidery", "de couture et broderie", "للخياطة والطرز"),
           ("Women Embroiderers", "des femmes brodeuses", "للنساء الطرازات"),
           ("sewing and embroidery", "la couture et la broderie", "الخياطة والطرز")),
    _theme("basketry", "basketry sewing-embroidery", "beni_mellal fquih_ben_salah khouribga", "", 1,
           ("Basketry", "de vannerie", "لصناعة السلال"),
           ("Women Basket Weavers", "des femmes vannières", "للنساء صانعات السلال"),
           ("palm and doum basketry", "la vannerie en palmier et en doum",
            "صناعة السلال من النخيل والدوم")),
    _theme("cosmetics", "soaps floral-waters herbs", "", "", 1,
           ("Natural Cosmetics", "des cosmétiques naturels", "لمستحضرات التجميل الطبيعية"),
           ("Women Soap Makers", "des femmes savonnières", "للنساء صانعات الصابون"),
           ("olive soap and floral waters", "le savon à l'olive et les eaux florales",
            "صابون الزيتون والمياه الزهرية")),
    _theme("tourism", "tourism couscous-cereals herbs", "azilal khenifra", "Tabant,Ait Taguella", 1,
           ("Solidarity Tourism", "de tourisme solidaire", "للسياحة التضامنية"),
           ("Mountain Guides and Hosts", "des guides et hôtes de montagne",
            "للمرشدين والمضيفين الجبليين"),
           ("solidarity tourism and hospitality", "le tourisme solidaire et l'accueil",
            "السياحة التضامنية والضيافة")),
    _theme("crafts", "sewing-embroidery carpets-textiles basketry", "", "", 1,
           ("Handicrafts", "d'artisanat", "للصناعة التقليدية"),
           ("Women Artisans", "des femmes artisanes", "للنساء الحرفيات"),
           ("weaving, sewing and basketry", "le tissage, la couture et la vannerie",
            "النسيج والخياطة وصناعة السلال")),
)
# fmt: on
THEMES_BY_KEY = {theme.key: theme for theme in THEMES}
# fmt: off
#: Categories whose sellers need an ONSSA sanitary authorization (law 28-07).
FOOD_CATEGORIES = frozenset(("olive-oil", "honey", "almonds-nuts", "fruits", "couscous-cereals",
                             "sellou-sweets", "spices-saffron", "herbs"))
# How each legal form names itself: "Coopérative Tighza pour l'huile d'olive".
_NAME_PATTERNS = {
    "cooperative": ("{stem} {tail.en} Cooperative", "Coopérative {stem} {tail.fr}",
                    "تعاونية {stem_ar} {tail.ar}"),
    "association": ("{stem} Association of {group.en}", "Association {stem} {group.fr}",
                    "جمعية {stem_ar} {group.ar}"),
    "mutual": ("{stem} {tail.en} Mutual", "Mutuelle solidaire {stem} {tail.fr}",
               "تعاضدية {stem_ar} {tail.ar}"),
    "social_enterprise": ("{stem} Solidaire {tail.en}, social enterprise",
                          "{stem} Solidaire {tail.fr}, entreprise sociale",
                          "{stem_ar} التضامنية {tail.ar}، مقاولة اجتماعية"),
}
_STEMS = (
    ("Tifawin", "تيفاوين"), ("Amal", "الأمل"), ("Al Baraka", "البركة"), ("Annour", "النور"),
    ("Atlas", "الأطلس"), ("Ighrem", "إغرم"), ("Asif", "أسيف"), ("Adrar", "أدرار"),
    ("Tamazirt", "تمازيرت"), ("Oum Errabia", "أم الربيع"), ("Ain Asserdoune", "عين أسردون"),
    ("Azigza", "أزكزا"), ("Bin El Ouidane", "بين الويدان"), ("Tafoukt", "تافوكت"),
    ("Amanar", "أمانار"), ("Tiziri", "تيزيري"), ("Idourar", "إدورار"), ("Al Wafae", "الوفاء"),
    ("Al Khair", "الخير"), ("Assafae", "الصفاء"), ("Anaruz", "أناروز"), ("Tudert", "تودرت"),
    ("Tilelli", "تيليلي"), ("Ennahda", "النهضة"), ("Tassaout", "تساوت"), ("Aghbalou", "أغبالو"),
    ("Yasmine", "ياسمين"), ("Al Massira", "المسيرة"),
)
_FIRST_NAMES = ("Fatima", "Khadija", "Aicha", "Zahra", "Malika", "Naima", "Hafida", "Rachida",
                "Latifa", "Saida", "Itto", "Mohamed", "Lahcen", "Hassan", "Brahim", "Mustapha",
                "Youssef", "Said")
_LAST_NAMES = ("Amzil", "Ouali", "Bouzid", "Ait Taleb", "El Idrissi", "Ouhammou", "Azzouzi",
               "Benhaddou", "Oubella", "Lamrani", "Ait Lhaj", "Zaidi", "Moutaouakil", "Amrani")
_NEIGHBOURHOODS = ("Al Massira", "Al Qods", "Ennahda", "Essalam", "Al Amal", "Riad")
_BANK_CODES = ("007", "011", "013", "021", "022", "145", "157", "181", "190", "225", "230")
_REGISTRY_PREFIX = {"azilal": "AZ", "beni_mellal": "BM", "fquih_ben_salah": "FBS",
                    "khenifra": "KH", "khouribga": "KHB"}
# (short name, Arabic, province, theme, legal form, commune): the cooperatives the demo
# script talks about, always built first.
_HEADLINE = (
    ("Tighza", "تيغزى", "khenifra", "olive", "cooperative", "Mrirt"),
    ("Ouzoud", "أوزود", "azilal", "crafts", "association", "Ait Taguella"),
    ("Zayane", "زيان", "khenifra", "carpet", "cooperative", "Khenifra"),
    ("Tadla", "تادلة", "beni_mellal", "honey", "cooperative", "Foum Oudi"),
    ("Rommana", "رمانة", "fquih_ben_salah", "fruit", "cooperative", "Ouled Ayad"),
    ("Tiwizi", "تويزا", "azilal", "pottery", "cooperative", "Demnate"),
    ("Ait Bouguemaz", "آيت بوكماز", "azilal", "tourism", "association", "Tabant"),
)
# fmt: on
#: The first headline cooperatives (Tighza, Ouzoud, Zayane, Tadla) always have a stand
#: at the open fair.
HEADLINE_EXHIBITORS = 4


@dataclass(frozen=True)
class DemoCooperative:
    """A cooperative to create verified, with its owner's account (password DEMO_PASSWORD)."""

    slug: str
    legal_form: str  # one of LEGAL_FORMS
    name: LocalizedText
    short_name: str  # Latin, used in product names: "..., Tighza"
    short_name_ar: str
    description: LocalizedText
    #: Its story, told on its page (fr stored in the column, ar and en as translations).
    story: LocalizedText
    province: str  # province code
    commune: str
    postal_code: str | None
    address: str  # also the pickup address
    phone: str  # +212 then 9 digits
    email: str  # also the owner's login
    owner_name: str
    owner_email: str
    registration_number: str
    ice: str | None
    founded_year: int
    members: int
    specialities: tuple[str, ...]  # category slugs
    sells_food: bool
    onssa_number: str | None
    payout_method: str  # "bank_transfer" or "stripe"
    rib: str | None
    stripe_account_id: str | None
    shipping_fee_cents: int
    offers_pickup: bool
    #: (fair edition, stand code) for each fair it exhibits at.
    fair_stands: tuple[tuple[int, str], ...] = ()


def rib_key(first22: str) -> str:
    """The two-digit check key completing 22 RIB digits: 97 - (first22 x 100 mod 97)."""
    if len(first22) != 22 or not first22.isdigit():
        raise ValueError("a RIB key is computed from exactly 22 digits")
    return f"{97 - int(first22) * 100 % 97:02d}"


def make_rib(rng: random.Random) -> str:
    """A random 24-digit RIB (bank, city, account, key) whose key is correct."""
    first22 = (
        rng.choice(_BANK_CODES) + f"{rng.randrange(1000):03d}" + f"{rng.randrange(10**16):016d}"
    )
    return first22 + rib_key(first22)


def _phone(rng: random.Random) -> str:
    prefix = "5" if rng.random() < 0.15 else rng.choice("67")  # landline or mobile
    return f"+212{prefix}{rng.randrange(10**8):08d}"


def _ice(rng: random.Random) -> str:
    """15 digits: 9 for the company, 4 for the establishment (head office), 2 check digits."""
    return f"00{rng.randrange(10**7):07d}0000{rng.randrange(100):02d}"


def _names(form: str, stem: str, stem_ar: str, theme: _Theme) -> LocalizedText:
    parts = {"stem": stem, "stem_ar": stem_ar, "tail": theme.cooperative_tail}
    parts["group"] = theme.association_tail
    return LocalizedText(*(pattern.format(**parts) for pattern in _NAME_PATTERNS[form]))


def _make_cooperative(
    rng: random.Random,
    spec: tuple[str, str, str, str, str, str | None],
    taken_slugs: set[str],
    *,
    stripe: bool = False,
) -> DemoCooperative:
    stem, stem_ar, province_code, theme_key, form, commune_name = spec
    theme, province = THEMES_BY_KEY[theme_key], PROVINCES_BY_CODE[province_code]
    if commune_name is None:
        preferred = [c for c in theme.communes if c in {x.name for x in province.communes}]
        commune_name = rng.choice(preferred or [c.name for c in province.communes])
    commune = province.commune(commune_name)
    slug = slugify(f"{stem} {theme.key}")
    if slug in taken_slugs:
        slug = slugify(f"{stem} {theme.key} {commune.name}")
    base, n = slug, 2
    while slug in taken_slugs:
        slug, n = f"{base}-{n}", n + 1
    taken_slugs.add(slug)

    year, members = rng.randint(2008, 2023), rng.randint(11, 80)
    description = LocalizedText(
        f"Founded in {year} in {commune.name} ({province.name.en} province), "
        f"{members} members work together. Our craft: {theme.craft.en}.",
        f"Fondée en {year} à {commune.name} (province de {province.name.fr}), elle réunit "
        f"{members} membres. Notre métier : {theme.craft.fr}.",
        f"تأسست سنة {year} في {commune.name_ar} (إقليم {province.name.ar})، وتضم {members} عضوا. "
        f"حرفتنا: {theme.craft.ar}.",
    )
    if commune.postal_code:
        hay = rng.choice(_NEIGHBOURHOODS)
        address = f"{rng.randint(1, 180)}, Rue {rng.randint(1, 40)}, Hay {hay}, {commune.name}"
    else:
        address = f"{rng.randint(1, 60)}, Centre {commune.name}"
    sells_food = any(category in FOOD_CATEGORIES for category in theme.specialities)
    owner_name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    email = f"{slug}@{COOPERATIVE_EMAIL_DOMAIN}"
    registration = f"{_REGISTRY_PREFIX[province.code]}-{year}/{rng.randint(1, 2999):04d}"
    ice = None if rng.random() < 0.2 else _ice(rng)
    stripe_id = "acct_demo" + "".join(rng.choices(string.ascii_letters + string.digits, k=12))
    return DemoCooperative(
        slug=slug,
        legal_form=form,
        name=_names(form, stem, stem_ar, theme),
        short_name=stem,
        short_name_ar=stem_ar,
        description=description,
        story=_story(year, members, commune, province, theme),
        province=province.code,
        commune=commune.name,
        postal_code=commune.postal_code,
        address=address,
        phone=_phone(rng),
        email=email,
        owner_name=owner_name,
        owner_email=email,
        registration_number=registration,
        ice=ice,
        founded_year=year,
        members=members,
        specialities=theme.specialities,
        sells_food=sells_food,
        onssa_number=f"DEMO-AS-{rng.randint(1, 99999):05d}" if sells_food else None,
        payout_method="stripe" if stripe else "bank_transfer",
        rib=None if stripe else make_rib(rng),
        stripe_account_id=stripe_id if stripe else None,
        shipping_fee_cents=rng.randint(4, 9) * 500,
        offers_pickup=rng.random() < 0.7,
    )


def _generated_specs(n: int, rng: random.Random) -> list[tuple[str, str, str, str, str, None]]:
    """`n` cooperatives spread evenly over the provinces, every legal form present."""
    codes = [PROVINCES[i % len(PROVINCES)].code for i in range(n)]
    minority = {"mutual": max(1, n // 18), "social_enterprise": max(1, n // 12)}
    minority["association"] = max(1, n // 6)
    forms = [form for form, k in minority.items() for _ in range(k)]
    forms = (forms + ["cooperative"] * n)[:n]
    rng.shuffle(codes)
    rng.shuffle(forms)
    stems: list[tuple[str, str]] = []
    specs = []
    # Themes are dealt from a shuffled deck holding each theme `weight` times (per round),
    # so that their shares follow the weights however small `n` is.
    rounds = -(-n // sum(t.weight for t in THEMES)) + 1
    deck = [theme for theme in THEMES for _ in range(theme.weight * rounds)]
    rng.shuffle(deck)
    for province, form in zip(codes, forms, strict=True):
        theme = next(t for t in deck if not t.provinces or province in t.provinces)
        deck.remove(theme)
        if not stems:
            stems = rng.sample(_STEMS, len(_STEMS))
        stem, stem_ar = stems.pop()
        specs.append((stem, stem_ar, province, theme.key, form, None))
    return specs


def _story(year: int, members: int, commune, province, theme) -> LocalizedText:
    """Three short paragraphs: how it started, how it works, where to meet it. No rng: the
    other demo data stay what they were."""
    return LocalizedText(
        f"It all began in {year} in {commune.name}, when {members} people of the valley "
        f"decided to pool what they know: {theme.craft.en}.\n"
        f"Today the cooperative works by hand, in small batches, with what the province of "
        f"{province.name.en} gives. Every sale pays the people who make the products first.\n"
        "Meet us at the fair or order here: we pack every parcel ourselves.",
        f"Tout a commencé en {year} à {commune.name}, quand {members} habitants de la vallée "
        f"ont décidé de mettre en commun leur savoir-faire : {theme.craft.fr}.\n"
        f"Aujourd'hui, la coopérative travaille à la main, en petites séries, avec ce que "
        f"donne la province de {province.name.fr}. Chaque vente paie d'abord celles et ceux "
        "qui produisent.\n"
        "Venez nous rencontrer à la foire ou commandez ici : nous préparons chaque colis "
        "nous-mêmes.",
        f"بدأت الحكاية سنة {year} في {commune.name_ar}، حين قرر {members} من أبناء المنطقة "
        f"أن يجمعوا خبرتهم: {theme.craft.ar}.\n"
        f"اليوم تعمل التعاونية يدويا وبكميات صغيرة، بما تجود به أرض إقليم {province.name.ar}. "
        "كل عملية بيع تؤدي أولا أجر من ينتجون.\n"
        "زورونا في المعرض أو اطلبوا من هنا: نحضّر كل طرد بأنفسنا.",
    )


def build_cooperatives(count: int = 44, seed: int = 2026) -> list[DemoCooperative]:
    """`count` verified demo cooperatives over the five provinces and four legal forms.

    The seven headline cooperatives (Tighza, Ouzoud, Zayane, ...) come first. Half of the
    cooperatives (rounded up) exhibit at the 3rd fair (Khenifra), always including the
    first four headline ones (the demo script sends shoppers to their stands); some
    exhibited at the earlier editions.
    """
    rng = random.Random(seed)
    specs = list(_HEADLINE[:count]) + _generated_specs(max(0, count - len(_HEADLINE)), rng)
    generated = range(len(_HEADLINE), count)
    stripe_paid = set(rng.sample(generated, min(3, len(generated))))
    taken: set[str] = set()
    cooperatives = [
        _make_cooperative(rng, spec, taken, stripe=i in stripe_paid) for i, spec in enumerate(specs)
    ]
    editions = {
        c.slug: [e for e, share in ((1, 0.25), (2, 0.4)) if rng.random() < share]
        for c in cooperatives
    }
    # A shopper at the open fair sees exhibitors and cooperatives that sell online only.
    half = -(-len(cooperatives) // 2)
    always = [c.slug for c in cooperatives[: min(HEADLINE_EXHIBITORS, half)]]
    others = [c.slug for c in cooperatives[len(always) :]]
    for slug in always + rng.sample(others, half - len(always)):
        editions[slug].append(3)
    stands: dict[str, list[tuple[int, str]]] = {c.slug: [] for c in cooperatives}
    for edition in (1, 2, 3):
        exhibitors = [c.slug for c in cooperatives if edition in editions[c.slug]]
        rng.shuffle(exhibitors)
        for slug, code in zip(exhibitors, stand_codes(len(exhibitors)), strict=True):
            stands[slug].append((edition, code))
    return [replace(c, fair_stands=tuple(stands[c.slug])) for c in cooperatives]


@dataclass(frozen=True)
class DemoApplication:
    """A cooperative that applied and waits for an admin's verification."""

    cooperative: DemoCooperative
    applicant_name: str
    applicant_email: str
    submitted_days_ago: int
    note: str  # what the admin should notice


def build_pending_applications(seed: int = 2026) -> list[DemoApplication]:
    """Three pending applications, with e-mails distinct from build_cooperatives()'s."""
    rng = random.Random(seed * 7 + 1)
    # fmt: off
    wanted = (
        (("Tafsut", "تافسوت", "azilal", "saffron", "cooperative", "Bzou"), 2,
         "Complete file: ONSSA authorization and ICE given."),
        (("Asafar", "أسافار", "khouribga", "herbs", "association", "Bejaad"), 5,
         "Sells food but has no ONSSA authorization number yet."),
        (("Tamaynut", "تامينوت", "beni_mellal", "sewing", "social_enterprise", "Beni Mellal"), 9,
         "No ICE yet (optional); RIB to check against the bank letter."),
    )
    # fmt: on
    taken: set[str] = set()  # their names are not among _STEMS: no clash with the others
    applications = []
    for spec, days_ago, note in wanted:
        cooperative = _make_cooperative(rng, spec, taken)
        if spec[0] == "Tafsut":
            cooperative = replace(cooperative, ice=cooperative.ice or _ice(rng))
        if spec[0] == "Asafar":
            cooperative = replace(cooperative, onssa_number=None)
        if spec[0] == "Tamaynut":
            cooperative = replace(cooperative, ice=None)
        applications.append(
            DemoApplication(
                cooperative=cooperative,
                applicant_name=cooperative.owner_name,
                applicant_email=cooperative.owner_email,
                submitted_days_ago=days_ago,
                note=note,
            )
        )
    return applications
