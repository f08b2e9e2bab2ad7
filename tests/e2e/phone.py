"""Checks every page passes on a phone, for any journey (browsing, checkout...).

`phone_window` opens a 390x844 window (an iPhone 12-14, the common size); `check_phone_page`
asserts that nothing overflows sideways, that axe-core (axe-playwright-python) finds no
serious or critical violation, and saves a screenshot to test-artifacts/.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from e2e.conftest import SCREENSHOTS

#: A phone held upright, as most shoppers of the region hold theirs.
PHONE_390 = {"width": 390, "height": 844}
#: axe's impacts that fail a journey.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()


def phone_window(browser, site, *, javascript: bool = True):
    """A fresh 390x844 browser window with cookies of its own: (context, page); without
    `javascript`, pages must work as plain HTML forms and links."""
    context = browser.new_context(
        viewport=PHONE_390, base_url=site.url, java_script_enabled=javascript
    )
    context.set_default_timeout(20_000)
    return context, context.new_page()


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return max(0, width - window)


def serious_axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, as "rule: target" lines."""
    results = _axe.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {violation['help']}"
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def screenshot_wide(page, name: str) -> None:
    """The same page on a laptop (1366 px), for the record; then back to the phone."""
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(PHONE_390)


def check_phone_page(page, name: str) -> None:
    """The page fits the phone's width, has no serious accessibility violation, and is saved."""
    screenshot(page, name)
    assert sideways_overflow(page) == 0, f"{page.url} overflows sideways"
    assert serious_axe_violations(page) == [], page.url
