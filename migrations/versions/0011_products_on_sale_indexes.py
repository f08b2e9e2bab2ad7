"""products on sale: indexes for the list's sorts and counts without reading the table

Partial indexes over the products shoppers may see (active, not hidden): one per
sort of the list (price, newest) so a page is read in order and stops after its
rows, and one holding every column a filter reads, so counting the matches of a
filter reads the index alone (PostgreSQL, INCLUDE) instead of every wide row.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 13:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

ON_SALE = "status = 'active' AND hidden_at IS NULL"


def upgrade():
    where = {"postgresql_where": sa.text(ON_SALE), "sqlite_where": sa.text(ON_SALE)}
    op.create_index(
        "ix_products_on_sale_by_price", "products", ["price_cents", "id"], **where
    )
    op.create_index(
        "ix_products_on_sale_by_date", "products", ["created_at", "id"], **where
    )
    op.create_index(
        "ix_products_on_sale_filters",
        "products",
        ["cooperative_id"],
        postgresql_include=["origin_province", "stock", "price_cents", "category_id"],
        **where,
    )


def downgrade():
    op.drop_index("ix_products_on_sale_filters", table_name="products")
    op.drop_index("ix_products_on_sale_by_date", table_name="products")
    op.drop_index("ix_products_on_sale_by_price", table_name="products")
