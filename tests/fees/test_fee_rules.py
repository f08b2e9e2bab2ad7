"""Fee rules as data: adding (validated), ending (never editing), installing the defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support.factories import CategoryFactory, CooperativeFactory, FairFactory

from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.extensions import db
from app.fees import services
from app.fees.defaults import DEFAULTS_VALID_FROM, MOROCCO
from app.fees.errors import RuleAlreadyEnded
from app.fees.models import FeeRule

START = datetime(2030, 1, 1, tzinfo=UTC)


def rule_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Fair-trade fee",
        "scope": "default",
        "commission_bps": 800,
        "solidarity_bps": 100,
        "min_fee_cents": 100,
        "max_fee_cents": 15000,
        "producer_floor_bps": 8500,
        "valid_from": START,
    }
    data.update(overrides)
    return data


def refused_fields(**overrides: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        services.add_rule(None, rule_data(**overrides))
    return refused.value.fields


def test_a_valid_rule_is_stored_with_its_author(admin):
    rule = services.add_rule(admin, rule_data())

    assert rule.id is not None
    assert (rule.commission_bps, rule.solidarity_bps, rule.max_fee_cents) == (800, 100, 15000)
    assert rule.created_by_id == admin.id
    assert rule.valid_to is None
    assert rule.status_at(START) == "in_force"
    assert rule.status_at(START - timedelta(seconds=1)) == "future"


def test_omitted_terms_default_to_zero_no_cap_and_now():
    before = utcnow()
    rule = services.add_rule(
        None, {"name": "Flat 5 %", "scope": "default", "commission_bps": 500, "priority": 3}
    )

    assert (rule.solidarity_bps, rule.min_fee_cents, rule.producer_floor_bps) == (0, 0, 0)
    assert rule.max_fee_cents is None
    assert before <= rule.valid_from <= utcnow()


def test_solidarity_above_the_commission_is_refused():
    assert "solidarity_bps" in refused_fields(commission_bps=100, solidarity_bps=200)


def test_a_floor_above_10000_bps_is_refused():
    assert "producer_floor_bps" in refused_fields(producer_floor_bps=10001)


def test_an_end_before_the_start_is_refused():
    assert "valid_to" in refused_fields(valid_to=START - timedelta(days=1))


def test_a_name_is_required():
    assert "name" in refused_fields(name="  ")


@pytest.mark.parametrize("scope", ["category", "cooperative", "fair"])
def test_a_scope_value_must_name_an_existing_row(scope):
    assert "scope_value" in refused_fields(scope=scope, scope_value="999999")


def test_a_legal_form_rule_needs_a_known_legal_form():
    assert "scope_value" in refused_fields(scope="legal_form", scope_value="company")


def test_rules_pointing_at_existing_rows_are_accepted():
    category = CategoryFactory()
    cooperative = CooperativeFactory()
    fair = FairFactory()

    for scope, target in (("category", category), ("cooperative", cooperative), ("fair", fair)):
        rule = services.add_rule(None, rule_data(scope=scope, scope_value=str(target.id)))
        assert rule.scope_value == str(target.id)


def test_overlapping_rules_of_equal_scope_value_and_priority_are_refused():
    services.add_rule(None, rule_data(valid_to=START + timedelta(days=30)))

    fields = refused_fields(valid_from=START + timedelta(days=29))

    assert "overlaps" in fields["valid_from"][0]


def test_rules_that_only_touch_or_differ_in_priority_or_scope_can_coexist():
    services.add_rule(None, rule_data(valid_to=START + timedelta(days=30)))

    services.add_rule(None, rule_data(valid_from=START + timedelta(days=30)))
    services.add_rule(None, rule_data(priority=1))
    services.add_rule(None, rule_data(scope="legal_form", scope_value="association"))

    assert db.session.scalar(select(func.count()).select_from(FeeRule)) == 4


def test_a_refused_rule_writes_nothing():
    refused_fields(commission_bps=100, solidarity_bps=200)

    assert db.session.scalar(select(func.count()).select_from(FeeRule)) == 0


def test_ending_a_rule_sets_its_end_and_keeps_its_terms(admin):
    rule = services.add_rule(None, rule_data(valid_from=utcnow() - timedelta(days=10)))
    end = utcnow() + timedelta(days=1)

    ended = services.end_rule(rule, admin, end)

    assert ended.valid_to == end
    assert ended.ended_by_id == admin.id
    assert (ended.commission_bps, ended.solidarity_bps) == (800, 100)
    assert ended.status_at(end) == "ended"


def test_a_change_of_terms_is_an_end_and_a_new_rule_from_the_same_moment():
    old = services.add_rule(None, rule_data(valid_from=utcnow() - timedelta(days=10)))
    switch = utcnow() + timedelta(hours=1)

    services.end_rule(old, None, switch)
    new = services.add_rule(None, rule_data(commission_bps=700, valid_from=switch))

    assert [r.id for r in services.rules_in_force(switch - timedelta(seconds=1))] == [old.id]
    assert [r.id for r in services.rules_in_force(switch)] == [new.id]


def test_ending_a_rule_already_ended_before_that_is_a_conflict():
    rule = services.add_rule(
        None, rule_data(valid_from=utcnow(), valid_to=utcnow() + timedelta(days=1))
    )

    with pytest.raises(RuleAlreadyEnded):
        services.end_rule(rule, None, utcnow() + timedelta(days=2))


def test_a_rule_ending_later_can_be_ended_sooner():
    rule = services.add_rule(
        None, rule_data(valid_from=utcnow(), valid_to=utcnow() + timedelta(days=10))
    )
    sooner = utcnow() + timedelta(days=1)

    assert services.end_rule(rule, None, sooner).valid_to == sooner


def test_a_rule_is_never_ended_in_the_past_or_before_it_starts():
    rule = services.add_rule(None, rule_data(valid_from=utcnow() - timedelta(days=10)))
    future = services.add_rule(None, rule_data(priority=1, valid_from=START))

    with pytest.raises(ValidationFailed) as past:
        services.end_rule(rule, None, utcnow() - timedelta(days=1))
    with pytest.raises(ValidationFailed) as before_start:
        services.end_rule(future, None, START - timedelta(days=1))

    assert "valid_to" in past.value.fields
    assert "valid_to" in before_start.value.fields
    assert rule.valid_to is None


def test_installing_the_defaults_twice_adds_them_once():
    first = services.install_default_rules()
    second = services.install_default_rules()

    assert [(r.scope, r.scope_value, r.commission_bps) for r in first] == [
        ("default", None, 800),
        ("legal_form", "association", 400),
    ]
    assert second == []
    default, association = first
    assert (default.solidarity_bps, default.min_fee_cents, default.max_fee_cents) == (
        100,
        100,
        15000,
    )
    assert default.producer_floor_bps == 8500
    assert (association.solidarity_bps, association.min_fee_cents) == (50, 50)
    assert (association.max_fee_cents, association.producer_floor_bps) == (7500, 8500)
    assert default.valid_from == DEFAULTS_VALID_FROM


def test_a_fairs_stand_rule_covers_its_days_in_morocco_time():
    fair = FairFactory(starts_on=date(2031, 5, 8), ends_on=date(2031, 5, 11))

    stand_rule = services.install_default_rules(fair)[-1]

    assert (stand_rule.scope, stand_rule.scope_value) == ("fair", str(fair.id))
    assert stand_rule.commission_bps == 0
    assert stand_rule.valid_from == datetime(2031, 5, 8, tzinfo=MOROCCO)
    assert stand_rule.valid_to == datetime(2031, 5, 12, tzinfo=MOROCCO)
    assert services.install_default_rules(fair) == []


def test_defaults_replaced_by_an_admin_are_not_installed_again():
    default, _ = services.install_default_rules()
    services.end_rule(default, None, utcnow() + timedelta(minutes=1))

    assert services.install_default_rules() == []


def test_the_cli_installs_the_defaults_once(app):
    fair = FairFactory(slug="khenifra-2024")
    runner = app.test_cli_runner()

    first = runner.invoke(args=["fees", "install-defaults", "--fair", "khenifra-2024"])
    again = runner.invoke(args=["fees", "install-defaults", "--fair", str(fair.id)])
    unknown = runner.invoke(args=["fees", "install-defaults", "--fair", "nowhere"])

    assert first.exit_code == 0, first.output
    assert first.output.count("Added rule") == 3
    assert "already installed" in again.output
    assert unknown.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(FeeRule)) == 3
