"""A signed-in member of staff checks a draft statement in the real browser and sees the marks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = (
    "A feminist response to COVID-19\n\n"
    "We stand with women with disabilities, migrant women, Indigenous women and older women. "
    "We urge states to adopt the Nordic model and to end demand, because sex trafficking and "
    "prostitution go together. <b>Prostituted women</b> need exit programmes."
)


def test_viewer_checks_a_pasted_statement_and_sees_flags_and_marks(page, live_server, users):
    sign_in(page, live_server, "viewer")
    page.goto(f"{live_server.url}/en/allies/statements/")
    assert page.locator("h1").inner_text() == "Statement check"
    page.locator("#id_text").fill(STATEMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Check the statement").click()

    assert page.get_by_role("heading", name="Report").is_visible()
    left_out = page.locator("ul.left-out li")
    assert "Sex workers" in left_out.all_inner_texts()
    assert "Women who use drugs" in left_out.all_inner_texts()
    flags = page.locator("table.flags tbody tr")
    assert flags.count() >= 5
    assert page.locator("table.flags").get_by_text("Nordic model", exact=True).is_visible()
    marks = page.locator(".statement-text mark")
    assert "Nordic model" in marks.all_inner_texts()
    assert "sex trafficking and\nprostitution" not in marks.all_inner_texts()
    assert "sex trafficking and prostitution" in marks.all_inner_texts()
    # The statement's own HTML is shown as text, not applied.
    assert page.locator(".statement-text b").count() == 0
    assert "<b>" in page.locator(".statement-text").inner_text()
    # A position in the table links to its mark in the statement.
    first_link = page.locator("table.flags tbody tr a").first
    target = first_link.get_attribute("href")
    first_link.click()
    assert page.url.endswith(target)
    assert page.locator(f".statement-text mark{target}").is_visible()
    path = screenshot(page, "statement-check-report")
    assert path.stat().st_size > 5_000
