"""a cooperative's story, founding year, members, cover and logo; up to 6 photos per product

Revision ID: 0007
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0007"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cooperatives") as batch:
        batch.add_column(sa.Column("story", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("founded_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("members_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cover_path", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("cover_width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cover_height", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("logo_path", sa.String(length=200), nullable=True))
    op.create_table(
        "product_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_path", sa.String(length=200), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_photos_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_photos")),
    )
    op.create_index(
        op.f("ix_product_photos_product_id"), "product_photos", ["product_id"], unique=False
    )
    # The one photo a product had becomes the first (main) photo of its gallery.
    op.execute(
        "INSERT INTO product_photos (product_id, position, image_path, width, height, created_at) "
        "SELECT id, 0, image_path, COALESCE(image_width, 0), COALESCE(image_height, 0), "
        "updated_at FROM products WHERE image_path IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f("ix_product_photos_product_id"), table_name="product_photos")
    op.drop_table("product_photos")
    # Plain columns (no index, key or constraint): SQLite drops them in place, without
    # copying the table that other tables' rows point at.
    for column in (
        "logo_path",
        "cover_height",
        "cover_width",
        "cover_path",
        "members_count",
        "founded_year",
        "story",
    ):
        op.drop_column("cooperatives", column)
