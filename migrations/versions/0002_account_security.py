"""account security: e-mail verification, session generations, single-use links, invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 09:30:00

Also normalises the stored e-mails as the accounts now do (NFKC, lower case), so
that "ｆａｔｉｍａ@example.ma" and "fatima@example.ma" are one address. An
address whose normalised form another account already holds is left as it was
(and named in the migration's output): two accounts are never merged silently.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", app.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )

    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.core.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", app.core.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'reset_password')",
            name=op.f("ck_account_links_purpose_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cooperative_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.core.db.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", app.core.db.UTCDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'staff')", name=op.f("ck_cooperative_invitations_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_cooperative_invitations_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_cooperative_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
            name=op.f("fk_cooperative_invitations_accepted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperative_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cooperative_invitations_token_hash")),
    )
    with op.batch_alter_table("cooperative_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cooperative_invitations_cooperative_id"), ["cooperative_id"], unique=False
        )

    normalise_emails(op.get_bind())


def normalise_emails(connection) -> None:
    """Store every e-mail as app.accounts.validation.normalise_email does (NFKC, lower
    case), except one whose normalised form another account holds."""
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    taken = {email for _, email in rows}
    for user_id, email in rows:
        normalised = unicodedata.normalize("NFKC", email).lower()
        if normalised == email:
            continue
        if normalised in taken:
            print(f"users.id {user_id}: {email!r} left as it is, {normalised!r} is another account")
            continue
        connection.execute(users.update().where(users.c.id == user_id).values(email=normalised))
        taken.discard(email)
        taken.add(normalised)


def downgrade():
    with op.batch_alter_table("cooperative_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cooperative_invitations_cooperative_id"))
    op.drop_table("cooperative_invitations")
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_links_user_id"))
    op.drop_table("account_links")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
        batch_op.drop_column("email_verified_at")
