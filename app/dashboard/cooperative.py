"""Members' pages of their cooperative: the dashboard home, the profile, the members and the
invitations to join."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import ConfirmForm
from app.catalog.upload_limits import limit_photo_uploads
from app.cooperatives import services
from app.cooperatives.forms import (
    CooperativePictureForm,
    CooperativeProfileForm,
    MemberForm,
    show_domain_error,
)
from app.cooperatives.models import Cooperative, MemberRole
from app.cooperatives.permissions import cooperative_or_404, require_member
from app.cooperatives.queries import members_of, memberships_of, pending_invitation
from app.core.errors import DomainError, NotFound
from app.dashboard import bp
from app.web.confirmation import confirmation_page, is_confirmed


@bp.route("/")
def home():
    """The user's cooperatives with their status and the sections each offers."""
    return render_template(
        "dashboard/cooperative/home.html", memberships=memberships_of(current_user)
    )


@bp.route("/<id:cooperative_id>/profile", methods=["GET", "POST"])
def cooperative_profile(cooperative_id: int):
    """Members edit the profile; only owners see and change the payout details."""
    cooperative = cooperative_or_404(cooperative_id)
    role = require_member(current_user, cooperative.id)
    form = CooperativeProfileForm.for_cooperative(cooperative, owner=role == MemberRole.OWNER)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            was_verified = cooperative.is_verified
            try:
                services.update(
                    cooperative, current_user._get_current_object(), form.service_data()
                )
            except DomainError as error:
                show_domain_error(form, error)
                status = error.status
            else:
                flash(_("The profile is saved."), "success")
                if was_verified and not cooperative.is_verified:
                    flash(_("The legal details changed: an admin will verify them again."), "info")
                return redirect(url_for(".cooperative_profile", cooperative_id=cooperative.id))
    return _profile_page(cooperative, form, role, status)


@bp.post("/<id:cooperative_id>/profile/<kind>")
@limit_photo_uploads
def cooperative_picture(cooperative_id: int, kind: str):
    """A member replaces the cover photo or the logo (``kind``: ``cover`` or ``logo``, checked
    by the use case); a bad file re-renders the profile."""
    cooperative = cooperative_or_404(cooperative_id)
    role = require_member(current_user, cooperative.id)
    picture_form = CooperativePictureForm(prefix=kind)
    status = 422
    if picture_form.validate():
        try:
            services.set_picture(
                cooperative, current_user._get_current_object(), kind, picture_form.photo.data
            )
        except DomainError as error:
            picture_form.photo.errors = [*picture_form.photo.errors, error.message]
            status = error.status
        else:
            flash(_("The photo is saved."), "success")
            return redirect(url_for(".cooperative_profile", cooperative_id=cooperative.id))
    form = CooperativeProfileForm.for_cooperative(cooperative, owner=role == MemberRole.OWNER)
    return _profile_page(cooperative, form, role, status, **{kind: picture_form})


def _profile_page(
    cooperative: Cooperative,
    form: CooperativeProfileForm,
    role: str,
    status: int,
    **picture_forms: CooperativePictureForm,
):
    pictures = {
        kind: picture_forms.get(kind) or CooperativePictureForm(prefix=kind, formdata=None)
        for kind in ("cover", "logo")
    }
    return render_template(
        "dashboard/cooperative/profile.html",
        cooperative=cooperative,
        form=form,
        role=role,
        pictures=pictures,
    ), status


def invitation_link(token: str) -> str:
    """The address of the page that accepts an invitation (for the e-mail)."""
    return url_for("dashboard.invitation", token=token, _external=True)


@bp.route("/<id:cooperative_id>/members", methods=["GET", "POST"])
def members(cooperative_id: int):
    """Owners see the members and invite one by e-mail. The page answers the same whether
    or not an account uses the address."""
    cooperative = cooperative_or_404(cooperative_id)
    require_member(current_user, cooperative.id, owner_only=True)
    form = MemberForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                invitation = services.invite_member(
                    cooperative,
                    current_user._get_current_object(),
                    form.email.data,
                    form.role.data,
                    link_for=invitation_link,
                )
            except DomainError as error:
                show_domain_error(form, error)
                status = error.status
            else:
                flash(
                    _(
                        "We sent an invitation to %(email)s. They become a member once they"
                        " accept it.",
                        email=invitation.email,
                    ),
                    "success",
                )
                return redirect(url_for(".members", cooperative_id=cooperative.id))
    return _members_page(cooperative, form), status


@bp.route("/<id:cooperative_id>/members/<id:user_id>/remove", methods=["POST"])
def remove_member(cooperative_id: int, user_id: int):
    """Owners remove a member; the last owner stays (409, said on the page)."""
    cooperative = cooperative_or_404(cooperative_id)
    require_member(current_user, cooperative.id, owner_only=True)
    if not is_confirmed():
        membership = next((m for m in members_of(cooperative.id) if m.user_id == user_id), None)
        if membership is None:
            raise NotFound(_("This person is not a member of the cooperative."))
        return confirmation_page(
            title=_("Remove %(name)s?", name=membership.user.name),
            consequence=_(
                "%(name)s no longer sees or manages %(cooperative)s; only a new invitation "
                "brings them back.",
                name=membership.user.name,
                cooperative=cooperative.name,
            ),
            button=_("Yes, remove"),
            back_url=url_for(".members", cooperative_id=cooperative.id),
        )
    try:
        services.remove_member(cooperative, current_user._get_current_object(), user_id)
    except DomainError as error:
        if error.status != 409:
            raise
        form = MemberForm(formdata=None)
        form.form_errors.append(error.message)
        return _members_page(cooperative, form), error.status
    flash(_("The member is removed."), "success")
    return redirect(url_for(".members", cooperative_id=cooperative.id))


def _members_page(cooperative: Cooperative, form: MemberForm) -> str:
    return render_template(
        "dashboard/cooperative/members.html",
        cooperative=cooperative,
        members=members_of(cooperative.id),
        form=form,
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invited person, logged in, sees which cooperative invites them and accepts."""
    form = ConfirmForm()
    found = pending_invitation(token)
    if request.method == "POST" and form.validate_on_submit():
        try:
            membership = services.accept_invitation(token, current_user._get_current_object())
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_template(
                "dashboard/cooperative/invitation.html", form=form, invitation=found, token=token
            ), error.status
        flash(_("You are now a member of %(name)s.", name=membership.cooperative.name), "success")
        return redirect(url_for(".home"))
    status = 200 if found is not None else 404
    return render_template(
        "dashboard/cooperative/invitation.html", form=form, invitation=found, token=token
    ), status
