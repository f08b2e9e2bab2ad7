"""The default fee rule set shipped with the demo (DESIGN.md section 5), as data.

These are the first rows of the ``fee_rules`` table, installed once by
``services.install_default_rules`` (``flask fees install-defaults`` and the demo
seeder); the engine never hard-codes them, and admins change them by ending a
rule and adding another.

- Everyone: 8 % commission, of which 1 % goes to the solidarity fund; at least
  1.00 MAD and at most 150.00 MAD per line; the producer keeps at least 85 %.
- Associations pay half: 4 %, of which 0.5 % to the fund; 0.50 MAD to 75.00 MAD.
- Exhibitors of a fair pay no commission on what shoppers collect and pay at
  their stand while that fair is open (its days in Morocco's local time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

#: Fair days and rule dates are Morocco's calendar days.
MOROCCO = ZoneInfo("Africa/Casablanca")

#: The general rules apply from the platform's first fair season onwards.
DEFAULTS_VALID_FROM = datetime(2024, 1, 1, tzinfo=MOROCCO).astimezone(UTC)

GENERAL_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "Fair-trade fee",
        "translations": {
            "ar": {"name": "عمولة التجارة المنصفة"},
            "fr": {"name": "Commission équitable"},
        },
        "scope": "default",
        "scope_value": None,
        "commission_bps": 800,
        "solidarity_bps": 100,
        "min_fee_cents": 100,
        "max_fee_cents": 15000,
        "producer_floor_bps": 8500,
        "priority": 0,
    },
    {
        "name": "Associations pay half",
        "translations": {
            "ar": {"name": "الجمعيات تدفع النصف"},
            "fr": {"name": "Les associations paient moitié"},
        },
        "scope": "legal_form",
        "scope_value": "association",
        "commission_bps": 400,
        "solidarity_bps": 50,
        "min_fee_cents": 50,
        "max_fee_cents": 7500,
        "producer_floor_bps": 8500,
        "priority": 0,
    },
)


def local_midnight(day: date) -> datetime:
    """The first instant of ``day`` in Morocco, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=MOROCCO).astimezone(UTC)


def stand_rule(
    fair_id: int,
    fair_name: str,
    starts_on: date,
    ends_on: date,
    fair_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Terms of the no-commission rule for sales collected at a stand of one fair.

    ``fair_names`` gives the fair's name in other languages ({"ar": ...}), for the
    rule's name in each language.

    Valid from the first day's local midnight to the local midnight after the
    last day (exclusive), so the whole of every fair day is covered.
    """
    names = fair_names or {}
    return {
        "name": f"Exhibitors at {fair_name}: no commission at the stand"[:120],
        "translations": {
            "fr": {
                "name": f"Exposants de {names.get('fr', fair_name)} : pas de commission au stand"[
                    :120
                ]
            },
            "ar": {"name": f"عارضو {names.get('ar', fair_name)}: بدون عمولة في الرواق"[:120]},
        },
        "scope": "fair",
        "scope_value": str(fair_id),
        "commission_bps": 0,
        "solidarity_bps": 0,
        "min_fee_cents": 0,
        "max_fee_cents": None,
        "producer_floor_bps": 10000,
        "priority": 0,
        "valid_from": local_midnight(starts_on),
        "valid_to": local_midnight(ends_on + timedelta(days=1)),
    }
