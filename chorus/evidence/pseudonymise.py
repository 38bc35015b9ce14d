"""Replace real names in a text with their pseudonyms, and map offsets from the old text to the new.

Matching ignores case. In scripts that separate words with spaces a name matches only as a whole
word ("Ann" never matches inside "Annual"); in scripts written without spaces (Chinese, Japanese,
Thai, Lao, Khmer, Burmese) and in Korean, whose particles attach to names, any occurrence counts.
Runs of whitespace in a name match any run of whitespace, so a name broken across lines is found.

Longer names are replaced first and a stretch of text is replaced at most once: with "Anna Lee"
and "Anna" on the list, "Anna Lee" becomes the pseudonym of "Anna Lee", never that of "Anna"
followed by " Lee", and a replacement is never searched again for other names.

Known limit: inflected forms ("Машей" for "Маша") are not the listed name and are not replaced;
`find_names` only reports what the list matches.

This module touches no database.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

# Blocks of scripts written without spaces between words, plus Hangul (particles attach to
# names). In these a name matches anywhere, since word boundaries cannot be seen.
_UNSPACED_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31BF),  # Bopomofo, Hangul compatibility Jamo, Kanbun
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAA60, 0xAA7F),  # Myanmar extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFFDC),  # half-width Katakana and Hangul
    (0x16FE0, 0x16FFF),  # ideographic symbols
    (0x1B000, 0x1B16F),  # kana supplement and extensions
    (0x20000, 0x3134F),  # CJK extensions B to G
)
_BLOCK_STARTS = [start for start, _end in _UNSPACED_BLOCKS]


def _unspaced(char: str) -> bool:
    """Return whether `char` belongs to a script whose words are not separated by spaces."""
    code = ord(char)
    index = bisect_right(_BLOCK_STARTS, code) - 1
    return index >= 0 and code <= _UNSPACED_BLOCKS[index][1]


def _wordlike(char: str) -> bool:
    """Return whether `char` continues a word of a spaced script (letter, digit or mark)."""
    if char == "_":
        return True
    return unicodedata.category(char)[0] in "LNM" and not _unspaced(char)


def _key(name: str) -> str:
    """Return the form under which two spellings of a name count as the same name."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@lru_cache(maxsize=1024)
def _pattern(name: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in unicodedata.normalize("NFC", name).split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def _matches(text: str, name: str) -> Iterator[tuple[int, int]]:
    """Yield the spans where `name` occurs in `text`, whole words only where words are spaced."""
    pattern = _pattern(name)
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start, end = match.span()
        # A boundary is needed only where the name's edge and its neighbour both belong to a
        # spaced script: "Maria" is found in "和Maria说" but not in "Mariana".
        bounded = (start == 0 or not (_wordlike(text[start - 1]) and _wordlike(text[start]))) and (
            end == len(text) or not (_wordlike(text[end - 1]) and _wordlike(text[end]))
        )
        if bounded and end > start:
            yield start, end
            position = end
        else:
            position = start + 1


def find_names(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """Return `(start, end, name)` for every occurrence of the names, in text order.

    Longer names win over shorter ones they overlap; occurrences never overlap each other.
    """
    unique: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            unique.setdefault(_key(name), name)
    starts: list[int] = []
    found: dict[int, tuple[int, str]] = {}
    for name in sorted(unique.values(), key=lambda n: (-len(_key(n)), _key(n))):
        for start, end in _matches(text, name):
            index = bisect_left(starts, start)
            if index > 0 and found[starts[index - 1]][0] > start:
                continue  # overlaps the occurrence before it
            if index < len(starts) and starts[index] < end:
                continue  # overlaps the occurrence after it
            insort(starts, start)
            found[start] = (end, name)
    return [(start, found[start][0], found[start][1]) for start in starts]


class OffsetMap:
    """Map offsets of a text to offsets of an edited copy of it.

    `edits` are `(old_start, old_end, new_start, new_end)`, sorted and not overlapping: the
    stretch `old[old_start:old_end]` became `new[new_start:new_end]`, and all text between
    edits is unchanged. An offset strictly inside an edited stretch maps to the start of its
    new form, or to its end when it ends a span, so a span never loses part of a replacement.
    """

    __slots__ = ("_edits", "_starts")

    def __init__(self, edits: Iterable[tuple[int, int, int, int]] = ()):
        self._edits = tuple(edits)
        self._starts = [edit[0] for edit in self._edits]

    @property
    def edits(self) -> tuple[tuple[int, int, int, int], ...]:
        return self._edits

    def __bool__(self) -> bool:
        return bool(self._edits)

    def map_offset(self, i: int, *, end: bool = False) -> int:
        """Return where offset `i` of the old text lies in the new text."""
        index = bisect_right(self._starts, i) - 1
        if index < 0:
            return i
        old_start, old_end, new_start, new_end = self._edits[index]
        if i >= old_end:
            return new_end + (i - old_end)
        if i == old_start:
            return new_start
        return new_end if end else new_start

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the new text that holds what `old[start:end]` held."""
        new_start = self.map_offset(start)
        if end <= start:
            return new_start, new_start
        return new_start, max(new_start, self.map_offset(end, end=True))


def replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """Return `text` with each `(start, end, new)` span replaced, and the map of old offsets.

    Spans come in order and do not overlap; the text between them is kept as it is.
    """
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    position = length = 0
    for start, end, new in spans:
        pieces.append(text[position:start])
        length += start - position
        pieces.append(new)
        edits.append((start, end, length, length + len(new)))
        length += len(new)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), OffsetMap(edits)


@dataclass(frozen=True)
class Pseudonymised:
    """A text with its real names replaced, and the way back from old offsets to new ones."""

    text: str
    offsets: OffsetMap = field(default_factory=OffsetMap)

    @property
    def replaced(self) -> int:
        """Return how many occurrences of real names were replaced."""
        return len(self.offsets.edits)

    def map_offset(self, i: int, *, end: bool = False) -> int:
        """Return where offset `i` of the original text lies in the pseudonymised text.

        An offset inside a replaced name maps to the start of the replacement, or to its end
        when `end` is true (the end of a span).
        """
        return self.offsets.map_offset(i, end=end)

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the pseudonymised text covering `original[start:end]`."""
        return self.offsets.map_span(start, end)


def pseudonymise(text: str, replacements: Iterable[tuple[str, str]]) -> Pseudonymised:
    """Replace every occurrence of each real name by its replacement.

    `replacements` are `(real, replacement)` pairs; when the same name is listed twice (in any
    case), the first replacement is used.
    """
    chosen: dict[str, tuple[str, str]] = {}
    for real, replacement in replacements:
        if real and real.strip():
            chosen.setdefault(_key(real), (real, replacement))
    if not chosen or not text:
        return Pseudonymised(text=text)
    by_name = {real: replacement for real, replacement in chosen.values()}
    new_text, offsets = replace_spans(
        text, ((start, end, by_name[real]) for start, end, real in find_names(text, by_name))
    )
    return Pseudonymised(text=new_text, offsets=offsets)


def study_replacements(study) -> list[tuple[str, str]]:
    """Every name a pseudonymised output of the study must replace, with its replacement.

    The study's name list, and each participant's real name replaced by their pseudonym, so a
    participant who names themselves in a transcript is not exported under their own name.
    """
    from chorus.evidence.models import Participant, Pseudonym

    pairs = [(entry.real, entry.replacement) for entry in Pseudonym.objects.filter(study=study)]
    pairs += [
        (person.real_name, person.pseudonym)
        for person in Participant.objects.filter(study=study).only("real_name", "pseudonym")
    ]
    return [(real.strip(), replacement) for real, replacement in pairs if real and real.strip()]
