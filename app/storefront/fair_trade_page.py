"""The /fair-trade page: the fee rules in force, in plain words, from the data.

Every number on the page comes from the rules table through the fee engine,
so the page can never disagree with what checkout charges.
"""

from __future__ import annotations

from flask import render_template

from app.core.db import utcnow
from app.core.language import current_language
from app.core.money import CURRENCY
from app.fees import engine, services
from app.fees.labels import audiences
from app.fees.queries import target_names
from app.storefront import bp

#: The worked example's line total: 120.00 MAD.
EXAMPLE_CENTS = 120_00


@bp.route("/fair-trade")
def fair_trade():
    """The rules in force now, in the order they win (fair first), each splitting 120.00 MAD."""
    rules = sorted(
        services.rules_in_force(),
        key=lambda rule: (engine.SCOPES.index(rule.scope), -rule.priority, rule.id),
    )
    who = audiences(rules, target_names(rules, current_language()))
    explained = [
        {
            "rule": rule,
            "audience": who[rule.id],
            "terms": engine.explain(rule),
            "example": engine.quote(EXAMPLE_CENTS, rule),
        }
        for rule in rules
    ]
    headline = None
    try:
        # A seller matched by no specific rule: the default rule the engine would pick.
        everyone = engine.select_rule(rules, engine.LineContext(0, "", ()), utcnow())
    except engine.NoRuleInForce:
        pass
    else:
        headline = next(item for item in explained if item["rule"] is everyone)
    return render_template(
        "storefront/fair_trade.html",
        rules=explained,
        headline=headline,
        example_cents=EXAMPLE_CENTS,
        currency=CURRENCY,
    )
