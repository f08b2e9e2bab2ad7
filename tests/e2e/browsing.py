"""What a person does in the browser, and the checks every page passes on a phone."""

from __future__ import annotations

from e2e.conftest import SCREENSHOTS, Person, Site
from i18n.english_text import english_messages_on


def choose_language(page, language: str) -> None:
    page.goto(f"/lang/{language}?next=/")


def log_in(page, site: Site, person: Person) -> None:
    page.goto(site.path("accounts.login"))
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.click(f'main form[action^="{site.path("accounts.login")}"] button[type=submit]')
    page.wait_for_load_state()
    assert page.locator("form[action$='/logout']").count() == 1, f"{person.email} not logged in"


def submit(page, form_selector: str) -> None:
    """Press the form's button, as a person would, and wait for the next page."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit], button:not([type])").first.click()


def confirm(page) -> None:
    """Press "Yes" on the confirmation step of an irreversible action (app/web/confirmation.py)."""
    assert page.locator("form.confirm-action").count() == 1, f"{page.url} asks no confirmation"
    submit(page, "form.confirm-action")


def check_page(page, language: str, name: str) -> None:
    """The page is in `language` (direction included), shows no English message, fits the
    phone's width without sideways scrolling, and is saved as a screenshot."""
    direction = "rtl" if language == "ar" else "ltr"
    assert page.locator(f'html[lang="{language}"][dir="{direction}"]').count() == 1, page.url
    assert english_messages_on(page.content(), language) == [], page.url
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], (
        f"{page.url} is {overflow[0]}px wide on a {overflow[1]}px phone"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{language}-{name}.png"), full_page=True)
