"""Errors of the fee rules domain, mapped by faces to form messages or JSON errors."""

from __future__ import annotations

from app.core.errors import Conflict


class NoFeeRuleInForce(Conflict):
    """No fee rule applies to a line (the default rule is missing or ended): nothing can be sold.

    A configuration fault an admin fixes by adding a rule; surfaced as a 409 so
    a checkout fails cleanly instead of selling with an unknown fee.
    """

    code = "no_fee_rule"


class RuleAlreadyEnded(Conflict):
    """The rule already ends on or before the requested end."""

    code = "rule_already_ended"
