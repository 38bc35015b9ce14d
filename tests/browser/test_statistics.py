"""The statistics page and its world map render in the browser, offline, in all five languages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chorus.network import actions
from chorus.network.models import Country
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture
def members(countries):
    network = actions.organisation_create(
        actor=None,
        name="Global Network of Sex Work Projects",
        acronym="NSWP",
        kind="global_network",
        country=Country.objects.get(code="GB"),
    )
    for index, code in enumerate(["KE"] * 4 + ["TH"] * 3 + ["BR"] * 3 + ["FR"]):
        organisation = actions.organisation_create(
            actor=None,
            name=f"Member {index}",
            kind="member",
            country=Country.objects.get(code=code),
            sex_worker_led="yes",
        )
        actions.membership_record(
            actor=None,
            organisation=organisation,
            network=network,
            tier="full",
            joined=datetime.date(2015 + index % 5, 1, 1),
        )
    return network


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_statistics_page_draws_the_map_without_any_network(
    page, live_server, members, language
):
    """Anonymous visitors see totals, a drawn map and tables; no request leaves the machine."""
    page.goto(f"{live_server.url}/{language}/registry/statistics/")
    assert page.locator("html").get_attribute("lang") == language
    images = page.locator("main img")
    assert images.count() >= 4
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    body = page.locator("main").inner_text()
    assert "11" in body  # eleven member organisations
    with translation.override(language):
        africa = gettext("Africa")
    assert africa in body
    # France has a single member: below the public threshold, it is not named.
    with translation.override(language):
        from chorus.network.places import country_name

        assert country_name("FR", language) not in body
        assert country_name("KE", language) in body
    screenshot(page, f"statistics-{language}")
