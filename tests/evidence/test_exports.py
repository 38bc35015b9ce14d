"""Exports of retrieved segments: pseudonymised by default, safe in spreadsheets, lead-only raw."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from chorus.core.models import AccessEvent
from chorus.evidence import actions, analysis, exports
from chorus.evidence.models import PseudonymKind
from tests.evidence.conftest import add_text_source

FORMULA = '=HYPERLINK("http://example.com/x","click")'
TEXT = (
    "Amina Otieno told us the coalition listened at last.\n\n"
    f"{FORMULA}\n\n"
    "Funding stayed short for years."
)


@pytest.fixture
def coded(study, team):
    """A source naming a real person, coded twice with one code (once with a formula)."""
    lead = team["lead"]
    actions.pseudonym_create(
        actor=lead,
        study=study,
        kind=PseudonymKind.PERSON,
        real="Amina Otieno",
        replacement="Participant A",
    )
    person = actions.participant_create(
        actor=lead, study=study, pseudonym="Amina", real_name="Amina Otieno"
    )
    source = add_text_source(
        study,
        lead,
        TEXT,
        kind="interview",
        title="Interview with Amina Otieno",
        participants=[person],
    )
    topic = actions.code_create(actor=lead, study=study, name="Being heard")
    for part in ("Amina Otieno told us the coalition listened", FORMULA):
        start = TEXT.index(part)
        actions.coding_create(
            actor=team["coder"], source=source, codes=[topic], start=start, end=start + len(part)
        )
    return {"source": source, "code": topic}


def export(team, study, coded, **options):
    return exports.segments_for_export(
        team[options.pop("as_", "reader")], study, code_ids=[coded["code"].pk], **options
    )


def test_segments_for_export_returns_every_segment_pseudonymised(study, team, coded):
    """The export has all segments, unpaginated, with real names replaced in text and titles."""
    segments = export(team, study, coded)
    assert [s.text for s in segments] == ["Participant A told us the coalition listened", FORMULA]
    first = segments[0]
    assert first.source.title == "Interview with Participant A"
    assert first.participants == ("Amina",)
    # Offsets still point into the original text.
    assert (first.start, first.end) == (0, len("Amina Otieno told us the coalition listened"))
    assert (
        segments[1].context_before.strip()
        == "Participant A told us the coalition listened at last."
    )
    assert all("Amina Otieno" not in s.context_before + s.context_after for s in segments)


def test_pseudonymised_export_records_no_access_event(study, team, coded):
    """The default export reveals no name, so it is not logged as a secret read."""
    before = AccessEvent.objects.count()
    export(team, study, coded)
    assert AccessEvent.objects.count() == before


def test_csv_is_pseudonymised_and_neutralises_formulas(study, team, coded):
    """CSV holds the segments with replacements, and the formula-like one as inert text."""
    data = exports.retrieval_csv(export(team, study, coded))
    text = data.decode("utf-8-sig")
    assert "Amina Otieno" not in text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:2] == ["Code", "Source"]
    segment = header.index("Segment")
    assert rows[1][segment] == "Participant A told us the coalition listened"
    assert rows[2][segment] == "'" + FORMULA
    assert rows[1][header.index("Source")] == "Interview with Participant A"
    assert rows[1][header.index("Participants")] == "Amina"


def test_xlsx_is_pseudonymised_and_neutralises_formulas(study, team, coded):
    """The workbook holds the segments with replacements, and no cell is a formula."""
    from openpyxl import load_workbook

    data = exports.retrieval_xlsx(export(team, study, coded))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    segment = rows[0].index("Segment")
    assert rows[1][segment] == "Participant A told us the coalition listened"
    assert rows[2][segment] == "'" + FORMULA
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert not any("Amina Otieno" in str(value) for row in rows for value in row)


def test_docx_has_heading_and_quotes(study, team, coded):
    """The Word file names the study and code, and quotes each segment with its details."""
    import docx

    data = exports.retrieval_docx(export(team, study, coded), study=study)
    document = docx.Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", study.title) in paragraphs
    assert ("Heading 2", "Being heard") in paragraphs
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert quotes == ["Participant A told us the coalition listened", FORMULA]
    details = [text for style, text in paragraphs if style == "Caption"]
    assert "Interview with Participant A" in details[0]
    assert "Amina" in details[0]
    assert "coder" in details[0]
    assert f"0–{len('Amina Otieno told us the coalition listened')}" in details[0]
    assert not any("Amina Otieno" in text for _style, text in paragraphs)


def test_exports_accept_a_page(study, team, coded):
    """A page of retrieval exports just as a list of segments does."""
    page = analysis.segments_for(team["reader"], study, code_ids=[coded["code"].pk], per_page=1)
    rows = list(csv.reader(io.StringIO(exports.retrieval_csv(page).decode("utf-8-sig"))))
    assert len(rows) == 2


def test_only_a_lead_may_export_real_names(study, team, coded):
    """Coders and readers are refused the original text; an outsider sees no study at all."""
    for role in ("coder", "reader"):
        with pytest.raises(PermissionDenied):
            export(team, study, coded, as_=role, pseudonymised=False)
    with pytest.raises(Http404):
        export(team, study, coded, as_="outsider", pseudonymised=False)
    with pytest.raises(Http404):
        export(team, study, coded, as_="outsider")
    assert not AccessEvent.objects.filter(purpose="export without pseudonyms").exists()


def test_lead_export_of_real_names_is_recorded(study, team, coded):
    """A lead's export of the original text keeps the names and is recorded as a secret read."""
    segments = export(team, study, coded, as_="lead", pseudonymised=False)
    assert segments[0].text == "Amina Otieno told us the coalition listened"
    assert segments[0].source.title == "Interview with Amina Otieno"
    event = AccessEvent.objects.get(purpose="export without pseudonyms")
    assert (event.actor_id, event.data_class, event.object_id) == (
        team["lead"].pk,
        "secret",
        str(study.pk),
    )
