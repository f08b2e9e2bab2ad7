"""What a person does in the browser, and the checks every page passes on a phone."""

from __future__ import annotations

from e2e.conftest import Person, Site
from e2e.phone import screenshot, sideways_overflow
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
    assert sideways_overflow(page) == 0, f"{page.url} overflows sideways"
    screenshot(page, f"{language}-{name}")
