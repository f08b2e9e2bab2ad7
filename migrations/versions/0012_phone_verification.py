"""an account's phone verified by a code sent by SMS (only the code's HMAC is kept)

Revision ID: 0012
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0012"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # A plain nullable column: SQLite adds it in place, without copying the users table
    # that every other table points at. Existing accounts start with an unverified phone.
    op.add_column(
        "users",
        sa.Column("phone_verified_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_phone_codes_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_phone_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_codes")),
    )
    op.create_index(op.f("ix_phone_codes_user_id"), "phone_codes", ["user_id"], unique=False)
    op.create_index(op.f("ix_phone_codes_phone"), "phone_codes", ["phone"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_phone_codes_phone"), table_name="phone_codes")
    op.drop_index(op.f("ix_phone_codes_user_id"), table_name="phone_codes")
    op.drop_table("phone_codes")
    op.drop_column("users", "phone_verified_at")
