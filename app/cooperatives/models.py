from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, TranslatedMixin, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


class LegalForm(StrEnum):
    COOPERATIVE = "cooperative"
    ASSOCIATION = "association"
    MUTUAL = "mutual"
    SOCIAL_ENTERPRISE = "social_enterprise"


class CooperativeStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


class PayoutMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    STRIPE = "stripe"


class MemberRole(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


#: Province codes of Beni Mellal-Khenifra, as used by the API.
PROVINCES = ("azilal", "beni_mellal", "fquih_ben_salah", "khenifra", "khouribga")


class Cooperative(TranslatedMixin, TimestampMixin, db.Model):
    """A seller: the product says "cooperative" for all four legal forms."""

    __tablename__ = "cooperatives"
    __table_args__ = (
        CheckConstraint("shipping_fee_cents >= 0", name="shipping_fee_not_negative"),
        CheckConstraint(
            "legal_form IN ('cooperative', 'association', 'mutual', 'social_enterprise')",
            name="legal_form_known",
        ),
        CheckConstraint("status IN ('pending', 'verified', 'suspended')", name="status_known"),
        CheckConstraint(
            "(delivery_days_min IS NULL AND delivery_days_max IS NULL) OR "
            "(delivery_days_min >= 0 AND delivery_days_max >= delivery_days_min "
            "AND delivery_days_max <= 60)",
            name="delivery_days_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    name: Mapped[str] = mapped_column(String(140))
    legal_form: Mapped[str] = mapped_column(String(20))
    #: Registration number at the court registry / ODCo (law 112-12).
    registration_number: Mapped[str] = mapped_column(String(30))
    #: Identifiant Commun de l'Entreprise, 15 digits, optional.
    ice: Mapped[str | None] = mapped_column(String(15))
    province: Mapped[str] = mapped_column(String(20), index=True)
    commune: Mapped[str] = mapped_column(String(80))
    #: E.164 form, +212 then 9 digits.
    phone: Mapped[str] = mapped_column(String(13))
    email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Other languages: {"ar": {"name": ..., "description": ...}, ...}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: ONSSA sanitary authorization number, required to sell food.
    onssa_number: Mapped[str | None] = mapped_column(String(40))

    status: Mapped[str] = mapped_column(String(20), default=CooperativeStatus.PENDING, index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    payout_method: Mapped[str] = mapped_column(String(20), default=PayoutMethod.BANK_TRANSFER)
    #: Relevé d'Identité Bancaire: 24 digits, check key verified.
    rib: Mapped[str | None] = mapped_column(String(24))
    #: Connected Stripe account, for cooperatives paid by Stripe transfer.
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))

    #: Flat home-delivery fee, in centimes, paid whole to the cooperative.
    shipping_fee_cents: Mapped[int] = mapped_column(default=0)
    offers_home_delivery: Mapped[bool] = mapped_column(default=True)
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    pickup_address: Mapped[str | None] = mapped_column(String(200))
    #: Days from the order to the parcel at the shopper's door, as the cooperative states
    #: them (fewest, most); both None until it says. The receipt shows the window.
    delivery_days_min: Mapped[int | None]
    delivery_days_max: Mapped[int | None]
    #: Visits of its shop page from the QR code of its stand poster (``?src=poster``).
    poster_scans: Mapped[int] = mapped_column(default=0, server_default="0")

    #: Its story as the members tell it (other languages in ``translations``: {"ar": {"story"}}).
    story: Mapped[str] = mapped_column(Text, default="", server_default="")
    founded_year: Mapped[int | None]
    members_count: Mapped[int | None]
    #: Cover photo and logo under MEDIA_ROOT (``cooperatives/<2 hex>/<sha256>.jpg``, public);
    #: the logo is shown from its 480 px thumbnail.
    cover_path: Mapped[str | None] = mapped_column(String(200))
    cover_width: Mapped[int | None]
    cover_height: Mapped[int | None]
    logo_path: Mapped[str | None] = mapped_column(String(200))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan"
    )
    status_events: Mapped[list[CooperativeStatusEvent]] = relationship(
        back_populates="cooperative", order_by="CooperativeStatusEvent.id"
    )

    @property
    def is_verified(self) -> bool:
        return self.status == CooperativeStatus.VERIFIED


class Membership(TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "user_id"),
        CheckConstraint("role IN ('owner', 'staff')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.STAFF)

    cooperative: Mapped[Cooperative] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class CooperativeStatusEvent(db.Model):
    """Who verified or suspended a cooperative, when, and why."""

    __tablename__ = "cooperative_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cooperative: Mapped[Cooperative] = relationship(back_populates="status_events")


class Invitation(db.Model):
    """An owner's invitation to join a cooperative, e-mailed as a single-use link.

    The person accepts it logged in to the account that uses the invited
    address; only then does a Membership exist. Only the SHA-256 of the link's
    random token is stored.
    """

    __tablename__ = "cooperative_invitations"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    #: The invited address, normalised (app.accounts.validation.normalise_email).
    email: Mapped[str] = mapped_column(String(254))
    #: The MemberRole the person gets on accepting.
    role: Mapped[str] = mapped_column(String(10))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Hex SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cooperative: Mapped[Cooperative] = relationship()


class DocumentKind(StrEnum):
    """The papers a cooperative files for its verification (shared/API.md)."""

    STATUTES = "statutes"
    REGISTRATION_CERTIFICATE = "registration_certificate"
    ONSSA_AUTHORISATION = "onssa_authorisation"
    LABEL_CERTIFICATE = "label_certificate"
    RIB_CERTIFICATE = "rib_certificate"


class CooperativeDocument(db.Model):
    """A paper a cooperative filed: PDF, JPEG or PNG, stored privately (``DOCUMENTS_ROOT``)
    under the SHA-256 of its content, served only to its members and admins."""

    __tablename__ = "cooperative_documents"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('statutes', 'registration_certificate', 'onssa_authorisation', "
            "'label_certificate', 'rib_certificate')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    #: The name the file had on the member's computer (shown, never used as a path).
    filename: Mapped[str] = mapped_column(String(200))
    #: Path under DOCUMENTS_ROOT: "<cooperative id>/<sha256>.<pdf|jpg|png>".
    stored_path: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
