"""The default case study template and the demo case study rebuilt from the seed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils.translation import override

from chorus.casestudies import figures
from chorus.casestudies.default_template import (
    DEFAULT_TEMPLATE_NAME,
    SECTIONS,
    ensure_default_template,
)
from chorus.casestudies.models import (
    CaseStudy,
    QuoteTranslation,
    Revision,
    Section,
    SectionText,
    Template,
    TranslationStatus,
)
from chorus.casestudies.rendering import escape_markdown, render_document
from chorus.core.models import Role
from chorus.demo import casestudy as demo_casestudy
from chorus.demo import evidence as demo_evidence
from chorus.evidence.models import Participant
from tests.conftest import make_user

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "seed" / "case-study-womens-movement.zh.txt"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed {SEED} is absent")
KEYS = [
    "introduction",
    "methodology",
    "background",
    "barriers",
    "engagement",
    "impact",
    "strategies",
    "conclusion",
    "note",
]
LANGUAGES = {"en", "fr", "es", "ru", "zh-hans"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (CaseStudy, Section, SectionText, Revision, QuoteTranslation, Template)
    )


def section(document, key: str):
    return next(rendered for rendered in document.sections if rendered.key == key)


# The template ---------------------------------------------------------------------------------


def test_the_template_has_the_seeds_nine_sections_with_five_titles_each():
    assert [spec["key"] for spec in SECTIONS] == KEYS
    for spec in SECTIONS:
        assert set(spec["titles"]) == LANGUAGES, spec["key"]
        assert all(title.strip() for title in spec["titles"].values()), spec["key"]
        assert spec["hint"].strip(), spec["key"]


@needs_seed
def test_the_chinese_titles_are_the_seeds_own_headings():
    running = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for spec in SECTIONS:
        if spec["key"] != "note":  # the seed's closing note has no heading
            assert re.sub(r"\s+", "", spec["titles"]["zh-hans"]) in running, spec["key"]


@pytest.mark.django_db
def test_the_default_template_is_created_once_by_the_system():
    template = ensure_default_template()
    assert template.name == DEFAULT_TEMPLATE_NAME
    assert template.sections == SECTIONS
    assert ensure_default_template() == template
    assert Template.objects.count() == 1


# The demo case study ---------------------------------------------------------------------------


@pytest.fixture
def built(db):
    """Build the evidence demo and then the case study; return it and what the builder said."""
    make_user(demo_evidence.RESEARCHER, Role.RESEARCHER)
    demo_evidence.build_evidence_demo(stdout=io.StringIO())
    out = io.StringIO()
    case_study = demo_casestudy.build_casestudy_demo(stdout=out)
    return case_study, out.getvalue()


@needs_seed
def test_the_demo_builds_the_case_study_in_chinese_and_english(built):
    case_study, output = built
    assert case_study.slug == "womens-movement"
    assert case_study.language == "zh-hans"
    assert case_study.title in SEED.read_text(encoding="utf-8")
    assert (case_study.authors, case_study.dated.year) == ("NSWP", 2021)
    assert case_study.template.name == DEFAULT_TEMPLATE_NAME
    assert case_study.study.title == demo_evidence.STUDY_TITLE
    assert list(case_study.sections.values_list("key", flat=True)) == KEYS
    for rendered in case_study.sections.all():
        texts = {text.language: text for text in rendered.texts.all()}
        assert set(texts) == {"zh-hans", "en"}, rendered.key
        assert all(text.body.strip() for text in texts.values()), rendered.key
        assert texts["en"].status == TranslationStatus.TRANSLATED
        assert not CJK.search(texts["en"].body), rendered.key
        assert texts["en"].updated_by.username == demo_evidence.RESEARCHER
    assert output.count("\n") == 1 and "womens-movement" in output


@needs_seed
def test_both_languages_render_every_seed_quote_with_its_named_attribution(built):
    case_study, _output = built
    seed_quotes = demo_evidence.extract_quotes(demo_evidence.read_seed())
    documents = {lang: render_document(None, case_study, lang) for lang in ("zh-hans", "en")}
    for language, document in documents.items():
        assert document.problems == [], language
        assert len(document.quotes) == len(seed_quotes), language
        for quote, seed_quote in zip(document.quotes, seed_quotes, strict=True):
            assert quote.attribution.startswith(seed_quote.name), (language, quote.attribution)
        ruth = [quote for quote in document.quotes if "Ruth Morgan Thomas" in quote.attribution]
        assert len(ruth) == 2 and all("NSWP" in quote.attribution for quote in ruth)
    chinese, english = documents["zh-hans"].quotes, documents["en"].quotes
    # The same codings in the same order: the English text quotes what the Chinese quotes.
    assert [quote.coding_id for quote in chinese] == [quote.coding_id for quote in english]
    for quote, seed_quote in zip(chinese, seed_quotes, strict=True):
        assert (quote.text, quote.translated) == (seed_quote.text, False)
    for quote in english:
        assert quote.translated and quote.language == "en"
        assert not CJK.search(quote.text)


@needs_seed
def test_the_methodology_counts_the_demos_interviews_and_people(built):
    case_study, _output = built
    interviews = case_study.study.sources.filter(kind="interview")
    count = interviews.count()
    people = Participant.objects.filter(sources__in=interviews).distinct().count()
    assert count and people
    english = section(render_document(None, case_study, "en"), "methodology").markdown
    interviews_text = f"{count} interview" + ("s" if count != 1 else "")
    people_text = f"{people} individual" + ("s" if people != 1 else "")
    assert f"{interviews_text} with {people_text}" in english

    chinese = section(render_document(None, case_study, "zh-hans"), "methodology").markdown
    with override("zh-hans"):
        figure = figures.interviews(SimpleNamespace(case_study=case_study), {}).markdown
    assert escape_markdown(figure) in chinese
    assert str(count) in figure and str(people) in figure
    # The seed's own numbers (29 interviews with 31 people) are gone from the sentence.
    assert "29 次" not in chinese and "31名" not in chinese


@needs_seed
def test_the_background_gives_the_networks_size_from_the_registry(built):
    case_study, _output = built
    body = case_study.sections.get(key="background").texts.get(language="zh-hans").body
    assert "{{ figure members }}" in body
    assert "306" not in body and "99 个国家" not in body
    markdown = section(render_document(None, case_study, "en"), "background").markdown
    assert "organisations in" in markdown and "{{" not in markdown


@needs_seed
def test_french_falls_back_to_the_main_language_section_by_section(built):
    case_study, _output = built
    document = render_document(None, case_study, "fr")
    assert document.problems == []
    assert [rendered.language for rendered in document.sections] == ["zh-hans"] * len(KEYS)
    assert all(rendered.is_fallback for rendered in document.sections)
    assert [rendered.title for rendered in document.sections] == [
        spec["titles"]["zh-hans"] for spec in SECTIONS
    ]


@needs_seed
def test_the_seeds_footnotes_are_markdown_footnotes_in_their_sections(built):
    case_study, _output = built
    body = case_study.sections.get(key="barriers").texts.get(language="zh-hans").body
    assert "[^3]" in body and "\n[^3]: " in body
    assert "sweat.org.za" in body
    assert "https://www.ohchr.org" not in body  # link lines of the PDF layout are dropped
    html = section(render_document(None, case_study, "zh-hans"), "barriers").html
    assert 'class="footnote' in html


@needs_seed
def test_building_again_adds_nothing(built):
    case_study, _output = built
    before = counts()
    out = io.StringIO()
    assert demo_casestudy.build_casestudy_demo(stdout=out) == case_study
    assert counts() == before
    assert "already exists" in out.getvalue()


@pytest.mark.django_db
def test_without_the_seed_the_case_study_is_skipped_with_a_notice(monkeypatch, tmp_path):
    make_user(demo_evidence.RESEARCHER, Role.RESEARCHER)
    monkeypatch.setattr(demo_evidence, "SEED", tmp_path / "absent.txt")
    demo_evidence.build_evidence_demo(stdout=io.StringIO())
    out = io.StringIO()
    assert demo_casestudy.build_casestudy_demo(stdout=out) is None
    assert "absent" in out.getvalue()
    assert not CaseStudy.objects.exists()


@pytest.mark.django_db
def test_without_the_evidence_study_the_case_study_is_skipped():
    out = io.StringIO()
    assert demo_casestudy.build_casestudy_demo(stdout=out) is None
    assert "missing" in out.getvalue()
    assert not CaseStudy.objects.exists()


@needs_seed
@pytest.mark.django_db
def test_the_demo_command_builds_the_case_study_once():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo case study:" in out.getvalue()
    case_study = CaseStudy.objects.get(slug="womens-movement")
    before = counts()
    call_command("demo", stdout=io.StringIO())
    assert counts() == before
    # With the registry loaded the network's size is a real count, and the gate still passes.
    document = render_document(None, case_study, "en")
    assert document.problems == []
    assert not re.search(r"\b0 organisations", section(document, "background").markdown)


@needs_seed
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_approved_demo_exports_to_all_four_formats(built, language, tmp_path):
    """The demo, once approved, exports for publication; its PDF pages carry ink and quotes."""
    import subprocess
    import zipfile

    from chorus.casestudies import actions as casestudy_actions
    from chorus.casestudies import exports
    from tests.casestudies.test_exports import _dark_pixels_per_page

    case_study, _output = built
    casestudy_actions.casestudy_approve(actor=None, case_study=case_study)
    document = render_document(None, case_study, language)
    quotes = [quote.text for quote in document.quotes]
    assert len(quotes) >= 20
    outputs = {fmt: exports.export(None, case_study, language, fmt) for fmt in exports.FORMATS}
    assert quotes[0] in outputs["html"].decode() and "<script" not in outputs["html"].decode()
    markdown = outputs["md"].decode()
    assert quotes[0] in markdown.replace("\\", "") and "{{" not in markdown
    with zipfile.ZipFile(io.BytesIO(outputs["docx"])) as archive:
        assert quotes[0][:12] in archive.read("word/document.xml").decode()
    pdf = tmp_path / "demo.pdf"
    pdf.write_bytes(outputs["pdf"])
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())
    # Line breaks and hyphenation aside, every quote's opening is in the text layer.
    for quote in quotes:
        assert "".join(quote.split())[:10] in flat
    pages = _dark_pixels_per_page(outputs["pdf"], tmp_path)
    assert len(pages) >= 10 and all(count > 50 for count in pages)
