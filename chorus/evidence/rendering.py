"""Lay out a source's text as paragraphs of pieces, each piece covered by the same codes.

The page shows codings as marks in the text without any script: the text is cut at every
coding boundary and each piece carries the codes that cover it. Every piece also carries its
offset, which is how the selection script (and the no-script form) name a span.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass
class Piece:
    start: int
    text: str
    code_ids: tuple[int, ...] = ()


@dataclass
class Paragraph:
    number: int
    start: int
    end: int
    pieces: list[Piece] = field(default_factory=list)
    codings: list = field(default_factory=list)


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each paragraph: text between blank lines, whitespace trimmed."""
    bounds = []
    position = 0
    for block in text.split("\n\n"):
        stripped = block.strip()
        if stripped:
            start = position + block.index(stripped[0])
            bounds.append((start, start + len(stripped)))
        position += len(block) + 2
    return bounds


def layout(text: str, codings) -> list[Paragraph]:
    """Cut the text into paragraphs and pieces; attach each coding to the paragraph it starts in."""
    codings = list(codings)
    paragraphs = []
    for number, (start, end) in enumerate(paragraph_bounds(text), start=1):
        inside = [c for c in codings if c.start < end and c.end > start]
        cuts = {start, end}
        for coding in inside:
            cuts.add(max(start, coding.start))
            cuts.add(min(end, coding.end))
        ordered = sorted(cuts)
        paragraph = Paragraph(number=number, start=start, end=end)
        for left, right in itertools.pairwise(ordered):
            covering = tuple(
                sorted({c.code_id for c in inside if c.start < right and c.end > left})
            )
            paragraph.pieces.append(Piece(start=left, text=text[left:right], code_ids=covering))
        paragraph.codings = [c for c in inside if start <= c.start < end]
        paragraphs.append(paragraph)
    # A coding that starts in the whitespace between paragraphs belongs to the next one.
    placed = {c.pk for p in paragraphs for c in p.codings}
    for coding in codings:
        if coding.pk not in placed:
            for paragraph in paragraphs:
                if coding.start < paragraph.end:
                    paragraph.codings.append(coding)
                    break
    return paragraphs


def locate(text: str, paragraph: tuple[int, int], words: str) -> tuple[int, int] | None:
    """Find `words` inside a paragraph (for the no-script coding form); None when absent."""
    start, end = paragraph
    words = words.strip()
    if not words:
        return start, end
    found = text.find(words, start, end)
    if found < 0:
        # Copying from a page may change spacing; retry with whitespace collapsed.
        import re

        pattern = r"\s+".join(re.escape(part) for part in words.split())
        match = re.compile(pattern).search(text, start, end)
        return (match.start(), match.end()) if match else None
    return found, found + len(words)
