"""Arabic pages of money and charts, in the browser, on a phone (390 px) and a laptop (1366 px).

The site is the living demo (``seed_demo(history=True)``: weeks of orders, cash sales that
leave a cooperative owing fees, payouts), served for real. On the cooperative's dashboard,
one of its orders and the admin's reports, in Arabic: nothing scrolls sideways, a negative
amount keeps its minus on the left of its digits and a phone number its "+" on the left of
"212" (checked on the glyphs' boxes, not on the HTML), and the chart texts neither overlap
each other nor leave their SVG.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from e2e.browsing import check_page, choose_language, log_in
from e2e.conftest import Person, served_site
from sqlalchemy import select

from app.extensions import db

WIDTHS = (390, 1366)
LOGIN = "/login"

#: Boxes of each glyph of an element's text: [{char, left, right, top, bottom}].
GLYPH_BOXES = """(element) => {
  const boxes = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const r = range.getBoundingClientRect();
      if (r.width > 0) boxes.push({char: node.data[i], left: r.left, right: r.right});
    }
  }
  return boxes;
}"""

#: Visible texts of every chart: [{chart, text, left, right, top, bottom}] and each SVG's box.
CHART_TEXTS = """() => {
  const shown = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentNode) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0")
        return false;
    }
    return true;
  };
  return [...document.querySelectorAll("svg.chart")].map((svg, index) => ({
    index,
    box: svg.getBoundingClientRect().toJSON(),
    texts: [...svg.querySelectorAll("text")]
      .filter((t) => t.textContent.trim() && shown(t))
      .map((t) => ({text: t.textContent, ...t.getBoundingClientRect().toJSON()})),
  }));
}"""


@dataclass(frozen=True)
class LivingSite:
    url: str
    admin: Person
    owner: Person
    cooperative_id: int
    part_id: int
    #: A period of the statement holding that order's cash (and so a negative line).
    statement_from: str
    statement_to: str


@pytest.fixture(scope="module")
def living_site(chromium_path: str, tmp_path_factory: pytest.TempPathFactory):
    with served_site(tmp_path_factory.mktemp("rtl"), _living_demo) as (url, _app, found):
        yield LivingSite(url=url, **found)


def _living_demo() -> dict:
    """The demo with its history; a cooperative paid cash on delivery for one of its home
    orders this month (its statement has the fees it owes on it: a negative line) and that
    order (the shopper's phone)."""
    from flask_migrate import upgrade

    from app.accounts.models import User
    from app.cooperatives.models import Membership
    from app.core.db import utcnow
    from app.demo.fair_data import DEMO_ADMIN, DEMO_PASSWORD
    from app.demo.seed import seed_demo
    from app.fair.queries import morocco_today
    from app.orders.models import CooperativeOrder

    upgrade()
    # Three weeks hold a payout run, cash owed on this month's statement and charts with
    # several weeks; the demo's eight are drilled in tests/demo/test_history.py.
    seed_demo(cooperatives=6, images=False, history=True, history_weeks=3, log=lambda _: None)
    month_start = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    owing = db.session.scalars(
        select(CooperativeOrder)
        .where(
            CooperativeOrder.delivery_method == "home_delivery",
            CooperativeOrder.cash_collected_at >= month_start,
        )
        .order_by(CooperativeOrder.id.desc())
    ).first()
    if owing is None:  # the first days of a month: last month's statement will do
        owing = db.session.scalars(
            select(CooperativeOrder)
            .where(CooperativeOrder.cash_collected_at.is_not(None))
            .where(CooperativeOrder.delivery_method == "home_delivery")
            .order_by(CooperativeOrder.id.desc())
        ).first()
    collected = owing.cash_collected_at.date()
    owner = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cooperative_id == owing.cooperative_id)
        .order_by(Membership.id)
    ).first()
    return {
        "admin": Person(DEMO_ADMIN.name, DEMO_ADMIN.email, DEMO_PASSWORD),
        "owner": Person(owner.name, owner.email, DEMO_PASSWORD),
        "cooperative_id": owing.cooperative_id,
        "part_id": owing.id,
        # A day either side: the statement's days are Morocco's, an hour ahead of UTC.
        "statement_from": (collected - timedelta(days=1)).isoformat(),
        "statement_to": min(collected + timedelta(days=1), morocco_today()).isoformat(),
    }


@pytest.fixture
def arabic_page(browser, living_site: LivingSite, request) -> Iterator:
    width = request.param
    context = browser.new_context(
        base_url=living_site.url, viewport={"width": width, "height": 900}, locale="ar-MA"
    )
    page = context.new_page()
    choose_language(page, "ar")
    yield page, width
    context.close()


@dataclass(frozen=True)
class _Paths:
    """What ``browsing.log_in`` asks of a site: the login page's path."""

    def path(self, endpoint: str) -> str:
        assert endpoint == "accounts.login"
        return LOGIN


def _log_in(page, person: Person) -> None:
    log_in(page, _Paths(), person)


def _assert_minus_left_of_digits(page) -> None:
    negatives = [
        amount
        for amount in page.locator("bdi.money").all()
        if amount.text_content().strip().startswith("-")
    ]
    assert negatives, "no negative amount on the page"
    for amount in negatives:
        assert amount.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
        glyphs = amount.evaluate(GLYPH_BOXES)
        minus = next(g for g in glyphs if g["char"] == "-")
        first_digit = next(g for g in glyphs if g["char"].isdigit())
        assert minus["right"] <= first_digit["left"] + 0.5, amount.text_content()


def _assert_charts_readable(page) -> None:
    charts = page.evaluate(CHART_TEXTS)
    assert charts, "no chart on the page"
    for chart in charts:
        box, texts = chart["box"], chart["texts"]
        assert texts
        for text in texts:
            assert text["left"] >= box["left"] - 1 and text["right"] <= box["right"] + 1, text
            assert text["top"] >= box["top"] - 1 and text["bottom"] <= box["bottom"] + 1, text
        for index, one in enumerate(texts):
            for other in texts[index + 1 :]:
                apart = (
                    one["right"] <= other["left"] + 0.5
                    or other["right"] <= one["left"] + 0.5
                    or one["bottom"] <= other["top"] + 0.5
                    or other["bottom"] <= one["top"] + 0.5
                )
                assert apart, (one["text"], other["text"])


@pytest.mark.parametrize("arabic_page", WIDTHS, indirect=True)
def test_the_dashboard_in_arabic_fits_keeps_minus_and_plus_on_the_left_and_draws_clear_charts(
    arabic_page, living_site: LivingSite, committing_db
):
    page, width = arabic_page
    _log_in(page, living_site.owner)

    page.goto(f"/dashboard/{living_site.cooperative_id}/")
    check_page(page, "ar", f"rtl-dashboard-{width}")
    _assert_charts_readable(page)

    page.goto(
        f"/dashboard/{living_site.cooperative_id}/statement"
        f"?from={living_site.statement_from}&to={living_site.statement_to}"
    )
    check_page(page, "ar", f"rtl-dashboard-statement-{width}")
    _assert_minus_left_of_digits(page)

    page.goto(f"/dashboard/{living_site.cooperative_id}/orders/{living_site.part_id}")
    check_page(page, "ar", f"rtl-dashboard-order-{width}")
    phone = page.locator('a[href^="tel:"]').first
    assert phone.text_content().startswith("+212")
    assert phone.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    glyphs = phone.evaluate(GLYPH_BOXES)
    assert glyphs[0]["char"] == "+" and glyphs[1]["char"] == "2"
    assert glyphs[0]["right"] <= glyphs[1]["left"] + 0.5


@pytest.mark.parametrize("arabic_page", WIDTHS, indirect=True)
def test_the_reports_in_arabic_fit_and_draw_charts_whose_texts_neither_overlap_nor_clip(
    arabic_page, living_site: LivingSite, committing_db
):
    page, width = arabic_page
    _log_in(page, living_site.admin)

    page.goto("/admin/reports")
    check_page(page, "ar", f"rtl-reports-{width}")
    _assert_charts_readable(page)
    dates = page.locator("svg.chart text").all_text_contents()
    assert any("/" in text and text.strip("\u2066\u2069")[:2].isdigit() for text in dates)
