"""Words shown to readers about fee rules: who a rule applies to, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _

from app.cooperatives.labels import LEGAL_FORM_LABELS
from app.fees.models import FeeRule


def applies_to(rule: FeeRule, target_name: str | None = None) -> str:
    """A phrase naming whose sales the rule covers, e.g. "Associations" or "Sales at the stands
    of Salon régional during the fair". ``target_name`` names the category, cooperative or fair.
    """
    target = target_name or rule.scope_value or ""
    if rule.scope == "default":
        return _("Every cooperative")
    if rule.scope == "legal_form":
        return _(
            "Sellers whose legal form is: %(form)s",
            form=LEGAL_FORM_LABELS.get(target, target),
        )
    if rule.scope == "category":
        return _("Products of the category %(name)s and its subcategories", name=target)
    if rule.scope == "cooperative":
        return _("The cooperative %(name)s", name=target)
    return _(
        "Orders collected and paid at a stand of %(name)s, while the fair is open", name=target
    )


def audiences(rules: Iterable[FeeRule], targets: Mapping[int, str]) -> dict[int, str]:
    """Rule id -> ``applies_to`` phrase, with target names from ``queries.target_names``."""
    return {rule.id: applies_to(rule, targets.get(rule.id)) for rule in rules}
