"""The audit log: every admin action, who, what, when, and the record before and after."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.admin import bp
from app.audit.queries import AuditFilter, actions, known_actions
from app.cooperatives.forms import options
from app.core.days import DayField
from app.core.paging import requested_page
from app.fees.defaults import local_midnight

PER_PAGE = 50


class AuditFilterForm(FlaskForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Admin's e-mail"), [Optional(), Length(max=254)])
    action = SelectField(_l("Action"), choices=[], default="", validators=[Optional()])
    target_type = StringField(_l("Record kind"), [Optional(), Length(max=40)])
    target_id = StringField(_l("Record id or number"), [Optional(), Length(max=40)])
    from_ = DayField(_l("From (included)"), [Optional()], name="from")
    to = DayField(_l("To (included)"), [Optional()])

    @classmethod
    def with_choices(cls, formdata) -> AuditFilterForm:
        form = cls(formdata)
        form.action.choices = options([("", _l("Any action")), *((a, a) for a in known_actions())])
        return form

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.from_.data and self.to.data and self.from_.data > self.to.data:
            message = _l("The first day must not be after the last.")
            self.from_.errors = [*self.from_.errors, message]
            return False
        return valid

    def criteria(self) -> AuditFilter:
        return AuditFilter(
            actor=(self.actor.data or "").strip() or None,
            action=self.action.data or None,
            target_type=(self.target_type.data or "").strip() or None,
            target_id=(self.target_id.data or "").strip() or None,
            since=local_midnight(self.from_.data) if self.from_.data else None,
            until=local_midnight(self.to.data + timedelta(days=1)) if self.to.data else None,
        )


@bp.route("/audit")
def audit():
    """The admin actions matching the filters, newest first, 50 a page."""
    form = AuditFilterForm.with_choices(request.args)
    valid = form.validate()
    page = requested_page(actions(form.criteria() if valid else AuditFilter()), PER_PAGE)
    return render_template("admin/audit/list.html", form=form, page=page if valid else None), (
        200 if valid else 422
    )
