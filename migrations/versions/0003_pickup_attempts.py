"""pickup attempts: every try at a pickup code, to lock the hand-over after five wrong ones

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-03 09:45:00

"""

from alembic import op
import sqlalchemy as sa

import app.core.db


revision = "0003"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pickup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('right', 'wrong', 'locked')",
            name=op.f("ck_pickup_attempts_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_pickup_attempts_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["cooperative_orders.id"],
            name=op.f("fk_pickup_attempts_part_id_cooperative_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_attempts")),
    )
    with op.batch_alter_table("pickup_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_pickup_attempts_part_id_at", ["part_id", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("pickup_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_pickup_attempts_part_id_at")
    op.drop_table("pickup_attempts")
