"""Turning uploaded files into research text: every format, offsets, and refusals of bad files."""

from __future__ import annotations

import io
import time
import unicodedata
import zipfile

import pytest

from chorus.evidence import extraction
from chorus.evidence.extraction import Cue, ExtractionError, check_size, extract

MIXED = "Привет, 你好 😀 café"  # Cyrillic, Chinese, emoji, Latin with an accent


def words_of(result) -> list[str]:
    """Return the text each cue points at."""
    return [result.text[cue.start : cue.end] for cue in result.cues]


def refused(filename: str, data: bytes) -> str:
    """Return the message of the ExtractionError that `extract` raises."""
    with pytest.raises(ExtractionError) as caught:
        extract(filename, data)
    return caught.value.message


# --- Building files in memory ------------------------------------------------------------------


def make_docx(*paragraphs: str, table: list[list[str]] | None = None, after: str = "") -> bytes:
    """Write a Word file with the paragraphs, then an optional table and paragraph."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    if after:
        document.add_paragraph(after)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    """Return a zip archive holding the members, in order, compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_member(data: bytes, name: str, content: bytes = b"x") -> bytes:
    """Return a copy of a zip archive with one more member."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def make_odt(body: str, prolog: str = "") -> bytes:
    """Return an OpenDocument text file whose office:text holds `body`."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<office:document-content {ODT_NS} office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype member comes first and uncompressed, as the OpenDocument format requires.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content.encode(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def make_pdf(*pages: list[str]) -> bytes:
    """Write a PDF whose pages show the given lines; a page without lines has no text.

    The font is a Type0 font with a ToUnicode map, so any character (Chinese, emoji) has a
    text layer, as in a PDF exported from a word processor.
    """
    characters = sorted({char for lines in pages for line in lines for char in line})
    code = {char: index + 1 for index, char in enumerate(characters)}
    mappings = [
        f"<{code[char]:04X}> <{char.encode('utf-16-be').hex().upper()}>" for char in characters
    ]
    chunks = [mappings[i : i + 100] for i in range(0, len(mappings), 100)]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + "".join(
            f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n" for chunk in chunks
        )
        + "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()

    def stream(content: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"

    page_count = len(pages)
    first_page = 6
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(page_count))
        + b"] /Count %d >>" % page_count,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /DW 1000 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        stream(cmap),
    ]
    for lines in pages:
        operations = [b"BT /F1 12 Tf 72 720 Td"]
        for line in lines:
            hex_codes = "".join(f"{code[char]:04X}" for char in line)
            operations.append(b"<%s> Tj 0 -24 Td" % hex_codes.encode())
        operations.append(b"ET")
        content_number = len(objects) + 2
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_number
        )
        objects.append(stream(b"\n".join(operations) if lines else b""))
    output = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(output)


def encrypted(pdf: bytes, user_password: str) -> bytes:
    """Return the PDF encrypted with pypdf, as a PDF editor would protect it."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- Formats and sizes -------------------------------------------------------------------------


def test_unknown_suffix_lists_the_supported_formats():
    """A file of an unknown type is refused with the list of supported suffixes."""
    message = refused("interview.exe", b"MZ")
    for suffix in (".txt", ".docx", ".pdf", ".odt", ".vtt", ".srt"):
        assert suffix in message
    assert refused("no-suffix", b"text")


def test_check_size_refuses_200_mb_without_reading_it():
    """check_size refuses a 200 MB upload from its size alone; 50 MB is accepted."""
    with pytest.raises(ExtractionError) as caught:
        check_size(200 * 1024 * 1024)
    assert "50 MB" in caught.value.message
    check_size(extraction.MAX_FILE_BYTES)


def test_extract_refuses_data_over_the_limit(monkeypatch):
    """extract itself refuses data larger than MAX_FILE_BYTES, before parsing it."""
    monkeypatch.setattr(extraction, "MAX_FILE_BYTES", 10)
    with pytest.raises(ExtractionError):
        extract("notes.txt", b"x" * 11)


def test_empty_file_and_file_without_text_are_refused():
    """An empty file, or one with only spaces and line breaks, is refused."""
    assert refused("notes.txt", b"")
    assert refused("notes.txt", b" \n\n\t \r\n")


# --- Plain text and Markdown -------------------------------------------------------------------


def test_txt_keeps_scripts_and_emoji_and_collapses_blank_lines():
    """A UTF-8 text keeps every script and emoji; paragraphs get exactly one blank line."""
    data = f"Line one  \r\nline two\r\n\r\n\r\n\r\n{MIXED}\r\n👩‍👩‍👧\n".encode()
    result = extract("notes.txt", data)
    assert result.text == f"Line one\nline two\n\n{MIXED}\n👩‍👩‍👧"
    assert result.file_format == "txt"
    assert result.cues == []
    assert result.warnings == []


def test_txt_is_normalised_to_nfc():
    """A decomposed é (e + combining accent) becomes the composed character."""
    result = extract("notes.txt", "Me\u0301decins du monde".encode())
    assert result.text == "M\u00e9decins du monde"
    assert unicodedata.is_normalized("NFC", result.text)


def test_txt_control_characters_are_removed():
    """Control characters go, except line breaks and tabs."""
    result = extract("notes.txt", b"a\x01b\x07c\td\x1be\x7ff")
    assert result.text == "abc\tdef"


def test_utf16_with_bom_is_decoded():
    """A UTF-16 file with a byte-order mark (as Windows Notepad saves) is read correctly."""
    result = extract("notes.txt", MIXED.encode("utf-16"))
    assert result.text == MIXED


def test_utf8_bom_is_dropped():
    """A UTF-8 byte-order mark is not part of the text."""
    assert extract("notes.txt", b"\xef\xbb\xbfhello").text == "hello"


def test_undecodable_bytes_give_a_clear_error():
    """Binary bytes named .txt are refused with a message about the encoding."""
    message = refused("notes.txt", bytes(range(256)) * 8)
    assert "UTF-8" in message


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Les travailleuses du sexe ont été écoutées à la Commission; très réussi.", "cp1252"),
        ("Não há informação sobre a ação da polícia.", "cp1252"),
        ("Мы собрались в Бишкеке, чтобы обсудить насилие со стороны полиции.", "cp1251"),
        ("我们在北京开会，讨论了警察暴力和医疗服务的问题。", "gb18030"),
    ],
)
def test_legacy_encodings_are_detected(text, encoding):
    """A text saved in an old Windows or Chinese encoding keeps its accents and characters."""
    assert extract("notes.txt", text.encode(encoding)).text == text


def test_markdown_is_kept_as_its_text():
    """Markdown keeps its markup characters as text; the format is "md"."""
    result = extract("notes.md", "# Title\n\n*Сила* в единстве\n".encode())
    assert result.text == "# Title\n\n*Сила* в единстве"
    assert result.file_format == "md"


# --- Word --------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_order():
    """Paragraphs and table cells come out in document order, in every script."""
    data = make_docx(
        "Interview with the collective",
        MIXED,
        table=[["Question", "Ответ"], ["问题", "回答 👍"]],
        after="Closing words",
    )
    result = extract("interview.docx", data)
    assert result.file_format == "docx"
    assert result.text.split("\n\n") == [
        "Interview with the collective",
        MIXED,
        "Question",
        "Ответ",
        "问题",
        "回答 👍",
        "Closing words",
    ]


def test_docx_is_normalised_to_nfc():
    """Decomposed characters in a Word file are composed."""
    result = extract("interview.docx", make_docx("Jose\u0301 said: cafe\u0301"))
    assert result.text == "Jos\u00e9 said: caf\u00e9"


def test_corrupt_docx_is_refused():
    """A damaged .docx, or a zip that is not a Word file, is refused with a clear message."""
    assert "damaged" in refused("broken.docx", b"PK\x03\x04 this is not a zip")
    assert "damaged" in refused("broken.docx", make_docx("text")[:500])
    assert "damaged" in refused("other.docx", make_zip({"notes.txt": b"hello"}))


def test_old_doc_renamed_to_docx_is_explained():
    """An old binary .doc (or an encrypted .docx) says to save the file as .docx."""
    message = refused("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    assert ".docx" in message


def test_docx_zip_bomb_is_refused_quickly():
    """A member that unpacks to far more than it takes in the zip is refused before parsing."""
    started = time.monotonic()
    buffer = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w") as member,
    ):
        for _ in range(20):
            member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 100_000
    message = refused("bomb.docx", data)
    assert "refused" in message
    assert time.monotonic() - started < 3


def test_docx_unpacking_to_too_much_data_is_refused(monkeypatch):
    """A Word file whose parts add up to more than the bound is refused."""
    monkeypatch.setattr(extraction, "MAX_UNPACKED_BYTES", 1000)
    message = refused("big.docx", make_docx("text"))
    assert "refused" in message


@pytest.mark.parametrize("name", ["../evil.txt", "word/../../evil.txt", "/etc/passwd", "C:/x"])
def test_docx_with_unsafe_member_name_is_refused(name):
    """A member name with ".." or an absolute path (zip slip) makes the file refused."""
    data = with_member(make_docx("text"), name)
    assert any(info.filename == name for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert "unsafe" in refused("slip.docx", data)


# --- OpenDocument ------------------------------------------------------------------------------


def test_odt_headings_paragraphs_lists_and_tables_in_order():
    """Headings, paragraphs, list items and table cells come out in order, spans joined."""
    body = (
        '<text:h text:outline-level="1">Отчёт 2024</text:h>'
        '<text:p>We <text:span>met</text:span> in<text:s text:c="2"/>Nairobi'
        "<text:line-break/>and in 北京 🎉.</text:p>"
        "<text:list><text:list-item><text:p>First point</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Cell</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        "<text:p>Me\u0301decins<office:annotation><text:p>reviewer note</text:p>"
        "</office:annotation></text:p>"
    )
    result = extract("report.odt", make_odt(body))
    assert result.file_format == "odt"
    assert result.text.split("\n\n") == [
        "Отчёт 2024",
        "We met in  Nairobi\nand in 北京 🎉.",
        "First point",
        "Cell",
        "M\u00e9decins",
    ]


def test_odt_with_entity_declarations_is_refused():
    """An ODT whose XML declares entities (a "billion laughs" attack) is refused, not expanded."""
    prolog = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    message = refused("laughs.odt", make_odt("<text:p>&b;</text:p>", prolog=prolog))
    assert "damaged" in message


def test_odt_zip_slip_and_corrupt_are_refused():
    """An ODT with an unsafe member name, or a damaged one, is refused."""
    assert "unsafe" in refused("slip.odt", with_member(make_odt("<text:p>x</text:p>"), "../x"))
    assert "damaged" in refused("broken.odt", b"PK\x03\x04garbage")


def test_other_opendocument_kinds_are_refused():
    """A spreadsheet renamed .odt is refused with a message naming the expected format."""
    data = make_zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    )
    assert ".odt" in refused("sheet.odt", data)


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_are_joined_with_blank_lines():
    """The text layer of each page is read in every script; pages are separated by a blank line."""
    result = extract("report.pdf", make_pdf(["Page one", MIXED], ["Страница два 第二页"]))
    assert result.file_format == "pdf"
    assert result.text == f"Page one\n{MIXED}\n\nСтраница два 第二页"
    assert result.warnings == []


def test_pdf_without_text_layer_is_refused():
    """A PDF whose pages have no text (a scan) is refused with a hint about OCR."""
    message = refused("scan.pdf", make_pdf([], []))
    assert "no text layer" in message
    assert "OCR" in message


def test_pdf_pages_without_text_are_named_in_a_warning():
    """Pages without text in an otherwise readable PDF are skipped and listed."""
    result = extract("mixed.pdf", make_pdf(["Typed page"], [], ["Another"]))
    assert result.text == "Typed page\n\nAnother"
    assert len(result.warnings) == 1
    assert "2" in result.warnings[0]


def test_password_protected_pdf_is_refused():
    """A PDF that needs a password says so; no password is guessed."""
    message = refused("secret.pdf", encrypted(make_pdf(["Confidential"]), "secret"))
    assert "password" in message


def test_pdf_encrypted_with_an_empty_user_password_is_read():
    """A PDF encrypted only to restrict editing (empty open password) is read."""
    result = extract("restricted.pdf", encrypted(make_pdf(["Open to read"]), ""))
    assert result.text == "Open to read"


def test_corrupt_pdf_is_refused():
    """A damaged or fake PDF is refused with a clear message."""
    assert "damaged" in refused("broken.pdf", b"%PDF-1.4\nthis is not a pdf\n%%EOF")
    assert "damaged" in refused("fake.pdf", b"hello")
    assert "damaged" in refused("cut.pdf", make_pdf(["text"])[:200])


# --- HTML --------------------------------------------------------------------------------------


def test_html_keeps_visible_text_only():
    """Script, style and head are dropped; markup is not in the text; entities are decoded."""
    page = (
        "<!DOCTYPE html><html><head><title>Secret title</title>"
        "<style>p { color: red }</style><script>var x = 'hidden';</script></head>"
        "<body><h1>Report</h1><p>We <b>met</b> at&nbsp;the CSW &amp; talked.</p>"
        f"<p>{MIXED}</p><script>alert('x')</script><p hidden>invisible</p>"
        "<ul><li>one</li><li>two<br>lines</li></ul></body></html>"
    )
    result = extract("page.html", page.encode())
    assert result.file_format == "html"
    assert (
        result.text == f"Report\n\nWe met at\u00a0the CSW & talked.\n\n{MIXED}\n\none\n\ntwo\nlines"
    )
    for absent in ("alert", "hidden", "Secret title", "color", "<b>", "invisible"):
        assert absent not in result.text


def test_html_does_not_resolve_external_entities():
    """An entity declared in the file is not expanded, so no local file can leak into the text."""
    page = (
        b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<html><body><p>before &xxe; after</p></body></html>"
    )
    result = extract("page.htm", page)
    assert "root:" not in result.text
    assert "before" in result.text


def test_html_nested_too_deeply_keeps_the_rest_and_warns():
    """Content beyond the parser's nesting limit is skipped with a warning, not silently."""
    page = "<p>Top</p>" + "<div>" * 300 + "deep" + "</div>" * 300
    result = extract("page.html", page.encode())
    assert result.text == "Top"
    assert len(result.warnings) == 1


def test_html_declared_charset_is_honoured():
    """A page declaring windows-1251 is decoded with it."""
    page = '<html><head><meta charset="windows-1251"></head><body><p>Сила</p></body></html>'
    assert extract("page.html", page.encode("cp1251")).text == "Сила"


# --- WebVTT ------------------------------------------------------------------------------------

VTT = """WEBVTT - interview 3

NOTE recorded with consent

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:04.500 align:start
<v Maria>Привет, 你好 😀 &amp; <b>welcome</b></v>

2
00:00:05.000 --> 00:01:02.250
<v.loud Ivan Petrov>We are
not afraid

00:01:03.000 --> 01:00:04.000
Jose\u0301: it's my cafe\u0301

intro
00:01:05.000 --> 00:01:06.000
Well, the answer is: no name here.
"""


def test_vtt_cues_with_voice_tags_and_speaker_prefixes():
    """Voice tags and "Name:" prefixes give speakers; offsets point at each cue's words."""
    result = extract("interview.vtt", VTT.encode())
    assert result.file_format == "vtt"
    assert result.warnings == []
    assert [cue.speaker for cue in result.cues] == ["Maria", "Ivan Petrov", "José", ""]
    assert words_of(result) == [
        "Привет, 你好 😀 & welcome",
        "We are\nnot afraid",
        "it's my café",
        "Well, the answer is: no name here.",
    ]
    assert [(cue.start_ms, cue.end_ms) for cue in result.cues] == [
        (1000, 4500),
        (5000, 62250),
        (63000, 3604000),
        (65000, 66000),
    ]
    assert result.text.split("\n\n")[0] == "Maria: Привет, 你好 😀 & welcome"
    assert "<b>" not in result.text
    assert unicodedata.is_normalized("NFC", result.text)
    assert all(isinstance(cue, Cue) for cue in result.cues)


def test_vtt_offsets_hold_after_nfc_normalisation():
    """Decomposed speakers and words are composed, and offsets count the composed text."""
    data = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Rene\u0301e>e\u0301te\u0301 ete\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v Ana>\u0301 leading accent\n"
    )
    result = extract("a.vtt", data.encode())
    assert result.cues[0].speaker == "Renée"
    assert words_of(result) == ["été ete", "\u0301 leading accent"]
    assert unicodedata.is_normalized("NFC", result.text)
    assert result.text == unicodedata.normalize("NFC", result.text)


def test_vtt_with_one_broken_timestamp_imports_the_rest_and_warns():
    """A cue with broken times is skipped and named (number and line); the others are kept."""
    data = (
        "WEBVTT\n\n"
        "1\n00:00:01.000 --> 00:00:02.000\nfirst\n\n"
        "2\n00:00:0x.000 --> 00:00:03.000\nbroken\n\n"
        "3\n00:00:04.000 --> 00:00:05.000\nthird\n"
    )
    result = extract("a.vtt", data.encode())
    assert words_of(result) == ["first", "third"]
    assert "broken" not in result.text
    assert len(result.warnings) == 1
    assert "cue 2 (line 7)" in result.warnings[0]


def test_vtt_missing_blank_line_does_not_hide_a_cue():
    """A cue written right after another (no blank line) is still its own cue."""
    data = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nfirst\n"
        "2\n00:00:03.000 --> 00:00:04.000\nsecond\n"
    )
    result = extract("a.vtt", data.encode())
    assert words_of(result) == ["first", "second"]


def test_vtt_with_all_cues_broken_is_refused():
    """A transcript where no cue has readable times is refused."""
    data = "WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\none\n\n00:99 -> 00:00:03.000\ntwo\n"
    assert "times" in refused("a.vtt", data.encode())


# --- SubRip ------------------------------------------------------------------------------------


def test_srt_cues_speakers_and_offsets():
    """SubRip cues keep times; "Name:" (also with a Chinese colon) gives the speaker; tags go."""
    data = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Анна:</i> мы здесь\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:04,000\r\n张伟：我们在这里 ✊\r\n\r\n"
        '3\r\n00:00:05,000 --> 00:00:06,000\r\n{\\an8}<font color="red">Plain</font> words\r\n'
        "over two lines\r\n"
    )
    result = extract("talk.srt", data.encode("utf-16"))
    assert result.file_format == "srt"
    assert [cue.speaker for cue in result.cues] == ["Анна", "张伟", ""]
    assert words_of(result) == ["мы здесь", "我们在这里 ✊", "Plain words\nover two lines"]
    assert [(cue.start_ms, cue.end_ms) for cue in result.cues] == [
        (1000, 2500),
        (3000, 4000),
        (5000, 6000),
    ]
    assert result.text == "Анна: мы здесь\n\n张伟: 我们在这里 ✊\n\nPlain words\nover two lines"
    assert result.warnings == []


def test_srt_with_broken_cue_imports_the_rest_and_warns():
    """A SubRip cue with a broken time line is skipped and named; the others are kept."""
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
        b"2\n00:00:02,000 -> 00:00:03,000\nbroken arrow\n\n"
        b"3\n00:00:04,000 --> 00:00:03,000\nends before it starts\n\n"
        b"4\n00:00:05,000 --> 00:00:06,000\nlast\n"
    )
    result = extract("talk.srt", data)
    assert words_of(result) == ["first", "last"]
    assert len(result.warnings) == 1
    assert "cue 2 (line 5)" in result.warnings[0]
    assert "cue 3 (line 9)" in result.warnings[0]


def test_srt_with_all_cues_broken_is_refused():
    """A SubRip file with no readable cue is refused."""
    assert "times" in refused("talk.srt", b"1\nsoon --> later\nwords\n")


def test_srt_blank_line_inside_a_cue_keeps_the_text():
    """Text after a blank line inside a cue stays with that cue, as SubRip players show it."""
    data = b"1\n00:00:01,000 --> 00:00:02,000\nfirst part\n\nsecond part\n"
    result = extract("talk.srt", data)
    assert words_of(result) == ["first part\nsecond part"]
    assert result.warnings == []
