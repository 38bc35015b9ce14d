"""The power map, the movable middle and alerts in the browser, in each language."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chorus.core.models import Role
from chorus.network import actions as network_actions
from chorus.stakeholders import actions
from chorus.stakeholders.models import StanceObservation
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import USERNAMES, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


@pytest.fixture
def actors(countries):
    unwomen = network_actions.organisation_create(
        actor=None, name="UN Women", kind="un_body", country=countries["FR"]
    )
    amnesty = network_actions.organisation_create(
        actor=None, name="Amnesty International", kind="human_rights", country=countries["FR"]
    )
    for organisation, stance, year in ((unwomen, 0, 2016), (unwomen, -2, 2020), (amnesty, 1, 2019)):
        actions.observation_record(
            actor=None,
            organisation=organisation,
            issue="decriminalisation",
            stance=stance,
            observed_on=datetime.date(year, 1, 1),
            evidence_kind="document",
            evidence_text="Seed case study",
        )
    return {"unwomen": unwomen, "amnesty": amnesty}


@pytest.mark.parametrize("language", LANGUAGES)
def test_power_map_shows_the_chart_and_the_movable_middle(
    page, live_server, users, actors, language
):
    sign_in(page, live_server, USERNAMES[Role.REGIONAL_COORDINATOR])
    page.goto(f"{live_server.url}/{language}/allies/?issue=decriminalisation")
    assert page.locator("html").get_attribute("lang") == language
    chart = page.locator("img.chart")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    middle = page.locator("#movable-middle + p + .table-wrap").inner_text()
    assert "Amnesty International" in middle and "UN Women" not in middle
    with translation.override(language):
        assert gettext("Passive ally") in middle
    screenshot(page, f"power-map-{language}")


def test_a_coordinator_acknowledges_the_reversal_and_records_a_new_stance(
    page, live_server, users, actors
):
    sign_in(page, live_server, USERNAMES[Role.REGIONAL_COORDINATOR])
    page.goto(f"{live_server.url}/en/allies/alerts/")
    alert = page.locator("li.alert.reversal")
    assert "UN Women" in alert.inner_text()
    screenshot(page, "alerts-en")
    with page.expect_navigation():
        alert.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    assert page.locator("li.alert.reversal").count() == 0
    page.goto(f"{live_server.url}/en/allies/observations/new/?organisation={actors['unwomen'].pk}")
    page.select_option("#id_issue", "decriminalisation")
    page.select_option("#id_stance", "-1")
    page.fill("#id_observed_on", datetime.date.today().isoformat())
    page.select_option("#id_evidence_kind", "quote")
    page.fill("#id_evidence_text", "We are reviewing our position.")
    page.locator("form.stacked button.primary").click()
    assert "/allies/actors/organisation/" in page.url
    assert StanceObservation.objects.filter(organisation=actors["unwomen"], stance=-1).exists()
    assert "We are reviewing our position." in page.locator("ol.timeline").inner_text()
