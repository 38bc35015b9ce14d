"""The demo's case study: NSWP's 2021 case study, rebuilt as a living document on the evidence.

The Chinese sections are the seed's own text, read at run time from ../shared (never copied into
the repository) and split by the seed's headings. Each quote becomes a `{{ quote <id> }}` element
pointing at the evidence demo's coding of that quote, the interview count becomes
`{{ figure interviews }}` and the network's size `{{ figure members }}`, so the document follows
the data and the speakers' consent. The English sections are original summaries written for the
demo (chorus/casestudies/data/womens-movement/en), with the same elements; French, Spanish and
Russian have no text, so they show the per-section fallback to the main language.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import transaction

from chorus.casestudies import actions
from chorus.casestudies.default_template import SECTIONS, ensure_default_template
from chorus.casestudies.models import CaseStudy, TranslationStatus
from chorus.core.models import User
from chorus.demo import evidence as demo_evidence

# The extractor's helpers are reused, so the quotes found here are exactly the evidence demo's.
from chorus.demo.evidence import (
    FURNITURE,
    PUBLISHED_ON,
    RESEARCHER,
    SEED_TITLE,
    STUDY_TITLE,
    Quote,
    _read_quote,
    _unwrap,
    extract_quotes,
    read_seed,
)
from chorus.evidence.models import Coding, SourceKind, Study

SLUG = "womens-movement"
MAIN_LANGUAGE = "zh-hans"
# As published: NSWP names no individual author.
AUTHORS = "NSWP"
DATA = Path(__file__).resolve().parents[1] / "casestudies" / "data" / "womens-movement"
ENGLISH = DATA / "en"
QUOTE_TRANSLATIONS = DATA / "quotes.en.json"

# The closing note has no heading in the seed: it starts with this sentence.
NOTE_OPENING = "全球性工作项目网络使用一种方法"
# Heading levels below the section title (### by default), following the seed's outline.
HEADING_LEVELS = {
    "原教旨女权主义和废娼主义": 4,
    "性工作者包容性女权主义": 4,
    "地方和国家层面的联盟建设": 4,
    "国际联盟建设": 4,
    "性工作者包容性女权主义联盟(SWIFA)": 5,
    "算上我！联合会": 5,
    "女性权利发展协会(AWID)国际论坛": 4,
    "联合国妇女地位委员会/北京+25/世代平等论坛": 4,
    "CEDAW": 4,
    "国家层面政策制定": 4,
}
# A heading is a short block that does not end like a sentence.
MAX_HEADING = 40
SENTENCE_END = "。：！？；，、.…"
# The seed's footnotes: "1“…”" or "5 SWIFA 包括…"; a note that does not end like a sentence
# continues on the next line.
FOOTNOTE = re.compile(r"^\s*(?P<number>\d{1,2})(?!\d)\s*(?P<text>[“\"A-Za-z\u4e00-\u9fff].*)$")
FOOTNOTE_END = '。.．”"）)'
URL = re.compile(r"^\s*https?://\S+\s*$")
# Ideographs and CJK or full-width punctuation: justified PDF lines put spaces between them.
CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
CJK_GAP = re.compile(rf"(?<=[{CJK}])[ \t]+(?=[{CJK}])")
# A footnote marker is a lone digit glued to Chinese text: "第三方1、", "。4", "成员5组成".
MARKER = re.compile(rf"(?<=[{CJK}”\"])(?P<number>\d)(?=[{CJK}]|$)")
# The links of footnotes whose note gives no address: the address is taken from the seed's link
# lines (the PDF's link annotations), found by a part of it.
FOOTNOTE_LINKS = {3: "passblue.com", 4: "sweat.org.za", 6: "briefing-note-beijing25"}
# The sentences that state numbers the data now gives.
INTERVIEW_COUNT = re.compile(r"的\s*\d+\s*名个人进行了\s*\d+\s*次(?P<kind>[^。]*?访谈)")
NETWORK_SIZE = re.compile(
    r"由来自\s*\d+\s*个国家的\s*\d+\s*个(?P<members>[^。，]*?组织)形成的全球网络"
)
# In the English texts a quote is named by its speaker and, for a second quote, its number:
# "<<quote Ruth Morgan Thomas 2>>"; the coding's id is not known until the demo runs.
QUOTE_PLACEHOLDER = re.compile(r"<<quote (?P<name>[^<>]+?)(?: (?P<number>\d+))?>>")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


@dataclass
class Block:
    """A paragraph, heading, list item or quote of the seed, its lines joined."""

    kind: str  # "paragraph", "heading", "bullet" or "quote"
    text: str
    quote: Quote | None = None


@dataclass
class SeedSection:
    key: str
    blocks: list[Block] = field(default_factory=list)


def _squeeze(text: str) -> str:
    """Undo the PDF's justification: no spaces between Chinese characters, single spaces."""
    return re.sub(r"[ \t]{2,}", " ", CJK_GAP.sub("", text)).strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _next_line(lines: list[str], index: int) -> int | None:
    """Return the index of the next line at or after `index` that is not page layout."""
    for position in range(index, len(lines)):
        if not FURNITURE.match(lines[position]):
            return position
    return None


def read_footnotes(lines: list[str]) -> tuple[dict[int, str], set[int]]:
    """Return the seed's footnotes by number, and the indices of the lines they occupy.

    Footnotes sit wherever the page ended, even inside a quote, so they are collected first.
    """
    notes: dict[int, str] = {}
    taken: set[int] = set()
    index = 0
    while index < len(lines):
        match = FOOTNOTE.match(lines[index])
        if match is None:
            index += 1
            continue
        parts = [match["text"].strip()]
        taken.add(index)
        index += 1
        while parts[-1][-1:] not in FOOTNOTE_END:
            following = next((i for i in range(index, len(lines)) if lines[i].strip()), None)
            if following is None or FURNITURE.match(lines[following]):
                break
            parts.append(lines[following].strip())
            taken.add(following)
            index = following + 1
        notes.setdefault(int(match["number"]), _squeeze(_unwrap(parts)))
    return notes, taken


def _attribution_end(lines: list[str], index: int) -> int:
    """Return the index after the attribution line(s) that start at or after `index`.

    The seed ends each block with a space; an attribution wrapped after a Latin word ("Syndicat
    du / TRAvail Sexuel") also ends in a space, so there the next line's script decides.
    """
    current = _next_line(lines, index)
    for _line in range(3):  # an attribution wraps onto at most three lines
        if current is None:
            return len(lines)
        raw = lines[current]
        following = _next_line(lines, current + 1)
        if following is None:
            return len(lines)
        text, upcoming = raw.rstrip(), lines[following].strip()
        latin_wrap = (
            text[-1:].isascii()
            and text[-1:].isalpha()
            and upcoming[:1].isascii()
            and upcoming[:1].isalpha()
        )
        if raw == text or latin_wrap:
            current = following
            continue
        return current + 1
    return current + 1 if current is not None else len(lines)


def _classify(text: str) -> Block:
    if text.startswith("•"):
        return Block("bullet", text.lstrip("•").strip())
    if len(text) <= MAX_HEADING and text[-1:] not in SENTENCE_END:
        return Block("heading", text)
    return Block("paragraph", text)


def read_blocks(seed: str) -> tuple[list[Block], dict[int, str], list[str]]:
    """Split the seed into blocks; return them, its footnotes and its link addresses.

    In the seed every wrapped line is followed by a blank line, and the last line of a paragraph
    or heading ends with a space: that space, not the blank lines, marks where a block ends.
    """
    lines = seed.split("\n")
    notes, taken = read_footnotes(lines)
    links = [line.strip() for line in lines if URL.match(line)]
    starts = {quote.line - 1: quote for quote in extract_quotes(seed)}
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(_classify(_squeeze(_unwrap(pending))))
            pending.clear()

    index = 0
    while index < len(lines):
        raw = lines[index]
        if index in starts:
            flush()
            found = _read_quote(lines, index)
            last = found[1] if found else index
            blocks.append(Block("quote", starts[index].text, starts[index]))
            index = _attribution_end(lines, last + 1)
            continue
        if index in taken or not raw.strip() or FURNITURE.match(raw):
            index += 1
            continue
        if raw.strip().startswith("•"):
            flush()
        pending.append(raw.strip())
        if raw != raw.rstrip():
            flush()
        index += 1
    flush()
    return blocks, notes, links


def split_sections(blocks: list[Block]) -> dict[str, SeedSection]:
    """Assign blocks to the template's sections by the seed's headings (the Chinese titles)."""
    by_title = {_key(spec["titles"][MAIN_LANGUAGE]): spec["key"] for spec in SECTIONS}
    sections: dict[str, SeedSection] = {}
    current: SeedSection | None = None
    for block in blocks:
        key = by_title.get(_key(block.text)) if block.kind == "heading" else None
        if key is None and block.kind == "paragraph" and block.text.startswith(NOTE_OPENING):
            key = "note"
            current = sections.setdefault(key, SeedSection(key))
        elif key is not None:
            current = sections.setdefault(key, SeedSection(key))
            continue
        if current is not None:
            current.blocks.append(block)
    return sections


def _escape(text: str) -> str:
    """Make seed text literal in Markdown (and never an element)."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\d+)([.)])|^([#+-])", lambda m: f"{m[1] or ''}\\{m[2] or m[3]}", text)


@dataclass
class Chinese:
    """A section's Chinese Markdown and what went into it."""

    body: str
    quotes: int = 0
    unresolved: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)


def chinese_body(
    section: SeedSection,
    notes: dict[int, str],
    links: list[str],
    coding_for: Callable[[Quote], Coding | None],
    used_notes: set[int],
) -> Chinese:
    """Write a section of the seed as Markdown with quote and figure elements."""
    result = Chinese(body="")
    pieces: list[str] = []
    markers: list[int] = []
    for block in section.blocks:
        if block.kind == "quote":
            coding = coding_for(block.quote)
            if coding is None:
                # Without a coding the quote cannot be a living element; keep the words.
                result.unresolved.append(block.quote.name)
                pieces.append("> " + _escape(block.text))
            else:
                result.quotes += 1
                pieces.append(f"{{{{ quote {coding.pk} }}}}")
            continue
        if block.kind == "heading":
            level = HEADING_LEVELS.get(_key(block.text), 3)
            pieces.append("#" * level + " " + _escape(block.text))
            continue
        text = _escape(block.text)
        if INTERVIEW_COUNT.search(text):
            # The figure counts the study's interviews and people, whatever they are now.
            text = INTERVIEW_COUNT.sub(r"的个人进行了\g<kind>（{{ figure interviews }}）", text)
            result.figures.append("interviews")
        if NETWORK_SIZE.search(text):
            text = NETWORK_SIZE.sub(r"由\g<members>形成的全球网络（{{ figure members }}）", text)
            result.figures.append("members")

        def footnote(match: re.Match) -> str:
            number = int(match["number"])
            if number not in notes or number in used_notes:
                return match[0]
            used_notes.add(number)
            markers.append(number)
            return f"[^{number}]"

        text = MARKER.sub(footnote, text)
        if block.kind == "bullet":
            text = "- " + text
            if pieces and pieces[-1].startswith("- "):
                pieces[-1] += "\n" + text
                continue
        pieces.append(text)
    for number in markers:
        note = _escape(notes[number])
        fragment = FOOTNOTE_LINKS.get(number)
        address = next((link for link in links if fragment and fragment in link), None)
        if address:
            note += f" <{address}>"
        pieces.append(f"[^{number}]: {note}")
    result.body = "\n\n".join(pieces) + "\n"
    return result


def _coding_finder(study: Study) -> Callable[[Quote], Coding | None]:
    """Return a lookup of the coding whose source text is a quote (the first one coded)."""
    by_text: dict[str, Coding] = {}
    codings = (
        Coding.objects.filter(source__study=study, source__kind=SourceKind.INTERVIEW)
        .select_related("source")
        .order_by("pk")
    )
    for coding in codings:
        by_text.setdefault(coding.source.text[coding.start : coding.end].strip(), coding)
    return lambda quote: by_text.get(quote.text.strip())


def _english_body(
    text: str,
    quotes_of: dict[str, list[Quote]],
    coding_for: Callable[[Quote], Coding | None],
    translations: list[dict],
    unresolved: list[str],
) -> str:
    """Put the quotes' coding ids into an English text in place of their placeholders."""

    def element(match: re.Match) -> str:
        said = quotes_of.get(match["name"].strip(), [])
        number = int(match["number"] or 1)
        quote = said[number - 1] if len(said) >= number else None
        coding = coding_for(quote) if quote else None
        if coding is not None:
            return f"{{{{ quote {coding.pk} }}}}"
        # Without a coding there is no element to point at; keep the translated words, if any.
        unresolved.append(match["name"].strip())
        words = _translation_for(quote, translations) if quote else None
        return "> " + _escape(words) if words else ""

    return QUOTE_PLACEHOLDER.sub(element, text)


def _english_quotes() -> list[dict]:
    # Translations of the Chinese edition's wording, written for the demo (not NSWP's English).
    data = json.loads(QUOTE_TRANSLATIONS.read_text(encoding="utf-8"))
    return data["quotes"]


def _translation_for(quote: Quote, translations: list[dict]) -> str | None:
    for entry in translations:
        if entry["speaker"] == quote.name and entry["opens"] in quote.text:
            return entry["text"]
    return None


ENGLISH_TITLE = "Sex Worker-led Organisations' Engagement with the Women's Movement"
ENGLISH_SUMMARY = (
    "How sex worker-led organisations have worked with women's rights organisations, from local "
    "coalitions to the United Nations: the barriers they met, the forms their engagement took, "
    "what changed, and the strategies that worked."
)


@transaction.atomic
def build_casestudy_demo(*, stdout: TextIO | None = None) -> CaseStudy | None:
    """Build the demo case study "womens-movement" once; return it, or None if it cannot be.

    Needs the evidence demo's study (with its coded interviews) and the seed in ../shared.
    """
    out = stdout or sys.stdout

    def say(message: str) -> None:
        out.write(message + "\n")

    existing = CaseStudy.objects.filter(slug=SLUG).first()
    if existing is not None:
        say(f"Demo case study: “{SLUG}” already exists; nothing added.")
        return existing
    researcher = User.objects.filter(username=RESEARCHER).first()
    study = Study.objects.filter(title=STUDY_TITLE).first()
    if researcher is None or study is None:
        say(f"Demo case study: the evidence study “{STUDY_TITLE}” is missing; not built.")
        return None
    seed = read_seed()
    if seed is None:
        say(f"Demo case study: the seed {demo_evidence.SEED} is absent; not built.")
        return None
    blocks, notes, links = read_blocks(seed)
    sections = split_sections(blocks)
    coding_for = _coding_finder(study)
    template = ensure_default_template()
    case_study = actions.casestudy_create(
        actor=researcher,
        study=study,
        title=SEED_TITLE,
        language=MAIN_LANGUAGE,
        slug=SLUG,
        template=template,
        authors=AUTHORS,
        dated=PUBLISHED_ON,
    )
    # The English edition's title is a published fact; the summary is written for the demo.
    actions.casestudy_translate_title(
        actor=researcher,
        case_study=case_study,
        language="en",
        title=ENGLISH_TITLE,
        summary=ENGLISH_SUMMARY,
    )
    quotes = extract_quotes(seed)
    quotes_of: dict[str, list[Quote]] = {}
    for quote in quotes:
        quotes_of.setdefault(quote.name, []).append(quote)
    translations = _english_quotes()
    placed, figures, unresolved, english = 0, [], [], 0
    used_notes: set[int] = set()
    for spec in template.sections:
        key, titles = spec["key"], spec["titles"]
        seed_section = sections.get(key)
        if seed_section is not None:
            chinese = chinese_body(seed_section, notes, links, coding_for, used_notes)
            placed += chinese.quotes
            figures += chinese.figures
            unresolved += chinese.unresolved
            actions.section_text_save(
                actor=researcher,
                case_study=case_study,
                key=key,
                language=MAIN_LANGUAGE,
                # An administrator may have edited the template: English is the required title.
                title=titles.get(MAIN_LANGUAGE) or titles["en"],
                body=chinese.body,
            )
        path = ENGLISH / f"{key}.md"
        if path.is_file():
            body = _english_body(
                path.read_text(encoding="utf-8"), quotes_of, coding_for, translations, unresolved
            )
            actions.section_text_save(
                actor=researcher,
                case_study=case_study,
                key=key,
                language="en",
                title=titles["en"],
                body=body,
                status=TranslationStatus.TRANSLATED,
            )
            english += 1
    translated = 0
    for quote in quotes:
        coding, text = coding_for(quote), _translation_for(quote, translations)
        if coding is not None and text:
            actions.quote_translation_save(
                actor=researcher, coding=coding, language="en", text=text
            )
            translated += 1
    missing = sorted({spec["key"] for spec in template.sections} - set(sections))
    say(
        f"Demo case study: “{SLUG}” built with {len(sections)} Chinese and {english} English "
        f"sections, {placed} of {len(quotes)} quotes as elements, {translated} quotes translated, "
        f"figures: {', '.join(figures) or 'none'}"
        + (f"; sections not found in the seed: {', '.join(missing)}" if missing else "")
        + (f"; quotes without a coding: {', '.join(sorted(set(unresolved)))}" if unresolved else "")
        + "."
    )
    return case_study
