"""Living elements in a case study's Markdown, resolved when the document is rendered.

    {{ quote 123 }}                    the coded segment 123, attributed as its speaker consented
    {{ quote 123 as=anonymous }}       a less revealing attribution (never a more revealing one)
    {{ figure interviews }}            "29 interviews with 31 individuals", counted now
    {{ figure members }}               "306 organisations in 99 countries"
    {{ figure members_by_region }}     a table; also engagements_by_platform [year=2020],
                                       power_map, recommendation_trends, sources, participants
    {{ include background }}           the text of another section of the same document

Footnotes (`[^1]` and `[^1]: ...`) and links are plain Markdown. Resolution never lets a quote
through that its speaker did not consent to: such a quote is withheld from the text and reported
as a problem, which blocks approval and publication (see `gate.py`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ELEMENT = re.compile(r"\{\{\s*(?P<body>[^{}]*?)\s*\}\}")
KINDS = ("quote", "figure", "include")
# Attributions from the least to the most revealing.
REVEALING = ("anonymous", "organisation", "named")
MAX_INCLUDE_DEPTH = 8
# A section longer than this is refused: about 300 pages of text in one section.
MAX_SECTION_CHARACTERS = 600_000


@dataclass(frozen=True)
class Element:
    """One `{{ ... }}` in a text: its kind, its arguments and where it stands."""

    raw: str
    kind: str
    target: str
    options: dict[str, str]
    start: int
    end: int


@dataclass
class ElementError:
    raw: str
    message: str


@dataclass
class Parsed:
    elements: list[Element] = field(default_factory=list)
    errors: list[ElementError] = field(default_factory=list)


def parse(text: str) -> Parsed:
    """Find the elements of a text; a malformed or unknown one becomes an error, not an element."""
    parsed = Parsed()
    for match in ELEMENT.finditer(text):
        raw = match.group(0)
        words = match.group("body").split()
        if not words:
            parsed.errors.append(ElementError(raw, _("An empty element.")))
            continue
        kind, arguments = words[0].lower(), words[1:]
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            message = _("Unknown element “%(kind)s”.") % {"kind": kind}
            if close:
                message += " " + _("Did you mean “%(kind)s”?") % {"kind": close[0]}
            parsed.errors.append(ElementError(raw, message))
            continue
        options = {}
        positional = []
        for argument in arguments:
            name, equals, value = argument.partition("=")
            if equals:
                options[name.lower()] = value
            else:
                positional.append(argument)
        if len(positional) != 1:
            parsed.errors.append(
                ElementError(
                    raw, _("“%(kind)s” takes exactly one name or number.") % {"kind": kind}
                )
            )
            continue
        parsed.elements.append(
            Element(
                raw=raw,
                kind=kind,
                target=positional[0],
                options=options,
                start=match.start(),
                end=match.end(),
            )
        )
    return parsed


def quote_ids(text: str) -> set[int]:
    """Return the coding ids quoted in a text."""
    return {
        int(element.target)
        for element in parse(text).elements
        if element.kind == "quote" and element.target.isdigit()
    }


def remove_quotes(text: str, coding_ids: set[int]) -> tuple[str, int]:
    """Remove the quote elements of the given codings from a text; return it and the count."""
    removed = 0
    pieces = []
    position = 0
    for element in parse(text).elements:
        if (
            element.kind == "quote"
            and element.target.isdigit()
            and int(element.target) in coding_ids
        ):
            pieces.append(text[position : element.start])
            position = element.end
            removed += 1
    pieces.append(text[position:])
    return "".join(pieces), removed


def replace_quotes(text: str, replaced: dict[int, int]) -> str:
    """Point quote elements at other codings (`replaced` maps old ids to new), options kept."""
    pieces = []
    position = 0
    for element in parse(text).elements:
        if element.kind == "quote" and element.target.isdigit():
            new = replaced.get(int(element.target))
            if new is not None:
                options = "".join(f" {name}={value}" for name, value in element.options.items())
                pieces.append(text[position : element.start])
                pieces.append(f"{{{{ quote {new}{options} }}}}")
                position = element.end
    pieces.append(text[position:])
    return "".join(pieces)
