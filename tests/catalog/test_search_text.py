"""The one normalisation of search (app/catalog/search_text.py), word by word."""

from __future__ import annotations

import pytest

from app.catalog.search_text import (
    Synonyms,
    arabizi_skeleton,
    closest,
    parse_query,
    prefix_of,
    region_synonyms,
    terms,
    within_one_edit,
    words,
)


def same_terms(left: str, right: str) -> bool:
    return terms(left) == terms(right) and terms(left) != []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # case
        ("MIEL", "miel"),
        ("Huile", "huile"),
        # Latin accents and ligatures
        ("epices", "Épices"),
        ("pate", "pâte"),
        ("creme brulee", "crème brûlée"),
        ("oeufs", "œufs"),
        # apostrophes, straight and curly, and French elisions
        ("huile olive", "huile d'olive"),
        ("huile olive", "huile d’olive"),
        ("huile olive", "l'huile d'olive"),
        ("eau fleur oranger", "Eau de fleur d’oranger"),
        ("thym atlas", "thym de l'Atlas"),
        # French plurals and simple inflections
        ("olive", "olives"),
        ("amande", "amandes"),
        ("noir", "noires"),
        ("naturel", "naturelle"),
        ("grillée", "grillées"),
        # Arabic diacritics (harakat, shadda, sukun) and tatweel
        ("زيتون", "زَيْتُون"),
        ("عسل", "عَسَلٌ"),
        ("صابون", "صـــابون"),
        # hamza and alef forms
        ("املو", "أملو"),
        ("اكليل", "إكليل"),
        ("امنه", "آمنة"),
        ("مسوول", "مسؤول"),
        ("مايده", "مائدة"),
        # taa marbuta and ha, alef maqsura and ya
        ("جلابه", "جلابة"),
        ("حلوي", "حلوى"),
        # the article, alone and after a preposition
        ("زيتون", "الزيتون"),
        ("عسل", "بالعسل"),
        ("زيت", "والزيت"),
        # Arabic-Indic digits
        ("500", "٥٠٠"),
    ],
)
def test_spellings_of_one_word_share_its_terms(typed, stored):
    assert same_terms(typed, stored)


def test_the_article_is_not_taken_from_a_short_word():
    assert terms("الله") == ["الله"]
    assert terms("إلى") == []  # a preposition, not an article and a letter


def test_stop_words_and_single_letters_are_left_out():
    assert terms("Miel de thym et d'euphorbe") == ["miel", "thym", "euphorb"]
    assert terms("عسل من الجبل") == ["عسل", "جبل"]
    assert terms("a b c") == []


def test_words_keep_a_spelling_to_show():
    assert [(word.spelling, word.term) for word in words("L’Huile d'OLIVES")] == [
        ("huile", "huil"),
        ("olives", "oliv"),
    ]


def test_punctuation_and_full_text_syntax_are_only_separators():
    assert terms('"miel" OR * (thym) NEAR:a^ -argan') == ["miel", "or", "thym", "near", "argan"]
    assert terms("100% sel_fin") == ["100", "sel", "fin"]


def test_arabizi_words_sound_alike_whatever_their_vowels():
    assert arabizi_skeleton("l3sel") == arabizi_skeleton("el3assel") == "l3sl"
    assert arabizi_skeleton("za3tar") == arabizi_skeleton("z3tr")
    assert arabizi_skeleton("9aftan") == arabizi_skeleton("kaftan")


SYNONYMS = Synonyms.parse(
    [
        "# comment",
        "miel, عسل, honey, l3sel, laasel",
        "huile d'olive, زيت زيتون, zit zitoun",
        "huile, زيت, zit",
        "lonely",
    ]
)


def needs(text: str, **options) -> list[tuple[tuple[str, ...], ...]]:
    return [need.phrases for need in parse_query(text, SYNONYMS, **options).needs]


def test_a_synonym_stands_for_every_name_of_its_line():
    assert needs("Laasel") == [(("laasel",), ("miel",), ("عسل",), ("honey",), ("l3sel",))]
    assert needs("العسل")[0][:2] == (("عسل",), ("miel",))


def test_the_longest_run_of_words_that_the_synonyms_know_wins():
    assert needs("zit zitoun") == [(("zit", "zitoun"), ("huil", "oliv"), ("زيت", "زيتون"))]
    assert needs("zit") == [(("zit",), ("huil",), ("زيت",))]
    assert needs("l'huile d'olive bio") == [
        (("huil", "oliv"), ("زيت", "زيتون"), ("zit", "zitoun")),
        (("bio",),),
    ]


def test_an_arabizi_spelling_not_listed_is_known_by_its_sound():
    assert needs("el3sel")[0][1:3] == (("miel",), ("عسل",))
    assert needs("l3ssel")[0][1] == ("miel",)


def test_a_line_with_one_name_is_no_synonym():
    assert needs("lonely") == [(("lonely",),)]


def test_the_word_being_typed_is_a_prefix_or_the_complete_word_or_a_synonym_starting_so():
    query = parse_query("miel thy", SYNONYMS, prefix_last=True)
    assert query.prefix_last
    assert query.needs[-1].phrases == (("thy*",),)
    assert parse_query("olives", SYNONYMS, prefix_last=True).needs[-1].phrases == (
        ("olives*",),
        ("oliv",),
    )
    assert parse_query("hone", SYNONYMS, prefix_last=True).needs[-1].phrases[:3] == (
        ("hone*",),
        ("hon",),
        ("miel",),
    )
    assert prefix_of(words("Épic")[0]) == "epic"
    assert prefix_of(words("الزي")[0]) == "الزي"  # too short to be the article and a word
    assert prefix_of(words("الزيت")[0]) == "زيت"


def test_region_synonyms_know_the_darija_and_latin_spellings_of_the_catalog():
    synonyms = region_synonyms()
    for darija, catalog_word in [
        ("l3sel", "miel"),
        ("laasel", "miel"),
        ("3assel", "miel"),
        ("zafran", "safran"),
        ("argane", "argan"),
        ("za3tar", "thym"),
        ("zerbia", "tapis"),
        ("kseksou", "couscous"),
        ("slilou", "sellou"),
        ("amlo", "amlou"),
    ]:
        phrases = parse_query(darija, synonyms).needs[0].phrases
        assert tuple(terms(catalog_word)) in phrases, darija
    assert (("huil", "oliv")) in parse_query("zit zitoun", synonyms).needs[0].phrases


def test_one_typo_is_one_letter_added_removed_changed_or_two_swapped():
    assert within_one_edit("huill", "huil")
    assert within_one_edit("safarn", "safran")
    assert within_one_edit("romarn", "romarin")
    assert within_one_edit("couscus", "couscous")
    assert not within_one_edit("miel", "mole")
    assert closest("couscus", ["couscous", "cous", "couscouss"]) == ["couscous"]
    assert closest("sel", ["sol", "sels"]) == []  # too short to guess
