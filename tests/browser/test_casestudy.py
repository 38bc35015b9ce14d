"""A researcher goes from choosing a quote to downloading the case study as a PDF."""

from __future__ import annotations

import subprocess

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.casestudies import actions
from chorus.casestudies.models import CaseStudy, Status
from chorus.core.models import Role
from chorus.evidence import actions as evidence
from chorus.evidence.extraction import Extracted
from chorus.evidence.models import QuoteMode
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import USERNAMES, sign_in
from tests.casestudies.conftest import make_speaker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "我们必须坐在谈判桌旁，而不是被放在菜单上。"


@pytest.fixture
def prepared(users):
    lead = users[Role.RESEARCHER]
    study = evidence.study_create(
        actor=lead, title="Engagement with the women's movement", languages=["zh-hans", "en"]
    )
    TOTPDevice.objects.create(user=lead, name="phone", confirmed=True)
    person = make_speaker(
        study,
        lead,
        pseudonym="P01",
        mode=QuoteMode.NAMED,
        real_name="Miriam Edwards",
        role_title="regional coordinator",
        organisation_name="Caribbean Sex Work Coalition",
    )
    source = evidence.source_create(
        actor=lead,
        study=study,
        extracted=Extracted(text=QUOTE, file_format="txt", cues=[], warnings=[]),
        title="Interview P01",
        kind="interview",
        language="zh-hans",
        participants=[person],
    )
    code = evidence.code_create(actor=lead, study=study, name="Strategies")
    evidence.coding_create(actor=lead, source=source, codes=[code], start=0, end=len(QUOTE))
    case_study = actions.casestudy_create(
        actor=lead, study=study, title="性工作者主导组织与妇女运动", language="zh-hans"
    )
    actions.section_add(actor=lead, case_study=case_study, key="strategies", title="策略")
    actions.section_text_save(
        actor=lead,
        case_study=case_study,
        key="strategies",
        language="zh-hans",
        title="策略",
        body="本研究基于{{ figure interviews }}。",
    )
    return case_study


def test_from_quote_selection_to_pdf_download(page, live_server, users, prepared, tmp_path):
    lead = users[Role.RESEARCHER]
    sign_in(page, live_server, USERNAMES[Role.RESEARCHER])
    base = f"{live_server.url}/zh-hans/case-studies/{prepared.slug}"
    page.goto(f"{base}/quotes/")
    device = TOTPDevice.objects.get(user=lead)
    page.locator("#id_token").fill(
        f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    )
    page.locator("form.stacked button.primary").click()
    page.wait_for_url(f"{base}/quotes/")

    # Choose the quote and place it in the strategies section.
    choice = page.locator("article.quote-choice").first
    assert QUOTE in choice.inner_text()
    choice.locator("select[name=section]").select_option("strategies")
    choice.locator("form").first.locator("button").click()
    page.wait_for_url("**/sections/strategies/**")
    screenshot(page, "casestudy-section-editor-zh")

    # The document shows the quote with the speaker's consented attribution; approve it.
    page.goto(f"{base}/?lang=zh-hans")
    assert QUOTE in page.locator("article.document").inner_text()
    assert "Miriam Edwards" in page.locator("figcaption").first.inner_text()
    with page.expect_navigation():
        page.locator("form[action$='/status/approve/'] button").click()
    page.wait_for_load_state()
    assert CaseStudy.objects.get().status == Status.APPROVED
    screenshot(page, "casestudy-approved-zh")

    # Download the publication PDF and check its text layer holds the quote.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    path = tmp_path / "case-study.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert QUOTE[:10] in text.replace("\n", "")
    assert "Miriam Edwards" in text
