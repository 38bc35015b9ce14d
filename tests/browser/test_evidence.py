"""A researcher's whole evidence workflow in the browser, on a phone-sized screen."""

from __future__ import annotations

import zipfile

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.core.models import Role
from chorus.evidence import actions
from chorus.evidence.models import Code, Coding, Consent, Source, StudyRole
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import USERNAMES, sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINESE_INTERVIEW = (
    "我们在二零一六年加入了妇女运动的联盟。\n\n"
    "性工作者主导的组织参加了妇女运动的工作，我们的组织很小。\n\n"
    "后来她们邀请我们参加论坛。"
)
RUSSIAN_TRANSCRIPT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:05.000\n<v Интервьюер>Как вас приняли на форуме?\n\n"
    "00:00:05.500 --> 00:00:12.000\n<v Амина>Сначала нас не слушали, потом пригласили на Форум.\n"
)


def _verify(page, user) -> None:
    """Complete the second factor a study lead needs."""
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Six-digit code").fill(
        f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def lead_study(users):
    lead = users[Role.RESEARCHER]
    study = actions.study_create(
        actor=lead, title="Engagement with the women's movement", languages=["en", "zh-hans", "ru"]
    )
    TOTPDevice.objects.create(user=lead, name="phone", confirmed=True)
    second = make_user("second-coder", Role.RESEARCHER)
    actions.member_set(actor=lead, study=study, user=second, role=StudyRole.CODER)
    return study


def test_a_researcher_imports_consents_codes_retrieves_searches_and_exports(
    page, live_server, users, lead_study, tmp_path
):
    study = lead_study
    lead = users[Role.RESEARCHER]
    base = f"{live_server.url}/en/evidence/{study.pk}"
    sign_in(page, live_server, USERNAMES[Role.RESEARCHER])
    page.goto(f"{base}/")
    _verify(page, lead)
    page.wait_for_url(f"{base}/")

    # A participant, and their consent: quoted anonymously only.
    page.goto(f"{base}/participants/add/")
    page.fill("#id_pseudonym", "P01")
    page.fill("#id_real_name", "Amina Example")
    page.select_option("#id_region", "asia_pacific")
    page.fill("#id_attributes", "organisation type: sex worker-led")
    page.get_by_role("button", name="Save").click()
    page.fill("#id_given_on", "2021-02-01")
    page.get_by_label("Anonymous").check()
    page.get_by_role("button", name="Save the consent").click()
    consent = Consent.objects.get()
    assert consent.quote_mode == "anonymous" and consent.participant.real_name == "Amina Example"

    # Import a Chinese interview and a Russian transcript, linked to the participant.
    chinese = tmp_path / "interview-zh.txt"
    chinese.write_text(CHINESE_INTERVIEW, encoding="utf-8")
    russian = tmp_path / "interview-ru.vtt"
    russian.write_text(RUSSIAN_TRANSCRIPT, encoding="utf-8")
    page.goto(f"{base}/sources/import/")
    page.set_input_files("#id_files", [str(chinese), str(russian)])
    page.select_option("#id_kind", "interview")
    page.select_option("#id_participants", label="P01")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    assert Source.objects.count() == 2
    screenshot(page, "evidence-sources")

    # A codebook of two codes, one named in Chinese too.
    page.goto(f"{base}/codes/")
    page.fill("#id_name", "Coalitions")
    page.fill("#id_name_zh-hans", "联盟")
    page.get_by_role("button", name="Add the code").click()
    page.fill("#id_name", "Barriers")
    page.get_by_role("button", name="Add the code").click()
    assert Code.objects.count() == 2

    # Code by selecting text, a number key and Enter.
    source = Source.objects.get(title="interview-zh")
    page.goto(f"{base}/sources/{source.pk}/")
    page.evaluate(
        """word => {
          const span = [...document.querySelectorAll('#source-text [data-s]')]
            .find(s => s.textContent.includes(word));
          const node = span.firstChild, at = node.textContent.indexOf(word);
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + word.length);
          const selection = window.getSelection();
          selection.removeAllRanges(); selection.addRange(range);
          document.dispatchEvent(new Event('selectionchange'));
        }""",
        "性工作者主导的组织",
    )
    assert "性工作者主导的组织" in page.locator("#selection-preview").inner_text()
    page.keyboard.press("1")
    assert page.locator("input[name=codes]").first.is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    coding = Coding.objects.get()
    assert source.text[coding.start : coding.end] == "性工作者主导的组织"
    assert coding.coder == lead
    assert page.locator("#source-text .coded").count() >= 1
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('#source-text .coded'))"
        ".getPropertyValue('--code-colour')"
    )
    assert colour.strip() == "#1f77b4"  # the code's own colour, from the study's colour sheet
    screenshot(page, "evidence-coding-phone")

    # A second coder codes the same source differently, for the agreement statistics.
    coalitions = Code.objects.get(name="Coalitions")
    second = study.members.get(user__username="second-coder").user
    first_paragraph = source.text.index("我们在")
    actions.coding_create(
        actor=second,
        source=source,
        codes=[coalitions],
        start=first_paragraph,
        end=first_paragraph + 5,
    )

    # Retrieve the code's segments and export them to Word.
    page.goto(f"{base}/codes/{coalitions.pk}/")
    assert "性工作者主导的组织" in page.locator("main").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="DOCX").click()
    path = download_info.value.path()
    with zipfile.ZipFile(path) as archive:
        assert "性工作者主导的组织" in archive.read("word/document.xml").decode("utf-8")

    # Search in Chinese and in Russian (case-insensitive), with highlighted snippets.
    page.goto(f"{base}/search/")
    page.fill("#id_q", "组织")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert page.locator(".snippet mark").first.inner_text() == "组织"
    page.fill("#id_q", "форум")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    marks = page.locator(".snippet mark").all_inner_texts()
    assert marks and all(mark.lower() == "форум" for mark in marks)
    screenshot(page, "evidence-search-ru")

    # Agreement between the two coders, with the disagreement listed.
    page.goto(f"{base}/analysis/agreement/")
    page.select_option("#id_coder_a", label="researcher")
    page.select_option("#id_coder_b", label="second-coder")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    table = page.locator("table").first.inner_text()
    assert "Coalitions" in table
    assert page.get_by_text("coded only by").count() >= 1
    screenshot(page, "evidence-agreement")

    # Exchange: the whole project as REFI-QDA, names replaced.
    page.goto(f"{base}/exchange/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="The whole project (.qdpx), names replaced").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        assert any(name.endswith(".qde") for name in archive.namelist())


def test_coding_works_without_javascript(browser, live_server, users, lead_study):
    """With scripts off, a coder names the paragraph and pastes the words."""
    study = lead_study
    coder = study.members.get(user__username="second-coder").user
    source = actions.source_create(
        actor=coder,
        study=study,
        extracted=__import__("chorus.evidence.extraction", fromlist=["Extracted"]).Extracted(
            text=CHINESE_INTERVIEW, file_format="txt", cues=[], warnings=[]
        ),
        title="No-script interview",
    )
    actions.code_create(actor=coder, study=study, name="Forums")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server, "second-coder")
        page.goto(f"{live_server.url}/ru/evidence/{study.pk}/sources/{source.pk}/")
        page.locator("input[name=codes]").first.check()
        page.fill("#id_paragraph", "3")
        page.fill("#id_words", "参加论坛")
        page.locator("#coding-form button.primary").click()
        coding = Coding.objects.get()
        assert source.text[coding.start : coding.end] == "参加论坛"
        assert page.locator("html").get_attribute("lang") == "ru"
        screenshot(page, "evidence-coding-no-script-ru")
    finally:
        context.close()
