"""Admins' fee rule pages: the rules in force, future and ended; add a rule; end one from a date."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.core.db import utcnow
from app.core.errors import DomainError, NotFound
from app.core.language import current_language, format_datetime
from app.extensions import db
from app.fees import services
from app.fees.forms import EndRuleForm, FeeRuleForm, show_service_error, utc_to_morocco
from app.fees.labels import audiences
from app.fees.models import FeeRule
from app.fees.queries import rules_by_status, target_names
from app.web.confirmation import confirmation_page, is_confirmed


@bp.route("/fee-rules")
def fee_rules():
    """Every rule by period, and the form to add one."""
    return _list_page(FeeRuleForm())


@bp.route("/fee-rules", methods=["POST"])
def add_fee_rule():
    """Add a rule; the form comes back with messages next to its fields (422) when refused."""
    form = FeeRuleForm()
    if not form.validate():
        return _list_page(form), 422
    try:
        rule = services.add_rule(current_user._get_current_object(), form.rule_data())
    except DomainError as error:
        show_service_error(form, error)
        return _list_page(form), error.status
    flash(_("The rule “%(name)s” is added.", name=rule.name), "success")
    return redirect(url_for(".fee_rule", rule_id=rule.id))


@bp.route("/fee-rules/<id:rule_id>")
def fee_rule(rule_id: int):
    """One rule's terms and history, with the form to end it."""
    rule = _rule_or_404(rule_id)
    form = EndRuleForm()
    if form.valid_to.data is None:
        form.valid_to.data = utc_to_morocco(utcnow())
    return _rule_page(rule, form)


@bp.route("/fee-rules/<id:rule_id>/end", methods=["POST"])
def end_fee_rule(rule_id: int):
    """End a rule from a date (rules are never edited: add a new one from the same date)."""
    rule = _rule_or_404(rule_id)
    form = EndRuleForm()
    if not form.validate():
        return _rule_page(rule, form), 422
    if not is_confirmed():
        return confirmation_page(
            title=_("End the rule “%(name)s”?", name=rule.name),
            consequence=_(
                "From %(when)s it no longer applies to new orders; a rule is never edited, "
                "so only a new rule can take its place.",
                when=format_datetime(form.end_instant(), "short"),
            ),
            button=_("Yes, end the rule"),
            back_url=url_for(".fee_rule", rule_id=rule.id),
        )
    try:
        services.end_rule(rule, current_user._get_current_object(), form.end_instant())
    except DomainError as error:
        show_service_error(form, error)
        return _rule_page(rule, form), error.status
    flash(_("The rule “%(name)s” is ended.", name=rule.name), "success")
    return redirect(url_for(".fee_rule", rule_id=rule.id))


def _rule_or_404(rule_id: int) -> FeeRule:
    rule = db.session.get(FeeRule, rule_id)
    if rule is None:
        raise NotFound(_("No such fee rule."))
    return rule


def _list_page(form: FeeRuleForm) -> str:
    grouped = rules_by_status()
    every_rule = [rule for rules in grouped.values() for rule in rules]
    return render_template(
        "admin/fee_rules/list.html",
        grouped=grouped,
        audiences=audiences(every_rule, target_names(every_rule, current_language())),
        form=form,
    )


def _rule_page(rule: FeeRule, form: EndRuleForm) -> str:
    return render_template(
        "admin/fee_rules/detail.html",
        rule=rule,
        status=rule.status_at(utcnow()),
        audience=audiences([rule], target_names([rule], current_language()))[rule.id],
        form=form,
    )
