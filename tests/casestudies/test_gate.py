"""The publication gate: every way a quote can break consent blocks approval and publication."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from chorus.casestudies import actions
from chorus.casestudies.models import Comment, QuoteApproval, Status
from chorus.casestudies.rendering import render_document
from chorus.core.models import AccessEvent
from chorus.evidence import actions as evidence
from chorus.evidence.models import QuoteMode
from tests.casestudies.conftest import make_speaker
from tests.evidence.conftest import add_text_source

QUOTE = "We were invited to the forum and we spoke for ourselves."
ANON = "The police did not protect us, said our coordinator."


def _quote(study, lead, participant, text):
    source = add_text_source(
        study, lead, text=text, title=f"Interview {participant.pseudonym}", kind="interview"
    )
    evidence.source_update(actor=lead, source=source, participants=[participant])
    code = study.codes.first() or evidence.code_create(actor=lead, study=study, name="Voice")
    [coding] = evidence.coding_create(
        actor=lead, source=source, codes=[code], start=0, end=len(text)
    )
    return coding


@pytest.fixture
def document(study, team):
    lead = team["lead"]
    named = make_speaker(study, lead, pseudonym="P1", mode=QuoteMode.NAMED, real_name="Kholi B.")
    coding = _quote(study, lead, named, QUOTE)
    case_study = actions.casestudy_create(
        actor=lead, study=study, title="Engagement", language="en"
    )
    actions.section_add(actor=lead, case_study=case_study, key="voices", title="Voices")
    actions.section_text_save(
        actor=lead,
        case_study=case_study,
        key="voices",
        language="en",
        title="Voices",
        body=f"We spoke with {{{{ figure interviews }}}}.\n\n{{{{ quote {coding.pk} }}}}",
    )
    case_study.coding = coding
    case_study.named = named
    return case_study


def _set_body(case_study, lead, body):
    actions.section_text_save(
        actor=lead,
        case_study=case_study,
        key="voices",
        language="en",
        title="Voices",
        body=body,
    )


def _kinds(user, case_study):
    return {problem.kind for problem in render_document(user, case_study, "en").problems}


def test_a_consented_named_quote_passes_with_its_attribution(document, team):
    rendered = render_document(team["lead"], document, "en")
    assert rendered.problems == []
    [quote] = rendered.quotes
    assert quote.attribution == "Kholi B., coordinator, Sisonke"
    assert QUOTE in rendered.sections[0].html
    assert "1 interview with 1 individual" in rendered.sections[0].html
    assert AccessEvent.objects.filter(data_class="secret", purpose="case study quotes").exists()
    actions.casestudy_approve(actor=team["lead"], case_study=document)
    actions.casestudy_publish(actor=team["lead"], case_study=document)
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED
    assert document.published_quotes.get().participant == document.named


def test_an_attribution_beyond_consent_is_blocked(document, team, study):
    lead = team["lead"]
    anonymous = make_speaker(study, lead, pseudonym="P2", mode=QuoteMode.ANONYMOUS)
    coding = _quote(study, lead, anonymous, ANON)
    _set_body(document, lead, f"{{{{ quote {coding.pk} as=named }}}}")
    rendered = render_document(lead, document, "en")
    assert {p.kind for p in rendered.problems} == {"attribution"}
    assert ANON not in rendered.sections[0].html  # withheld from the text itself
    assert rendered.problems[0].fix_url.endswith(f"/participants/{anonymous.pk}/consent/")
    with pytest.raises(ValidationError):
        actions.casestudy_approve(actor=lead, case_study=document)
    document.refresh_from_db()
    assert document.status == Status.DRAFT


def test_an_anonymous_quote_is_attributed_by_description_and_region(document, team, study):
    lead = team["lead"]
    anonymous = make_speaker(study, lead, pseudonym="P3", mode=QuoteMode.ANONYMOUS)
    coding = _quote(study, lead, anonymous, ANON)
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    [quote] = render_document(lead, document, "en").quotes
    assert quote.attribution == "a sex worker activist, Africa"
    [quote] = render_document(lead, document, "fr").quotes
    assert quote.attribution.endswith("Afrique")


def test_a_withdrawn_consent_is_blocked(document, team):
    evidence.consent_withdraw(actor=team["lead"], participant=document.named)
    # The withdrawal already removed the quote from the draft; put it back to test the gate.
    _set_body(document, team["lead"], f"{{{{ quote {document.coding.pk} }}}}")
    assert _kinds(team["lead"], document) == {"withdrawn"}


def test_a_speaker_who_refused_quotation_is_blocked(document, team, study):
    lead = team["lead"]
    refusing = make_speaker(study, lead, pseudonym="P4", mode=QuoteMode.NOT_QUOTED)
    coding = _quote(study, lead, refusing, ANON)
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"not_quotable"}


def test_approval_not_yet_given_is_blocked_until_recorded(document, team, study):
    lead = team["lead"]
    careful = make_speaker(
        study, lead, pseudonym="P5", mode=QuoteMode.NAMED, approval=True, real_name="Ana M."
    )
    coding = _quote(study, lead, careful, QUOTE + " Again.")
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"approval"}
    actions.quote_approval_record(actor=lead, coding=coding, approved_on=datetime.date(2021, 5, 1))
    assert _kinds(lead, document) == set()


def test_a_real_name_in_an_anonymous_quote_is_blocked(document, team, study):
    lead = team["lead"]
    anonymous = make_speaker(
        study, lead, pseudonym="P6", mode=QuoteMode.ANONYMOUS, real_name="Nataliya Z."
    )
    coding = _quote(study, lead, anonymous, "As Nataliya Z. told the committee, we were heard.")
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"real_name"}
    # A name on the study's name list counts too, also in Chinese text.
    evidence.pseudonym_create(actor=lead, study=study, kind="person", real="王芳", replacement="A.")
    chinese = _quote(study, lead, anonymous, "王芳说我们终于被听见了。")
    _set_body(document, lead, f"{{{{ quote {chinese.pk} }}}}")
    assert _kinds(lead, document) == {"real_name"}


def test_a_quote_from_a_study_the_author_cannot_see_is_blocked(document, team):
    outsider = team["outsider"]
    other = evidence.study_create(actor=outsider, title="Other study", languages=["en"])
    foreign_speaker = make_speaker(
        other, outsider, pseudonym="X1", mode=QuoteMode.NAMED, real_name="Secret Person"
    )
    coding = _quote(other, outsider, foreign_speaker, "Words from elsewhere.")
    _set_body(document, team["lead"], f"{{{{ quote {coding.pk} }}}}")
    rendered = render_document(team["lead"], document, "en")
    assert {p.kind for p in rendered.problems} == {"not_visible"}
    assert "Words from elsewhere" not in rendered.sections[0].html
    assert "Secret Person" not in rendered.sections[0].html


@pytest.mark.parametrize(
    "body",
    [
        "{{ qoute 1 }}",
        "{{ quote 999999 }}",
        "{{ figure no_such_figure }}",
        "{{ include nowhere }}",
        "{{ quote }}",
    ],
)
def test_unresolved_elements_are_blocked(document, team, body):
    if body.startswith("{{ qoute") or body == "{{ quote }}":
        with pytest.raises(ValidationError) as error:
            _set_body(document, team["lead"], body)
        assert "qoute" in str(error.value) or "exactly one" in str(error.value)
        return
    _set_body(document, team["lead"], body)
    assert _kinds(team["lead"], document) == {"unresolved"}


def test_a_typo_suggests_the_element_meant(document, team):
    with pytest.raises(ValidationError) as error:
        _set_body(document, team["lead"], "{{ qoute 3 }}")
    assert "Did you mean “quote”?" in str(error.value)


def test_a_deleted_segment_is_reported(document, team):
    document.coding.delete()
    assert _kinds(team["lead"], document) == {"unresolved"}


def test_circular_includes_are_reported_not_followed(document, team):
    lead = team["lead"]
    actions.section_add(actor=lead, case_study=document, key="a", title="A")
    actions.section_add(actor=lead, case_study=document, key="b", title="B")
    for key, other in (("a", "b"), ("b", "a")):
        actions.section_text_save(
            actor=lead,
            case_study=document,
            key=key,
            language="en",
            title=key,
            body=f"Text {{{{ include {other} }}}}",
        )
    problems = render_document(lead, document, "en").problems
    assert problems and all(p.kind == "unresolved" for p in problems)
    assert any("circle" in p.message for p in problems)


def test_raw_html_and_scripts_never_reach_the_output(document, team):
    _set_body(
        document,
        team["lead"],
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
        "**bold** [^1]\n\n[^1]: A note.",
    )
    html = render_document(team["lead"], document, "en").sections[0].html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "<strong>bold</strong>" in html
    assert "A note." in html


def test_withdrawal_removes_quotes_from_drafts_and_flags_published(document, team, study):
    lead = team["lead"]
    published = actions.casestudy_create(
        actor=lead, study=study, title="Published one", language="en"
    )
    actions.section_add(actor=lead, case_study=published, key="voices", title="Voices")
    _set_body(published, lead, f"{{{{ quote {document.coding.pk} }}}}")
    actions.casestudy_approve(actor=lead, case_study=published)
    actions.casestudy_publish(actor=lead, case_study=published)

    evidence.consent_withdraw(actor=lead, participant=document.named)

    draft_text = document.sections.get(key="voices").texts.get(language="en")
    assert f"quote {document.coding.pk}" not in draft_text.body
    assert "We spoke with" in draft_text.body
    assert Comment.objects.filter(section__case_study=document).exists()
    assert draft_text.revisions.count() >= 2
    published.refresh_from_db()
    assert published.withdrawal_flag
    assert f"quote {document.coding.pk}" in published.sections.get().texts.get().body


def test_a_fallback_section_is_marked(document, team):
    rendered = render_document(team["lead"], document, "ru")
    assert rendered.sections[0].is_fallback and rendered.sections[0].language == "en"


def test_a_harmful_term_is_flagged_in_the_authors_words(document, team):
    _set_body(document, team["lead"], "Laws against prostitutes harm everyone.")
    warnings = render_document(team["lead"], document, "en").warnings
    assert [w.kind for w in warnings] == ["glossary"]


def test_only_the_lead_approves(document, team):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.casestudy_approve(actor=team["coder"], case_study=document)


def test_a_title_without_latin_letters_gets_a_numbered_short_name(study, team):
    first = actions.casestudy_create(
        actor=team["lead"], study=study, title="性工作者主导组织", language="zh-hans"
    )
    second = actions.casestudy_create(
        actor=team["lead"], study=study, title="Движение", language="ru"
    )
    third = actions.casestudy_create(
        actor=team["lead"], study=study, title="性工作者", language="zh-hans"
    )
    assert first.slug == "case-study"
    assert second.slug == "dvizhenie" or second.slug.startswith("case-study")
    assert third.slug.startswith("case-study-")
    with pytest.raises(ValidationError):
        actions.casestudy_create(
            actor=team["lead"], study=study, title="X", language="en", slug=third.slug
        )


def test_a_named_speaker_cannot_carry_someone_elses_name_into_print(document, team, study):
    """A named quote is still checked against the name list and the other participants."""
    lead = team["lead"]
    evidence.pseudonym_create(
        actor=lead, study=study, kind="person", real="Bob Secret", replacement="B."
    )
    named = document.named
    coding = _quote(study, lead, named, "My colleague Bob Secret was arrested.")
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"real_name"}
    make_speaker(study, lead, pseudonym="P9", mode=QuoteMode.ANONYMOUS, real_name="Lena Hidden")
    other = _quote(study, lead, named, "Lena Hidden came with us to the forum.")
    _set_body(document, lead, f"{{{{ quote {other.pk} }}}}")
    assert _kinds(lead, document) == {"real_name"}


def test_a_quote_from_another_study_is_blocked(document, team):
    lead = team["lead"]
    other = evidence.study_create(actor=lead, title="Another study", languages=["en"])
    speaker = make_speaker(other, lead, pseudonym="Z1", mode=QuoteMode.NAMED, real_name="Z Z")
    coding = _quote(other, lead, speaker, "Said in another study.")
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"other_study"}


def test_an_unlisted_organisation_is_never_named_in_an_attribution(
    document, team, study, countries
):
    from tests.conftest import make_organisation

    lead = team["lead"]
    hidden = make_organisation("Quiet Collective", countries["KE"], listed=False)
    speaker = make_speaker(study, lead, pseudonym="P8", mode=QuoteMode.ORGANISATION)
    evidence.participant_update(actor=lead, participant=speaker, organisation=hidden)
    coding = _quote(study, lead, speaker, "We met the ministry twice.")
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    assert _kinds(lead, document) == {"unlisted"}
    _set_body(document, lead, f"{{{{ quote {coding.pk} as=anonymous }}}}")
    assert _kinds(lead, document) == set()


def _publish(case_study, lead):
    actions.casestudy_approve(actor=lead, case_study=case_study)
    actions.casestudy_publish(actor=lead, case_study=case_study)
    case_study.refresh_from_db()


def test_a_narrowed_consent_takes_the_published_copy_down(document, team):
    lead = team["lead"]
    _publish(document, lead)
    assert document.published_copies.count() == 1
    evidence.consent_record(
        actor=lead,
        participant=document.named,
        recorded=True,
        quote_mode=QuoteMode.ANONYMOUS,
        approval_required=False,
        given_on=datetime.date(2021, 1, 1),
    )
    document.refresh_from_db()
    assert document.withdrawal_flag and document.published_copies.count() == 0
    # Re-rendered, the quote now carries the anonymous attribution the new consent allows.
    [quote] = render_document(lead, document, "en").quotes
    assert "Kholi" not in quote.attribution


def test_changing_a_quoted_span_voids_the_speakers_approval(document, team, study):
    lead = team["lead"]
    careful = make_speaker(
        study, lead, pseudonym="P7", mode=QuoteMode.NAMED, approval=True, real_name="Ana R."
    )
    coding = _quote(study, lead, careful, "We agree to this. Never print the rest.")
    evidence.coding_update(actor=lead, coding=coding, start=0, end=len("We agree to this."))
    actions.quote_approval_record(actor=lead, coding=coding, approved_on=datetime.date(2021, 5, 1))
    _set_body(document, lead, f"{{{{ quote {coding.pk} }}}}")
    actions.casestudy_approve(actor=lead, case_study=document)
    evidence.coding_update(actor=lead, coding=coding, start=0, end=len(coding.source.text))
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    assert _kinds(lead, document) == {"approval"}


def test_editing_a_quote_translation_sends_an_approved_document_back_to_review(document, team):
    lead = team["lead"]
    actions.casestudy_approve(actor=lead, case_study=document)
    actions.quote_translation_save(
        actor=lead, coding=document.coding, language="fr", text="Nous avons parlé."
    )
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW


def test_published_figures_count_only_what_the_public_may_see(study, team, countries):
    from chorus.casestudies.exports import export
    from chorus.network import actions as network_actions
    from chorus.network.models import OrganisationKind
    from tests.conftest import make_organisation

    lead = team["lead"]
    network = make_organisation(
        "Global Network", countries["KE"], kind=OrganisationKind.GLOBAL_NETWORK, acronym="GN"
    )
    hidden = make_organisation("Quiet Collective", countries["KE"], listed=False)
    network_actions.membership_record(
        actor=None, organisation=hidden, network=network, tier="associate", status="member"
    )
    case_study = actions.casestudy_create(actor=lead, study=study, title="Size", language="en")
    actions.section_add(actor=lead, case_study=case_study, key="size", title="Size")
    actions.section_text_save(
        actor=lead,
        case_study=case_study,
        key="size",
        language="en",
        title="Size",
        body="The network: {{ figure members }}.",
    )
    internal = render_document(None, case_study, "en").sections[0].html
    public = render_document(None, case_study, "en", public=True).sections[0].html
    assert "1 organisation" in internal and "0 organisations" in public
    _publish(case_study, lead)
    assert "0 organisations" in case_study.published_copies.get().html
    assert b"0 organisations" in export(lead, case_study, "en", "md")


def test_control_characters_pasted_from_a_pdf_do_not_break_the_docx(document, team):
    from chorus.casestudies.exports import export

    _set_body(document, team["lead"], "Page one\x0cPage two\x00 end.")
    text = document.sections.get().texts.get().body
    assert text == "Page onePage two end."
    assert export(team["lead"], document, "en", "docx", draft=True).startswith(b"PK")


def test_merging_codes_keeps_quotes_approvals_and_memos_of_duplicate_codings(document, team, study):
    """Merging two codes with identical codings keeps what hung on the duplicate."""
    lead = team["lead"]
    coding = document.coding
    duplicate_code = evidence.code_create(actor=lead, study=study, name="Voice again")
    [duplicate] = evidence.coding_create(
        actor=lead,
        source=coding.source,
        codes=[duplicate_code],
        start=coding.start,
        end=coding.end,
    )
    evidence.memo_create(actor=lead, study=study, coding=duplicate, text="On the duplicate")
    actions.quote_approval_record(
        actor=lead, coding=duplicate, approved_on=datetime.date(2021, 2, 1)
    )
    _set_body(document, lead, f"{{{{ quote {duplicate.pk} as=anonymous }}}}")
    evidence.code_merge(actor=lead, code=duplicate_code, into=coding.code)
    body = document.sections.get().texts.get().body
    assert body == f"{{{{ quote {coding.pk} as=anonymous }}}}"
    assert coding.memos.get().text == "On the duplicate"
    assert QuoteApproval.objects.filter(coding=coding).exists()
    assert _kinds(lead, document) == set()
