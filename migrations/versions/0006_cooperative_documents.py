"""cooperative documents for verification; a shipped part's carrier and tracking number; stand poster scans

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cooperatives") as batch:
        batch.add_column(
            sa.Column("poster_scans", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("cooperative_orders") as batch:
        batch.add_column(sa.Column("carrier", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("tracking_number", sa.String(length=60), nullable=True))
    op.create_table(
        "cooperative_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_path", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('statutes', 'registration_certificate', 'onssa_authorisation', "
            "'label_certificate', 'rib_certificate')",
            name=op.f("ck_cooperative_documents_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_cooperative_documents_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_cooperative_documents_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperative_documents")),
    )
    op.create_index(
        op.f("ix_cooperative_documents_cooperative_id"),
        "cooperative_documents",
        ["cooperative_id"],
        unique=False,
    )


def downgrade():
    with op.batch_alter_table("cooperatives") as batch:
        batch.drop_column("poster_scans")
    with op.batch_alter_table("cooperative_orders") as batch:
        batch.drop_column("tracking_number")
        batch.drop_column("carrier")
    op.drop_index(op.f("ix_cooperative_documents_cooperative_id"), table_name="cooperative_documents")
    op.drop_table("cooperative_documents")
