"""Turn an uploaded file (name and bytes) into the research text of an interview or document.

Pure logic: no database, and nothing is written to disk; every file is read from memory.

`extract(filename, data)` returns an `Extracted` or raises `ExtractionError`, whose `.message` is
a translated sentence for the person uploading. Supported: plain text and Markdown (kept as their
text), Word .docx, PDF with a text layer, OpenDocument .odt, HTML (visible text only), and WebVTT
and SubRip transcripts (timed cues, with speakers where the file names them).

The text
========
- Unicode NFC, line breaks "\\n", paragraphs separated by exactly one blank line, no trailing
  spaces on a line, no control characters other than "\\n" and "\\t".
- A transcript becomes one paragraph per cue, "Speaker: words" or just "words". Each `Cue` gives
  codepoint offsets (Python string indices) into the final text, so `text[cue.start:cue.end]` is
  the cue's words without the speaker label.
- Something skipped (a cue with broken times, a PDF page without text) is named in `warnings`,
  so a partial import is never silent.

Safety
======
Uploads are untrusted. Files larger than `MAX_FILE_BYTES` are refused before parsing (callers can
call `check_size` before reading the upload). DOCX and ODT archives are inspected before they are
opened: too much unpacked data, an absurd compression ratio (a "zip bomb"), too many members, or
member names with ".." or absolute paths are refused. XML is parsed without entity expansion or
network access. HTML script, style and head are dropped; the text is later always shown escaped.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_FILE_BYTES = 50 * 1024 * 1024
# Bounds on what a DOCX or ODT archive may unpack to. zipfile never returns more bytes than a
# member's declared size, so checking the declared sizes bounds the memory used by parsing.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 300
# Small members can have absurd ratios harmlessly (a run of spaces); only large ones are checked.
RATIO_CHECK_MIN_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
# Longest list of skipped cues or pages named in one warning; the rest are counted.
MAX_LISTED = 20

FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".vtt": "vtt",
    ".srt": "srt",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)


@dataclass(frozen=True)
class Cue:
    """One timed utterance of a transcript: where its words are in the text, and when."""

    start: int  # codepoint offset into Extracted.text, inclusive
    end: int  # exclusive
    start_ms: int
    end_ms: int
    speaker: str  # "" when unknown


@dataclass
class Extracted:
    """The research text of a file, its format, its cues (transcripts) and what was skipped."""

    text: str
    file_format: str
    cues: list[Cue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class ExtractionError(Exception):
    """The file cannot be imported; `message` says why, for the person uploading."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Entry points ------------------------------------------------------------------------------


def check_size(size: int) -> None:
    """Raise ExtractionError when a file of `size` bytes is too large to import."""
    if size > MAX_FILE_BYTES:
        raise ExtractionError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )


def format_of(filename: str) -> str:
    """Return the format ("txt", "docx", ...) of a file name, or raise ExtractionError."""
    # Some browsers send a Windows path as the name; only the last part counts.
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix not in FORMATS:
        raise ExtractionError(
            _("This file type is not supported. Choose one of: %(formats)s.")
            % {"formats": ", ".join(SUPPORTED_SUFFIXES)}
        )
    return FORMATS[suffix]


def extract(filename: str, data: bytes) -> Extracted:
    """Return the research text of an uploaded file, or raise ExtractionError."""
    file_format = format_of(filename)
    check_size(len(data))
    if not data:
        raise ExtractionError(_("The file is empty."))
    extracted = _READERS[file_format](data)
    extracted.file_format = file_format
    if not extracted.text.strip():
        raise ExtractionError(_("The file contains no text."))
    return extracted


# --- Cleaning and assembling text --------------------------------------------------------------

_LINE_BREAKS = re.compile("\r\n?|[\v\f\x85\u2028]")
# Control characters (C0 and C1) except tab and line feed, and a byte-order mark inside the text.
_DROP = {code: None for code in (*range(0x20), *range(0x7F, 0xA0)) if code not in (0x09, 0x0A)}
_DROP[0xFEFF] = None
# A lone surrogate (from a broken PDF font map) cannot be stored as UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Normalise line breaks, drop control characters and compose the text to NFC."""
    text = _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = _SURROGATES.sub("", text.translate(_DROP))
    return unicodedata.normalize("NFC", text)


def _join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with one blank line between them, dropping empty ones and trailing spaces.

    Each paragraph is cleaned (NFC) on its own and pieces are joined at line feeds only; a line
    feed never composes with what is around it, so the whole text is NFC as well.
    """
    blocks: list[str] = []
    for paragraph in paragraphs:
        lines: list[str] = []
        for line in _clean(paragraph).split("\n"):
            if line.strip():
                lines.append(line.rstrip())
            elif lines:
                # A blank line inside a paragraph splits it, so there is never more than one.
                blocks.append("\n".join(lines))
                lines = []
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _listed(items: list[str]) -> str:
    """Return the first items joined with commas, and how many more there are."""
    shown = ", ".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += " " + _("and %(count)s more") % {"count": len(items) - MAX_LISTED}
    return shown


# --- Plain text, Markdown ----------------------------------------------------------------------

_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _undecodable() -> ExtractionError:
    return ExtractionError(
        _("The file could not be read as text. Save it as plain text (UTF-8) and try again.")
    )


def _looks_binary(text: str) -> bool:
    """Return whether a decoded text is mostly control characters, i.e. not text at all."""
    # A sample is enough to tell, and keeps a 50 MB file fast.
    sample = text[:100_000]
    controls = sum(
        1 for char in sample if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f"
    )
    return "\x00" in text or controls > len(sample) // 20


# The legacy encodings of the network's languages (Western European and Latin American,
# Russian, Chinese). On short texts charset-normalizer often ranks a rare code page (Mac
# Central European for French) slightly above them, garbling every accent.
_COMMON_ENCODINGS = ("cp1252", "cp1251", "gb18030")
_CHAOS_MARGIN = 0.1


def _detect(data: bytes) -> str | None:
    """Return the text of bytes in an unknown legacy encoding, or None when none fits."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    close = {
        match.encoding: match for match in matches if match.chaos <= best.chaos + _CHAOS_MARGIN
    }
    for encoding in _COMMON_ENCODINGS:
        if encoding in close:
            return str(close[encoding])
    return str(best)


def _decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode text bytes: byte-order mark, then UTF-8, then a declared charset, then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise _undecodable() from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # UTF-16 without a byte-order mark is valid UTF-8 full of NUL characters.
        if "\x00" not in text:
            return text
    # A declared UTF-16/32 without a byte-order mark is a known mistake that browsers ignore too.
    if declared and not declared.lower().startswith(("utf-16", "utf-32", "utf16", "utf32")):
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if not _looks_binary(text):
                return text
    detected = _detect(data)
    if detected is None or _looks_binary(detected):
        raise _undecodable()
    return detected


def _read_text(data: bytes) -> Extracted:
    """Read a plain-text or Markdown file; Markdown is kept as its text, markup included."""
    return Extracted(text=_join_paragraphs([_decode_text(data)]), file_format="txt")


# --- Zip archives (DOCX, ODT) ------------------------------------------------------------------


def unsafe_member_name(name: str) -> bool:
    """Return whether an archive member name is absolute or climbs out with "..".

    Shared with the REFI-QDA import, which opens .qdpx archives.
    """
    name = name.replace("\\", "/")
    return (
        name.startswith("/")
        or bool(re.match(r"[A-Za-z]:", name))
        or ".." in name.split("/")
        or "\x00" in name
    )


def too_compressed(member: zipfile.ZipInfo, max_ratio: int, min_bytes: int) -> bool:
    """Whether a member of at least `min_bytes` unpacks to more than `max_ratio` times its size.

    Small members are exempt: a short run of repeated text compresses far more than any real
    document, and is harmless.
    """
    return member.file_size > min_bytes and member.file_size > max_ratio * max(
        member.compress_size, 1
    )


def _check_zip(data: bytes, damaged: str) -> None:
    """Refuse a damaged, encrypted, oversized or unsafe archive before any member is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ExtractionError(damaged) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise ExtractionError(_("The file holds too many parts and was refused."))
    total = 0
    for member in members:
        if unsafe_member_name(member.filename):
            raise ExtractionError(_("The file contains an unsafe file path and was refused."))
        if member.flag_bits & 0x1:
            raise ExtractionError(
                _("The file is protected by a password. Remove the password and try again.")
            )
        total += member.file_size
        if too_compressed(member, MAX_COMPRESSION_RATIO, RATIO_CHECK_MIN_BYTES):
            raise ExtractionError(
                _("The file is packed in a way that could harm the server, and was refused.")
            )
    if total > MAX_UNPACKED_BYTES:
        raise ExtractionError(
            _("The file unpacks to more than %(limit)s MB and was refused.")
            % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


# --- Word (.docx) ------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc files, and password-protected .docx files


def _docx_paragraphs(container: Any) -> Iterator[str]:
    """Yield the paragraphs of a document or table cell in order, table cells included."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text
        elif isinstance(item, Table):
            # A merged cell is returned once per grid position it spans; read it once.
            seen: set[Any] = set()
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    yield from _docx_paragraphs(cell)


def _read_docx(data: bytes) -> Extracted:
    """Read the paragraphs of a Word .docx file in order, including the text of tables."""
    damaged = _("The Word file could not be read; it may be damaged. Save it again as .docx.")
    if data.startswith(_OLE_MAGIC):
        raise ExtractionError(
            _(
                "This is an old Word .doc file or a file protected by a password. "
                "Save it as .docx without a password and try again."
            )
        )
    _check_zip(data, damaged)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_docx_paragraphs(document))
    # python-docx and lxml raise many kinds of error on a malformed file; all mean the same here.
    except Exception as error:
        raise ExtractionError(damaged) from error
    return Extracted(text=_join_paragraphs(paragraphs), file_format="docx")


# --- OpenDocument (.odt) -----------------------------------------------------------------------

_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _odt_inline(element: Any, nested: list[Any]) -> str:
    """Return the text of a paragraph's content; paragraphs nested in it go to `nested`."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{_TEXT_NS}s":
            try:
                count = int(child.get(f"{_TEXT_NS}c", "1"))
            except ValueError:
                count = 1
            parts.append(" " * max(1, min(count, 1000)))
        elif tag == f"{_TEXT_NS}tab":
            parts.append("\t")
        elif tag == f"{_TEXT_NS}line-break":
            parts.append("\n")
        elif tag in (f"{_TEXT_NS}p", f"{_TEXT_NS}h"):
            # A paragraph inside a paragraph (a text box in a frame) is a paragraph of its own.
            nested.append(child)
        elif tag == f"{_TEXT_NS}note":
            # A footnote's body follows the paragraph that cites it; the citation mark is dropped.
            body = child.find(f"{_TEXT_NS}note-body")
            if body is not None:
                nested.append(body)
        elif tag == f"{_OFFICE_NS}annotation":
            pass  # a reviewer's comment, not the document's text
        else:
            parts.append(_odt_inline(child, nested))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_paragraphs(element: Any, out: list[str]) -> None:
    """Append the text of every text:p and text:h under `element` to `out`, in document order."""
    if element.tag in (f"{_TEXT_NS}p", f"{_TEXT_NS}h"):
        nested: list[Any] = []
        out.append(_odt_inline(element, nested))
        for child in nested:
            _odt_paragraphs(child, out)
        return
    for child in element:
        if child.tag == f"{_OFFICE_NS}annotation":
            continue
        _odt_paragraphs(child, out)


def _read_odt(data: bytes) -> Extracted:
    """Read the headings and paragraphs of an OpenDocument text file (.odt) in order."""
    import defusedxml.ElementTree as SafeElementTree
    from defusedxml import DefusedXmlException

    damaged = _(
        "The OpenDocument file could not be read; it may be damaged. Save it again as .odt."
    )
    _check_zip(data, damaged)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() != _ODT_MIMETYPE:
                raise ExtractionError(
                    _("This is not an OpenDocument text file. Save it as .odt and try again.")
                )
            content = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise ExtractionError(damaged) from error
    try:
        # defusedxml refuses entity declarations and external references (no "billion laughs").
        root = SafeElementTree.fromstring(content)
        body = root.find(f"{_OFFICE_NS}body")
        paragraphs: list[str] = []
        _odt_paragraphs(body if body is not None else root, paragraphs)
    except (SafeElementTree.ParseError, DefusedXmlException, RecursionError) as error:
        raise ExtractionError(damaged) from error
    return Extracted(text=_join_paragraphs(paragraphs), file_format="odt")


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> Extracted:
    """Read the text layer of a PDF, page by page; pages without text are named in a warning."""
    from pypdf import PdfReader

    damaged = _("The PDF could not be read; it may be damaged.")
    protected = _(
        "The PDF is protected by a password. Save a copy without the password and try again."
    )
    # pypdf raises many kinds of error on a malformed file; all mean the file cannot be read.
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:
        raise ExtractionError(damaged) from error
    if encrypted:
        # Only the empty password is tried: many PDFs are encrypted just to restrict printing.
        try:
            decrypted = bool(reader.decrypt(""))
        except Exception:
            decrypted = False
        if not decrypted:
            raise ExtractionError(protected)
    try:
        pages = list(reader.pages)
    except Exception as error:
        raise ExtractionError(damaged) from error
    if not pages:
        raise ExtractionError(damaged)
    texts: list[str] = []
    without_text: list[str] = []
    unreadable: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:
            unreadable.append(str(number))
            continue
        if text.strip():
            texts.append(text)
        else:
            without_text.append(str(number))
    if not texts:
        if unreadable and not without_text:
            raise ExtractionError(damaged)
        raise ExtractionError(_("The PDF has no text layer; scanned PDFs need OCR first."))
    warnings = []
    if without_text:
        warnings.append(
            _("Pages without text were skipped (scanned pages need OCR first): %(pages)s.")
            % {"pages": _listed(without_text)}
        )
    if unreadable:
        warnings.append(
            _("Pages that could not be read were skipped: %(pages)s.")
            % {"pages": _listed(unreadable)}
        )
    return Extracted(text=_join_paragraphs(texts), file_format="pdf", warnings=warnings)


# --- HTML --------------------------------------------------------------------------------------

# Never shown by a browser, so not part of the text.
_HTML_SKIP = frozenset(
    {"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg"}
)
_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class _HtmlText:
    """Collect the visible text of an HTML tree as paragraphs, one per block element."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def flush(self, preformatted: bool) -> None:
        text = "".join(self.current)
        self.current = []
        if not preformatted:
            text = "\n".join(line.strip() for line in text.split("\n"))
        if text.strip():
            self.paragraphs.append(text)

    def add(self, text: str | None, preformatted: bool) -> None:
        if text:
            self.current.append(text if preformatted else _HTML_SPACE.sub(" ", text))

    def walk(self, element: Any, preformatted: bool = False) -> None:
        # Comments and processing instructions have a function as tag; they are not text.
        if not isinstance(element.tag, str):
            return
        tag = element.tag.lower()
        if (
            tag in _HTML_SKIP
            or element.get("hidden") is not None
            or _DISPLAY_NONE.search(element.get("style") or "")
        ):
            return
        block = tag in _HTML_BLOCKS
        if block:
            self.flush(preformatted)
        inner = preformatted or tag in ("pre", "textarea")
        if tag == "br":
            self.current.append("\n")
        self.add(element.text, inner)
        for child in element:
            self.walk(child, inner)
            self.add(child.tail, inner)
        if block:
            self.flush(inner)


def _read_html(data: bytes) -> Extracted:
    """Read the visible text of an HTML page: no script, style or head, and no markup."""
    import lxml.html
    from lxml import etree

    declared = _META_CHARSET.search(data[:4096])
    text = _decode_text(data, declared.group(1).decode("ascii") if declared else None)
    # The text is decoded here and handed over as UTF-8, so a wrong declaration cannot garble it.
    # libxml2's HTML parser expands only the standard HTML entities, never declared ones.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )
    collector = _HtmlText()
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
        collector.walk(root)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, RecursionError):
        # lxml refuses a document with no elements at all: that is a file without text.
        raise ExtractionError(_("The file contains no text.")) from None
    collector.flush(False)
    warnings = []
    # libxml2 stops at 256 levels of nesting; deeper content is lost, so say so.
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        warnings.append(_("Parts of the page were nested too deeply and were skipped."))
    return Extracted(
        text=_join_paragraphs(collector.paragraphs), file_format="html", warnings=warnings
    )


# --- Transcripts (WebVTT, SubRip) --------------------------------------------------------------


@dataclass
class _Timed:
    """A cue as read from the file, before its text is cleaned and placed."""

    start_ms: int
    end_ms: int
    speaker: str
    lines: list[str]


# An integer line: the cue number of SubRip, and a common WebVTT cue identifier.
_CUE_NUMBER = re.compile(r"\s*\d+\s*")
_VTT_NON_CUE = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_VTT_TIME = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})")
_VOICE = re.compile(r"\s*<v(?:\.[\w-]+)*\s+([^>]+)>", re.IGNORECASE)
# Formatting tags used in SubRip files, and ASS override codes such as {\an8}.
_SRT_TAGS = re.compile(
    r"</?(?:b|i|u|s|font|v|c|ruby|rt|lang|span)(?:[\s.][^>]*)?>|\{\\[^}]*\}", re.IGNORECASE
)
# "Name: words" (or "名字：words"): a short label that contains a letter and no sentence marks.
_SPEAKER = re.compile(r"([^:：\n]{1,40}?)\s*(?::[ \t]+|：[ \t]*)(?=\S)")
_SENTENCE_MARKS = frozenset('.,;!?…。，；！？、"“”«»')
MAX_SPEAKER_WORDS = 5


def _subtitle_blocks(text: str, header: bool) -> list[tuple[int, list[str]]]:
    """Split a subtitle file into blocks of lines, each with the line number where it starts.

    Blocks end at empty lines. A cue timings line ("-->") can only be a block's first or second
    line, so one found later starts a new block, taking a cue number before it along: a missing
    blank line must not hide a cue inside the one before it.
    """
    blocks: list[tuple[int, list[str]]] = []
    block: list[str] = []
    first_line = 1
    in_header = header
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if block:
                blocks.append((first_line, block))
                block = []
                in_header = False
            continue
        if "-->" in line and block and (in_header or len(block) > 1 or "-->" in block[0]):
            carried: list[str] = []
            if len(block) > 1 and "-->" not in block[-1] and _CUE_NUMBER.fullmatch(block[-1]):
                carried = [block.pop()]
            blocks.append((first_line, block))
            block = carried
            first_line = number - len(carried)
            in_header = False
        if not block:
            first_line = number
        block.append(line)
    if block:
        blocks.append((first_line, block))
    return blocks


def _vtt_milliseconds(value: str) -> int | None:
    """Return a WebVTT timestamp ("01:02:03.456" or "02:03.456") in milliseconds."""
    match = _VTT_TIME.fullmatch(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, millis = (int(group or 0) for group in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _vtt_cue(lines: list[str]) -> _Timed | None:
    """Read one WebVTT cue block with webvtt-py, or return None when its timings are broken."""
    import webvtt

    try:
        captions = webvtt.from_string("WEBVTT\n\n" + "\n".join(lines)).captions
    # webvtt-py raises different errors across versions for one malformed cue; whatever it is,
    # only this block is skipped and reported.
    except Exception:
        return None
    if len(captions) != 1:
        return None
    caption = captions[0]
    start_ms = _vtt_milliseconds(caption.start)
    end_ms = _vtt_milliseconds(caption.end)
    if start_ms is None or end_ms is None or end_ms < start_ms:
        return None
    # WebVTT escapes "<", ">" and "&" in cue text; the stored text is plain.
    return _Timed(
        start_ms=start_ms,
        end_ms=end_ms,
        speaker=html.unescape(caption.voice or ""),
        lines=[html.unescape(line) for line in caption.text.split("\n")],
    )


def _srt_cue(lines: list[str]) -> _Timed | None:
    """Read one SubRip cue block with `srt`, or return None when its timings are broken."""
    import srt

    try:
        subtitles = list(srt.parse("\n".join(lines)))
    # srt raises on any unparseable content; whatever it is, only this block is skipped.
    except Exception:
        return None
    if len(subtitles) != 1:
        return None
    subtitle = subtitles[0]
    start_ms = subtitle.start // timedelta(milliseconds=1)
    end_ms = subtitle.end // timedelta(milliseconds=1)
    if start_ms < 0 or end_ms < start_ms:
        return None
    speaker, content = _srt_voice(subtitle.content)
    return _Timed(start_ms=start_ms, end_ms=end_ms, speaker=speaker, lines=content)


def _srt_voice(content: str) -> tuple[str, list[str]]:
    """Return the speaker of a WebVTT-style voice tag, if any, and the lines without tags."""
    voice = _VOICE.match(content)
    return (voice.group(1) if voice else ""), _SRT_TAGS.sub("", content).split("\n")


def _split_speaker(words: str) -> tuple[str, str]:
    """Return the speaker of a leading "Name:" label and the words after it ("" if none)."""
    match = _SPEAKER.match(words)
    if match is None:
        return "", words
    name = " ".join(match.group(1).split())
    if (
        not name
        or len(name.split()) > MAX_SPEAKER_WORDS
        or not any(char.isalpha() for char in name)
        or any(char in _SENTENCE_MARKS for char in name)
    ):
        return "", words
    return name, words[match.end() :]


def _assemble_cues(timed: list[_Timed]) -> tuple[str, list[Cue]]:
    """Return the text of a transcript, one paragraph per cue, and the cues placed in it.

    Each piece is cleaned (NFC) before it is placed and pieces meet only at a line feed or after
    ": ", where NFC composes nothing, so the offsets hold in the normalised text.
    """
    parts: list[str] = []
    cues: list[Cue] = []
    position = 0
    for item in timed:
        lines = [" ".join(line.split()) for line in _clean("\n".join(item.lines)).split("\n")]
        words = "\n".join(line for line in lines if line)
        speaker = " ".join(_clean(item.speaker).split())
        if not speaker:
            speaker, words = _split_speaker(words)
        if not words:
            continue
        if parts:
            parts.append("\n\n")
            position += 2
        prefix = f"{speaker}: " if speaker else ""
        start = position + len(prefix)
        parts.append(prefix + words)
        position = start + len(words)
        cues.append(Cue(start, position, item.start_ms, item.end_ms, speaker))
    return "".join(parts), cues


def _read_subtitles(data: bytes, file_format: str) -> Extracted:
    """Read a WebVTT or SubRip transcript, skipping (and reporting) cues with broken times."""
    text = _decode_text(data).lstrip("\ufeff")
    text = _LINE_BREAKS.sub("\n", text)
    vtt = file_format == "vtt"
    blocks = _subtitle_blocks(text, header=vtt and text.startswith("WEBVTT"))
    if vtt and blocks and blocks[0][1][0].startswith("WEBVTT"):
        blocks = blocks[1:]
    timed: list[_Timed] = []
    skipped: list[str] = []
    number = 0
    previous_ok = False
    for line, lines in blocks:
        has_timings = any("-->" in text_line for text_line in lines)
        if not has_timings and all(_CUE_NUMBER.fullmatch(text_line) for text_line in lines):
            continue  # a stray cue number: no words are lost by passing over it
        if vtt and not has_timings and _VTT_NON_CUE.match(lines[0]):
            continue  # a comment, style sheet or region definition
        if not vtt and not has_timings and not _CUE_NUMBER.fullmatch(lines[0]):
            # SubRip readers keep a blank line inside a cue's text: these lines continue it.
            if previous_ok:
                timed[-1].lines.extend(_srt_voice("\n".join(lines))[1])
                continue
            if number:
                continue  # more lines of a cue already reported as skipped
        number += 1
        cue = (_vtt_cue if vtt else _srt_cue)(lines) if has_timings else None
        previous_ok = cue is not None
        if cue is None:
            skipped.append(_("cue %(number)s (line %(line)s)") % {"number": number, "line": line})
        else:
            timed.append(cue)
    transcript, cues = _assemble_cues(timed)
    if not timed and skipped:
        raise ExtractionError(
            _("No cue could be read: the times of every cue are missing or broken.")
        )
    warnings = []
    if skipped:
        warnings.append(
            ngettext(
                "%(count)s cue was skipped because its times are missing or broken: %(cues)s.",
                "%(count)s cues were skipped because their times are missing or broken: %(cues)s.",
                len(skipped),
            )
            % {"count": len(skipped), "cues": _listed(skipped)}
        )
    return Extracted(text=transcript, file_format=file_format, cues=cues, warnings=warnings)


_READERS = {
    "txt": _read_text,
    "md": _read_text,
    "docx": _read_docx,
    "pdf": _read_pdf,
    "odt": _read_odt,
    "html": _read_html,
    "vtt": lambda data: _read_subtitles(data, "vtt"),
    "srt": lambda data: _read_subtitles(data, "srt"),
}
