"""The registry and the membership application flow in the browser, in all five languages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chorus.core.models import Role
from chorus.network import actions
from chorus.network.models import Country, Membership, MembershipStatus
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import USERNAMES, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.fixture
def network(countries):
    return actions.organisation_create(
        actor=None,
        name="Global Network of Sex Work Projects",
        acronym="NSWP",
        kind="global_network",
        country=Country.objects.get(code="GB"),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_registry_filters_and_detail_in_each_language(
    page, live_server, users, organisations, language
):
    sign_in(page, live_server, USERNAMES[Role.REGIONAL_COORDINATOR])
    page.goto(f"{live_server.url}/{language}/registry/organisations/")
    assert page.locator("h1").inner_text() == in_language(language, "Member registry")
    page.select_option("#id_region", "africa")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 2  # the listed and the unlisted Kenyan members, both in this region
    assert "Nairobi Quiet Collective" in page.locator("tbody").inner_text()
    assert "Bangkok" not in page.locator("tbody").inner_text()
    page.get_by_role("link", name="Nairobi Quiet Collective").click()
    assert page.locator("h2#confidential-heading").inner_text() == in_language(
        language, "Confidential"
    )
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"registry-detail-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_application_flow_across_three_roles(
    page, live_server, users, organisations, network, language
):
    """A member editor applies, the coordinator verifies, the secretariat approves: each in turn."""
    organisation = organisations["africa_listed"]
    today = datetime.date.today().isoformat()
    sign_in(page, live_server, USERNAMES[Role.MEMBER_EDITOR])
    page.goto(f"{live_server.url}/{language}/registry/organisations/{organisation.pk}/apply/")
    page.select_option("#id_network", str(network.pk))
    page.select_option("#id_tier", "full")
    page.fill("#id_consensus_statement_endorsed", today)
    page.fill("#id_core_values_endorsed", today)
    page.locator("form.stacked button.primary").click()
    assert page.locator(".message.success").inner_text() == in_language(
        language, "The application has been submitted."
    )
    membership = Membership.objects.get(organisation=organisation, network=network)
    screenshot(page, f"application-submitted-{language}")
    page.context.clear_cookies()

    sign_in(page, live_server, USERNAMES[Role.REGIONAL_COORDINATOR])
    page.goto(f"{live_server.url}/{language}/registry/applications/")
    page.get_by_role("link", name=organisation.name).click()
    page.select_option("#id_decision", "verify")
    page.fill("#id_note", "Проверено на месте")
    page.locator("form.stacked button.primary").click()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.VERIFIED
    page.context.clear_cookies()

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=users[Role.SECRETARIAT], name="phone", confirmed=True)
    sign_in(page, live_server, USERNAMES[Role.SECRETARIAT])
    page.locator("#id_token").fill(
        f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    )
    page.locator("form.stacked button.primary").click()
    page.goto(f"{live_server.url}/{language}/registry/memberships/{membership.pk}/")
    page.select_option("#id_decision", "approve")
    page.locator("form.stacked button.primary").first.click()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.MEMBER
    history = page.locator("ol.timeline").inner_text()
    assert "Проверено на месте" in history
    assert in_language(language, "Member") in history
    screenshot(page, f"application-approved-{language}")
