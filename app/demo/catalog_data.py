"""Demo categories and product templates for `flask seed-demo` (no database here).

The products are the region's own (REGION.md): Picholine olive oil, euphorbia (zaqqoum)
honey, Sefri pomegranates, Azilal almonds and saffron, Kerrouchen grapes, couscous, sellou,
Zayane carpets, Demnate pottery, tourism at Ouzoud and in the Ait Bouguemaz valley. Prices
are realistic ranges in centimes of MAD, as paid by the shopper.

The IGP names are real ("Miel d'Euphorbe Tadla-Azilal", "Grenade Sefri Ouled Abdellah");
ALL CERTIFICATE NUMBERS ARE DEMO VALUES (prefixed "DEMO"), not real certificates. The IGP
areas used here (which provinces may carry each IGP) are a simplification.
Listings are built from these templates in product_data.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.demo.fair_data import LocalizedText

T = LocalizedText


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: LocalizedText
    parent: str | None  # slug of the parent category, None at the top
    position: int  # order among its siblings


# fmt: off
_CATEGORY_ROWS = (
    ("terroir", None, "Terroir foods", "Produits du terroir", "المنتجات المجالية"),
    ("olive-oil", "terroir", "Olive oil & olives", "Huile d'olive et olives",
     "زيت الزيتون والزيتون"),
    ("honey", "terroir", "Honey", "Miel", "العسل"),
    ("almonds-nuts", "terroir", "Almonds & nuts", "Amandes et fruits secs",
     "اللوز والفواكه الجافة"),
    ("fruits", "terroir", "Fruits & molasses", "Fruits et mélasses", "الفواكه والدبس"),
    ("couscous-cereals", "terroir", "Couscous & cereals", "Couscous et céréales",
     "الكسكس والحبوب"),
    ("sellou-sweets", "terroir", "Sellou & sweets", "Sellou et douceurs", "السلو والحلويات"),
    ("spices-saffron", "terroir", "Spices & saffron", "Épices et safran", "التوابل والزعفران"),
    ("herbs", "terroir", "Aromatic & medicinal plants", "Plantes aromatiques et médicinales",
     "النباتات العطرية والطبية"),
    ("crafts", None, "Crafts", "Artisanat", "الصناعة التقليدية"),
    ("carpets-textiles", "crafts", "Carpets & textiles", "Tapis et textiles", "الزرابي والنسيج"),
    ("pottery", "crafts", "Pottery", "Poterie", "الفخار"),
    ("sewing-embroidery", "crafts", "Sewing & embroidery", "Couture et broderie",
     "الخياطة والطرز"),
    ("basketry", "crafts", "Basketry", "Vannerie", "صناعة السلال"),
    ("cosmetics", None, "Natural cosmetics", "Cosmétiques naturels",
     "مستحضرات التجميل الطبيعية"),
    ("soaps", "cosmetics", "Olive oil soaps", "Savons à l'huile d'olive", "صابون زيت الزيتون"),
    ("floral-waters", "cosmetics", "Floral & herbal waters", "Eaux florales",
     "المياه الزهرية والعشبية"),
    ("services", None, "Services", "Services", "الخدمات"),
    ("tourism", "services", "Solidarity tourism", "Tourisme solidaire", "السياحة التضامنية"),
)
# fmt: on
CATEGORIES: tuple[DemoCategory, ...] = tuple(
    DemoCategory(slug, T(en, fr, ar), parent, [r[1] for r in _CATEGORY_ROWS[:i]].count(parent))
    for i, (slug, parent, en, fr, ar) in enumerate(_CATEGORY_ROWS)
)
CATEGORIES_BY_SLUG = {category.slug: category for category in CATEGORIES}

EUPHORBIA_HONEY_IGP = "Miel d'Euphorbe Tadla-Azilal"
SEFRI_POMEGRANATE_IGP = "Grenade Sefri Ouled Abdellah"
#: Provinces whose producers may carry each IGP in the demo (a simplification).
IGP_AREAS = {
    EUPHORBIA_HONEY_IGP: ("azilal", "beni_mellal"),
    SEFRI_POMEGRANATE_IGP: ("fquih_ben_salah",),
}


@dataclass(frozen=True)
class ProductTemplate:
    key: str
    category: str  # slug of a leaf category
    unit: str  # what one unit is, language-neutral (app/catalog/units.py): "500 g", "1 piece"
    min_price_cents: int
    max_price_cents: int
    name: LocalizedText
    is_food: bool  # sold only by cooperatives with an ONSSA authorization
    igp: str | None = None  # granted inside IGP_AREAS[igp] only
    organic_share: float = 0.0  # share of the cooperatives making it that are certified organic
    label_agricole_share: float = 0.0
    only_in: tuple[str, ...] = ()  # province codes; empty for anywhere

    def top_category(self) -> str:
        return CATEGORIES_BY_SLUG[self.category].parent or self.category


def _t(key, category, unit, min_mad, max_mad, names, *, igp=None, bio=0.0, la=0.0, only=""):
    is_food = CATEGORIES_BY_SLUG[category].parent == "terroir"
    return ProductTemplate(key, category, unit, min_mad * 100, max_mad * 100, T(*names), is_food,
                           igp, bio, la, tuple(only.split()))  # fmt: skip


EUPH, SEFRI = EUPHORBIA_HONEY_IGP, SEFRI_POMEGRANATE_IGP
# fmt: off
PRODUCT_TEMPLATES: tuple[ProductTemplate, ...] = (
    _t("olive-oil-1l", "olive-oil", "1 l", 70, 110, ("Extra virgin olive oil",
       "Huile d'olive extra vierge", "زيت الزيتون البكر الممتاز"), la=0.3, bio=0.2),
    _t("olive-oil-5l", "olive-oil", "5 l", 330, 500, ("Extra virgin olive oil, family can",
       "Huile d'olive extra vierge, bidon familial", "زيت الزيتون البكر الممتاز، عبوة عائلية"),
       la=0.3),
    _t("olive-oil-organic", "olive-oil", "75 cl", 90, 140, ("Organic cold-pressed olive oil",
       "Huile d'olive bio pressée à froid", "زيت زيتون عضوي معصور على البارد"), bio=1.0),
    _t("olives-green", "olive-oil", "1 kg", 30, 55, ("Cracked green olives with herbs",
       "Olives vertes cassées aux herbes", "زيتون أخضر مرشوش بالأعشاب")),
    _t("olives-black", "olive-oil", "500 g", 25, 45, ("Salt-cured black olives",
       "Olives noires confites au sel", "زيتون أسود مملح")),
    _t("honey-euphorbia-500", "honey", "500 g", 250, 450, ("Euphorbia (zaqqoum) honey",
       "Miel d'euphorbe (zaqqoum)", "عسل الزقوم (الدغموس)"), igp=EUPH),
    _t("honey-euphorbia-250", "honey", "250 g", 140, 240, ("Euphorbia (zaqqoum) honey",
       "Miel d'euphorbe (zaqqoum)", "عسل الزقوم (الدغموس)"), igp=EUPH),
    _t("honey-thyme", "honey", "500 g", 150, 250, ("Thyme honey", "Miel de thym",
       "عسل الزعتر"), bio=0.2),
    _t("honey-jujube", "honey", "500 g", 200, 350, ("Jujube (sidr) honey",
       "Miel de jujubier (sedra)", "عسل السدر")),
    _t("honey-wildflower", "honey", "1 kg", 120, 200, ("Mountain wildflower honey",
       "Miel toutes fleurs de montagne", "عسل الأزهار الجبلية")),
    _t("honey-carob", "honey", "500 g", 120, 200, ("Carob honey", "Miel de caroubier",
       "عسل الخروب")),
    _t("almonds-beldi", "almonds-nuts", "1 kg", 90, 160, ("Beldi almonds", "Amandes beldi",
       "لوز بلدي"), bio=0.2),
    _t("almonds-roasted", "almonds-nuts", "250 g", 40, 70, ("Roasted salted almonds",
       "Amandes grillées salées", "لوز محمص مملح")),
    _t("walnuts", "almonds-nuts", "1 kg", 60, 120, ("Atlas walnuts", "Noix de l'Atlas",
       "جوز الأطلس")),
    _t("almond-butter", "almonds-nuts", "250 g", 50, 90, ("Almond butter with honey",
       "Pâte d'amandes au miel", "معجون اللوز بالعسل")),
    _t("pomegranates-sefri", "fruits", "1 kg", 15, 30, ("Sefri pomegranates", "Grenades Sefri",
       "رمان سفري"), igp=SEFRI),
    _t("pomegranate-juice", "fruits", "1 l", 30, 50, ("Pure pomegranate juice",
       "Jus de grenade pur", "عصير الرمان الطبيعي")),
    _t("carob-powder", "fruits", "500 g", 20, 40, ("Roasted carob powder",
       "Poudre de caroube torréfiée", "مسحوق الخروب المحمص"), bio=0.3),
    _t("carob-molasses", "fruits", "500 g", 35, 60, ("Carob molasses", "Mélasse de caroube",
       "دبس الخروب")),
    _t("date-molasses", "fruits", "500 g", 40, 70, ("Date molasses", "Mélasse de dattes",
       "دبس التمر")),
    _t("dried-figs", "fruits", "1 kg", 50, 90, ("Sun-dried figs", "Figues séchées au soleil",
       "تين مجفف في الشمس")),
    _t("grapes-kerrouchen", "fruits", "1 kg", 12, 25, ("Kerrouchen table grapes",
       "Raisins de table de Kerrouchen", "عنب كروشن"), only="khenifra"),
    _t("couscous-wheat", "couscous-cereals", "1 kg", 30, 60, ("Hand-rolled durum wheat couscous",
       "Couscous de blé dur roulé main", "كسكس القمح الصلب المفتول يدويا"), la=0.2),
    _t("couscous-barley", "couscous-cereals", "1 kg", 30, 55, ("Barley couscous (belboula)",
       "Couscous d'orge (belboula)", "كسكس الشعير (البلبولة)")),
    _t("cereal-soup", "couscous-cereals", "500 g", 25, 45, ("Cereal soup mix (dchicha)",
       "Mélange pour soupe de céréales (dchicha)", "خليط حساء الحبوب (الدشيشة)")),
    _t("sesame", "couscous-cereals", "500 g", 35, 60, ("Sesame seeds", "Graines de sésame",
       "حب السمسم (الجلجلان)"), bio=0.6),
    _t("flour-wholewheat", "couscous-cereals", "1 kg", 15, 30, ("Stone-ground whole wheat flour",
       "Farine complète moulue à la meule", "دقيق القمح الكامل المطحون بالرحى")),
    _t("sellou", "sellou-sweets", "500 g", 60, 120, ("Sellou with almonds and sesame",
       "Sellou aux amandes et sésame", "سلو باللوز والسمسم")),
    _t("chebakia", "sellou-sweets", "500 g", 50, 90, ("Chebakia with honey",
       "Chebakia au miel", "شباكية بالعسل")),
    _t("ghriba", "sellou-sweets", "500 g", 50, 90, ("Almond ghriba cookies",
       "Ghriba aux amandes", "غريبة باللوز")),
    _t("saffron-1g", "spices-saffron", "1 g", 40, 70, ("Saffron threads",
       "Pistils de safran", "خيوط الزعفران الحر"), bio=0.3),
    _t("saffron-5g", "spices-saffron", "5 g", 180, 320, ("Saffron threads",
       "Pistils de safran", "خيوط الزعفران الحر"), bio=0.3),
    _t("ras-el-hanout", "spices-saffron", "100 g", 25, 45, ("Ras el hanout spice blend",
       "Mélange ras el hanout", "رأس الحانوت")),
    _t("cumin", "spices-saffron", "250 g", 25, 40, ("Ground cumin", "Cumin moulu",
       "كمون مطحون")),
    _t("thyme", "herbs", "100 g", 15, 30, ("Wild Atlas thyme", "Thym sauvage de l'Atlas",
       "زعتر الأطلس البري"), bio=0.4),
    _t("rosemary", "herbs", "100 g", 12, 25, ("Dried rosemary", "Romarin séché",
       "إكليل الجبل المجفف"), bio=0.3),
    _t("pennyroyal", "herbs", "100 g", 12, 25, ("Pennyroyal (fliyou)",
       "Menthe pouliot (fliyou)", "فليو")),
    _t("verbena", "herbs", "100 g", 15, 30, ("Lemon verbena (louiza)",
       "Verveine odorante (louiza)", "لويزة")),
    _t("herbal-tea", "herbs", "100 g", 20, 40, ("Mountain herbal tea blend",
       "Tisane des montagnes", "خليط أعشاب جبلية")),
    _t("carpet-zayane", "carpets-textiles", "1 piece", 1500, 6000, (
       "Hand-knotted Zayane wool carpet",
       "Tapis zayane en laine noué main", "زربية زيانية من الصوف معقودة يدويا")),
    _t("carpet-made-to-measure", "carpets-textiles", "1 m2", 600, 1200, (
       "Made-to-measure wool carpet, per m2", "Tapis en laine sur mesure, au m2",
       "زربية صوفية حسب الطلب، للمتر المربع")),
    _t("hanbel", "carpets-textiles", "1 piece", 800, 2500, ("Flat-woven hanbel",
       "Hanbel tissé à plat", "حنبل منسوج")),
    _t("cushion-cover", "carpets-textiles", "1 piece", 150, 300, ("Woven wool cushion cover",
       "Housse de coussin en laine tissée", "غطاء وسادة من الصوف المنسوج")),
    _t("wool-shawl", "carpets-textiles", "1 piece", 250, 600, ("Handwoven wool shawl",
       "Châle en laine tissé main", "شال صوفي منسوج يدويا")),
    _t("tagine-demnate", "pottery", "1 piece", 80, 250, ("Demnate glazed pottery tagine",
       "Tajine en poterie émaillée de Demnate", "طاجين من فخار دمنات المزجج")),
    _t("water-jug", "pottery", "1 piece", 90, 200, ("Demnate glazed water jug",
       "Cruche émaillée de Demnate", "جرة ماء مزججة من دمنات")),
    _t("serving-dish", "pottery", "1 piece", 60, 150, ("Hand-painted serving dish",
       "Plat de service peint à la main", "طبق تقديم مرسوم يدويا")),
    _t("clay-bowls", "pottery", "6 set", 90, 180, ("Set of six clay bowls",
       "Lot de six bols en terre cuite", "طقم من ست زلايف فخارية")),
    _t("tablecloth", "sewing-embroidery", "1 piece", 200, 450, ("Embroidered cotton tablecloth",
       "Nappe en coton brodée", "مفرش طاولة قطني مطرز")),
    _t("djellaba", "sewing-embroidery", "1 piece", 400, 900, ("Hand-sewn women's djellaba",
       "Djellaba femme cousue main", "جلابة نسائية مخيطة يدويا")),
    _t("kaftan", "sewing-embroidery", "1 piece", 900, 2000, ("Embroidered kaftan",
       "Caftan brodé", "قفطان مطرز")),
    _t("baby-blanket", "sewing-embroidery", "1 piece", 150, 300, ("Embroidered baby blanket",
       "Couverture bébé brodée", "غطاء رضيع مطرز")),
    _t("bread-basket", "basketry", "1 piece", 40, 90, ("Woven doum bread basket",
       "Corbeille à pain en doum tressé", "سلة خبز من الدوم المضفور")),
    _t("market-basket", "basketry", "1 piece", 60, 150, ("Palm-leaf market basket",
       "Panier de marché en feuilles de palmier", "قفة من سعف النخيل")),
    _t("straw-hat", "basketry", "1 piece", 40, 90, ("Woven straw hat", "Chapeau de paille tressé",
       "قبعة من القش المضفور")),
    _t("olive-soap", "soaps", "100 g", 20, 40, ("Olive oil soap",
       "Savon à l'huile d'olive", "صابون بزيت الزيتون")),
    _t("black-soap", "soaps", "250 g", 25, 45, ("Beldi black soap with olive oil",
       "Savon noir beldi à l'huile d'olive", "الصابون البلدي الأسود بزيت الزيتون")),
    _t("rosemary-soap", "soaps", "100 g", 25, 45, ("Olive soap with rosemary",
       "Savon d'olive au romarin", "صابون الزيتون بإكليل الجبل")),
    _t("rose-water", "floral-waters", "250 ml", 25, 45, ("Rose water", "Eau de rose",
       "ماء الورد")),
    _t("rosemary-water", "floral-waters", "250 ml", 30, 50, ("Rosemary floral water",
       "Hydrolat de romarin", "ماء إكليل الجبل")),
    _t("orange-blossom-water", "floral-waters", "250 ml", 25, 45, ("Orange blossom water",
       "Eau de fleur d'oranger", "ماء الزهر")),
    _t("ouzoud-visit", "tourism", "1 person", 150, 300, ("Guided visit of the Ouzoud falls",
       "Visite guidée des cascades d'Ouzoud", "زيارة شلالات أوزود مع مرشد"), only="azilal"),
    _t("bouguemaz-trek", "tourism", "1 person", 350, 600, ("Day trek in the Ait Bouguemaz valley",
       "Randonnée d'une journée dans la vallée des Ait Bouguemaz",
       "جولة يوم كامل في وادي آيت بوكماز"), only="azilal"),
    _t("aguelmame-walk", "tourism", "1 person", 150, 300, ("Guided walk at Lake Aguelmame Azigza",
       "Balade guidée au lac Aguelmame Azigza", "جولة مع مرشد في بحيرة أكلمام أزكزا"),
       only="khenifra"),
    _t("guesthouse-night", "tourism", "1 night", 250, 450, (
       "Night in a village guesthouse, half board", "Nuit en gîte, demi-pension",
       "ليلة في دار ضيافة قروية بنصف إقامة")),
    _t("couscous-workshop", "tourism", "1 person", 200, 350, ("Couscous cooking workshop",
       "Atelier de cuisine du couscous", "ورشة طبخ الكسكس")),
)
# fmt: on
