"""Use cases of cooperatives: applications, profile edits, verification, members."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from support.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    UserFactory,
    file_papers,
    valid_rib,
)

from app.cooperatives import services
from app.cooperatives.models import Cooperative, CooperativeStatusEvent, Membership
from app.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from app.extensions import db

APPLICATION = {
    "name": "Coopérative Tighza",
    "legal_form": "cooperative",
    "registration_number": "2016/BM-112",
    "ice": "001234567000089",
    "province": "azilal",
    "commune": "Tabant",
    "phone": "06 12 34 56 78",
    "email": "contact@tighza.example",
    "description": "Miel d'euphorbe.",
    "payout_method": "bank_transfer",
    "rib": "001 810 0078000201106202 21",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_application_makes_a_pending_cooperative_owned_by_the_applicant(shopper):
    cooperative = services.apply(shopper, APPLICATION)

    assert cooperative.status == "pending"
    assert cooperative.slug == "cooperative-tighza"
    assert cooperative.phone == "+212612345678"
    assert cooperative.rib == "001810007800020110620221"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == shopper.id))
    assert (membership.cooperative_id, membership.role) == (cooperative.id, "owner")


def test_same_name_gets_the_next_free_slug(shopper):
    first = services.apply(shopper, APPLICATION)
    second = services.apply(UserFactory(), {**APPLICATION, "ice": None})
    assert (first.slug, second.slug) == ("cooperative-tighza", "cooperative-tighza-2")


def test_slug_of_an_arabic_name_or_a_reserved_word_is_still_usable(shopper):
    arabic = services.apply(shopper, {**APPLICATION, "name": "تعاونية تيغزا", "ice": None})
    reserved = services.apply(shopper, {**APPLICATION, "name": "Apply", "ice": None})
    assert arabic.slug == "cooperative"
    assert reserved.slug == "apply-2"


def test_bank_transfer_without_rib_is_refused_and_nothing_is_written(shopper):
    before = (count(Cooperative), count(Membership))
    with pytest.raises(ValidationFailed) as caught:
        services.apply(shopper, {**APPLICATION, "rib": ""})
    assert "rib" in caught.value.fields
    assert (count(Cooperative), count(Membership)) == before


def test_stripe_payout_needs_no_rib_and_food_sellers_may_give_onssa_later(shopper):
    cooperative = services.apply(
        shopper, {**APPLICATION, "payout_method": "stripe", "rib": None, "onssa_number": ""}
    )
    assert cooperative.payout_method == "stripe"
    assert cooperative.rib is None
    assert cooperative.onssa_number is None


def test_application_with_bad_papers_names_each_bad_field(shopper):
    before = count(Cooperative)
    bad = {
        **APPLICATION,
        "rib": "001810007800020110620222",
        "phone": "0812345678",
        "ice": "123",
        "province": "casablanca",
        "legal_form": "company",
    }
    with pytest.raises(ValidationFailed) as caught:
        services.apply(shopper, bad)
    assert set(caught.value.fields) == {"rib", "phone", "ice", "province", "legal_form"}
    assert count(Cooperative) == before


def test_an_ice_already_registered_is_a_conflict(shopper):
    CooperativeFactory(ice="001234567000089")
    with pytest.raises(Conflict) as caught:
        services.apply(shopper, APPLICATION)
    assert "ice" in caught.value.fields


def test_only_members_update_a_cooperative(cooperative, owner):
    with pytest.raises(Forbidden):
        services.update(cooperative, UserFactory(), {"description": "Hijacked"})
    other = MembershipFactory().user
    with pytest.raises(Forbidden):
        services.update(cooperative, other, {"description": "Hijacked"})
    services.update(cooperative, owner, {"description": "Huile et miel."})
    assert cooperative.description == "Huile et miel."


def test_staff_edit_the_profile_but_not_the_payout_details(cooperative, owner):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    services.update(cooperative, staff, {"commune": "Demnate", "rib": cooperative.rib})
    assert cooperative.commune == "Demnate"
    with pytest.raises(Forbidden):
        services.update(cooperative, staff, {"rib": valid_rib(999)})
    with pytest.raises(Forbidden):
        services.update(cooperative, staff, {"payout_method": "stripe"})
    services.update(cooperative, owner, {"rib": valid_rib(999)})
    assert cooperative.rib == valid_rib(999)


def test_switching_to_bank_transfer_needs_a_rib(owner, cooperative):
    services.update(cooperative, owner, {"payout_method": "stripe", "rib": None})
    with pytest.raises(ValidationFailed) as caught:
        services.update(cooperative, owner, {"payout_method": "bank_transfer"})
    assert "rib" in caught.value.fields
    db.session.refresh(cooperative)
    assert cooperative.payout_method == "stripe"


def test_verified_cooperative_changing_its_legal_identity_is_verified_again(cooperative, owner):
    services.update(cooperative, owner, {"description": "Nouveau texte", "phone": "0523456789"})
    assert cooperative.status == "verified"

    services.update(cooperative, owner, {"registration_number": "2020/KH-7"})

    assert cooperative.status == "pending"
    event = db.session.scalars(select(CooperativeStatusEvent)).one()
    assert (event.from_status, event.to_status, event.actor_id) == ("verified", "pending", owner.id)
    assert "registration_number" in event.note
    assert cooperative.status_changed_by_id == owner.id


def test_a_suspended_cooperative_stays_suspended_when_its_identity_changes(owner, cooperative):
    services.suspend(cooperative, AdminFactory(), "Papiers expirés")
    services.update(cooperative, owner, {"legal_form": "association"})
    assert cooperative.status == "suspended"


def test_verify_records_who_when_and_why(admin):
    cooperative = file_papers(CooperativeFactory(status="pending"))

    services.verify(cooperative, admin, "  Papiers ODCo vérifiés  ")

    assert cooperative.status == "verified"
    assert cooperative.status_changed_by_id == admin.id
    assert cooperative.status_changed_at is not None
    assert cooperative.status_note == "Papiers ODCo vérifiés"
    event = db.session.scalars(select(CooperativeStatusEvent)).one()
    assert (event.from_status, event.to_status) == ("pending", "verified")
    assert (event.actor_id, event.note) == (admin.id, "Papiers ODCo vérifiés")
    assert event.created_at == cooperative.status_changed_at


def test_verifying_a_verified_cooperative_is_an_illegal_transition(admin, cooperative):
    with pytest.raises(IllegalTransition) as caught:
        services.verify(cooperative, admin)
    assert caught.value.status == 409
    assert count(CooperativeStatusEvent) == 0


def test_suspend_then_reinstate_through_verify(admin, cooperative):
    file_papers(cooperative)
    services.suspend(cooperative, admin, "Miel coupé au sirop")
    assert cooperative.status == "suspended"
    with pytest.raises(IllegalTransition):
        services.suspend(cooperative, admin, "Encore")
    services.verify(cooperative, admin, "Analyses conformes")
    assert cooperative.status == "verified"
    moves = db.session.execute(
        select(CooperativeStatusEvent.from_status, CooperativeStatusEvent.to_status).order_by(
            CooperativeStatusEvent.id
        )
    ).all()
    assert [tuple(move) for move in moves] == [("verified", "suspended"), ("suspended", "verified")]


def test_an_application_can_be_refused_by_suspending_it(admin):
    cooperative = CooperativeFactory(status="pending")
    services.suspend(cooperative, admin, "Numéro d'enregistrement inconnu")
    assert cooperative.status == "suspended"


def test_suspending_needs_a_reason(admin, cooperative):
    with pytest.raises(ValidationFailed) as caught:
        services.suspend(cooperative, admin, "   ")
    assert "note" in caught.value.fields
    assert cooperative.status == "verified"


def test_only_admins_verify_or_suspend(shopper, owner, cooperative):
    pending = CooperativeFactory(status="pending")
    with pytest.raises(Forbidden):
        services.verify(pending, shopper)
    with pytest.raises(Forbidden):
        services.suspend(cooperative, owner, "Je me suspends")
    assert count(CooperativeStatusEvent) == 0


def test_two_admins_verifying_at_once_record_one_verification(admin):
    cooperative = file_papers(CooperativeFactory(status="pending"))
    # Another admin's request verified it after this one loaded the row.
    db.session.execute(
        sql_update(Cooperative).where(Cooperative.id == cooperative.id).values(status="verified")
    )
    db.session.commit()
    with pytest.raises(IllegalTransition):
        services.verify(cooperative, admin, "second click")
    assert cooperative.status == "verified"
    assert count(CooperativeStatusEvent) == 0


def link_for(token: str) -> str:
    return f"https://souk.example/dashboard/invitations/{token}"


def test_an_invited_user_becomes_staff_by_accepting(cooperative, owner):
    newcomer = UserFactory(email="aicha@example.com")
    invitation = services.invite_member(
        cooperative, owner, " Aicha@Example.com ", "staff", link_for=link_for
    )
    token = sent_token(invitation.email)

    membership = services.accept_invitation(token, newcomer)

    assert (membership.user_id, membership.role) == (newcomer.id, "staff")


def test_inviting_needs_a_valid_email_and_a_known_role(cooperative, owner):
    with pytest.raises(ValidationFailed) as caught:
        services.invite_member(cooperative, owner, "not an address", "staff", link_for=link_for)
    assert "email" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.invite_member(
            cooperative, owner, UserFactory().email, "president", link_for=link_for
        )
    assert "role" in caught.value.fields


def test_inviting_a_member_again_is_a_conflict(cooperative, owner):
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        services.invite_member(cooperative, owner, owner.email, "staff", link_for=link_for)
    assert "email" in caught.value.fields
    assert [m.role for m in db.session.scalars(select(Membership))] == ["owner"]


def sent_token(email: str) -> str:
    from app.notifications.models import Notification

    mail = db.session.scalars(
        select(Notification)
        .where(Notification.kind == "cooperative_invitation", Notification.recipient_email == email)
        .order_by(Notification.id.desc())
    ).first()
    return mail.context["link"].rsplit("/", 1)[1]


def test_only_owners_manage_members(cooperative, owner):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    with pytest.raises(Forbidden):
        services.invite_member(cooperative, staff, UserFactory().email, "owner", link_for=link_for)
    with pytest.raises(Forbidden):
        services.remove_member(cooperative, staff, owner.id)


def test_the_last_owner_cannot_be_removed(cooperative, owner):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    with pytest.raises(Conflict):
        services.remove_member(cooperative, owner, owner.id)
    services.remove_member(cooperative, owner, staff.id)
    with pytest.raises(NotFound):
        services.remove_member(cooperative, owner, staff.id)
    second_owner = MembershipFactory(cooperative=cooperative, role="owner").user
    services.remove_member(cooperative, owner, owner.id)
    assert [m.user_id for m in db.session.scalars(select(Membership))] == [second_owner.id]


def test_slug_taken_between_check_and_commit_is_retried_with_a_suffix(shopper, monkeypatch):
    CooperativeFactory(slug="cooperative-tighza")
    db.session.commit()
    # Another application committed this slug after ours was computed.
    monkeypatch.setattr(services, "_unique_slug", lambda name: "cooperative-tighza")

    cooperative = services.apply(shopper, {**APPLICATION, "ice": None})

    assert cooperative.slug.startswith("cooperative-tighza-")
    assert count(Cooperative) == 2


def test_verifying_with_an_item_missing_needs_a_written_reason_kept_in_the_audit_log(admin):
    from app.audit.models import AdminAction
    from app.core.errors import ValidationFailed

    cooperative = CooperativeFactory(status="pending")
    file_papers(cooperative)
    food_seller = CooperativeFactory(status="pending", onssa_number=None)
    file_papers(food_seller)

    with pytest.raises(ValidationFailed) as refused:
        services.verify(food_seller, admin, sells_food=True)
    assert "ONSSA" in str(refused.value.fields["reason"])
    assert food_seller.status == "pending"

    services.verify(
        food_seller, admin, reason="Authorisation seen at the ONSSA office", sells_food=True
    )
    services.verify(cooperative, admin)

    entry = db.session.scalars(
        select(AdminAction).where(AdminAction.target_id == str(food_seller.id))
    ).one()
    assert entry.after["missing"] == ["onssa_authorisation"]
    assert entry.after["reason"] == "Authorisation seen at the ONSSA office"
    assert food_seller.status == cooperative.status == "verified"
