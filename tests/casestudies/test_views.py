"""Case-study pages: reading, editing, placing quotes, the workflow, and who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.casestudies import actions
from chorus.casestudies.models import CaseStudy, Comment, QuoteApproval, QuoteTranslation, Status
from chorus.evidence import actions as evidence
from chorus.evidence.models import QuoteMode
from tests.casestudies.conftest import make_speaker
from tests.evidence.conftest import add_text_source


@pytest.fixture
def quoted(study, team):
    lead = team["lead"]
    person = make_speaker(
        study,
        lead,
        pseudonym="P1",
        mode=QuoteMode.NAMED,
        real_name="Miriam E.",
        role_title="regional coordinator",
        organisation_name="Caribbean Sex Work Coalition",
    )
    text = "我们必须坐在谈判桌旁。"
    source = add_text_source(study, lead, text=text, kind="interview", language="zh-hans")
    evidence.source_update(actor=lead, source=source, participants=[person])
    code = evidence.code_create(actor=lead, study=study, name="Strategies")
    [coding] = evidence.coding_create(
        actor=lead, source=source, codes=[code], start=0, end=len(text)
    )
    return coding


@pytest.fixture
def case_study(study, team):
    case_study = actions.casestudy_create(
        actor=team["lead"], study=study, title="Women's movement", language="en"
    )
    actions.section_add(actor=team["lead"], case_study=case_study, key="intro", title="Intro")
    return case_study


def test_pages_open_for_the_team_and_not_for_outsiders(client_for, team, case_study, quoted):
    urls = [
        reverse("casestudies:detail", args=[case_study.slug]),
        reverse("casestudies:section_edit", args=[case_study.slug, "intro"]),
        reverse("casestudies:quotes", args=[case_study.slug]),
    ]
    for member in ("lead", "coder", "reader"):
        client = client_for(team[member])
        for url in urls:
            assert client.get(url).status_code == 200, (member, url)
    client = client_for(team["outsider"])
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.get(reverse("casestudies:list")).status_code == 200
    assert case_study.title not in client.get(reverse("casestudies:list")).content.decode()


def test_starting_a_case_study_uses_the_template(client_for, team, study):
    client = client_for(team["coder"])
    response = client.post(
        reverse("casestudies:list"),
        {"study": study.pk, "title": "Kazakhstan and CEDAW", "language": "ru"},
    )
    assert response.status_code == 302
    created = CaseStudy.objects.get(title="Kazakhstan and CEDAW")
    assert created.slug == "kazakhstan-and-cedaw"
    assert created.sections.count() >= 8
    assert created.sections.first().texts.get().language == "ru"
    reader = client_for(team["reader"])
    assert reader.post(reverse("casestudies:list"), {"study": study.pk}).status_code == 403


def test_a_researcher_places_a_quote_and_it_renders_attributed(
    client_for, team, case_study, quoted
):
    client = client_for(team["coder"])
    response = client.post(
        reverse("casestudies:quote_insert", args=[case_study.slug]),
        {"coding": quoted.pk, "section": "intro", "lang": "en"},
    )
    assert response.status_code == 302
    body = case_study.sections.get(key="intro").texts.get(language="en").body
    assert f"{{{{ quote {quoted.pk} }}}}" in body
    page = client.get(reverse("casestudies:detail", args=[case_study.slug]) + "?lang=en")
    html = page.content.decode()
    assert "我们必须坐在谈判桌旁。" in html
    # Before publication only leads see real names; a coder sees the pseudonym.
    assert "Miriam E." not in html
    assert "P1 (named at publication), regional coordinator, Caribbean Sex Work Coalition" in html
    assert "Quoted in the original language." in html
    lead_page = client_for(team["lead"]).get(
        reverse("casestudies:detail", args=[case_study.slug]) + "?lang=en"
    )
    assert "Miriam E., regional coordinator, Caribbean Sex Work Coalition" in (
        lead_page.content.decode()
    )


def test_quote_translation_is_used_in_that_language(client_for, team, case_study, quoted):
    client = client_for(team["coder"])
    client.post(
        reverse("casestudies:quote_translate", args=[case_study.slug]),
        {"coding": quoted.pk, "language": "en", "text": "We must sit at the table."},
    )
    assert QuoteTranslation.objects.get().text == "We must sit at the table."
    actions.section_text_save(
        actor=team["lead"],
        case_study=case_study,
        key="intro",
        language="en",
        title="Intro",
        body=f"{{{{ quote {quoted.pk} }}}}",
    )
    html = client.get(reverse("casestudies:detail", args=[case_study.slug]) + "?lang=en")
    assert "We must sit at the table." in html.content.decode()


def test_section_editing_reports_typos_and_keeps_history(client_for, team, case_study):
    client = client_for(team["coder"])
    url = reverse("casestudies:section_edit", args=[case_study.slug, "intro"]) + "?lang=en"
    response = client.post(
        url, {"title": "Intro", "body": "{{ figur members }}", "status": "translated"}
    )
    assert response.status_code == 200
    assert "Did you mean “figure”?" in response.content.decode()
    response = client.post(url, {"title": "Intro", "body": "Hello", "status": "translated"})
    assert response.status_code == 302
    client.post(url, {"title": "Intro", "body": "Hello again", "status": "reviewed"})
    page = client.get(url).content.decode()
    assert page.count("coder ·") >= 2


def test_a_reader_comments_but_cannot_edit(client_for, team, case_study):
    client = client_for(team["reader"])
    url = reverse("casestudies:section_edit", args=[case_study.slug, "intro"]) + "?lang=en"
    assert client.post(url, {"title": "X", "body": "Y", "status": "translated"}).status_code == 403
    client.post(
        reverse("casestudies:comment_add", args=[case_study.slug, "intro"]),
        {"text": "Cite the source here.", "lang": "en"},
    )
    assert Comment.objects.get().text == "Cite the source here."


def test_an_assigned_translator_edits_only_their_language(client_for, team, case_study):
    actions.assignment_set(
        actor=team["lead"],
        case_study=case_study,
        user=team["reader"],
        role="translator",
        language="fr",
    )
    client = client_for(team["reader"])
    base = reverse("casestudies:section_edit", args=[case_study.slug, "intro"])
    ok = client.post(
        base + "?lang=fr", {"title": "Intro", "body": "Bonjour", "status": "translated"}
    )
    assert ok.status_code == 302
    refused = client.post(
        base + "?lang=es", {"title": "Intro", "body": "Hola", "status": "translated"}
    )
    assert refused.status_code == 403


def test_the_gate_is_shown_with_fix_links_and_blocks_approval(client_for, team, case_study, quoted):
    consent = quoted.source.participants.get().consent
    consent.approval_required = True
    consent.save()
    actions.section_text_save(
        actor=team["lead"],
        case_study=case_study,
        key="intro",
        language="en",
        title="Intro",
        body=f"{{{{ quote {quoted.pk} }}}}",
    )
    client = client_for(team["lead"])
    page = client.get(reverse("casestudies:detail", args=[case_study.slug]) + "?lang=en")
    html = page.content.decode()
    assert "must approve this quote" in html and "/consent/" in html
    client.post(reverse("casestudies:transition", args=[case_study.slug, "approve"]))
    case_study.refresh_from_db()
    assert case_study.status == Status.DRAFT
    client.post(
        reverse("casestudies:quote_approve", args=[case_study.slug]),
        {"coding": quoted.pk, "approved_on": "2021-06-01"},
    )
    assert QuoteApproval.objects.filter(coding=quoted).exists()
    client.post(reverse("casestudies:transition", args=[case_study.slug, "approve"]))
    case_study.refresh_from_db()
    assert case_study.status == Status.APPROVED


def test_templates_are_listed_edited_and_chosen(client_for, team, study, users):
    client = client_for(team["coder"])
    page = client.get(reverse("casestudies:templates")).content.decode()
    assert "NSWP case study" in page
    response = client.post(
        reverse("casestudies:templates"),
        {
            "name": "Short brief",
            "sections": "summary | Summary | Résumé | | | 摘要\nasks | What we ask\n",
        },
    )
    assert response.status_code == 302
    from chorus.casestudies.models import Template

    brief = Template.objects.get(name="Short brief")
    assert brief.sections[0] == {
        "key": "summary",
        "titles": {"en": "Summary", "fr": "Résumé", "zh-hans": "摘要"},
    }
    bad = client.post(
        reverse("casestudies:template_edit", args=[brief.pk]),
        {"name": "Short brief", "sections": "no title here"},
    )
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()
    client.post(
        reverse("casestudies:list"),
        {"study": study.pk, "title": "Brief", "language": "fr", "template": brief.pk},
    )
    created = CaseStudy.objects.get(title="Brief")
    assert list(created.sections.values_list("key", flat=True)) == ["summary", "asks"]
    assert created.sections.first().texts.get().title == "Résumé"
    viewer = client_for(users["viewer"])
    refused = viewer.post(reverse("casestudies:templates"), {"name": "X", "sections": "a | A"})
    assert refused.status_code == 403


def test_a_section_too_long_is_refused_with_a_clear_error(client_for, team, case_study):
    from chorus.casestudies import elements

    client = client_for(team["coder"])
    url = reverse("casestudies:section_edit", args=[case_study.slug, "intro"]) + "?lang=en"
    body = "word " * (elements.MAX_SECTION_CHARACTERS // 5 + 10)
    response = client.post(url, {"title": "Intro", "body": body, "status": "translated"})
    assert response.status_code == 200
    assert "longer than" in response.content.decode()


def test_details_and_a_translated_title(client_for, team, case_study):
    client = client_for(team["coder"])
    url = reverse("casestudies:details", args=[case_study.slug])
    response = client.post(
        url + "?lang=en", {"title": "Engagement", "summary": "S", "authors": "NSWP"}
    )
    assert response.status_code == 302
    response = client.post(url + "?lang=fr", {"title": "Engagement (fr)", "summary": "Résumé"})
    assert response.status_code == 302
    case_study.refresh_from_db()
    assert (case_study.title, case_study.authors) == ("Engagement", "NSWP")
    assert (
        case_study.title_in("fr") == "Engagement (fr)" and case_study.title_in("es") == "Engagement"
    )
    page = client.get(reverse("casestudies:detail", args=[case_study.slug]) + "?lang=fr")
    assert "Engagement (fr)" in page.content.decode()
    reader = client_for(team["reader"])
    assert reader.post(url + "?lang=en", {"title": "X"}).status_code == 403


def test_a_published_case_study_is_public_and_a_draft_is_not(client, team, study, quoted):
    case_study = actions.casestudy_create(
        actor=team["lead"], study=study, title="Open letter", language="en"
    )
    actions.section_add(actor=team["lead"], case_study=case_study, key="voices", title="Voices")
    actions.section_text_save(
        actor=team["lead"],
        case_study=case_study,
        key="voices",
        language="en",
        title="Voices",
        body=f"{{{{ quote {quoted.pk} }}}}",
    )
    url = reverse("casestudies:public_detail", args=[case_study.slug, "en"])
    assert client.get(url).status_code == 404
    assert "Open letter" not in client.get(reverse("casestudies:public_list")).content.decode()
    actions.casestudy_approve(actor=team["lead"], case_study=case_study)
    actions.casestudy_publish(actor=team["lead"], case_study=case_study)
    from chorus.core.models import AccessEvent, AuditEvent

    before = (AuditEvent.objects.count(), AccessEvent.objects.count())
    response = client.get(url)
    assert response.status_code == 200
    # The public reads the copy frozen at publication: no secret read, nothing written.
    assert (AuditEvent.objects.count(), AccessEvent.objects.count()) == before
    page = response.content.decode()
    assert "我们必须坐在谈判桌旁。" in page and "Miriam E." in page and "<script" not in page
    policy = response["Content-Security-Policy"]
    assert "'sha256-" in policy and "unsafe-inline" not in policy
    assert "Open letter" in client.get(reverse("casestudies:public_list")).content.decode()
    # A withdrawal takes it off the public site at once.
    evidence.consent_withdraw(actor=team["lead"], participant=quoted.source.participants.get())
    assert client.get(url).status_code == 404
