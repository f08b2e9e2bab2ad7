"""The words of a text as search sees them: one normalisation for indexing and for querying.

Pure functions, no database. ``words(text)`` turns any text (a product name in
French, a description in Arabic, a shopper's query in Darija) into ``Word``s:
the ``spelling`` a reader would recognise (lower case, without diacritics, to
show in "did you mean") and the ``term`` that is indexed and looked up. Two
spellings with the same term are the same word to search:

- case, Latin accents and ligatures (é, ç, œ) are ignored;
- apostrophes (' and ’) separate words, and French elisions (l', d', qu'...)
  are dropped: "l'huile d'olive" is "huile olive";
- Arabic diacritics (harakat, shadda, sukun, dagger alef) and tatweel are
  ignored; hamza and alef forms (أ إ آ ٱ, ؤ, ئ) become the bare letter, taa
  marbuta is ha, alef maqsura is ya, and the article (ال, also after و ب ف ك,
  and لل) is dropped: "الزَّيْتُون" is "زيتون";
- French plurals and simple inflections share a stem (Snowball's French
  stemmer on Latin words): "olives" and "olive" are "oliv";
- short function words (de, la, et, في, من...) are not words to search.

``Query`` then groups a shopper's words into what each must match, through
the synonyms file of the region's products (synonyms.txt beside this module):
"zit zitoun" is "huile d'olive", "l3sel" is "miel".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

#: Harakat (fathatan .. sukun), the small high letters, superscript (dagger) alef, tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ة": "ه",
        "ی": "ي",  # Persian yeh, typed by some keyboards
        "ک": "ك",  # Persian keheh
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},  # extended (Persian) digits
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc\u0060\u00b4]")
#: French elided words before an apostrophe: l'huile, d'olive, qu'il, jusqu'à.
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
#: Anything that is not a letter or a digit separates words (the underscore too).
_SEPARATORS = re.compile(r"[\W_]+")
#: The article and the prepositions glued to it, longest first: والزيت, بالعسل, للبيع.
_ARABIC_ARTICLES = ("وال", "بال", "فال", "كال", "ال", "لل")
_ARABIC = re.compile("[\u0600-\u06ff]")
#: Words too common to search for (French, English, Arabic), letters unified.
STOP_WORDS = frozenset(
    {"a", "au", "aux", "avec", "de", "des", "du", "en", "et", "la", "le", "les", "ou", "par"}
    | {"pour", "sur", "un", "une", "the", "of", "and", "with", "for", "in"}
    | {"في", "من", "مع", "علي", "الي", "او", "عن"}
)

_french = snowballstemmer.stemmer("french")


@dataclass(frozen=True)
class Word:
    """One word of a text: how to show it, and the term search indexes and looks up."""

    spelling: str
    term: str


def words(text: str | None) -> list[Word]:
    """The words of ``text`` worth searching, in order (stop words and letters alone left out)."""
    return list(_words_of(text or ""))


@functools.lru_cache(maxsize=8192)
def _words_of(text: str) -> tuple[Word, ...]:
    """``words`` of a text, kept per process: a product's document is rebuilt from the same
    cooperative, category and label texts every time one of its searched fields changes."""
    found = []
    for spelling in _spellings(text):
        if _folded(spelling) in STOP_WORDS:
            continue
        term = term_of(spelling)
        if len(term) > 1:
            found.append(Word(spelling, term))
    return tuple(found)


def terms(text: str | None) -> list[str]:
    """The terms of ``words(text)``, in order."""
    return [word.term for word in words(text)]


def index_text(*texts: str | None) -> str:
    """The terms of ``texts`` joined by spaces: what a search document column holds."""
    return " ".join(term for text in texts for term in terms(text))


def _spellings(text: str) -> list[str]:
    """Lower case, no diacritics, no elisions, split on everything but letters and digits."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text)
    text = _APOSTROPHES.sub("'", text)
    text = _ELISION.sub(" ", text)
    return [spelling for spelling in _SEPARATORS.split(text) if spelling]


@functools.lru_cache(maxsize=65_536)
def term_of(spelling: str) -> str:
    """The term of one spelled word: letters unified, Arabic article dropped, French stem.

    Pure, so kept per process: Snowball's pure-Python stemmer was most of the time of a
    type-ahead answer and of indexing a catalog that says "huile" thousands of times.
    """
    folded = _folded(spelling)
    if _ARABIC.search(folded):
        return _without_article(folded)
    if folded.isdigit():
        return folded
    return _french.stemWord(folded)


@functools.lru_cache(maxsize=65_536)
def _folded(spelling: str) -> str:
    """No accents or ligatures, one form of each Arabic letter."""
    return _without_accents(spelling.translate(_LIGATURES)).translate(_ARABIC_LETTERS)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", kept)


def _without_article(word: str) -> str:
    for article in _ARABIC_ARTICLES:
        # Keep at least three letters: "الله" or "الي" are not an article and a word.
        if word.startswith(article) and len(word) - len(article) >= 3:
            return word[len(article) :]
    return word


# Arabizi (Darija written in Latin letters and digits) ------------------------------

#: Digits that stand for Arabic letters in Arabizi: 3 ع, 7 ح, 9 ق, 2 ء, 5 خ, 8 غ, 6 ط.
#: Ayn stays a letter of its own ("3"): without it "3sel" (honey) would sound like "sellou".
_ARABIZI_DIGITS = str.maketrans({"2": "", "7": "h", "9": "q", "5": "kh", "8": "gh", "6": "t"})
_VOWELS = re.compile("[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")


def is_arabizi(spelling: str) -> bool:
    """A Latin word holding one of the Arabizi digits ("l3sel", "7arira"), not a number."""
    return bool(re.search("[a-z]", spelling)) and bool(re.search("[235679]", spelling))


def arabizi_skeleton(spelling: str) -> str:
    """The consonants of a Darija word in Latin letters, whatever its vowels and digits.

    "l3sel", "el3assel" and "l3ssel" are all "l3sl": vowels and 2 (hamza) are silent,
    doubled letters count once, "k" and "q" are one sound.
    """
    text = spelling.casefold().translate(_ARABIZI_DIGITS).replace("k", "q")
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", text))


# Synonyms ---------------------------------------------------------------------------

#: A way to say something: the terms that must all be found, in any order.
Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    """Groups of phrases that name the same thing (a line of synonyms.txt each)."""

    groups: tuple[tuple[Phrase, ...], ...]
    #: phrase -> indexes of the groups it belongs to
    by_phrase: dict[Phrase, tuple[int, ...]]
    #: Arabizi skeleton -> indexes of groups with a one-word Latin member of that skeleton
    by_skeleton: dict[str, tuple[int, ...]]
    longest: int

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Synonyms:
        """One group per line, members separated by commas; ``#`` starts a comment."""
        groups: list[tuple[Phrase, ...]] = []
        by_phrase: dict[Phrase, list[int]] = {}
        by_skeleton: dict[str, list[int]] = {}
        for line in lines:
            members = [member.strip() for member in line.split("#", 1)[0].split(",")]
            phrases: list[Phrase] = []
            for member in filter(None, members):
                phrase = tuple(terms(member))
                if phrase and phrase not in phrases:
                    phrases.append(phrase)
                spelled = _spellings(member)
                if len(spelled) == 1 and is_latin(spelled[0]):
                    by_skeleton.setdefault(arabizi_skeleton(spelled[0]), []).append(len(groups))
            if len(phrases) < 2:
                continue
            for phrase in phrases:
                by_phrase.setdefault(phrase, []).append(len(groups))
            groups.append(tuple(phrases))
        return cls(
            groups=tuple(groups),
            by_phrase={phrase: tuple(dict.fromkeys(ids)) for phrase, ids in by_phrase.items()},
            by_skeleton={key: tuple(dict.fromkeys(ids)) for key, ids in by_skeleton.items()},
            longest=max((len(phrase) for phrase in by_phrase), default=1),
        )

    def alternatives(self, phrase: Phrase) -> tuple[Phrase, ...]:
        """``phrase`` and every phrase that shares a group with it (itself first)."""
        found = [phrase]
        for group in self.by_phrase.get(phrase, ()):
            found.extend(other for other in self.groups[group] if other not in found)
        return tuple(found)

    def arabizi_alternatives(self, spelling: str) -> tuple[Phrase, ...]:
        """The phrases of the groups whose Latin members sound like the Arabizi ``spelling``."""
        skeleton = arabizi_skeleton(spelling)
        # "l3sel": the l may be the article glued to the word ("el", "l'").
        keys = [skeleton, skeleton[1:]] if skeleton.startswith("l") else [skeleton]
        found: list[Phrase] = []
        for key in keys:
            for group in self.by_skeleton.get(key, ()) if len(key) >= 2 else ():
                found.extend(other for other in self.groups[group] if other not in found)
            if found:
                break
        return tuple(found)

    def terms(self) -> set[str]:
        """Every term of every phrase (a typo of one is still understood)."""
        return {term for group in self.groups for phrase in group for term in phrase}


def is_latin(spelling: str) -> bool:
    return not _ARABIC.search(spelling)


@functools.cache
def region_synonyms() -> Synonyms:
    """The synonyms of the region's products (synonyms.txt), read once per process."""
    return Synonyms.parse(SYNONYMS_FILE.read_text(encoding="utf-8").splitlines())


# Queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """One thing a query asks for: any of ``phrases`` (each phrase: all its terms).

    ``words`` are the shopper's words it stands for; ``plain`` is true for a word the
    synonyms did not recognise (typos are looked for only for those).
    """

    words: tuple[Word, ...]
    phrases: tuple[Phrase, ...]
    plain: bool = True


@dataclass(frozen=True)
class Query:
    """A shopper's query: every need must be met, in any order, anywhere in a document."""

    needs: tuple[Need, ...] = field(default_factory=tuple)
    #: The last word is being typed: it matches as the start of a word (type-ahead).
    prefix_last: bool = False

    def __bool__(self) -> bool:
        return bool(self.needs)


def parse_query(
    text: str | None, synonyms: Synonyms | None = None, prefix_last: bool = False
) -> Query:
    """The needs of ``text``: its words, runs of words the synonyms know taken together.

    The longest run of words that is a synonym phrase wins ("zit zitoun" is one need,
    "huile d'olive" or "زيت زيتون" or "olive oil"); an Arabizi word the synonyms know
    by its sound ("l3sel") stands for its group. With ``prefix_last``, the last word
    (being typed) matches as the start of a word (``typed_alternatives``).
    """
    synonyms = synonyms if synonyms is not None else region_synonyms()
    found = words(text)
    typed = found.pop() if prefix_last and found else None
    needs: list[Need] = []
    position = 0
    while position < len(found):
        for length in range(min(synonyms.longest, len(found) - position), 0, -1):
            span = tuple(found[position : position + length])
            phrase = tuple(word.term for word in span)
            if phrase in synonyms.by_phrase:
                needs.append(Need(span, synonyms.alternatives(phrase), plain=False))
                position += length
                break
        else:
            word = found[position]
            sounds_like = (
                synonyms.arabizi_alternatives(word.spelling) if is_arabizi(word.spelling) else ()
            )
            if sounds_like:
                needs.append(Need((word,), ((word.term,), *sounds_like), plain=False))
            else:
                needs.append(Need((word,), ((word.term,),)))
            position += 1
    if typed is not None:
        needs.append(Need((typed,), typed_alternatives(typed, synonyms), plain=False))
    return Query(tuple(needs), prefix_last=typed is not None)


#: Marks a term that matches as the start of a word (the word being typed).
PREFIX = "*"
#: Shortest start of a word that the synonyms are searched with ("zaf" -> zafran, safran).
MIN_SYNONYM_PREFIX = 3


def typed_alternatives(word: Word, synonyms: Synonyms) -> tuple[Phrase, ...]:
    """What a word being typed may be: a word starting as typed (``PREFIX``-marked), the
    word itself if it is complete (its stem: "olives" is indexed "oliv"), and the synonyms
    of the region's words that start as typed ("zaf" finds zafran, so safran)."""
    typed = prefix_of(word)
    found: list[Phrase] = [(typed + PREFIX,)]
    if word.term != typed:
        found.append((word.term,))
    if len(typed) >= MIN_SYNONYM_PREFIX:
        groups = sorted(
            {
                group
                for (term,), ids in _single_terms(synonyms)
                if term.startswith(typed)
                for group in ids
            }
        )
        for group in groups[:3]:
            found.extend(phrase for phrase in synonyms.groups[group] if phrase not in found)
    return tuple(found)


def _single_terms(synonyms: Synonyms) -> list[tuple[Phrase, tuple[int, ...]]]:
    return [(phrase, ids) for phrase, ids in synonyms.by_phrase.items() if len(phrase) == 1]


def prefix_of(word: Word) -> str:
    """What a word being typed starts with, letters unified (not stemmed: "mie" is "mie")."""
    plain = _folded(word.spelling)
    return _without_article(plain) if _ARABIC.search(plain) else plain


# Typos ------------------------------------------------------------------------------


def within_one_edit(typed: str, known: str) -> bool:
    """Whether ``known`` is ``typed`` with at most one letter added, removed, changed or
    two neighbours swapped (Damerau-Levenshtein distance <= 1)."""
    if typed == known:
        return True
    if abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        differ = [i for i, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        return (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and typed[differ[0]] == known[differ[1]]
            and typed[differ[1]] == known[differ[0]]
        )
    shorter, longer = sorted((typed, known), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), for ranking spellings."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


#: Words shorter than this are not corrected: one letter off "sel" is "sol", "miel" is "mie".
MIN_TYPO_LENGTH = 4


def may_be_a_typo(term: str) -> bool:
    return len(term) >= MIN_TYPO_LENGTH and not term.isdigit()


def closest(typed: str, known: Sequence[str]) -> list[str]:
    """The ``known`` terms one edit away from ``typed`` (none for a short word), sorted."""
    if not may_be_a_typo(typed):
        return []
    return sorted({term for term in known if term != typed and within_one_edit(typed, term)})
