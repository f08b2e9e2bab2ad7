"""guest checkout (orders without an account, reached by a secret link), shoppers' confirmation
of cash-on-delivery parts, cooperatives' delivery times, saved addresses

Revision ID: 0008
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cooperatives") as batch:
        batch.add_column(sa.Column("delivery_days_min", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delivery_days_max", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            "delivery_days_in_order",
            "(delivery_days_min IS NULL AND delivery_days_max IS NULL) OR "
            "(delivery_days_min >= 0 AND delivery_days_max >= delivery_days_min "
            "AND delivery_days_max <= 60)",
        )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("shopper_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("guest_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("guest_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(length=5), nullable=True))
        batch.create_unique_constraint(batch.f("uq_orders_guest_token_hash"), ["guest_token_hash"])
        batch.create_check_constraint(
            "shopper_or_guest", "shopper_id IS NOT NULL OR guest_token_hash IS NOT NULL"
        )
        batch.create_index(batch.f("ix_orders_contact_phone"), ["contact_phone"], unique=False)
    with op.batch_alter_table("cooperative_orders") as batch:
        batch.add_column(
            sa.Column(
                "shopper_confirmed_at", app.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch.add_column(sa.Column("shopper_confirmed_via", sa.String(length=10), nullable=True))
        batch.create_check_constraint(
            "confirmed_via_known",
            "shopper_confirmed_via IS NULL OR shopper_confirmed_via IN ('link', 'call')",
        )
    op.create_table(
        "saved_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_addresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_addresses")),
        sa.UniqueConstraint(
            "user_id",
            "name",
            "line1",
            "city",
            "postal_code",
            name=op.f("uq_saved_addresses_user_id_name_line1_city_postal_code"),
        ),
    )
    with op.batch_alter_table("saved_addresses") as batch:
        batch.create_index(batch.f("ix_saved_addresses_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("saved_addresses") as batch:
        batch.drop_index(batch.f("ix_saved_addresses_user_id"))
    op.drop_table("saved_addresses")
    with op.batch_alter_table("cooperative_orders") as batch:
        batch.drop_constraint(batch.f("ck_cooperative_orders_confirmed_via_known"), type_="check")
        batch.drop_column("shopper_confirmed_via")
        batch.drop_column("shopper_confirmed_at")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index(batch.f("ix_orders_contact_phone"))
        batch.drop_constraint(batch.f("ck_orders_shopper_or_guest"), type_="check")
        batch.drop_constraint(batch.f("uq_orders_guest_token_hash"), type_="unique")
        batch.drop_column("locale")
        batch.drop_column("guest_email")
        batch.drop_column("guest_token_hash")
        batch.alter_column("shopper_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("cooperatives") as batch:
        batch.drop_constraint(batch.f("ck_cooperatives_delivery_days_in_order"), type_="check")
        batch.drop_column("delivery_days_max")
        batch.drop_column("delivery_days_min")
