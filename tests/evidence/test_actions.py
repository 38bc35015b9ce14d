"""The evidence workspace's writes: team roles, consent, codebook operations, coding rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from chorus.core.models import AuditEvent
from chorus.evidence import actions, queries
from chorus.evidence.models import Code, Coding, QuoteMode, Source, StudyRole, Suggestion
from tests.evidence.conftest import add_text_source


def test_only_researchers_and_the_secretariat_start_studies(users):
    """A viewer or member editor cannot create a study; a researcher becomes its lead."""
    with pytest.raises(PermissionDenied):
        actions.study_create(actor=users["viewer"], title="X", languages=["en"])
    study = actions.study_create(actor=users["researcher"], title="X", languages=["fr", "en"])
    assert study.main_language == "fr"
    assert study.members.get().role == StudyRole.LEAD


def test_unknown_language_is_refused(users):
    with pytest.raises(ValidationError):
        actions.study_create(actor=users["researcher"], title="X", languages=["de"])


def test_a_researcher_sees_only_studies_they_are_on(study, team, users):
    """The outsider sees no study and gets 'not found' for it; the secretariat sees all."""
    assert list(queries.studies_for(team["outsider"])) == []
    with pytest.raises(Http404):
        queries.study_for(team["outsider"], study.pk)
    assert queries.study_for(users["secretariat"], study.pk) == study
    assert queries.study_for(team["reader"], study.pk) == study


def test_a_study_keeps_at_least_one_lead(study, team):
    with pytest.raises(ValidationError):
        actions.member_set(actor=team["lead"], study=study, user=team["lead"], role="coder")
    assert study.members.get(user=team["lead"]).role == StudyRole.LEAD


def test_readers_cannot_code_and_coders_cannot_manage_the_team(study, team, source):
    code = actions.code_create(actor=team["coder"], study=study, name="Stigma")
    with pytest.raises(PermissionDenied):
        actions.coding_create(actor=team["reader"], source=source, codes=[code], start=0, end=5)
    with pytest.raises(PermissionDenied):
        actions.member_set(actor=team["coder"], study=study, user=team["outsider"], role="coder")
    with pytest.raises(Http404):
        actions.coding_create(actor=team["outsider"], source=source, codes=[code], start=0, end=5)
    assert Coding.objects.count() == 0


def test_coding_records_its_coder_and_refuses_spans_outside_the_text(study, team, source):
    code = actions.code_create(actor=team["coder"], study=study, name="Coalitions")
    [coding] = actions.coding_create(
        actor=team["coder"], source=source, codes=[code], start=3, end=9
    )
    assert coding.coder == team["coder"]
    again = actions.coding_create(actor=team["coder"], source=source, codes=[code], start=3, end=9)
    assert again == []
    for start, end in [(5, 5), (-1, 3), (0, source.length + 1)]:
        with pytest.raises(ValidationError):
            actions.coding_create(
                actor=team["coder"], source=source, codes=[code], start=start, end=end
            )
    assert Coding.objects.count() == 1


def test_two_coders_code_the_same_span_independently(study, team, source):
    code = actions.code_create(actor=team["lead"], study=study, name="Stigma")
    actions.coding_create(actor=team["lead"], source=source, codes=[code], start=0, end=10)
    actions.coding_create(actor=team["coder"], source=source, codes=[code], start=0, end=10)
    assert {c.coder.username for c in Coding.objects.all()} == {"lead", "coder"}


def test_a_coder_changes_only_their_own_codings_and_a_lead_any(study, team, source):
    code = actions.code_create(actor=team["lead"], study=study, name="Stigma")
    [mine] = actions.coding_create(actor=team["lead"], source=source, codes=[code], start=0, end=4)
    with pytest.raises(PermissionDenied):
        actions.coding_delete(actor=team["coder"], coding=mine)
    [theirs] = actions.coding_create(
        actor=team["coder"], source=source, codes=[code], start=5, end=9
    )
    actions.coding_update(actor=team["lead"], coding=theirs, start=5, end=12)
    theirs.refresh_from_db()
    assert (theirs.start, theirs.end) == (5, 12)


def test_codes_move_but_never_under_themselves(study, team):
    parent = actions.code_create(actor=team["lead"], study=study, name="Barriers")
    child = actions.code_create(actor=team["lead"], study=study, name="Stigma", parent=parent)
    with pytest.raises(ValidationError):
        actions.code_move(actor=team["lead"], code=parent, parent=child)
    actions.code_move(actor=team["lead"], code=child, parent=None)
    child.refresh_from_db()
    assert child.parent is None


def test_merge_moves_codings_children_and_memos_and_collapses_duplicates(study, team, source):
    a = actions.code_create(actor=team["lead"], study=study, name="Stigma")
    b = actions.code_create(actor=team["lead"], study=study, name="Stereotypes")
    child = actions.code_create(actor=team["lead"], study=study, name="Victim", parent=b)
    actions.coding_create(actor=team["lead"], source=source, codes=[a, b], start=0, end=10)
    actions.coding_create(actor=team["lead"], source=source, codes=[b], start=20, end=30)
    actions.memo_create(actor=team["lead"], study=study, code=b, text="Close to stigma")
    actions.code_merge(actor=team["lead"], code=b, into=a)
    assert not Code.objects.filter(pk=b.pk).exists()
    assert sorted(a.codings.values_list("start", flat=True)) == [0, 20]
    child.refresh_from_db()
    assert child.parent == a
    assert a.memos.count() == 1


def test_split_moves_chosen_segments_to_a_new_sibling(study, team, source):
    code = actions.code_create(actor=team["lead"], study=study, name="Engagement")
    actions.coding_create(actor=team["lead"], source=source, codes=[code], start=0, end=10)
    actions.coding_create(actor=team["lead"], source=source, codes=[code], start=20, end=30)
    moved = code.codings.filter(start=20)
    new = actions.code_split(actor=team["lead"], code=code, codings=moved, name="UN spaces")
    assert list(new.codings.values_list("start", flat=True)) == [20]
    assert list(code.codings.values_list("start", flat=True)) == [0]
    with pytest.raises(ValidationError):
        actions.code_split(actor=team["lead"], code=code, codings=[], name="Empty")


def test_colour_and_translations_are_validated(study, team):
    with pytest.raises(ValidationError):
        actions.code_create(actor=team["lead"], study=study, name="X", colour="red")
    with pytest.raises(ValidationError):
        actions.code_create(actor=team["lead"], study=study, name="X", translations={"de": "Y"})
    code = actions.code_create(
        actor=team["lead"], study=study, name="Stigma", translations={"zh-hans": "污名"}
    )
    assert code.name_in("zh-hans") == "污名"
    assert code.name_in("ru") == "Stigma"


def test_consent_is_recorded_by_the_lead_and_a_withdrawal_stands(study, team, source):
    participant = actions.participant_create(
        actor=team["lead"], study=study, pseudonym="P01", real_name="Real Person"
    )
    with pytest.raises(PermissionDenied):
        actions.consent_record(
            actor=team["coder"],
            participant=participant,
            recorded=True,
            quote_mode=QuoteMode.NAMED,
            approval_required=False,
            given_on=datetime.date(2021, 1, 1),
        )
    consent = actions.consent_record(
        actor=team["lead"],
        participant=participant,
        recorded=True,
        quote_mode=QuoteMode.NAMED,
        approval_required=False,
        given_on=datetime.date(2021, 1, 1),
    )
    assert consent.allows_quotes
    with pytest.raises(ValidationError):
        actions.consent_record(
            actor=team["lead"],
            participant=participant,
            recorded=True,
            quote_mode=QuoteMode.NAMED,
            approval_required=False,
            given_on=datetime.date.today() + datetime.timedelta(days=2),
        )
    actions.source_update(actor=team["lead"], source=source, participants=[participant])
    code = actions.code_create(actor=team["lead"], study=study, name="Stigma")
    Suggestion.objects.create(code=code, source=source, start=0, end=5, score=0.9, model_name="m")
    actions.consent_withdraw(actor=team["lead"], participant=participant)
    consent.refresh_from_db()
    assert consent.is_withdrawn and not consent.allows_quotes
    assert not Suggestion.objects.exists()


def test_participants_of_another_study_cannot_be_linked(study, team, source):
    other = actions.study_create(actor=team["lead"], title="Other", languages=["en"])
    stranger = actions.participant_create(actor=team["lead"], study=other, pseudonym="X")
    with pytest.raises(ValidationError):
        actions.source_update(actor=team["lead"], source=source, participants=[stranger])


def test_a_bad_file_stores_nothing(study, team):
    before = Source.objects.count()
    with pytest.raises(ValidationError):
        actions.source_import_file(
            actor=team["coder"], study=study, filename="broken.docx", data=b"not a zip"
        )
    with pytest.raises(ValidationError):
        actions.source_import_file(
            actor=team["coder"], study=study, filename="notes.exe", data=b"MZ"
        )
    assert Source.objects.count() == before


def test_an_import_keeps_the_original_encrypted_and_the_text_normalised(study, team):
    data = "Cafe\u0301 et e\u0301coute\u0301es\n\n工作".encode()
    source = actions.source_import_file(
        actor=team["coder"], study=study, filename="notes.txt", data=data
    )
    assert source.text.startswith("Café et écoutées")
    assert source.length == len(source.text)
    assert bytes(source.original.content) == data
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM evidence_originalfile")
        stored = bytes(cursor.fetchone()[0])
    assert data not in stored and "écoutées".encode() not in stored


def test_every_write_leaves_an_audit_event_without_values(study, team, source):
    code = actions.code_create(actor=team["lead"], study=study, name="Secret-free")
    actions.coding_create(actor=team["lead"], source=source, codes=[code], start=0, end=4)
    actions.memo_create(actor=team["lead"], study=study, source=source, text="sensitive memo")
    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"study.create", "source.create", "code.create", "coding.create", "memo.create"} <= (
        recorded
    )
    for event in AuditEvent.objects.all():
        assert "sensitive memo" not in str(event.changed_fields)


def test_a_study_lead_must_use_two_factor(study, team):
    assert team["lead"].two_factor_required
    assert not team["coder"].two_factor_required


def test_a_source_text_in_another_study_is_out_of_reach(study, team):
    other = actions.study_create(actor=team["outsider"], title="Other", languages=["en"])
    foreign = add_text_source(other, team["outsider"], text="Private words")
    with pytest.raises(Http404):
        queries.source_for(team["lead"], study, foreign.pk)


def test_a_memo_is_changed_only_by_its_author_or_a_lead(study, team, source):
    memo = actions.memo_create(actor=team["lead"], study=study, source=source, text="Lead's view")
    with pytest.raises(PermissionDenied):
        actions.memo_update(actor=team["coder"], memo=memo, text="Rewritten")
    with pytest.raises(PermissionDenied):
        actions.memo_delete(actor=team["coder"], memo=memo)
    own = actions.memo_create(actor=team["coder"], study=study, text="Mine")
    actions.memo_update(actor=team["coder"], memo=own, text="Mine, edited")
    actions.memo_update(actor=team["lead"], memo=own, text="Lead tidied it")
    own.refresh_from_db()
    assert own.text == "Lead tidied it"


def _file(name: str, content: bytes, read_log: list | None = None):
    def read() -> bytes:
        if read_log is not None:
            read_log.append(name)
        return content

    return name, len(content), read


def test_several_files_are_imported_in_order_with_each_outcome(study, team):
    """Good files become sources (searchable at once), bad ones are reported and skipped."""
    from chorus.evidence import search

    files = [
        _file("one.txt", "Первое интервью о форуме.".encode()),
        _file("broken.pdf", b"%PDF-1.4 broken"),
        _file("two.txt", "性工作者组织参加了会议。".encode()),
        _file("empty.txt", b""),
        _file("three.md", b"# Third\n\nOutreach and the coalition."),
    ]
    outcomes = list(
        actions.sources_import_files(
            actor=team["coder"], study=study, files=files, kind="interview"
        )
    )
    assert [o.filename for o in outcomes] == [name for name, _size, _read in files]
    assert [o.source is not None for o in outcomes] == [True, False, True, False, True]
    assert outcomes[1].error and outcomes[3].error
    assert [o.source.title for o in outcomes if o.source] == ["one", "two", "three"]
    assert search.search_study(study, "форуме").total == 1
    assert search.search_study(study, "组织").total == 1
    assert search.search_study(study, "coalition").total == 1
    assert AuditEvent.objects.filter(action="source.create").count() == 3


def test_errors_of_a_batch_import_are_in_the_persons_language(study, team):
    """Files are read in another thread, which is given the person's language."""
    from django.utils import translation

    with translation.override("ru"):
        outcomes = list(
            actions.sources_import_files(
                actor=team["coder"],
                study=study,
                files=[_file("a.txt", b""), _file("b.txt", b"")],
            )
        )
    with translation.override("en"):
        english = list(
            actions.sources_import_files(
                actor=team["coder"], study=study, files=[_file("a.txt", b"")]
            )
        )
    assert outcomes[0].error and outcomes[0].error != english[0].error
    assert any("а" <= char <= "я" for char in outcomes[0].error.lower())


def test_an_oversized_file_is_refused_before_it_is_read(study, team, settings):
    from chorus.evidence import extraction

    read_log = []
    big = ("big.txt", extraction.MAX_FILE_BYTES + 1, lambda: read_log.append("big") or b"x")
    outcomes = list(
        actions.sources_import_files(
            actor=team["coder"], study=study, files=[big, _file("ok.txt", b"Fine.", read_log)]
        )
    )
    assert outcomes[0].error and outcomes[0].source is None
    assert outcomes[1].source is not None
    assert read_log == ["ok.txt"]


def test_a_reader_cannot_import_and_no_file_is_read(study, team):
    read_log = []
    files = [_file("a.txt", b"Text.", read_log), _file("b.txt", b"Text.", read_log)]
    with pytest.raises(PermissionDenied):
        list(actions.sources_import_files(actor=team["reader"], study=study, files=files))
    assert read_log == []
    assert not Source.objects.exists()


def test_a_title_comes_from_the_file_name_without_its_last_suffix():
    assert actions.title_of("Interview 3.docx") == "Interview 3"
    assert actions.title_of("archive.tar.gz") == "archive.tar"
    assert actions.title_of(".notes") == ".notes"
    assert actions.title_of("no suffix") == "no suffix"
