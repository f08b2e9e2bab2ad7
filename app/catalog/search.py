"""Reads of the search index: what a query matches, how well, and help when nothing does.

A shopper's text is parsed by ``search_text.parse_query`` (normalisation and
synonyms); ``understand`` then looks its plain words up in the vocabulary and
lets a word nobody wrote stand for the indexed words one typo away (pg_trgm finds
the candidates on PostgreSQL, the words of close length on SQLite; both keep
those within one edit). ``hits`` is the subquery of matching documents with
their rank and whether the whole query is in the name; the product search, the
cooperative list and the type-ahead all use it, so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Boolean, Float, Integer, Select, bindparam, func, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.sql.selectable import Subquery

from app.catalog import search_text
from app.catalog.search_index import COOPERATIVES, SearchIndex
from app.catalog.search_text import Need, Phrase, Query
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import verified_cooperatives
from app.extensions import db

#: bm25 weights of the FTS5 columns a, b, c, d (PostgreSQL's ts_rank has its own 1, .4, .2, .1).
FTS5_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
#: pg_trgm similarity above which a vocabulary word is a candidate correction (one edit in
#: a four-letter word is 0.25); the candidates are then checked for one edit exactly.
TRIGRAM_THRESHOLD = 0.2


@dataclass(frozen=True)
class Understood:
    """A query after typos: each need's phrases, and the words nothing indexed matched."""

    needs: tuple[tuple[Phrase, ...], ...]
    prefix_last: bool
    unknown: tuple[search_text.Word, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.needs)

    def terms(self) -> set[str]:
        return {term for phrases in self.needs for phrase in phrases for term in phrase}


def understand(q: str | None, prefix_last: bool = False) -> Understood:
    """``q`` parsed, each plain word unknown to the index replaced by the words one typo away."""
    query = search_text.parse_query(q, prefix_last=prefix_last)
    plain = [need for need in _complete_needs(query) if need.plain]
    asked = {need.phrases[0][0] for need in plain}
    known = _known_terms(asked)
    corrections = {
        term: _one_typo_away(term)
        for term in sorted(asked - known)
        if search_text.may_be_a_typo(term)
    }
    synonyms = search_text.region_synonyms()
    needs: list[tuple[Phrase, ...]] = []
    unknown: list[search_text.Word] = []
    for need in query.needs:
        term = need.phrases[0][0]
        if need in plain and term not in known:
            fixes = corrections.get(term, [])
            if not fixes:
                unknown.extend(need.words)
                needs.append(need.phrases)
                continue
            phrases: list[Phrase] = []
            for fix in fixes:
                phrases.extend(p for p in synonyms.alternatives((fix,)) if p not in phrases)
            needs.append(tuple(phrases))
        else:
            needs.append(need.phrases)
    return Understood(tuple(needs), query.prefix_last, tuple(unknown))


def _complete_needs(query: Query) -> Sequence[Need]:
    """The needs of whole words (the word being typed is a prefix: no typo is looked for)."""
    return query.needs[:-1] if query.prefix_last else query.needs


def _known_terms(terms: Iterable[str]) -> set[str]:
    terms = sorted(set(terms))
    if not terms:
        return set()
    statement = text("SELECT term FROM search_words WHERE term IN :terms").bindparams(
        bindparam("terms", expanding=True)
    )
    return set(db.session.scalars(statement, {"terms": terms}))


def _one_typo_away(term: str) -> list[str]:
    candidates = [*_candidates(term, spread=1), *search_text.region_synonyms().terms()]
    return search_text.closest(term, candidates)


def _candidates(term: str, spread: int) -> list[str]:
    """Vocabulary words that may be ``spread`` edits from ``term`` (a superset)."""
    if db.session.get_bind().dialect.name == "postgresql":
        threshold = TRIGRAM_THRESHOLD if spread == 1 else TRIGRAM_THRESHOLD / 2
        db.session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {threshold}"))
        return list(
            db.session.scalars(
                text("SELECT term FROM search_words WHERE term % :term"), {"term": term}
            )
        )
    return list(
        db.session.scalars(
            text("SELECT term FROM search_words WHERE length(term) BETWEEN :low AND :high"),
            {"low": len(term) - spread, "high": len(term) + spread},
        )
    )


# The match ---------------------------------------------------------------------------


def match_text(dialect: str, understood: Understood, name_only: bool = False) -> str:
    """The full-text query of ``understood``: FTS5 MATCH syntax or a PostgreSQL tsquery."""
    needs = []
    for phrases in understood.needs:
        alternatives = [_phrase(dialect, phrase, name_only) for phrase in phrases]
        needs.append("(" + (" OR " if dialect == "sqlite" else " | ").join(alternatives) + ")")
    if dialect == "sqlite":
        expression = " AND ".join(needs)
        return f"a : ({expression})" if name_only else expression
    return " & ".join(needs)


def _phrase(dialect: str, phrase: Phrase, name_only: bool) -> str:
    terms = []
    for term in phrase:
        as_prefix = term.endswith(search_text.PREFIX)
        term = term.removesuffix(search_text.PREFIX)
        if dialect == "sqlite":
            terms.append('"' + term.replace('"', '""') + '"' + ("*" if as_prefix else ""))
        else:
            label = ("*" if as_prefix else "") + ("A" if name_only else "")
            quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
            terms.append(quoted + (f":{label}" if label else ""))
    return "(" + (" AND " if dialect == "sqlite" else " & ").join(terms) + ")"


def hits(index: SearchIndex, understood: Understood, name: str = "hits") -> Subquery:
    """Documents of ``index`` matching ``understood``: ``id``, ``score`` (higher is better)
    and ``in_name`` (every need met in the name, weight A)."""
    dialect = db.session.get_bind().dialect.name
    match, in_name = f"{name}_match", f"{name}_in_name"
    if dialect == "postgresql":
        # search_unaccent() is IMMUTABLE (migration 0004): the tsqueries are constants folded
        # when the plan is made, and the GIN index finds the documents.
        statement = text(
            f"SELECT {index.id_column} AS id,"  # noqa: S608 (names are constants)
            f" ts_rank(document, to_tsquery('simple', search_unaccent(:{match}))) AS score,"
            f" document @@ to_tsquery('simple', search_unaccent(:{in_name})) AS in_name"
            f" FROM {index.table}"
            f" WHERE document @@ to_tsquery('simple', search_unaccent(:{match}))"
        )
    else:
        statement = text(
            f"SELECT rowid AS id, -bm25({index.table}, {FTS5_WEIGHTS}) AS score,"  # noqa: S608
            f" rowid IN (SELECT rowid FROM {index.table} WHERE {index.table} MATCH :{in_name})"
            f" AS in_name FROM {index.table} WHERE {index.table} MATCH :{match}"
        )
    statement = statement.bindparams(
        **{
            match: match_text(dialect, understood),
            in_name: match_text(dialect, understood, name_only=True),
        }
    )
    return statement.columns(id=Integer, score=Float, in_name=Boolean).subquery(name)


def ranked_page(
    index: SearchIndex, understood: Understood, candidates: Subquery, order_after: list
) -> Select:
    """PostgreSQL: the ids of ``candidates`` (a subquery with ``id`` and ``in_name``, already
    cut to the best few by a LIMIT) in relevance order: ``in_name``, then ``ts_rank`` computed
    for those rows only, then ``order_after`` (columns of ``candidates``)."""
    document = sa_table(index.table, sa_column(index.id_column), sa_column("document"))
    query = func.to_tsquery(
        "simple",
        func.search_unaccent(bindparam("ranked_match", match_text("postgresql", understood))),
    )
    return (
        select(candidates.c.id)
        .join(document, document.c[index.id_column] == candidates.c.id)
        .order_by(
            candidates.c.in_name.desc(),
            func.ts_rank(document.c.document, query).desc(),
            *order_after,
        )
    )


def matching_cooperatives(province: str | None = None, q: str | None = None) -> Select:
    """``verified_cooperatives`` whose name, place or description match ``q`` as products do."""
    statement = verified_cooperatives(province)
    understood = understand(q)
    if understood:
        found = hits(COOPERATIVES, understood, "cooperative_hits")
        statement = statement.where(Cooperative.id.in_(select(found.c.id)))
    return statement
