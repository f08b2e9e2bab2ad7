"""Use cases of cooperatives: apply, edit the profile, verify and suspend, members (who
join by accepting an e-mailed invitation).

Each public function owns its transaction (one commit); helpers only flush.
A cooperative's status moves only through `_move_status`, which records who
moved it, when and why (CooperativeStatusEvent) and refuses illegal moves:

    pending   -> verified   (verify: an admin checked the papers)
    pending   -> suspended  (suspend: the application is refused)
    verified  -> suspended  (suspend)
    suspended -> verified   (verify: reinstated)
    verified  -> pending    (a member changed the legal identity: checked again)
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from app.accounts.errors import InvalidLink
from app.accounts.models import User
from app.accounts.operations import LinkBuilder, mark_email_verified, new_token, token_hash
from app.accounts.queries import user_by_email
from app.accounts.validation import normalise_email
from app.audit.operations import record
from app.cooperatives.documents import ITEM_NAMES
from app.cooperatives.models import (
    Cooperative,
    CooperativeDocument,
    CooperativeStatus,
    CooperativeStatusEvent,
    Invitation,
    MemberRole,
    Membership,
    PayoutMethod,
)
from app.cooperatives.operations import file_document, store_picture_bytes
from app.cooperatives.permissions import member_role, require_member
from app.cooperatives.queries import verification_checklist
from app.cooperatives.validation import REQUIRED_AT_APPLICATION, clean_profile
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from app.core.images import MAX_IMAGE_BYTES
from app.core.slugs import unique_slug
from app.core.transactions import committed
from app.extensions import db
from app.notifications.operations import notify

#: Fields a member may change; payout details only by an owner.
PAYOUT_FIELDS = frozenset({"payout_method", "rib"})
#: Fields that say which legal person the cooperative is: an admin checks them again.
IDENTITY_FIELDS = ("legal_form", "registration_number", "ice")

ALLOWED_MOVES = frozenset(
    {
        (CooperativeStatus.PENDING, CooperativeStatus.VERIFIED),
        (CooperativeStatus.PENDING, CooperativeStatus.SUSPENDED),
        (CooperativeStatus.VERIFIED, CooperativeStatus.SUSPENDED),
        (CooperativeStatus.SUSPENDED, CooperativeStatus.VERIFIED),
        (CooperativeStatus.VERIFIED, CooperativeStatus.PENDING),
    }
)

#: How long an invitation to join a cooperative can be accepted.
INVITATION_LIFETIME = timedelta(days=7)

#: Paths under /cooperatives/ that a slug must not take.
RESERVED_SLUGS = frozenset({"apply", "new"})
SLUG_MAX = 120


def apply(user: User, data: Mapping[str, Any]) -> Cooperative:
    """Record an application: a pending cooperative whose owner is `user`.

    `data` holds the application fields (validation.CHECKS); payout_method
    defaults to bank_transfer, which needs a valid RIB. Raises ValidationFailed
    (every bad field) or Conflict (ICE already registered); writes nothing then.
    """
    values = clean_profile(data, required=REQUIRED_AT_APPLICATION)
    values.setdefault("payout_method", PayoutMethod.BANK_TRANSFER)
    _check_payout_details(values["payout_method"], values.get("rib"))
    _check_ice_free(values.get("ice"), cooperative_id=None)
    slug = _unique_slug(values["name"])
    user_id = user.id
    for _attempt in range(3):
        cooperative = Cooperative(slug=slug, status=CooperativeStatus.PENDING, **values)
        db.session.add(cooperative)
        db.session.add(Membership(cooperative=cooperative, user_id=user_id, role=MemberRole.OWNER))
        try:
            db.session.commit()
            return cooperative
        except IntegrityError:
            # Another application took the same slug between our check and our commit.
            db.session.rollback()
            slug = f"{_unique_slug(values['name'])}-{secrets.token_hex(2)}"
    raise Conflict(_("Please submit the application again."))


def update(cooperative: Cooperative, actor: User, data: Mapping[str, Any]) -> Cooperative:
    """Change the profile of `cooperative` on behalf of its member `actor`.

    Only members (Forbidden otherwise); payout details (payout_method, RIB) only
    by an owner. A verified cooperative whose legal identity (legal form,
    registration number, ICE) changes goes back to pending, recorded as a
    status event by `actor`, so that an admin checks the new papers.
    Raises ValidationFailed or Conflict (ICE of another cooperative).
    """
    role = require_member(actor, cooperative.id)
    values = clean_profile(data)
    if "story_ar" in values:
        _set_translation(cooperative, "ar", "story", values.pop("story_ar"))
    changes = {
        field: value for field, value in values.items() if getattr(cooperative, field) != value
    }
    if PAYOUT_FIELDS & changes.keys() and role != MemberRole.OWNER:
        raise Forbidden(_("Only an owner of the cooperative can change how it is paid."))
    _check_payout_details(
        changes.get("payout_method", cooperative.payout_method),
        changes.get("rib", cooperative.rib),
    )
    if "ice" in changes:
        _check_ice_free(changes["ice"], cooperative_id=cooperative.id)
    identity_changed = [field for field in IDENTITY_FIELDS if field in changes]
    for field, value in changes.items():
        setattr(cooperative, field, value)
    if identity_changed and cooperative.status == CooperativeStatus.VERIFIED:
        _move_status(
            cooperative,
            CooperativeStatus.PENDING,
            actor,
            _(
                "Legal identity changed (%(fields)s): to be verified again.",
                fields=", ".join(identity_changed),
            ),
        )
    db.session.commit()
    return cooperative


def verify(
    cooperative: Cooperative,
    admin: User,
    note: str | None = None,
    *,
    reason: str | None = None,
    sells_food: bool = False,
) -> Cooperative:
    """An admin verifies a pending cooperative or reinstates a suspended one, on its papers.

    The checklist (``queries.verification_checklist``: numbers, RIB key, documents,
    ONSSA when it ``sells_food``) must be complete, or the admin writes ``reason``
    why they verify anyway; the missing items and the reason go in the audit log.
    Raises Forbidden for a non-admin, ValidationFailed (422, field ``reason``) for an
    incomplete checklist without a reason, IllegalTransition (409) when already verified.
    """
    _require_admin(admin)
    if (cooperative.status, CooperativeStatus.VERIFIED) not in ALLOWED_MOVES:
        raise IllegalTransition("cooperative", cooperative.status, CooperativeStatus.VERIFIED)
    missing = [item.item for item in verification_checklist(cooperative, sells_food) if not item.ok]
    reason = (reason or "").strip()
    if missing and not reason:
        names = ", ".join(_(ITEM_NAMES[item]) for item in missing)
        message = _("Missing: %(items)s. Write why you verify the cooperative anyway.", items=names)
        raise ValidationFailed(message, fields={"reason": [message]})
    before = _status_of(cooperative)
    _move_status(cooperative, CooperativeStatus.VERIFIED, admin, _clean_note(note))
    after: dict[str, Any] = dict(_status_of(cooperative))
    if missing:
        after |= {"missing": missing, "reason": reason[:2000]}
    record(
        admin,
        "cooperative.verify",
        "cooperative",
        cooperative.id,
        before,
        after,
        reason[:2000] if missing else cooperative.status_note,
    )
    db.session.commit()
    return cooperative


def upload_document(
    cooperative: Cooperative, member: User, kind: str, filename: str, content: bytes
) -> CooperativeDocument:
    """An owner files a paper for the cooperative's verification and commits.

    The file is kept only when its content is a PDF, JPEG or PNG of at most 10 MB,
    stored under DOCUMENTS_ROOT (private, outside the code and the public media) by
    the SHA-256 of its content. Raises Forbidden for anyone but its owners,
    ValidationFailed naming ``kind`` or ``file``.
    """
    require_member(member, cooperative.id, owner_only=True)
    document = file_document(cooperative, member, kind, filename, content)
    db.session.commit()
    return document


def set_picture(cooperative: Cooperative, member: User, kind: str, upload: Any) -> Cooperative:
    """A member replaces the cooperative's cover photo or logo (``kind``) and commits.

    The content is checked and re-encoded like a product photo (JPEG, PNG or WebP, at most
    5 MB, no metadata kept) and stored, public, under MEDIA_ROOT. Raises Forbidden for
    anyone but its members, ValidationFailed naming ``photo`` for a bad file.
    """
    require_member(member, cooperative.id)
    stream = getattr(upload, "stream", upload)
    store_picture_bytes(cooperative, kind, stream.read(MAX_IMAGE_BYTES + 1))
    db.session.commit()
    return cooperative


def count_poster_scan(cooperative_id: int) -> None:
    """A shopper reached the shop page from the stand poster's QR code: count it and commit
    (one conditional UPDATE, so simultaneous scans are all counted)."""
    db.session.execute(
        sql_update(Cooperative)
        .where(Cooperative.id == cooperative_id)
        .values(poster_scans=Cooperative.poster_scans + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def suspend(cooperative: Cooperative, admin: User, note: str | None) -> Cooperative:
    """An admin suspends a cooperative (or refuses an application); it stops selling.

    The note (why) is required: the cooperative is told. Raises Forbidden,
    ValidationFailed (no note), IllegalTransition when already suspended.
    """
    _require_admin(admin)
    reason = _clean_note(note)
    if not reason:
        raise ValidationFailed(
            _("Say why the cooperative is suspended."),
            fields={"note": [_("Say why the cooperative is suspended.")]},
        )
    before = _status_of(cooperative)
    _move_status(cooperative, CooperativeStatus.SUSPENDED, admin, reason)
    record(
        admin,
        "cooperative.suspend",
        "cooperative",
        cooperative.id,
        before,
        _status_of(cooperative),
        reason,
    )
    db.session.commit()
    return cooperative


def invite_member(
    cooperative: Cooperative, owner: User, email: str, role: str, *, link_for: LinkBuilder
) -> Invitation:
    """An owner invites whoever reads `email` to join as owner or staff: a single-use link,
    valid INVITATION_LIFETIME, is e-mailed; they become a member when they accept it.

    The answer is the same whether or not an account uses the address, so an owner
    cannot learn who has an account. A new invitation to the same address replaces
    the earlier ones. Raises Forbidden (not an owner), ValidationFailed (email,
    role), Conflict (that account is already a member).
    """
    require_member(owner, cooperative.id, owner_only=True)
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    try:
        clean["email"] = normalise_email(email)
    except ValidationFailed as error:
        errors.update(error.fields)
    if role not in tuple(MemberRole):
        errors["role"] = [_("Choose owner or staff.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    address = clean["email"]
    invitee = user_by_email(address)
    if invitee is not None and member_role(invitee, cooperative.id) is not None:
        message = _("This person is already a member of the cooperative.")
        raise Conflict(message, fields={"email": [message]})
    now = utcnow()
    token = new_token()
    with committed():
        db.session.execute(
            sql_update(Invitation)
            .where(
                Invitation.cooperative_id == cooperative.id,
                Invitation.email == address,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
        invitation = Invitation(
            cooperative_id=cooperative.id,
            email=address,
            role=role,
            invited_by_id=owner.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        db.session.add(invitation)
        db.session.flush()
        notify(
            "cooperative_invitation",
            email=address,
            locale=invitee.locale if invitee is not None else owner.locale,
            context={
                "name": None,
                "cooperative_name": cooperative.name,
                "inviter_name": owner.name,
                "role": role,
                "link": link_for(token),
            },
            dedupe_key=f"cooperative_invitation:{invitation.id}",
        )
    return invitation


def accept_invitation(token: str, user: User) -> Membership:
    """`user` accepts the invitation the link names and becomes a member with its role.

    Only the account that uses the invited address may accept (the link then also
    proves that address, which becomes verified). Raises InvalidLink (400) for a
    used, expired or unknown link, Forbidden (403) for another account.
    """
    with committed():
        invitation = db.session.scalar(
            select(Invitation)
            .where(Invitation.token_hash == token_hash(token or ""))
            .with_for_update()
        )
        now = utcnow()
        if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
            raise InvalidLink(
                _(
                    "This invitation was already used, has expired or is not valid."
                    " Ask for a new one."
                )
            )
        if user.email != invitation.email:
            raise Forbidden(
                _("This invitation was sent to another email address: log in with that address.")
            )
        membership = db.session.scalar(
            select(Membership).where(
                Membership.cooperative_id == invitation.cooperative_id,
                Membership.user_id == user.id,
            )
        )
        if membership is None:
            membership = Membership(
                cooperative_id=invitation.cooperative_id, user_id=user.id, role=invitation.role
            )
            db.session.add(membership)
        invitation.accepted_at = now
        invitation.accepted_by_id = user.id
        mark_email_verified(user, invitation.email, now=now)
    return membership


def remove_member(cooperative: Cooperative, owner: User, user_id: int) -> None:
    """An owner removes a member. The last owner cannot be removed (Conflict)."""
    require_member(owner, cooperative.id, owner_only=True)
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.cooperative_id == cooperative.id)
        .order_by(Membership.id)
        .with_for_update()
    ).all()
    membership = next((m for m in memberships if m.user_id == user_id), None)
    if membership is None:
        raise NotFound(_("This person is not a member of the cooperative."))
    owners = [m for m in memberships if m.role == MemberRole.OWNER]
    if membership.role == MemberRole.OWNER and len(owners) == 1:
        raise Conflict(_("A cooperative keeps at least one owner: add another owner first."))
    db.session.delete(membership)
    db.session.commit()


def _set_translation(cooperative: Cooperative, language: str, field: str, text: str) -> None:
    """Write ``field`` in ``language`` into the translations (a new dict, so it is saved)."""
    translations = {key: dict(value) for key, value in (cooperative.translations or {}).items()}
    translated = translations.setdefault(language, {})
    if text:
        translated[field] = text
    else:
        translated.pop(field, None)
    cooperative.translations = {key: value for key, value in translations.items() if value}


def _unique_slug(name: str) -> str:
    return unique_slug(
        Cooperative.slug, name, max_length=SLUG_MAX, fallback="cooperative", reserved=RESERVED_SLUGS
    )


def _move_status(cooperative: Cooperative, to_status: str, actor: User, note: str | None) -> None:
    """Move the status once, even when two admins click at the same moment (flushes)."""
    from_status = cooperative.status
    if (from_status, to_status) not in ALLOWED_MOVES:
        raise IllegalTransition("cooperative", from_status, to_status)
    now = utcnow()
    moved = db.session.execute(
        sql_update(Cooperative)
        .where(Cooperative.id == cooperative.id, Cooperative.status == from_status)
        .values(
            status=to_status,
            status_note=note,
            status_changed_at=now,
            status_changed_by_id=actor.id,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        db.session.refresh(cooperative)
        raise IllegalTransition("cooperative", cooperative.status, to_status)
    db.session.add(
        CooperativeStatusEvent(
            cooperative_id=cooperative.id,
            from_status=from_status,
            to_status=to_status,
            note=note,
            actor_id=actor.id,
            created_at=now,
        )
    )
    db.session.flush()
    db.session.refresh(cooperative)


def _status_of(cooperative: Cooperative) -> dict[str, str | None]:
    """What the audit log keeps of a verification or suspension."""
    return {"status": cooperative.status, "status_note": cooperative.status_note}


def _require_admin(user: User) -> None:
    if not getattr(user, "is_admin", False):
        raise Forbidden(_("Only an admin can do this."))


def _clean_note(note: str | None) -> str | None:
    return (note or "").strip() or None


def _check_payout_details(payout_method: str, rib: str | None) -> None:
    if payout_method == PayoutMethod.BANK_TRANSFER and not rib:
        message = _("A RIB is needed to be paid by bank transfer.")
        raise ValidationFailed(message, fields={"rib": [message]})


def _check_ice_free(ice: str | None, *, cooperative_id: int | None) -> None:
    """The ICE names one company: two cooperatives never share it."""
    if not ice:
        return
    statement = select(Cooperative.id).where(Cooperative.ice == ice)
    if cooperative_id is not None:
        statement = statement.where(Cooperative.id != cooperative_id)
    if db.session.scalar(statement.limit(1)) is not None:
        message = _("Another cooperative is already registered with this ICE.")
        raise Conflict(message, fields={"ice": [message]})
