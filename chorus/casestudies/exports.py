"""Export a case study in one language: a self-contained HTML page, a PDF, a DOCX or Markdown.

Every format starts from `render_document`, so quotes follow their speakers' consent exactly as
on screen: a withheld quote is not in the rendered text and cannot reach any file. Publication
exports pass the gate (approved or published, no problems) and are audited; draft exports are
allowed at any status but every page or file says it is a draft.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import io
import json
import re
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import get_language_info, override, to_locale
from django.utils.translation import gettext as _

from chorus.casestudies.actions import GateClosed
from chorus.casestudies.models import CaseStudy, Status
from chorus.casestudies.rendering import (
    Quote,
    RenderedDocument,
    RenderedSection,
    markdown_renderer,
    render_document,
)
from chorus.core.audit import record_change
from chorus.evidence import access as evidence_access

FORMATS = ("html", "pdf", "docx", "md")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
PUBLISHABLE = (Status.APPROVED, Status.PUBLISHED)
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# Installed system fonts (Debian fonts-noto-cjk, fonts-dejavu-core), found through fontconfig.
# Chinese documents list the CJK face first so that Latin text, punctuation and digits share
# its metrics; other documents start with DejaVu and fall back to CJK glyph by glyph.
CJK_SANS = '"Noto Sans CJK SC"'
CJK_SERIF = '"Noto Serif CJK SC"'
LATIN_SANS = '"DejaVu Sans"'
LATIN_SERIF = '"DejaVu Serif"'
DOCX_EAST_ASIAN_FONT = "Noto Sans CJK SC"
DOCX_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ru": "ru-RU", "zh-hans": "zh-CN"}
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")
PLACEHOLDER_LINE = re.compile(r"^@@chorus-quote-\d+@@$")
SAFE_LINK = re.compile(r"(?i)(https?|mailto):")


def _is_chinese(language: str) -> bool:
    return language.split("-")[0] == "zh"


def language_tag(language: str) -> str:
    """Return the BCP 47 tag of a language code: `zh-hans` is `zh-Hans`."""
    return to_locale(language).replace("_", "-")


def _language_name(language: str) -> str:
    # Names come from settings (translated lazily), so they follow the active language.
    return str(dict(settings.LANGUAGES).get(language, language))


def draft_marker() -> str:
    return _("Draft — not for publication")


def fallback_note(section: RenderedSection) -> str:
    return _("This section is not yet available in %(language)s; it is shown in %(fallback)s.") % {
        "language": _language_name(section.requested_language),
        "fallback": _language_name(section.language),
    }


def _date(document: RenderedDocument) -> str:
    if not document.dated:
        return ""
    return formats.date_format(document.dated, "DATE_FORMAT")


def _attribution(quote: Quote, language: str) -> str:
    text = "— " + quote.attribution
    if quote.language != language:
        # The same words as the page's note (rendering.py), so translators see them once.
        text += " (" + _("Quoted in the original language.") + ")"
    return text


# The gate and the entry point


def check_gate(case_study: CaseStudy, document: RenderedDocument | None = None) -> None:
    """Refuse a publication export unless the document is approved and its text has no problem."""
    if case_study.status not in PUBLISHABLE:
        raise GateClosed(
            _(
                "Only an approved or published document can be exported for publication; "
                "export a draft instead."
            )
        )
    if case_study.withdrawal_flag:
        raise GateClosed(case_study.withdrawal_flag)
    if document is not None and document.problems:
        error = GateClosed(
            [_("The document cannot be exported for publication: fix the problems listed.")]
            + [problem.message for problem in document.problems]
        )
        error.problems = document.problems
        raise error


def export(user, case_study: CaseStudy, language: str, fmt: str, *, draft: bool = False) -> bytes:
    """Render the case study in `language` as `fmt` (html, pdf, docx or md) and return the file.

    A publication export (not `draft`) is refused with `GateClosed` unless the document is
    approved or published and renders without problems; it is recorded in the audit trail.
    """
    if fmt not in FORMATS:
        raise ValidationError(_("Choose HTML, PDF, DOCX or Markdown."))
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose one of the five languages."))
    evidence_access.require(user, case_study.study)
    if not draft:
        # Fail before rendering: a draft document cannot be published whatever its text says.
        check_gate(case_study)
    document = render_document(user, case_study, language, public=not draft)
    if not draft:
        check_gate(case_study, document)
    builders: dict[str, Callable[[RenderedDocument, bool], bytes]] = {
        "html": build_html,
        "pdf": build_pdf,
        "docx": build_docx,
        "md": build_markdown,
    }
    with override(language):
        data = builders[fmt](document, draft)
    if not draft:
        with transaction.atomic():
            record_change(
                actor=user,
                action="casestudy.export",
                obj=case_study,
                changed_fields=[fmt, language],
            )
    return data


def filename(case_study: CaseStudy, language: str, fmt: str, *, draft: bool = False) -> str:
    """Return a download name such as `engagement.zh-hans.draft.pdf`."""
    middle = ".draft" if draft else ""
    return f"{case_study.slug}.{language}{middle}.{fmt}"


# HTML (the page and the PDF's source)


def _scope_ids(root, key: str) -> None:
    """Prefix footnote ids and their links with the section key: each section counts from 1."""
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    for element in root.iter():
        if element.get("id"):
            element.set("id", f"{key}-{element.get('id')}")
        href = element.get("href") or ""
        if element.tag == "a" and href.startswith("#"):
            element.attrib.pop("rel", None)  # a jump within the page opens nothing
            if href[1:] in ids:
                element.set("href", f"#{key}-{href[1:]}")


def _note_text(item, items: dict, depth: int = 0) -> str:
    """Return a footnote's plain text, notes it calls in turn set in parentheses."""
    item = copy.deepcopy(item)
    for backref in item.xpath('.//a[@class="footnote-backref"]'):
        backref.drop_tree()
    for call in item.xpath('.//sup[@class="footnote-ref"]'):
        _replace_nested_call(call, items, depth)
    return " ".join(item.text_content().split())


def _replace_nested_call(call, items: dict, depth: int) -> None:
    # A footnote cannot float inside another: the note it calls joins its text instead.
    link = call.find("a")
    inner = items.get((link.get("href") or "").lstrip("#") if link is not None else "")
    text = _note_text(inner, items, depth + 1) if inner is not None and depth < 4 else ""
    call.tail = (f" ({text})" if text else "") + (call.tail or "")
    call.drop_tree()


def _inline_footnotes(root) -> None:
    """Move each footnote's text to where it is called, as a float the PDF sets at page foot."""
    from lxml import html as lxml_html

    items = {item.get("id"): item for item in root.xpath('.//section[@class="footnotes"]//li')}
    calls = root.xpath('.//sup[@class="footnote-ref"][not(ancestor::section[@class="footnotes"])]')
    for call in calls:
        link = call.find("a")
        item = items.get((link.get("href") or "").lstrip("#") if link is not None else "")
        if item is None:
            continue
        note = lxml_html.Element("span", {"class": "footnote"})
        for index, block in enumerate(item):
            block = copy.deepcopy(block)
            for backref in block.xpath('.//a[@class="footnote-backref"]'):
                backref.drop_tree()
            for nested in block.xpath('.//sup[@class="footnote-ref"]'):
                _replace_nested_call(nested, items, 0)
            if index:
                note.append(lxml_html.Element("br"))
            if block.tag == "p":
                # Paragraph content moves inline: a <p> cannot sit inside the calling sentence.
                _append_text(note, block.text or "")
                for child in list(block):
                    note.append(child)
            else:
                _append_text(note, " ".join(block.text_content().split()))
        note.tail = call.tail
        call.getparent().replace(call, note)
    for element in root.xpath('.//hr[@class="footnotes-sep"] | .//section[@class="footnotes"]'):
        element.getparent().remove(element)


def _append_text(element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _section_html(section: RenderedSection, *, footnotes_inline: bool) -> str:
    from lxml import html as lxml_html

    if not section.html.strip():
        return ""
    root = lxml_html.fragment_fromstring(str(section.html), create_parent="div")
    _scope_ids(root, section.key)
    if footnotes_inline:
        _inline_footnotes(root)
    # The wrapper's own tags are dropped; its content is sanitised HTML re-serialised by lxml.
    inner = html.escape(root.text or "", quote=False)
    return inner + "".join(
        lxml_html.tostring(child, encoding="unicode", method="html") for child in root
    )


def _css_string(text: str) -> str:
    """Quote text as a CSS string; quotes, backslashes and `<` become escapes."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>\n\r' or ord(char) < 32 else char for char in text
    )
    return f'"{escaped}"'


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join("<p>" + html.escape(block).replace("\n", "<br>") + "</p>" for block in blocks)


SCREEN_CSS = """
:root{color-scheme:light}
body{margin:0;background:#fff;color:#1b1b1b;font:17px/1.6 system-ui,-apple-system,"Segoe UI",
"Noto Sans","DejaVu Sans",Roboto,"Helvetica Neue",Arial,sans-serif}
:lang(zh){font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Source Han Sans SC",
"Hiragino Sans GB",sans-serif}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}
header.cover h1{font-size:2.1rem;line-height:1.2;margin:1.5rem 0 .75rem}
.summary{font-size:1.1rem;color:#333}
.meta{color:#555;margin:.25rem 0}
.draft-banner{position:sticky;top:0;z-index:1;margin:0;padding:.5rem 1rem;background:#fff3cd;
color:#7a1f00;border-bottom:2px solid #b3541e;font-weight:700;text-align:center}
nav.toc{margin:2rem 0;padding:1rem 1.25rem;background:#f6f6f4;border-radius:6px}
nav.toc h2{font-size:1.1rem;margin:0 0 .5rem}
nav.toc ol{margin:0;padding-left:1.5rem}
section.chapter{margin-top:3rem}
section.chapter>h2{font-size:1.6rem;line-height:1.25;border-bottom:1px solid #ddd;
padding-bottom:.3rem}
.fallback-note{font-size:.9rem;color:#5a4a00;background:#fffbe6;border-left:4px solid #d9b100;
padding:.4rem .75rem}
figure.pull-quote{margin:2rem 0 2rem 1rem;padding:.25rem 0 .25rem 1.25rem;
border-left:4px solid #7a3e9d}
figure.pull-quote blockquote{margin:0;padding:0;border:0;color:inherit;font-size:1.35rem;
line-height:1.45;font-style:italic;
font-family:Georgia,"DejaVu Serif","Noto Serif","Noto Serif CJK SC",serif}
figure.pull-quote:lang(zh) blockquote,figure.pull-quote blockquote:lang(zh){font-style:normal;
font-family:"Noto Serif CJK SC","Songti SC","SimSun",serif}
figcaption.attribution{margin-top:.5rem;font-size:.95rem;color:#444}
.original-language{display:block;font-size:.85rem;color:#666}
blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid #ccc;color:#333}
table{border-collapse:collapse;margin:1rem 0;font-size:.95rem}
th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}
th{background:#f0f0f0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f6f4;padding:.75rem;overflow-x:auto}
a{color:#1a4d8f}
sup.footnote-ref a{text-decoration:none}
section.footnotes{font-size:.9rem;color:#333}
hr.footnotes-sep{border:0;border-top:1px solid #ddd;margin-top:2rem}
@media print{body{font-size:11pt}.draft-banner{position:fixed;top:0;left:0;right:0}
main{max-width:none}nav.toc{background:none}a{color:inherit}}
"""


def _print_css(language: str, draft: bool) -> str:
    if _is_chinese(language):
        sans = f"{CJK_SANS}, {LATIN_SANS}, sans-serif"
        serif = f"{CJK_SERIF}, {LATIN_SERIF}, serif"
    else:
        sans = f"{LATIN_SANS}, {CJK_SANS}, sans-serif"
        serif = f"{LATIN_SERIF}, {CJK_SERIF}, serif"
    marker = ""
    if draft:
        marker = (
            f"@top-center{{content:{_css_string(draft_marker())};color:#a3261a;"
            "font-weight:bold;font-size:9pt}"
        )
    return f"""
@page{{size:A4;margin:22mm 20mm 24mm 20mm;
@bottom-center{{content:counter(page);font-size:9pt;color:#555}}{marker}
@footnote{{border-top:.5pt solid #999;padding-top:2mm;margin-top:3mm}}}}
@page:first{{@bottom-center{{content:none}}}}
html{{font-family:{sans};font-size:10.5pt;line-height:1.55;color:#111}}
:lang(zh){{font-family:{CJK_SANS}, {LATIN_SANS}, sans-serif}}
[lang]:not(:lang(zh)){{font-family:{LATIN_SANS}, {CJK_SANS}, sans-serif}}
body{{margin:0}}
header.cover{{break-after:page;padding-top:45mm}}
header.cover h1{{font-size:26pt;line-height:1.25;margin:0 0 10mm;bookmark-level:none}}
header.cover .summary{{font-size:12.5pt;color:#333;margin-bottom:12mm}}
header.cover .meta{{font-size:11pt;color:#444;margin:1mm 0}}
.draft-banner{{display:block;margin:0 0 10mm;padding:3mm 4mm;border:1.5pt solid #a3261a;
color:#a3261a;font-weight:bold;font-size:12pt;text-align:center}}
nav.toc{{break-after:page}}
nav.toc h2{{font-size:17pt;margin:0 0 6mm;bookmark-level:none}}
nav.toc ol{{list-style:none;margin:0;padding:0}}
nav.toc li{{margin:0 0 2.5mm}}
nav.toc a{{color:inherit;text-decoration:none}}
nav.toc a::after{{content:leader('.') target-counter(attr(href),page)}}
section.chapter{{break-before:page}}
section.chapter>h2{{font-size:17pt;line-height:1.3;margin:0 0 5mm;bookmark-level:1}}
h2,h3,h4,h5,h6{{break-after:avoid}}
h3{{font-size:13pt;bookmark-level:2}}h4{{font-size:11.5pt;bookmark-level:3}}
h5,h6{{font-size:10.5pt;bookmark-level:none}}
p{{margin:0 0 3mm;orphans:2;widows:2}}
.fallback-note{{font-size:9pt;color:#5a4a00;border-left:2pt solid #d9b100;padding:1mm 3mm;
margin:0 0 5mm}}
figure.pull-quote{{margin:7mm 0 7mm 8mm;padding:1mm 0 1mm 6mm;border-left:3pt solid #7a3e9d;
break-inside:avoid}}
figure.pull-quote blockquote{{margin:0;padding:0;border:0;font-family:{serif};font-size:14pt;
line-height:1.45;font-style:italic;color:#222}}
figure.pull-quote:lang(zh) blockquote{{font-family:{CJK_SERIF}, {LATIN_SERIF}, serif;
font-style:normal}}
figure.pull-quote[lang]:not(:lang(zh)) blockquote{{font-family:{LATIN_SERIF}, {CJK_SERIF}, serif}}
figcaption.attribution{{margin-top:2.5mm;font-size:9.5pt;color:#444}}
.original-language{{display:block;font-size:8.5pt;color:#666}}
blockquote{{margin:4mm 0 4mm 4mm;padding-left:4mm;border-left:1pt solid #bbb;color:#333}}
table{{border-collapse:collapse;margin:4mm 0;font-size:9.5pt}}
thead{{display:table-header-group}}
tr{{break-inside:avoid}}
th,td{{border:.5pt solid #999;padding:1.2mm 2.5mm;text-align:left}}
th{{background:#eee}}
code,pre{{font-family:"DejaVu Sans Mono",monospace;font-size:9pt}}
pre{{white-space:pre-wrap;background:#f4f4f4;padding:2mm 3mm}}
a{{color:#1a4d8f;text-decoration:none}}
.footnote{{float:footnote;font-size:8.5pt;line-height:1.35;font-style:normal;font-weight:normal;
color:#222;text-align:left}}
::footnote-call{{content:counter(footnote);vertical-align:super;font-size:65%;line-height:0}}
::footnote-marker{{content:counter(footnote) ". "}}
"""


def _page(document: RenderedDocument, draft: bool, *, for_print: bool) -> str:
    """Write the whole document as one HTML page (the HTML export, or the PDF's source)."""
    language = document.language
    info = get_language_info(language)
    title = html.escape(document.title)
    parts = []
    if draft and not for_print:
        parts.append(f'<p class="draft-banner" role="note">{html.escape(draft_marker())}</p>')
    parts.append("<main>" if not for_print else "")
    parts.append('<header class="cover">')
    if draft and for_print:
        parts.append(f'<p class="draft-banner">{html.escape(draft_marker())}</p>')
    parts.append(f"<h1>{title}</h1>")
    if document.summary.strip():
        parts.append(f'<div class="summary">{_paragraphs(document.summary)}</div>')
    if document.authors.strip():
        parts.append(f'<p class="meta authors">{html.escape(document.authors)}</p>')
    if document.dated:
        parts.append(
            f'<p class="meta date"><time datetime="{document.dated.isoformat()}">'
            f"{html.escape(_date(document))}</time></p>"
        )
    parts.append("</header>")
    entries = "".join(
        f'<li><a href="#section-{html.escape(section.key)}">{html.escape(section.title)}</a></li>'
        for section in document.sections
    )
    parts.append(
        f'<nav class="toc" aria-labelledby="contents"><h2 id="contents">'
        f"{html.escape(_('Contents'))}</h2><ol>{entries}</ol></nav>"
    )
    for section in document.sections:
        lang = ""
        if section.language != language:
            lang = f' lang="{html.escape(language_tag(section.language))}"'
        parts.append(f'<section class="chapter" id="section-{html.escape(section.key)}"{lang}>')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.is_fallback:
            # The note is in the reader's language even though the section is not.
            parts.append(
                f'<p class="fallback-note" lang="{html.escape(language_tag(language))}">'
                f"{html.escape(fallback_note(section))}</p>"
            )
        parts.append(_section_html(section, footnotes_inline=for_print))
        parts.append("</section>")
    parts.append("</main>" if not for_print else "")
    page_title = f"{title} ({html.escape(draft_marker())})" if draft else title
    css = _print_css(language, draft) if for_print else SCREEN_CSS
    meta = [
        '<meta charset="utf-8">',
        # No request of any kind leaves the page: no scripts, images, fonts or stylesheets.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if document.authors.strip():
        meta.append(f'<meta name="author" content="{html.escape(document.authors)}">')
    if document.summary.strip():
        meta.append(f'<meta name="description" content="{html.escape(document.summary)}">')
    if document.dated:
        meta.append(f'<meta name="dcterms.created" content="{document.dated.isoformat()}">')
    direction = "rtl" if info.get("bidi") else "ltr"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language_tag(language))}" dir="{direction}">'
        f"<head>{''.join(meta)}<title>{page_title}</title><style>{css}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


def style_hashes(page: bytes) -> list[str]:
    """Return CSP sources allowing exactly the inline style sheets of an exported page."""
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(style).digest()).decode()}'"
        for style in re.findall(rb"<style>(.*?)</style>", page, flags=re.DOTALL)
    ]


def build_html(document: RenderedDocument, draft: bool = False) -> bytes:
    """Write one self-contained page: inline style, no script, no external reference."""
    return _page(document, draft, for_print=False).encode("utf-8")


# PDF

_font_lock = threading.Lock()
_font_config = None


def _fonts():
    """Return the process's one WeasyPrint font configuration (fontconfig set-up is costly)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def _url_fetcher():
    """Return a fetcher that loads nothing but `data:` URLs: no network, no file from disk."""
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                raise ValueError(f"refused to fetch {url[:80]!r}: exports load no resources")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols={"data"}, allow_redirects=False)


def html_to_pdf(page: str) -> bytes:
    """Lay out an HTML string as PDF with no base URL and no resource fetching."""
    from weasyprint import HTML

    source = HTML(string=page, base_url=None, url_fetcher=_url_fetcher())
    # One layout at a time per process: the shared font configuration is not thread-safe.
    with _font_lock:
        return source.write_pdf(font_config=_fonts())


def build_pdf(document: RenderedDocument, draft: bool = False) -> bytes:
    """Write an A4 PDF: cover, contents with page numbers, footnotes, page numbers."""
    return html_to_pdf(_page(document, draft, for_print=True))


# DOCX


def _docx_language(language: str) -> str:
    return DOCX_LANGUAGES.get(language, language_tag(language))


class _DocxWriter:
    """Write a rendered document into a python-docx Document, from the Markdown token stream."""

    def __init__(self, document: RenderedDocument, draft: bool):
        import docx

        self.rendered = document
        self.language = document.language
        self.draft = draft
        self.doc = docx.Document()
        self.chinese = _is_chinese(document.language)
        self._styles()

    # Set-up

    def _run_language(self, r_pr, language: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        tag = _docx_language(language)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag if _is_chinese(language) else "zh-CN")

    def _east_asian_font(self, r_pr) -> None:
        from docx.oxml.ns import qn

        fonts = r_pr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), DOCX_EAST_ASIAN_FONT)
        if self.chinese:
            # Ambiguous characters (quotation marks, dashes) take the East Asian font too.
            fonts.set(qn("w:hint"), "eastAsia")

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        self._east_asian_font(r_pr)
        self._run_language(r_pr, self.language)
        for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
            self._east_asian_font(styles[name].element.get_or_add_rPr())

        quote = styles.add_style("Pull Quote", WD_STYLE_TYPE.PARAGRAPH)
        quote.base_style = styles["Normal"]
        quote.next_paragraph_style = styles["Normal"]
        quote.font.italic = not self.chinese  # slanted Chinese is synthetic and hard to read
        quote.font.size = Pt(14)
        quote.font.color.rgb = RGBColor(0x33, 0x22, 0x44)
        quote.paragraph_format.left_indent = Pt(36)
        quote.paragraph_format.right_indent = Pt(24)
        quote.paragraph_format.space_before = Pt(12)
        quote.paragraph_format.space_after = Pt(2)
        quote.paragraph_format.keep_with_next = True
        border = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        for key, value in (("val", "single"), ("sz", "18"), ("space", "12"), ("color", "7A3E9D")):
            left.set(qn(f"w:{key}"), value)
        border.append(left)
        quote.element.get_or_add_pPr().append(border)
        self._east_asian_font(quote.element.get_or_add_rPr())

        credit = styles.add_style("Quote Attribution", WD_STYLE_TYPE.PARAGRAPH)
        credit.base_style = styles["Normal"]
        credit.font.size = Pt(10)
        credit.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        credit.paragraph_format.left_indent = Pt(36)
        credit.paragraph_format.space_after = Pt(14)
        credit.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

        code = styles.add_style("Code Block", WD_STYLE_TYPE.PARAGRAPH)
        code.base_style = styles["Normal"]
        code.font.name = "DejaVu Sans Mono"
        code.font.size = Pt(9)
        code.paragraph_format.left_indent = Pt(12)

        note = styles.add_style("Note Text", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        note.font.size = Pt(9)
        note.paragraph_format.space_after = Pt(3)

        fallback = styles.add_style("Language Note", WD_STYLE_TYPE.PARAGRAPH)
        fallback.base_style = styles["Normal"]
        fallback.font.italic = True
        fallback.font.size = Pt(9)
        fallback.font.color.rgb = RGBColor(0x5A, 0x4A, 0x00)

        marker = styles.add_style("Draft Marker", WD_STYLE_TYPE.PARAGRAPH)
        marker.base_style = styles["Normal"]
        marker.font.bold = True
        marker.font.color.rgb = RGBColor(0xA3, 0x26, 0x1A)
        marker.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # Runs

    def run(
        self,
        paragraph,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        code: bool = False,
        strike: bool = False,
        superscript: bool = False,
        language: str = "",
    ):
        """Add a run; Chinese text gets the East Asian font, a quote keeps its own language."""
        from docx.shared import RGBColor

        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if italic and not (self.chinese and CJK.search(text)):
            run.italic = True
        if strike:
            run.font.strike = True
        if superscript:
            run.font.superscript = True
        if code:
            run.font.name = "DejaVu Sans Mono"
            run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
        if CJK.search(text):
            self._east_asian_font(run._r.get_or_add_rPr())
        if language and language != self.language:
            self._run_language(run._r.get_or_add_rPr(), language)
        return run

    def _hyperlink(self, paragraph, url: str):
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        paragraph._p.append(link)
        return link

    def inline(self, paragraph, children, *, bold=False, italic=False) -> None:
        """Write inline tokens as runs: emphasis, strong, code, links, footnote calls."""
        from docx.enum.text import WD_BREAK
        from docx.shared import RGBColor

        depth = {"strong": int(bold), "em": int(italic), "s": 0}
        link = None
        for child in children or []:
            kind = child.type
            if kind.endswith("_open") and kind[:-5] in depth:
                depth[kind[:-5]] += 1
                continue
            if kind.endswith("_close") and kind[:-6] in depth:
                depth[kind[:-6]] -= 1
                continue
            if kind == "link_open":
                href = str(child.attrGet("href") or "")
                # Only the schemes the page allows become live links; others stay plain text.
                link = self._hyperlink(paragraph, href) if SAFE_LINK.match(href) else None
                continue
            if kind == "link_close":
                link = None
                continue
            style = {
                "bold": depth["strong"] > 0,
                "italic": depth["em"] > 0,
                "strike": depth["s"] > 0,
            }
            if kind in ("text", "html_inline"):
                run = self.run(paragraph, child.content, **style)
            elif kind == "softbreak":
                run = self.run(paragraph, "" if self.chinese else " ", **style)
            elif kind == "hardbreak":
                run = self.run(paragraph, "", **style)
                run.add_break(WD_BREAK.LINE)
            elif kind == "code_inline":
                run = self.run(paragraph, child.content, code=True, **style)
            elif kind == "footnote_ref":
                run = self.run(paragraph, str(child.meta["id"] + 1), superscript=True)
            elif kind == "image":
                run = self.run(paragraph, child.content, **style)
            else:
                continue
            if link is not None:
                run.font.underline = True
                run.font.color.rgb = RGBColor(0x1A, 0x4D, 0x8F)
                link.append(run._r)

    # Blocks

    def pull_quote(self, quote: Quote) -> None:
        paragraph = self.doc.add_paragraph(style="Pull Quote")
        for index, line in enumerate(quote.text.splitlines() or [""]):
            if index:
                from docx.enum.text import WD_BREAK

                paragraph.runs[-1].add_break(WD_BREAK.LINE)
            self.run(paragraph, line, language=quote.language)
        credit = self.doc.add_paragraph(style="Quote Attribution")
        self.run(credit, _attribution(quote, self.language))

    def _restart_numbering(self, style_name: str, start: int) -> int | None:
        """Return a fresh list instance for an ordered list, so each list counts from `start`."""
        style = self.doc.styles[style_name]
        p_pr = style.element.pPr
        if p_pr is None or p_pr.numPr is None or p_pr.numPr.numId is None:
            return None
        numbering = self.doc.part.numbering_part.element
        existing = numbering.num_having_numId(p_pr.numPr.numId.val)
        num = numbering.add_num(existing.abstractNumId.val)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    def _table(self, rows: list[list[tuple]]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        if not rows:
            return
        width = max(len(row) for row in rows)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = self.doc.styles["Table Grid"]
        alignments = {
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
        }
        for row_index, row in enumerate(rows):
            for column, (children, header, style) in enumerate(row):
                paragraph = table.cell(row_index, column).paragraphs[0]
                self.inline(paragraph, children, bold=header)
                align = re.search(r"text-align:\s*(\w+)", style or "")
                if align and align.group(1) in alignments:
                    paragraph.alignment = alignments[align.group(1)]
        self.doc.add_paragraph()

    def section(self, section: RenderedSection) -> None:
        """Write one section: its heading, a fallback note, then its Markdown block by block."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        heading = self.doc.add_heading(level=1)
        self.run(heading, section.title)
        if section.is_fallback:
            self.run(self.doc.add_paragraph(style="Language Note"), fallback_note(section))
        tokens = markdown_renderer().parse(section.markdown, {})
        lists: list[dict] = []
        quote_depth = 0
        heading_level = 0
        in_item_start = False
        table: list[list[tuple]] | None = None
        cell: tuple | None = None
        footnote_number = 0
        footnote_first = False
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                heading_level = int(token.tag[1])
            elif kind == "heading_close":
                heading_level = 0
            elif kind in ("bullet_list_open", "ordered_list_open"):
                ordered = kind == "ordered_list_open"
                depth = min(len(lists) + 1, 3)
                name = ("List Number" if ordered else "List Bullet") + (
                    f" {depth}" if depth > 1 else ""
                )
                num_id = None
                if ordered:
                    num_id = self._restart_numbering(name, int(token.attrGet("start") or 1))
                lists.append({"style": name, "num_id": num_id, "depth": depth})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                in_item_start = True
            elif kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind == "table_open":
                table = []
            elif kind == "tr_open" and table is not None:
                table.append([])
            elif kind in ("th_open", "td_open"):
                cell = (kind == "th_open", token.attrGet("style") or "")
            elif kind == "table_close" and table is not None:
                self._table(table)
                table = None
            elif kind == "footnote_block_open":
                notes = self.doc.add_paragraph(style="Heading 3")
                self.run(notes, _("Notes"))
            elif kind == "footnote_open":
                footnote_number = token.meta["id"] + 1
                footnote_first = True
            elif kind == "footnote_close":
                footnote_number = 0
            elif kind in ("fence", "code_block"):
                paragraph = self.doc.add_paragraph(style="Code Block")
                self.run(paragraph, token.content.rstrip("\n"), code=True)
            elif kind == "hr":
                paragraph = self.doc.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self.run(paragraph, "* * *")
            elif kind == "inline":
                if cell is not None and table is not None:
                    table[-1].append((token.children, cell[0], cell[1]))
                    cell = None
                    continue
                if heading_level:
                    # Section titles are Heading 1: headings inside a section sit below them.
                    paragraph = self.doc.add_heading(level=min(max(heading_level, 2), 9))
                    self.inline(paragraph, token.children)
                    continue
                content = token.content.strip()
                if PLACEHOLDER_LINE.match(content) and content in section.quotes:
                    self.pull_quote(section.quotes[content])
                    continue
                paragraph = self._paragraph(lists, quote_depth, in_item_start, footnote_number)
                if footnote_number and footnote_first:
                    self.run(paragraph, f"{footnote_number}. ")
                    footnote_first = False
                in_item_start = False
                self.inline(paragraph, token.children)

    def _paragraph(self, lists, quote_depth: int, item_start: bool, footnote: int):
        from docx.oxml.ns import qn
        from docx.shared import Pt

        if footnote:
            return self.doc.add_paragraph(style="Note Text")
        if lists:
            current = lists[-1]
            if not item_start:
                suffix = f" {current['depth']}" if current["depth"] > 1 else ""
                return self.doc.add_paragraph(style="List Continue" + suffix)
            paragraph = self.doc.add_paragraph(style=current["style"])
            if current["num_id"] is not None:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().set(qn("w:val"), "0")
                num_pr.get_or_add_numId().set(qn("w:val"), str(current["num_id"]))
            return paragraph
        if quote_depth:
            paragraph = self.doc.add_paragraph(style="Quote")
            paragraph.paragraph_format.left_indent = Pt(18 * quote_depth)
            return paragraph
        return self.doc.add_paragraph()

    def write(self) -> bytes:
        from docx.shared import Pt

        rendered = self.rendered
        properties = self.doc.core_properties
        properties.title = rendered.title[:255]
        properties.author = rendered.authors[:255]
        properties.language = _docx_language(self.language)
        properties.subject = rendered.summary[:255]
        if self.draft:
            properties.content_status = draft_marker()
            # The header repeats on every page, so a printed page still says it is a draft.
            header = self.doc.sections[0].header
            self.run(header.paragraphs[0], draft_marker(), bold=True)
            header.paragraphs[0].style = self.doc.styles["Draft Marker"]
            self.run(self.doc.add_paragraph(style="Draft Marker"), draft_marker())
        self.run(self.doc.add_paragraph(style="Title"), rendered.title)
        if rendered.authors.strip():
            self.run(self.doc.add_paragraph(style="Subtitle"), rendered.authors)
        if rendered.dated:
            self.run(self.doc.add_paragraph(), _date(rendered))
        for block in re.split(r"\n\s*\n", rendered.summary.strip()):
            if block.strip():
                paragraph = self.doc.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(12)
                self.run(paragraph, " ".join(block.split()), italic=True)
        for section in rendered.sections:
            self.section(section)
        stream = io.BytesIO()
        self.doc.save(stream)
        return stream.getvalue()


def build_docx(document: RenderedDocument, draft: bool = False) -> bytes:
    """Write an editable Word document with named styles (Title, Heading 1, Pull Quote…)."""
    return _DocxWriter(document, draft).write()


# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.MULTILINE)
_CODE_SPAN = re.compile(r"((?<!`)`+(?!`)[\s\S]*?(?<!`)`+(?!`))")
# `<` opening a tag, comment or declaration, but not an autolink (<https://…>, <a@b.org>).
_RAW_TAG = re.compile(
    r"(?<!\\)<(?=[A-Za-z/!?])(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)(?![^\s<>@]+@[^\s<>]+>)"
)


def markdown_text(text: str) -> str:
    """Make plain text literal in Markdown, keeping it readable (no escapes where not needed)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _markdown_quote(quote: Quote, language: str) -> str:
    lines = [
        f"> {markdown_text(line)}" if line.strip() else ">" for line in quote.text.splitlines()
    ]
    return "\n".join([*lines, ">", f"> {markdown_text(_attribution(quote, language))}"])


def _outside_code(text: str, tokens, change: Callable[[str], str]) -> str:
    """Apply `change` to the text's lines outside code blocks and code spans."""
    lines = text.split("\n")
    code = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    pieces: list[str] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            parts = _CODE_SPAN.split("\n".join(chunk))
            # Odd parts are code spans (the split keeps them): they stay as written.
            pieces.append("".join(p if i % 2 else change(p) for i, p in enumerate(parts)))
            chunk.clear()

    for number, line in enumerate(lines):
        if number in code:
            flush()
            pieces.append(line)
        else:
            chunk.append(line)
    flush()
    return "\n".join(pieces)


def _section_markdown(section: RenderedSection, language: str) -> str:
    """Return a section's Markdown with pull quotes, unique footnote labels, headings below ##."""
    env: dict = {}
    tokens = markdown_renderer().parse(section.markdown, env)
    lines = section.markdown.split("\n")
    for token in tokens:
        # Headings inside a section must sit below its `##` title.
        if token.type == "heading_open" and token.map and token.tag in ("h1", "h2"):
            start, end = token.map
            line = lines[start]
            if token.markup.startswith("#"):
                lines[start] = re.sub(r"^(\s*)#{1,2}(?=\s|$)", r"\1###", line, count=1)
            elif end - start >= 2:
                lines[start] = "### " + line.strip()
                lines[end - 1] = ""
    text = "\n".join(lines)
    labels = [ref[1:] for ref in env.get("footnotes", {}).get("refs", {})]
    footnote = None
    if labels:
        footnote = re.compile(r"\[\^(" + "|".join(re.escape(label) for label in labels) + r")\]")

    def clean(part: str) -> str:
        if footnote is not None:
            # Every section numbers its notes from 1: prefix labels so they stay distinct.
            part = footnote.sub(lambda m: f"[^{section.key}-{m.group(1)}]", part)
        # Raw HTML was shown as text on the page; escaped, it stays text in any Markdown tool.
        part = _RAW_TAG.sub(r"\\<", part)
        # A malformed element (drafts only: it blocks publication) must not read as one.
        part = re.sub(r"(?<!\\)\{(?=\{)|(?<=\{)\{", r"\\{", part)
        # Resolved elements arrive with blank lines of their own.
        return re.sub(r"\n{3,}", "\n\n", part)

    text = _outside_code(text, tokens, clean)
    for key, quote in section.quotes.items():
        text = re.sub(
            r"\n*" + re.escape(key) + r"\n*",
            lambda _m, quote=quote: "\n\n" + _markdown_quote(quote, language) + "\n\n",
            text,
        )
    return text.strip()


def build_markdown(document: RenderedDocument, draft: bool = False) -> bytes:
    """Write resolved Markdown: front matter, title, sections as `##`, quotes as `>` blocks."""
    language = document.language
    front = {"title": document.title, "lang": language_tag(language)}
    if document.authors.strip():
        front["author"] = document.authors
    if document.dated:
        front["date"] = document.dated.isoformat()
    if draft:
        front["draft"] = True
        front["status"] = draft_marker()
    # JSON strings are valid YAML scalars: no quoting rules to get wrong.
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    lines += ["---", ""]
    if draft:
        lines += [f"**{markdown_text(draft_marker())}**", ""]
    lines += [f"# {markdown_text(document.title)}", ""]
    meta = [markdown_text(part) for part in (document.authors.strip(), _date(document)) if part]
    if meta:
        lines += ["*" + " · ".join(meta) + "*", ""]
    if document.summary.strip():
        lines += [markdown_text(document.summary.strip()), ""]
    for section in document.sections:
        lines += [f"## {markdown_text(section.title)}", ""]
        if section.is_fallback:
            lines += [f"*{markdown_text(fallback_note(section))}*", ""]
        body = _section_markdown(section, language)
        if body:
            lines += [body, ""]
    if draft:
        lines += ["---", "", f"**{markdown_text(draft_marker())}**", ""]
    return "\n".join(lines).encode("utf-8")
