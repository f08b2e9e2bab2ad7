from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import ceil_bps
from app.fees.engine import (
    LEGAL_FORMS,
    SCOPES,
    FeeBreakdown,
    LineContext,
    NoRuleInForce,
    Terms,
    explain,
    quote,
    select_rule,
    validate_terms,
)

AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
EARLIER = AT - timedelta(days=30)
LATER = AT + timedelta(days=30)

DEFAULT = Terms(
    id=1,
    name="Default",
    commission_bps=800,
    solidarity_bps=100,
    min_fee_cents=100,
    max_fee_cents=15000,
    producer_floor_bps=8500,
)
ASSOCIATIONS = Terms(
    id=2,
    name="Associations pay half",
    scope="legal_form",
    scope_value="association",
    commission_bps=400,
    solidarity_bps=50,
    min_fee_cents=100,
    max_fee_cents=15000,
    producer_floor_bps=8500,
)
KHENIFRA_FAIR_STAND = Terms(
    id=3,
    name="Khenifra fair stand",
    scope="fair",
    scope_value="7",
    commission_bps=0,
    min_fee_cents=100,
    producer_floor_bps=8500,
)
HONEY = Terms(id=4, scope="category", scope_value="12", commission_bps=600)
FOOD = Terms(id=5, scope="category", scope_value="3", commission_bps=700)
TIGHZA = Terms(id=6, scope="cooperative", scope_value="42", commission_bps=500)

TIGHZA_HONEY_AT_THE_STAND = LineContext(
    cooperative_id=42, legal_form="association", category_ids=(12, 3), stand_fair_id=7
)


def test_120_dirham_line_splits_into_110_40_producer_8_40_platform_1_20_fund():
    assert quote(12000, DEFAULT) == FeeBreakdown(
        producer_cents=11040, platform_cents=840, solidarity_cents=120, rule_id=1
    )


def test_minimum_fee_binds_on_a_10_dirham_jar_and_solidarity_rounds_half_up():
    # fee 80 -> minimum 100; solidarity 100 * 100 / 800 = 12.5 -> 13
    assert quote(1000, DEFAULT) == FeeBreakdown(900, 87, 13, 1)


def test_producer_floor_binds_on_a_5_dirham_item():
    # fee 40 -> minimum 100 -> floor leaves 500 - ceil(425) = 75; solidarity 9.375 -> 9
    breakdown = quote(500, DEFAULT)
    assert breakdown == FeeBreakdown(
        producer_cents=425, platform_cents=66, solidarity_cents=9, rule_id=1
    )
    assert breakdown.fee_cents == 75


def test_cap_binds_on_a_3000_dirham_carpet():
    breakdown = quote(300000, DEFAULT)
    assert breakdown == FeeBreakdown(285000, 13125, 1875, 1)
    assert breakdown.fee_cents == 15000


def test_association_pays_half_the_commission_on_a_120_dirham_line():
    assert quote(12000, ASSOCIATIONS) == FeeBreakdown(11520, 420, 60, 2)


def test_stand_pickup_during_the_fair_leaves_everything_to_the_producer():
    rule = select_rule([DEFAULT, ASSOCIATIONS, KHENIFRA_FAIR_STAND], _cooperative("mutual"), AT)
    assert rule is KHENIFRA_FAIR_STAND
    assert quote(12000, rule) == FeeBreakdown(12000, 0, 0, 3)


def test_zero_commission_ignores_the_minimum_fee():
    assert quote(50, KHENIFRA_FAIR_STAND).fee_cents == 0


def test_empty_line_gives_all_zeros():
    assert quote(0, DEFAULT) == FeeBreakdown(0, 0, 0, 1)


def test_breakdown_totals_add_the_three_parts():
    breakdown = FeeBreakdown(
        producer_cents=11040, platform_cents=840, solidarity_cents=120, rule_id=1
    )
    assert breakdown.fee_cents == 960
    assert breakdown.total_cents == 12000


def test_quote_refuses_a_negative_line_total():
    with pytest.raises(ValueError):
        quote(-1, DEFAULT)


def test_quote_refuses_a_stored_rule_with_solidarity_above_commission():
    broken = SimpleNamespace(**{**asdict(DEFAULT), "solidarity_bps": 900})
    with pytest.raises(ValueError, match="invalid"):
        quote(12000, broken)


@st.composite
def valid_terms(draw: st.DrawFn) -> Terms:
    commission = draw(st.integers(0, 10000))
    min_fee = draw(st.integers(0, 10**8))
    return Terms(
        commission_bps=commission,
        solidarity_bps=draw(st.integers(0, commission)),
        min_fee_cents=min_fee,
        max_fee_cents=draw(st.none() | st.integers(min_fee, 10**9)),
        producer_floor_bps=draw(st.integers(0, 10000)),
    )


@given(st.integers(0, 10**10), valid_terms())
def test_parts_add_up_never_go_negative_and_respect_the_producer_floor(line_total, rule):
    breakdown = quote(line_total, rule)
    assert breakdown.total_cents == line_total
    assert min(breakdown.producer_cents, breakdown.platform_cents, breakdown.solidarity_cents) >= 0
    assert breakdown.producer_cents >= ceil_bps(line_total, rule.producer_floor_bps)
    if rule.max_fee_cents is not None:
        assert breakdown.fee_cents <= rule.max_fee_cents


def _cooperative(legal_form: str) -> LineContext:
    return LineContext(
        cooperative_id=99, legal_form=legal_form, category_ids=(50,), stand_fair_id=7
    )


def test_selection_prefers_fair_then_cooperative_then_category_then_legal_form_then_default():
    rules = [DEFAULT, KHENIFRA_FAIR_STAND, ASSOCIATIONS, FOOD, HONEY, TIGHZA]
    chosen = []
    while rules:
        chosen.append(select_rule(rules, TIGHZA_HONEY_AT_THE_STAND, AT))
        rules.remove(chosen[-1])
    assert chosen == [KHENIFRA_FAIR_STAND, TIGHZA, HONEY, FOOD, ASSOCIATIONS, DEFAULT]


@pytest.mark.parametrize("legal_form", LEGAL_FORMS)
def test_the_fair_rule_outranks_the_legal_form_rule_for_every_legal_form(legal_form):
    at_the_stand = _cooperative(legal_form)
    rules = [DEFAULT, ASSOCIATIONS, KHENIFRA_FAIR_STAND]
    assert select_rule(rules, at_the_stand, AT) is KHENIFRA_FAIR_STAND


def test_nearer_category_beats_an_ancestor_with_higher_priority():
    loud_food = Terms(id=8, scope="category", scope_value="3", commission_bps=700, priority=99)
    assert select_rule([loud_food, HONEY], TIGHZA_HONEY_AT_THE_STAND, AT) is HONEY


def test_fair_rule_does_not_apply_to_home_delivery():
    delivered = LineContext(cooperative_id=99, legal_form="mutual", category_ids=(50,))
    assert select_rule([DEFAULT, KHENIFRA_FAIR_STAND], delivered, AT) is DEFAULT


def test_rules_for_other_cooperatives_categories_forms_and_fairs_do_not_match():
    others = [
        Terms(id=10, scope="cooperative", scope_value="43", commission_bps=1),
        Terms(id=11, scope="category", scope_value="13", commission_bps=1),
        Terms(id=12, scope="legal_form", scope_value="mutual", commission_bps=1),
        Terms(id=13, scope="fair", scope_value="8", commission_bps=1),
    ]
    assert select_rule([*others, DEFAULT], TIGHZA_HONEY_AT_THE_STAND, AT) is DEFAULT


def test_higher_priority_wins_within_a_scope():
    promotion = Terms(id=20, commission_bps=500, priority=10, valid_from=EARLIER)
    newer = Terms(id=21, commission_bps=600, valid_from=AT)
    assert select_rule([newer, promotion], TIGHZA_HONEY_AT_THE_STAND, AT) is promotion


def test_later_start_then_higher_id_break_remaining_ties():
    old = Terms(id=30, commission_bps=800, valid_from=EARLIER)
    new = Terms(id=29, commission_bps=700, valid_from=AT - timedelta(days=1))
    twin = Terms(id=31, commission_bps=700, valid_from=AT - timedelta(days=1))
    assert select_rule([old, new], TIGHZA_HONEY_AT_THE_STAND, AT) is new
    assert select_rule([twin, old, new], TIGHZA_HONEY_AT_THE_STAND, AT) is twin


def test_validity_window_includes_its_start_and_excludes_its_end():
    starts_now = Terms(
        id=40, commission_bps=1, scope="cooperative", scope_value="42", valid_from=AT
    )
    ended_now = Terms(id=41, commission_bps=2, scope="category", scope_value="12", valid_to=AT)
    future = Terms(id=42, commission_bps=3, scope="category", scope_value="12", valid_from=LATER)
    assert (
        select_rule([DEFAULT, ended_now, future, starts_now], TIGHZA_HONEY_AT_THE_STAND, AT)
        is starts_now
    )
    assert select_rule([DEFAULT, ended_now, future], TIGHZA_HONEY_AT_THE_STAND, AT) is DEFAULT


def test_no_rule_in_force_raises():
    expired = Terms(id=50, commission_bps=800, valid_to=EARLIER)
    with pytest.raises(NoRuleInForce):
        select_rule([expired, TIGHZA], _cooperative("mutual"), AT)
    with pytest.raises(LookupError):
        select_rule([], _cooperative("mutual"), AT)


def test_selection_refuses_a_naive_moment():
    with pytest.raises(ValueError):
        select_rule([DEFAULT], _cooperative("mutual"), datetime(2025, 6, 15))


def test_naive_rule_dates_from_sqlite_are_read_as_utc():
    stored = SimpleNamespace(**{**asdict(DEFAULT), "valid_from": datetime(2025, 6, 15, 12, 0)})
    assert select_rule([stored], _cooperative("mutual"), AT) is stored
    with pytest.raises(NoRuleInForce):
        select_rule([stored], _cooperative("mutual"), AT - timedelta(seconds=1))


@given(st.permutations([DEFAULT, KHENIFRA_FAIR_STAND, ASSOCIATIONS, FOOD, HONEY, TIGHZA]))
def test_selection_does_not_depend_on_the_order_of_rules(rules):
    assert select_rule(rules, TIGHZA_HONEY_AT_THE_STAND, AT) is KHENIFRA_FAIR_STAND


def _terms_errors(**overrides: object) -> dict[str, list[str]]:
    terms = {
        "commission_bps": 800,
        "solidarity_bps": 100,
        "min_fee_cents": 100,
        "max_fee_cents": 15000,
        "producer_floor_bps": 8500,
        "valid_from": EARLIER,
        "valid_to": None,
        "scope": "default",
        "scope_value": None,
    }
    return validate_terms(**{**terms, **overrides})  # type: ignore[arg-type]


def test_the_demo_default_rule_is_valid():
    assert _terms_errors() == {}
    assert _terms_errors(max_fee_cents=None, valid_to=LATER, scope_value="") == {}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commission_bps": 10001}, "commission_bps", "between 0 and 10000"),
        ({"commission_bps": -1}, "commission_bps", "between 0 and 10000"),
        ({"solidarity_bps": 900}, "solidarity_bps", "must not exceed the commission"),
        ({"producer_floor_bps": 10001}, "producer_floor_bps", "between 0 and 10000"),
        ({"min_fee_cents": -1}, "min_fee_cents", "must not be negative"),
        ({"min_fee_cents": 1.5}, "min_fee_cents", "whole number"),
        ({"max_fee_cents": 99}, "max_fee_cents", "at least the minimum fee"),
        ({"valid_from": None}, "valid_from", "is required"),
        ({"valid_from": datetime(2025, 1, 1)}, "valid_from", "time zone"),
        ({"valid_to": EARLIER}, "valid_to", "after the start"),
        ({"valid_to": datetime(2026, 1, 1)}, "valid_to", "time zone"),
        ({"scope": "province"}, "scope", "must be one of"),
        ({"scope_value": "3"}, "scope_value", "empty for the default scope"),
        ({"scope": "legal_form", "scope_value": None}, "scope_value", "required"),
        ({"scope": "legal_form", "scope_value": "company"}, "scope_value", "must be one of"),
        ({"scope": "category", "scope_value": "honey"}, "scope_value", "positive whole number"),
        ({"scope": "cooperative", "scope_value": "0"}, "scope_value", "positive whole number"),
        ({"scope": "fair", "scope_value": "07"}, "scope_value", "positive whole number"),
    ],
)
def test_invalid_terms_are_reported_per_field(overrides, field, message):
    errors = _terms_errors(**overrides)
    assert list(errors) == [field]
    assert any(message in text for text in errors[field])


@pytest.mark.parametrize("legal_form", LEGAL_FORMS)
def test_every_legal_form_can_have_its_own_rule(legal_form):
    assert _terms_errors(scope="legal_form", scope_value=legal_form) == {}


def test_scopes_are_listed_in_the_order_they_win():
    assert SCOPES == ("fair", "cooperative", "category", "legal_form", "default")


def test_terms_refuse_to_hold_invalid_values():
    with pytest.raises(ValueError, match="solidarity_bps"):
        Terms(commission_bps=100, solidarity_bps=200)


def test_explain_states_the_default_rule_in_plain_numbers():
    assert explain(DEFAULT) == {
        "commission": "8 %",
        "solidarity": "1 %",
        "producer_floor": "85 %",
        "min_fee_cents": 100,
        "max_fee_cents": 15000,
    }
    assert explain(Terms(commission_bps=850, solidarity_bps=125))["commission"] == "8.5 %"
    assert explain(Terms(commission_bps=850, solidarity_bps=125))["solidarity"] == "1.25 %"


def test_fee_amounts_and_priorities_beyond_what_a_column_holds_are_refused():
    from app.fees.engine import MAX_FEE_CENTS

    assert _terms_errors(min_fee_cents=MAX_FEE_CENTS + 1, max_fee_cents=None) == {
        "min_fee_cents": ["is too large"]
    }
    assert "max_fee_cents" in _terms_errors(max_fee_cents=2**63)
    assert "scope_value" in _terms_errors(scope="cooperative", scope_value=str(2**31))
