"""`chorus import_sources`: one source per file, bad files reported and skipped."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from chorus.evidence import actions
from chorus.evidence.models import Source


def test_files_are_imported_with_participants_and_a_report(study, team, tmp_path):
    participant = actions.participant_create(actor=team["lead"], study=study, pseudonym="P07")
    good = tmp_path / "interview-7.txt"
    good.write_text("Мы говорили о коалиции.\n\n我们谈到了联盟。", encoding="utf-8")
    transcript = tmp_path / "call.srt"
    transcript.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nAna: Hola\n\n2\n00:00:0X,000 --> broken\nmal\n",
        encoding="utf-8",
    )
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_sources",
            str(study.pk),
            str(good),
            str(transcript),
            str(bad),
            "--language",
            "ru",
            "--participant",
            "P07",
            stdout=out,
            stderr=err,
        )
    assert "Imported 2 of 3 files" in out.getvalue()
    assert "broken.docx" in err.getvalue() and "importing" in err.getvalue()
    assert "call.srt" in err.getvalue()  # the skipped cue is reported
    source = Source.objects.get(title="interview-7")
    assert source.language == "ru" and list(source.participants.all()) == [participant]
    assert Source.objects.get(title="call").cues.count() == 1


def test_an_unknown_study_or_participant_stops_before_importing(study, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("text", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_sources", "No such study", str(path))
    with pytest.raises(CommandError):
        call_command("import_sources", str(study.pk), str(path), "--participant", "Nobody")
    assert not Source.objects.exists()


def test_reindex_rebuilds_the_search_index(study, team, source):
    from chorus.evidence import search
    from chorus.evidence.models import SearchParagraph

    SearchParagraph.objects.all().delete()
    assert search.search_study(study, "工作").total == 0
    out = io.StringIO()
    call_command("reindex_sources", str(study.pk), stdout=out, stderr=io.StringIO())
    assert "Indexed 1 studies" in out.getvalue()
    assert search.search_study(study, "工作").total == 1
