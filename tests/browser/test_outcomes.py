"""Recommendations review, trends and outcome harvesting in the browser, in each language."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chorus.core.models import Role
from chorus.outcomes import importing
from chorus.outcomes.models import Outcome, Recommendation
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import USERNAMES, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]
DECRIM = (
    "The Committee recommends that the State party decriminalize sex work and protect sex "
    "workers from police violence."
)
END_DEMAND = "The Committee recommends that the State party discourage the demand for prostitution."
# Read in place from the shared fixtures, never copied.
GENERAL_RECOMMENDATION_38 = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "fixtures"
    / "un"
    / "treaty-body-general-comments"
    / "Annotated_CEDAW-GC38-Trafficking.json"
)


@pytest.fixture
def recommendations(countries):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Symbol", "Text", "PublicationDate", "Countries", "Body"])
    writer.writerow(["CEDAW/C/KAZ/CO/5 para. 22", DECRIM, "2019-03-14", "KZ", "CEDAW"])
    writer.writerow(["CEDAW/C/SWE/CO/10 para. 27", END_DEMAND, "2021-11-01", "SE", "CEDAW"])
    report = importing.parse_uhri(buffer.getvalue().encode())
    importing.recommendations_import(actor=None, report=report)
    return report


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_researcher_reviews_a_label_and_sees_the_trend(
    page, live_server, users, recommendations, language
):
    sign_in(page, live_server, USERNAMES[Role.RESEARCHER])
    page.goto(f"{live_server.url}/{language}/outcomes/recommendations/review/")
    assert page.locator("html").get_attribute("lang") == language
    page.get_by_role("link", name="CEDAW/C/KAZ/CO/5 ¶22").click()
    with translation.override(language):
        rights = gettext("Rights-affirming")
    assert rights in page.locator("dl.facts").inner_text()
    page.select_option("#id_label", "mixed")
    page.locator("form.stacked button.primary").click()
    assert Recommendation.objects.get(paragraph="22").reviewed_label == "mixed"
    page.goto(f"{live_server.url}/{language}/outcomes/recommendations/trends/")
    chart = page.locator("img.chart")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    assert "2019" in page.locator("table").inner_text()
    screenshot(page, f"recommendation-trends-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_coordinator_records_an_outcome_and_its_substantiation(
    page, live_server, users, organisations, language
):
    from chorus.network.actions import position_add

    # A substantiator is someone the coordinator can see: here, a post in a listed member.
    position_add(
        actor=None,
        organisation=organisations["africa_listed"],
        title="Board member",
        new_person_name="Independent Reviewer",
    )
    with translation.override(language):
        ask, partly = gettext("Ask to substantiate"), gettext("Partly substantiated")
    sign_in(page, live_server, USERNAMES[Role.REGIONAL_COORDINATOR])
    page.goto(f"{live_server.url}/{language}/outcomes/new/")
    assert page.locator("html").get_attribute("lang") == language
    page.fill("#id_title", "Health ministry includes sex workers in HIV plan")
    page.fill("#id_social_actor_text", "Ministry of Health")
    page.fill("#id_change", "The national HIV plan names sex workers as a key population.")
    page.select_option("#id_kind", "policy")
    page.fill("#id_occurred_on", "2022-05-01")
    page.select_option("#id_direction", "positive")
    with page.expect_navigation():
        page.locator("form.stacked button.primary").click()
    outcome = Outcome.objects.get(title="Health ministry includes sex workers in HIV plan")
    page.select_option("#id_substantiator", label="Independent Reviewer")
    with page.expect_navigation():
        page.get_by_role("button", name=ask).click()
    page.select_option("#id_description", "full")
    page.select_option("#id_significance", "full")
    page.select_option("#id_contribution", "partial")
    with page.expect_navigation():
        page.locator("input[name=form][value=answer] ~ button").click()
    substantiation = outcome.substantiations.get()
    assert (substantiation.description, substantiation.contribution) == ("full", "partial")
    assert partly in page.locator("h2").first.inner_text()
    screenshot(page, f"outcome-substantiated-{language}")


def _sign_in_with_second_factor(page, live_server, user) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, live_server, user.username)
    page.locator("#id_token").fill(
        f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    )
    with page.expect_navigation():
        page.locator("form.stacked button.primary").click()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_secretariat_imports_each_kind_of_input_and_reads_the_report(
    page, live_server, users, countries, tmp_path, language
):
    """A UHRI export, a treaty-body document as JSON paragraphs, and pasted paragraphs."""
    _sign_in_with_second_factor(page, live_server, users[Role.SECRETARIAT])
    url = f"{live_server.url}/{language}/outcomes/recommendations/import/"

    def submit() -> str:
        with page.expect_navigation():
            page.locator("form.stacked button.primary").click()
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#report-heading").is_visible()
        return page.locator("section[aria-labelledby=report-heading]").inner_text()

    export = tmp_path / "uhri-export.csv"
    export.write_text(
        "Symbol,Text,PublicationDate,Countries,Body\n"
        f'CEDAW/C/KAZ/CO/5 para. 22,"{DECRIM}",2019-03-14,KZ,CEDAW\n',
        encoding="utf-8",
    )
    page.goto(url)
    page.set_input_files("#id_file", str(export))
    submit()
    assert Recommendation.objects.get(symbol="CEDAW/C/KAZ/CO/5").label == "rights-affirming"

    page.goto(url)
    page.set_input_files("#id_file", str(GENERAL_RECOMMENDATION_38))
    submit()
    general = Recommendation.objects.filter(symbol__contains="38")
    assert general.exists() and general.filter(country=None).count() == general.count()
    assert general.filter(label="regressive").exists()

    page.goto(url)
    page.fill("#id_text", f"21. {DECRIM}\n22. {END_DEMAND}")
    page.fill("#id_symbol", "CEDAW/C/KEN/CO/9")
    page.select_option("#id_body", "CEDAW")
    page.select_option("#id_country", "KE")
    page.fill("#id_year", "2024")
    submit()
    labels = dict(
        Recommendation.objects.filter(symbol="CEDAW/C/KEN/CO/9").values_list("paragraph", "label")
    )
    # Paragraph 21 repeats the text imported from the export: left out as a duplicate.
    assert labels == {"22": "regressive"}
    assert Recommendation.objects.filter(text=DECRIM).count() == 1
    screenshot(page, f"recommendation-import-{language}")
