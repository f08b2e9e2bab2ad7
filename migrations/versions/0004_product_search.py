"""product search: weighted documents, full-text indexes and the search vocabulary

PostgreSQL: extensions unaccent and pg_trgm, tsvector documents with GIN indexes, a
trigram index on the vocabulary. SQLite: FTS5 tables of the same names. Both are
filled from the rows already there (the demo catalog of a running site), with the
same code the app uses on every write (app/catalog/search_index.py).

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-03 09:40:00

"""

import sqlalchemy as sa
from alembic import op

from app.catalog import search_index

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: FTS5 options: terms arrive normalised (no diacritics to remove); prefix indexes make a
#: word being typed (type-ahead) cheap to find.
_FTS5 = "fts5(a, b, c, d, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"


def upgrade():
    op.create_table(
        "search_words",
        sa.Column("term", sa.String(length=80), nullable=False),
        sa.Column("spelling", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_words")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # unaccent() is only STABLE (its dictionary could change): this IMMUTABLE wrapper
        # with the dictionary named lets a tsquery be folded at planning, so the GIN index
        # is used. Documents and queries both go through it.
        op.execute(
            "CREATE OR REPLACE FUNCTION search_unaccent(text) RETURNS text"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
            " AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
        )
        for table, id_column, parent in (
            ("product_search", "product_id", "products"),
            ("cooperative_search", "cooperative_id", "cooperatives"),
        ):
            op.create_table(
                table,
                sa.Column(id_column, sa.Integer(), nullable=False),
                sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
                sa.ForeignKeyConstraint(
                    [id_column],
                    [f"{parent}.id"],
                    name=op.f(f"fk_{table}_{id_column}_{parent}"),
                    ondelete="CASCADE",
                ),
                sa.PrimaryKeyConstraint(id_column, name=op.f(f"pk_{table}")),
            )
            op.create_index(f"ix_{table}_document", table, ["document"], postgresql_using="gin")
        op.execute(
            "CREATE INDEX ix_search_words_term_trigrams ON search_words"
            " USING gin (term gin_trgm_ops)"
        )
    else:
        op.execute(f"CREATE VIRTUAL TABLE product_search USING {_FTS5}")
        op.execute(f"CREATE VIRTUAL TABLE cooperative_search USING {_FTS5}")
    search_index.reindex_everything(op.get_bind())


def downgrade():
    op.drop_table("cooperative_search")
    op.drop_table("product_search")
    op.drop_table("search_words")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS search_unaccent(text)")
