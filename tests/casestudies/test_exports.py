"""Case study exports: HTML, PDF, DOCX and Markdown, the publication gate, and the command."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import override
from docx.oxml.ns import qn

from chorus.casestudies import exports
from chorus.casestudies.actions import GateClosed, casestudy_publish
from chorus.casestudies.management.commands.build_casestudy import Command
from chorus.casestudies.models import SectionText
from chorus.core.models import AuditEvent
from chorus.evidence import actions as evidence
from chorus.evidence.models import QuoteMode
from tests.casestudies.conftest import CHINESE_NAME, CHINESE_QUOTE, LINK, RUSSIAN_QUOTE

LANGUAGES = ("en", "zh-hans")


def _marker(language: str) -> str:
    with override(language):
        return exports.draft_marker()


def _squeeze(text: str) -> str:
    # PDF text may wrap anywhere: compare without whitespace.
    return re.sub(r"\s+", "", text)


def _pdf_pages_text(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip() or page]


def _dark_pixels_per_page(data: bytes, tmp_path: Path) -> list[int]:
    """Rasterise each page as a greyscale PGM at 50 dpi and count its dark pixels."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(path), str(tmp_path / "page")], check=True)
    counts = []
    for image in sorted(tmp_path.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        raw = image.read_bytes()
        # A binary PGM: "P5", width, height, maxval, then one byte per pixel.
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", raw)
        width, height = int(header.group(1)), int(header.group(2))
        pixels = raw[header.end() : header.end() + width * height]
        counts.append(sum(1 for value in pixels if value < 160))
    return counts


# HTML


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_is_one_self_contained_page(case_study, team, language):
    """The page has its language, contents, quotes and notes, and no script or outside link."""
    page = exports.export(team["lead"], case_study, language, "html", draft=True).decode()
    tag = "zh-Hans" if language == "zh-hans" else "en"
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{tag}" dir="ltr">' in page
    assert "<style>" in page
    for forbidden in ("<script", "<link", "<img", "src=", "url(", "@import", "<iframe"):
        assert forbidden not in page.lower()
    assert set(re.findall(r'href="(http[^"]*)"', page)) == {LINK}  # the author's link only
    assert "&lt;script&gt;alert" in page and "&lt;b onclick" in page
    assert "Engagement with the women" in page
    assert "How sex worker-led organisations" in page
    assert "Global Network Secretariat" in page
    assert 'href="#section-voices"' in page and 'id="section-voices"' in page
    assert '<figure class="pull-quote"' in page
    assert CHINESE_QUOTE in page and RUSSIAN_QUOTE in page and CHINESE_NAME in page
    assert 'id="voices-fn1"' in page and 'href="#voices-fn1"' in page
    assert _marker(language) in page
    assert len(page.encode()) < 100_000


def test_html_notes_a_section_shown_in_another_language(case_study, team):
    """A section missing in Chinese is shown in English with a note in Chinese."""
    page = exports.export(team["lead"], case_study, "zh-hans", "html", draft=True).decode()
    assert 'class="fallback-note"' in page
    assert '<section class="chapter" id="section-method" lang="en">' in page
    with override("zh-hans"):
        assert str(exports._language_name("en")) in page
    english = exports.export(team["lead"], case_study, "en", "html", draft=True).decode()
    assert "fallback-note" not in english.split("</style>")[1]


# PDF


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_pages_are_drawn_and_carry_the_quotes(approved_case_study, team, tmp_path, language):
    """Every page has ink; the text layer holds both quotes, the attribution and the notes."""
    data = exports.export(team["lead"], approved_case_study, language, "pdf")
    assert data.startswith(b"%PDF-")
    dark = _dark_pixels_per_page(data, tmp_path)
    assert len(dark) >= 4  # cover, contents, and a page per section
    assert all(count > 30 for count in dark), dark
    pages = _pdf_pages_text(data, tmp_path)
    text = _squeeze("".join(pages))
    assert _squeeze(CHINESE_QUOTE) in text
    assert _squeeze(RUSSIAN_QUOTE) in text
    assert CHINESE_NAME in text
    assert "<script>alert" in text  # shown as text, never run
    # The contents list each section with its page number.
    voices = "声音" if language == "zh-hans" else "Voices"
    assert re.search(re.escape(voices) + r"\s*\.{3,}\s*\d+", pages[1])
    # Footnotes sit on the page that calls them; a note's own note joins its text.
    if language == "en":
        assert _squeeze("The interviews took place in 2021 (Online and in person.)") in text
    assert _squeeze(_marker(language)) not in text


def test_a_draft_pdf_says_so_on_every_page(case_study, team, tmp_path):
    """A draft is allowed at draft status and each page carries the translated marker."""
    data = exports.export(team["lead"], case_study, "zh-hans", "pdf", draft=True)
    pages = [page for page in _pdf_pages_text(data, tmp_path) if page.strip()]
    assert len(pages) >= 4
    assert all(_squeeze(_marker("zh-hans")) in _squeeze(page) for page in pages)


def test_pdf_layout_fetches_nothing():
    """Only data: URLs are loaded: files and network addresses are refused outright."""
    fetcher = exports._url_fetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.org/a.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    data = exports.html_to_pdf(
        '<p>x</p><img src="file:///etc/hostname"><link rel="stylesheet" href="http://127.0.0.1:9/">'
    )
    assert data.startswith(b"%PDF-")


# DOCX


@pytest.mark.parametrize("language", LANGUAGES)
def test_docx_is_editable_with_named_styles(approved_case_study, team, language):
    """Title, a Heading 1 per section, Pull Quote + Quote Attribution, a table and a link."""
    data = exports.export(team["lead"], approved_case_study, language, "docx")
    document = docx.Document(io.BytesIO(data))
    styles = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
    assert styles[0] == ("Title", "Engagement with the women's movement")
    headings = [text for style, text in styles if style == "Heading 1"]
    assert len(headings) == 3
    quotes = [index for index, (style, _text) in enumerate(styles) if style == "Pull Quote"]
    assert [styles[index][1] for index in quotes] == [CHINESE_QUOTE, RUSSIAN_QUOTE]
    assert all(styles[index + 1][0] == "Quote Attribution" for index in quotes)
    assert CHINESE_NAME in styles[quotes[0] + 1][1]
    assert any('<script>alert("x")</script>' in text for _style, text in styles)
    assert document.tables and document.tables[0].cell(0, 0).text
    links = [rel.target_ref for rel in document.part.rels.values() if "hyperlink" in rel.reltype]
    assert links == [LINK]
    # Word needs an East Asian font on Chinese runs to show them.
    chinese_run = document.paragraphs[quotes[0]].runs[0]._r
    assert chinese_run.rPr.rFonts.get(qn("w:eastAsia")) == exports.DOCX_EAST_ASIAN_FONT
    expected = "zh-CN" if language == "zh-hans" else "en-GB"
    assert document.core_properties.language == expected
    assert not document.sections[0].header.paragraphs[0].text


def test_docx_lists_notes_and_marks_a_draft(case_study, team):
    """Footnotes become a numbered 'Notes' list; a draft says so in the header of every page."""
    data = exports.export(team["lead"], case_study, "en", "docx", draft=True)
    document = docx.Document(io.BytesIO(data))
    texts = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
    assert ("Heading 3", "Notes") in texts
    assert ("Note Text", "2. Online and in person.") in texts
    assert [style for style, _text in texts].count("List Number") == 2
    assert document.sections[0].header.paragraphs[0].text == _marker("en")
    assert texts[0] == ("Draft Marker", _marker("en"))


# Markdown


@pytest.mark.parametrize("language", LANGUAGES)
def test_markdown_is_resolved(approved_case_study, team, language):
    """No element is left; quotes are block quotes with their attribution; notes stay notes."""
    text = exports.export(team["lead"], approved_case_study, language, "md").decode()
    assert "{{" not in text
    assert "@@chorus-quote" not in text
    assert text.startswith("---\ntitle: ")
    assert f"> {CHINESE_QUOTE}\n>\n> — {CHINESE_NAME}" in text
    assert f"> {RUSSIAN_QUOTE}" in text
    assert "## " + ("声音" if language == "zh-hans" else "Voices") in text
    assert "[^voices-1]" in text and "\n[^voices-1]: " in text
    assert "\\<script>" in text  # raw HTML stays text in any Markdown tool
    assert f"({LINK})" in text
    assert "draft" not in text.split("---")[1]


def test_markdown_escapes_a_malformed_element_in_a_draft(case_study, team):
    """A malformed element kept from older text blocks publication and stays inert in a draft."""
    # Saving refuses malformed elements, so put one in as text from before that check would.
    SectionText.objects.filter(section__key="method", language="en").update(
        body="We coded {{ quot 5 }} twice, `{{ as code }}`."
    )
    text = exports.export(team["lead"], case_study, "en", "md", draft=True).decode()
    assert "\\{\\{ quot 5 }}" in text
    assert "{{" not in text.replace("`{{ as code }}`", "")
    assert _marker("en") in text


# The gate


def test_publication_export_is_refused_for_a_draft(case_study, team):
    """A document that is not approved is refused for publication in every format."""
    for fmt in exports.FORMATS:
        with pytest.raises(GateClosed):
            exports.export(team["lead"], case_study, "en", fmt)
    assert not AuditEvent.objects.filter(action="casestudy.export").exists()


def test_publication_export_is_refused_when_the_gate_has_a_problem(approved_case_study, team):
    """A consent changed after approval withholds the quote and closes the gate."""
    evidence.consent_record(
        actor=team["lead"],
        participant=approved_case_study.study.participants.get(pseudonym="P-zh"),
        recorded=True,
        quote_mode=QuoteMode.NOT_QUOTED,
        approval_required=False,
        given_on=approved_case_study.dated,
    )
    with pytest.raises(GateClosed) as refused:
        exports.export(team["lead"], approved_case_study, "en", "html")
    assert [problem.kind for problem in refused.value.problems] == ["not_quotable"]
    draft = exports.export(team["lead"], approved_case_study, "en", "html", draft=True).decode()
    assert CHINESE_QUOTE not in draft  # only the withheld notice
    assert "quote withheld" in draft
    assert _marker("en") in draft


def test_a_withdrawal_after_publication_stops_publication_exports(approved_case_study, team):
    """A published document whose speaker withdrew is refused; a draft shows only the notice."""
    casestudy_publish(actor=team["lead"], case_study=approved_case_study)
    exports.export(team["lead"], approved_case_study, "en", "md")
    evidence.consent_withdraw(
        actor=team["lead"],
        participant=approved_case_study.study.participants.get(pseudonym="P-ru"),
    )
    approved_case_study.refresh_from_db()
    with pytest.raises(GateClosed):
        exports.export(team["lead"], approved_case_study, "en", "md")
    draft = exports.export(team["lead"], approved_case_study, "en", "md", draft=True).decode()
    assert RUSSIAN_QUOTE not in draft and CHINESE_QUOTE in draft


def test_a_publication_export_is_audited(approved_case_study, team):
    """Each publication export records who exported what, in which format and language."""
    exports.export(team["lead"], approved_case_study, "zh-hans", "md")
    event = AuditEvent.objects.get(action="casestudy.export")
    assert event.actor == team["lead"]
    assert event.object_id == str(approved_case_study.pk)
    assert event.changed_fields == ["md", "zh-hans"]
    exports.export(team["lead"], approved_case_study, "en", "md", draft=True)
    assert AuditEvent.objects.filter(action="casestudy.export").count() == 1


def test_outsiders_and_bad_requests_are_refused(approved_case_study, team):
    """Someone off the study sees nothing; an unknown format or language is refused."""
    with pytest.raises(Http404):
        exports.export(team["outsider"], approved_case_study, "en", "html")
    with pytest.raises(ValidationError):
        exports.export(team["lead"], approved_case_study, "en", "rtf")
    with pytest.raises(ValidationError):
        exports.export(team["lead"], approved_case_study, "de", "html")


# The command


def test_the_command_writes_the_file(approved_case_study, tmp_path):
    """`build_casestudy SLUG --lang zh-hans --format pdf --out FILE` writes a PDF."""
    out = tmp_path / "engagement.pdf"
    call_command(
        "build_casestudy", "engagement", "--lang", "zh-hans", "--format", "pdf", "--out", str(out)
    )
    assert out.read_bytes().startswith(b"%PDF-")
    draft = tmp_path / "engagement.md"
    call_command("build_casestudy", "engagement", "--out", str(draft), "--draft")
    assert _marker("en") in draft.read_text()


def test_the_command_fails_cleanly_on_a_closed_gate(case_study, tmp_path, capsys, monkeypatch):
    """A blocked document gives one line naming the problem, exit code 1, no traceback."""
    with pytest.raises(CommandError) as refused:
        call_command("build_casestudy", "engagement", "--out", str(tmp_path / "x.html"))
    assert "\n" not in str(refused.value)
    evidence.consent_record(
        actor=None,
        participant=case_study.study.participants.get(pseudonym="P-zh"),
        recorded=True,
        quote_mode=QuoteMode.NOT_QUOTED,
        approval_required=False,
        given_on=case_study.dated,
    )
    case_study.status = "approved"
    case_study.save(update_fields=["status"])
    # run_from_argv closes database connections when done; the test's transaction needs its own.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    out = tmp_path / "blocked.pdf"
    with pytest.raises(SystemExit) as exit_code:
        Command().run_from_argv(["chorus", "build_casestudy", "engagement", "--out", str(out)])
    assert exit_code.value.code == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "Traceback" not in error
    assert "voices [en]" in error and "did not agree to be quoted" in error
    assert not out.exists()
