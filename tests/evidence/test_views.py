"""The evidence pages: every page for each team role, coding with and without script, uploads."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.core.models import AccessEvent
from chorus.evidence import actions
from chorus.evidence.models import Coding, Consent, QuoteMode, Source, Study

PAGES = [
    ("evidence:study_detail", {}),
    ("evidence:source_list", {}),
    ("evidence:participant_list", {}),
    ("evidence:codebook", {}),
    ("evidence:search", {}),
    ("evidence:memo_list", {}),
    ("evidence:analysis", {}),
    ("evidence:agreement", {}),
    ("evidence:exchange", {}),
]


@pytest.fixture
def coded(study, team, source):
    code = actions.code_create(
        actor=team["lead"], study=study, name="Coalitions", translations={"zh-hans": "联盟"}
    )
    actions.coding_create(actor=team["coder"], source=source, codes=[code], start=0, end=10)
    return code


@pytest.mark.parametrize(("name", "extra"), PAGES)
def test_team_pages_open_for_members_and_are_absent_for_outsiders(
    client_for, team, study, coded, name, extra
):
    url = reverse(name, kwargs={"study": study.pk, **extra})
    for member in ("lead", "coder", "reader"):
        assert client_for(team[member]).get(url).status_code == 200, (member, url)
    assert client_for(team["outsider"]).get(url).status_code == 404


def test_object_pages_are_absent_for_outsiders(client_for, team, study, source, coded):
    client = client_for(team["outsider"])
    coding = Coding.objects.get()
    urls = [
        reverse("evidence:source_detail", args=[study.pk, source.pk]),
        reverse("evidence:code_detail", args=[study.pk, coded.pk]),
        reverse("evidence:code_export", args=[study.pk, coded.pk, "csv"]),
        reverse("evidence:coding_edit", args=[study.pk, coding.pk]),
        reverse("evidence:suggestions", args=[study.pk, coded.pk]),
        reverse("evidence:exchange_export", args=[study.pk, "project.qdpx"]),
        reverse("evidence:codes_css", args=[study.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("evidence:coding_delete", args=[study.pk, coding.pk])).status_code
        == 404
    )
    assert Coding.objects.count() == 1


def test_a_source_of_another_study_is_not_reached_through_this_one(client_for, team, study, source):
    other = actions.study_create(actor=team["outsider"], title="Other", languages=["en"])
    url = reverse("evidence:source_detail", args=[other.pk, source.pk])
    assert client_for(team["outsider"]).get(url).status_code == 404


def test_a_reader_cannot_code_or_import(client_for, team, study, source, coded):
    client = client_for(team["reader"])
    response = client.post(
        reverse("evidence:source_detail", args=[study.pk, source.pk]),
        {"codes": [coded.pk], "start": 0, "end": 5},
    )
    assert response.status_code == 403
    assert client.get(reverse("evidence:source_import", args=[study.pk])).status_code == 403
    assert Coding.objects.count() == 1


def test_coding_with_the_selection_offsets(client_for, team, study, source, coded):
    """The selection script fills start and end; the coding lands on exactly that span."""
    client = client_for(team["coder"])
    start = source.text.index("性工作者")
    response = client.post(
        reverse("evidence:source_detail", args=[study.pk, source.pk]),
        {"codes": [coded.pk], "start": start, "end": start + 4},
    )
    assert response.status_code == 302
    coding = Coding.objects.get(start=start)
    assert source.text[coding.start : coding.end] == "性工作者"
    assert coding.coder == team["coder"]


def test_coding_without_script_by_paragraph_and_words(client_for, team, study, source, coded):
    """Without JavaScript a coder names the paragraph and pastes the words."""
    client = client_for(team["coder"])
    url = reverse("evidence:source_detail", args=[study.pk, source.pk])
    response = client.post(url, {"codes": [coded.pk], "paragraph": 2, "words": "потом пригласили"})
    assert response.status_code == 302
    coding = Coding.objects.order_by("-pk").first()
    assert source.text[coding.start : coding.end] == "потом пригласили"
    response = client.post(url, {"codes": [coded.pk], "paragraph": 4, "words": ""})
    coding = Coding.objects.order_by("-pk").first()
    assert source.text[coding.start : coding.end].startswith("Les travailleuses")
    response = client.post(url, {"codes": [coded.pk], "paragraph": 2, "words": "absent words"})
    assert response.status_code == 200
    assert "not in that paragraph" in response.content.decode()


def test_the_coding_page_shows_marks_and_margin_codes_and_escapes_html(
    client_for, team, study, coded
):
    from tests.evidence.conftest import add_text_source

    source = add_text_source(study, team["lead"], text="<script>alert(1)</script> is text\n\nok")
    actions.coding_create(actor=team["lead"], source=source, codes=[coded], start=0, end=8)
    page = (
        client_for(team["reader"])
        .get(reverse("evidence:source_detail", args=[study.pk, source.pk]))
        .content.decode()
    )
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert f"code-{coded.pk}" in page and "Coalitions" in page
    assert 'data-s="0"' in page


def test_code_names_follow_the_reader_language(client_for, team, study, source, coded):
    client = client_for(team["reader"])
    url = reverse("evidence:codebook", args=[study.pk]).replace("/en/", "/zh-hans/")
    assert "联盟" in client.get(url).content.decode()


def test_reading_a_source_is_logged(client_for, team, study, source):
    client_for(team["reader"]).get(reverse("evidence:source_detail", args=[study.pk, source.pk]))
    assert AccessEvent.objects.filter(
        object_type="evidence.source", object_id=str(source.pk), data_class="confidential"
    ).exists()


def test_upload_of_several_files_reports_each(client_for, team, study):
    client = client_for(team["coder"])
    files = [
        SimpleUploadedFile("one.txt", "Первое интервью.".encode()),
        SimpleUploadedFile("two.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hola\n"),
        SimpleUploadedFile("bad.pdf", b"%PDF-broken"),
    ]
    response = client.post(
        reverse("evidence:source_import", args=[study.pk]),
        {"files": files, "kind": "interview", "language": "ru"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "one.txt" in page and "bad.pdf" in page
    assert set(Source.objects.values_list("title", flat=True)) == {"one", "two"}
    vtt = Source.objects.get(title="two")
    cue = vtt.cues.get()
    assert cue.speaker == "Ana" and cue.start_ms == 1000


def test_oversized_upload_is_refused_before_reading(client_for, team, study, settings):
    from chorus.evidence import views

    client = client_for(team["coder"])
    original = views.UPLOAD_MAX_BYTES
    views.UPLOAD_MAX_BYTES = 100
    try:
        response = client.post(
            reverse("evidence:source_import", args=[study.pk]),
            {"files": [SimpleUploadedFile("big.txt", b"x" * 1000)], "kind": "document"},
        )
    finally:
        views.UPLOAD_MAX_BYTES = original
    assert response.status_code == 413
    assert not Source.objects.exists()


def test_a_large_upload_is_imported_through_the_workers_in_order(client_for, team, study):
    """Eight files or more go through the worker processes; the report keeps the files' order."""
    from chorus.core import ahead
    from chorus.evidence import search

    assert ahead.worker_count() > 0
    names = [f"{n:02d}.txt" for n in range(9)]
    files = [
        SimpleUploadedFile(name, f"Интервью {n}: форум и коалиция номер{n}.".encode())
        for n, name in enumerate(names)
    ]
    files.insert(4, SimpleUploadedFile("broken.docx", b"PK\x03\x04 not a document"))
    response = client_for(team["coder"]).post(
        reverse("evidence:source_import", args=[study.pk]),
        {"files": files, "kind": "interview", "language": "ru"},
    )
    assert response.status_code == 200  # the report, since one file was refused
    page = response.content.decode()
    positions = [page.index(name) for name in [*names[:4], "broken.docx", *names[4:]]]
    assert positions == sorted(positions)
    assert Source.objects.count() == 9
    assert ahead._POOL is not None  # the worker processes were started and used
    assert search.search_study(study, "номер7").total == 1
    assert search.search_study(study, "коалиция").total == 9


def test_too_many_files_at_once_are_refused_with_the_limit(client_for, team, study, settings):
    """More files than one upload may hold: a page that gives the limit, and nothing imported."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client = client_for(team["coder"])
    url = reverse("evidence:source_import", args=[study.pk])

    def files(count):
        return [SimpleUploadedFile(f"{n}.txt", f"Interview {n}.".encode()) for n in range(count)]

    response = client.post(url, {"files": files(4), "kind": "interview", "language": "en"})
    assert response.status_code == 413
    assert "at most 3 files" in response.content.decode()
    assert not Source.objects.exists()
    # The form says so beforehand, and three files go through.
    assert "up to 3 files" in client.get(url).content.decode()
    response = client.post(url, {"files": files(3), "kind": "interview", "language": "en"})
    assert response.status_code == 302
    assert Source.objects.count() == 3


def test_participant_identity_is_for_the_lead_and_logged(client_for, team, study):
    participant = actions.participant_create(
        actor=team["lead"], study=study, pseudonym="P01", real_name="Real Name"
    )
    url = reverse("evidence:participant_edit", args=[study.pk, participant.pk])
    assert client_for(team["coder"]).get(url).status_code == 403
    listing = client_for(team["coder"]).get(reverse("evidence:participant_list", args=[study.pk]))
    assert "Real Name" not in listing.content.decode()
    page = client_for(team["lead"]).get(url)
    assert "Real Name" in page.content.decode()
    assert AccessEvent.objects.filter(data_class="secret", object_id=str(participant.pk)).exists()


def test_consent_form_and_withdrawal(client_for, team, study):
    participant = actions.participant_create(actor=team["lead"], study=study, pseudonym="P02")
    client = client_for(team["lead"])
    url = reverse("evidence:consent", args=[study.pk, participant.pk])
    response = client.post(
        url,
        {
            "given_on": "2021-03-01",
            "recorded": "on",
            "quote_mode": QuoteMode.ORGANISATION,
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.quote_mode == QuoteMode.ORGANISATION and not consent.approval_required
    client.post(url, {"withdraw": "1"})
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date.today()


def test_search_page_finds_chinese_and_russian(client_for, team, study, source):
    client = client_for(team["reader"])
    url = reverse("evidence:search", args=[study.pk])
    page = client.get(url, {"q": "工作"}).content.decode()
    assert "<mark>工作</mark>" in page and "Interview 1" in page
    page = client.get(url, {"q": "форум"}).content.decode()
    assert "<mark>форум</mark>" in page
    page = client.get(url, {"q": "nowhere-to-be-found"}).content.decode()
    assert "0 passages found" in page


def test_codebook_create_edit_and_merge_pages(client_for, team, study, coded):
    client = client_for(team["coder"])
    response = client.post(
        reverse("evidence:codebook", args=[study.pk]),
        {"name": "Stigma", "colour": "#aa0000", "name_zh-hans": "污名", "parent": coded.pk},
    )
    assert response.status_code == 302
    stigma = study.codes.get(name="Stigma")
    assert stigma.parent == coded and stigma.translations == {"zh-hans": "污名"}
    css = client.get(reverse("evidence:codes_css", args=[study.pk])).content.decode()
    assert f".code-{stigma.pk}{{--code-colour:#aa0000}}" in css
    response = client.post(
        reverse("evidence:codebook", args=[study.pk]), {"name": "Bad", "colour": "red"}
    )
    assert response.status_code == 200 and not study.codes.filter(name="Bad").exists()
    client.post(reverse("evidence:code_merge", args=[study.pk, stigma.pk]), {"into": coded.pk})
    assert not study.codes.filter(name="Stigma").exists()


def test_retrieval_page_and_exports(client_for, team, study, source, coded):
    client = client_for(team["reader"])
    page = client.get(reverse("evidence:code_detail", args=[study.pk, coded.pk])).content.decode()
    assert source.text[0:10] in page
    for fmt in ("csv", "xlsx", "docx"):
        response = client.get(reverse("evidence:code_export", args=[study.pk, coded.pk, fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
    csv_text = client.get(
        reverse("evidence:code_export", args=[study.pk, coded.pk, "csv"])
    ).content.decode("utf-8-sig")
    assert source.text[0:10] in csv_text
    original = client.get(
        reverse("evidence:code_export", args=[study.pk, coded.pk, "csv"]), {"names": "original"}
    )
    assert original.status_code == 403


def test_memo_on_a_source(client_for, team, study, source):
    client = client_for(team["coder"])
    response = client.post(
        reverse("evidence:memo_list", args=[study.pk]),
        {"source": source.pk, "text": "Pattern across interviews", "next": "/en/evidence/"},
    )
    assert response.status_code == 302
    assert source.memos.get().text == "Pattern across interviews"
    response = client.post(
        reverse("evidence:memo_list", args=[study.pk]),
        {"source": source.pk, "text": "x", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == reverse("evidence:memo_list", args=[study.pk])


def test_each_memo_form_names_its_subject_and_comes_back(client_for, team, study, source, coded):
    """The source, code and coding pages carry a memo form for that very thing."""
    import re

    client = client_for(team["coder"])
    coding = Coding.objects.get()
    pages = {
        "source": (reverse("evidence:source_detail", args=[study.pk, source.pk]), source.pk),
        "code": (reverse("evidence:code_detail", args=[study.pk, coded.pk]), coded.pk),
        "coding": (reverse("evidence:coding_edit", args=[study.pk, coding.pk]), coding.pk),
    }
    for target, (url, pk) in pages.items():
        html = client.get(url).content.decode()
        assert f'name="{target}" value="{pk}"' in html, target
        back = re.search(r'name="next" value="([^"]+)"', html.split(f'name="{target}"')[1])[1]
        response = client.post(
            reverse("evidence:memo_list", args=[study.pk]),
            {target: pk, "text": f"On the {target}", "next": back},
        )
        assert response["Location"] == back
    # The coding page's memo fields have ids of their own beside the coding form's.
    coding_page = client.get(pages["coding"][0]).content.decode()
    assert 'id="id_memo_text"' in coding_page
    assert source.memos.get().text == "On the source"
    assert coded.memos.get().text == "On the code"
    assert coding.memos.get().text == "On the coding"


def test_study_creation_page(client_for, users):
    client = client_for(users["researcher"])
    response = client.post(
        reverse("evidence:study_list"), {"title": "New", "languages": ["zh-hans", "en"]}
    )
    assert response.status_code == 302
    study = Study.objects.get(title="New")
    assert study.languages == ["en", "zh-hans"] or study.languages == ["zh-hans", "en"]
    viewer = client_for(users["viewer"])
    assert viewer.post(reverse("evidence:study_list"), {"title": "No"}).status_code == 403


def test_original_file_download_is_for_leads(client_for, team, study):
    source = actions.source_import_file(
        actor=team["lead"], study=study, filename="a.txt", data=b"texte"
    )
    url = reverse("evidence:source_original", args=[study.pk, source.pk])
    assert client_for(team["coder"]).get(url).status_code == 403
    response = client_for(team["lead"]).get(url)
    assert response.status_code == 200 and response.content == b"texte"
    assert io.BytesIO(response.content).read() == b"texte"


def test_an_empty_codebook_starts_from_the_template(client_for, team, study):
    client = client_for(team["coder"])
    url = reverse("evidence:codebook_template", args=[study.pk])
    assert client.post(url).status_code == 302
    count = study.codes.count()
    assert count > 20
    assert study.codes.filter(parent__isnull=True).count() >= 4
    client.post(url)  # a second time adds nothing
    assert study.codes.count() == count
    assert client_for(team["reader"]).post(url).status_code == 403


def test_segments_without_quoting_consent_are_marked(client_for, team, study, source, coded):
    participant = actions.participant_create(actor=team["lead"], study=study, pseudonym="P09")
    actions.consent_record(
        actor=team["lead"],
        participant=participant,
        recorded=False,
        quote_mode=QuoteMode.NOT_QUOTED,
        approval_required=True,
        given_on=datetime.date(2021, 1, 1),
    )
    actions.source_update(actor=team["lead"], source=source, participants=[participant])
    page = client_for(team["reader"]).get(
        reverse("evidence:code_detail", args=[study.pk, coded.pk])
    )
    assert "not to be quoted" in page.content.decode()


def test_a_coder_can_hide_the_others_codings(client_for, team, study, source, coded):
    """Blind coding: with mine=1 the page shows only the reader's own codings."""
    actions.coding_create(actor=team["lead"], source=source, codes=[coded], start=20, end=30)
    url = reverse("evidence:source_detail", args=[study.pk, source.pk])
    client = client_for(team["coder"])
    everyone = client.get(url).content.decode()
    mine = client.get(url, {"mine": "1"}).content.decode()
    assert everyone.count('class="coder"') == 2
    assert mine.count('class="coder"') == 1 and ">coder<" in mine
    response = client.post(url + "?mine=1", {"codes": [coded.pk], "start": 40, "end": 45})
    assert response["Location"].endswith("?mine=1#p2") or "?mine=1#p" in response["Location"]


def test_exports_replace_a_participants_own_name_by_their_pseudonym(client_for, team, study):
    """A participant who names themselves in the transcript is exported under their pseudonym."""
    from tests.evidence.conftest import add_text_source

    person = actions.participant_create(
        actor=team["lead"], study=study, pseudonym="P12", real_name="Maria Lopez"
    )
    source = add_text_source(study, team["lead"], text="I am Maria Lopez and I organise.")
    actions.source_update(actor=team["lead"], source=source, participants=[person])
    code = actions.code_create(actor=team["lead"], study=study, name="Self")
    actions.coding_create(actor=team["lead"], source=source, codes=[code], start=0, end=20)
    csv_text = (
        client_for(team["reader"])
        .get(reverse("evidence:code_export", args=[study.pk, code.pk, "csv"]))
        .content.decode("utf-8-sig")
    )
    assert "Maria Lopez" not in csv_text and "P12" in csv_text


def test_pages_showing_transcript_text_log_the_read(client_for, team, study, source, coded):
    """Search, segments, exports and agreement each leave one confidential access event."""
    client = client_for(team["reader"])
    pages = [
        (reverse("evidence:search", args=[study.pk]), {"q": "工作"}),
        (reverse("evidence:code_detail", args=[study.pk, coded.pk]), {}),
        (reverse("evidence:code_export", args=[study.pk, coded.pk, "csv"]), {}),
        (reverse("evidence:exchange_export", args=[study.pk, "project.qdpx"]), {}),
    ]
    for url, params in pages:
        before = AccessEvent.objects.filter(data_class="confidential").count()
        assert client.get(url, params).status_code == 200
        assert AccessEvent.objects.filter(data_class="confidential").count() == before + 1, url
