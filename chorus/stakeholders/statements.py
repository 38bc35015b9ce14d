"""The statement check: which groups a draft statement names, leaves out, and what it says badly.

Pure logic, no database writes: the views, the `check_statement` command and the benchmark call
`check_statement(text)` and render the `Report` it returns.

Lexicons
========
One JSON file per language in `chorus/stakeholders/lexicons/<language>.json` (en, fr, es, ru,
zh-hans). The secretariat may edit a lexicon in Chorus; the saved `Lexicon` row then overrides the
file (`lexicon_for(language)` returns whichever applies). The structure::

    {
      "language": "en",                      # must be the file's / row's language
      "note": "optional free text",          # optional, ignored by the check
      "groups": [                            # the reference list of groups a statement should name
        {"key": "sex_workers",               # [a-z][a-z0-9_]*, unique; the SAME keys in every
                                             # language, so that reports compare across languages
         "label": "Sex workers",             # shown in reports
         "terms": ["sex worker*", "people who sell sex"],
         "note": "optional"}
      ],
      "flags": [                             # language to flag, each with a better alternative
        {"key": "end_demand",                # [a-z][a-z0-9_]*, unique among flags
         "category": "end_demand",           # "conflation" | "end_demand" | "harmful_term"
         "terms": ["end demand", "demand that fosters trafficking"],
         "suggestion": "Call for the decriminalisation of sex work ...",
         "note": "optional"}
      ]
    }

How terms match
---------------
- Latin and Cyrillic scripts: case- and accent-insensitive ("Sex Workers" matches "sex workers",
  "femmes autochtones" matches "FEMMES AUTOCHTONES", "ё" matches "е"), whole words only.
- A word ending in "*" matches any word starting with it: "секс-работ*" matches "секс-работница",
  "секс-работников", ...; "femme* migrante*" matches "femme migrante" and "femmes migrantes".
- A space in a term matches any run of spaces, line breaks or hyphens; a hyphen matches a hyphen,
  a space or nothing ("sex worker" also matches "sex-worker"; "секс-работ*" matches "секс работа").
- A comma in a term may be missing in the text ("женщин*, употребляющи*" matches both forms).
- Simplified Chinese: plain substring matching, since words are not separated by spaces (a "*" is
  ignored; Latin letters inside, e.g. "HIV", still match regardless of case).
- Each flagged phrase is reported once: where terms overlap, the one starting first wins, and at
  the same start the longer term (e.g. "prostituted women" before "prostitut*"). Group terms are
  matched independently per group, so "migrant sex workers" can name two groups.

Every match and every flag cites the lexicon entry (key) and the term that produced it, and gives
character offsets `start`/`end` into the text as given, so `text[start:end]` is the phrase.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LANGUAGES = ("en", "fr", "es", "ru", "zh-hans")
# Scripts without spaces between words: terms match as plain substrings.
SUBSTRING_LANGUAGES = frozenset({"zh-hans"})
CATEGORIES = {
    "conflation": gettext_lazy("Conflates sex work with trafficking or exploitation"),
    "end_demand": gettext_lazy("“End demand” or the Nordic model"),
    "harmful_term": gettext_lazy("Stigmatising term"),
}
MAX_TEXT_CHARS = 200_000
MAX_FILE_BYTES = 2 * 1024 * 1024
# A .docx is a zip archive: refuse one whose text would unpack to more than this (a zip bomb).
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024
FILE_SUFFIXES = (".txt", ".md", ".docx")
# Limits that keep an edited lexicon from making every check slow.
MAX_TERMS = 5_000
MAX_TERM_CHARS = 200
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
TOP_LEVEL_KEYS = {"language", "note", "groups", "flags"}
GROUP_KEYS = {"key", "label", "terms", "note"}
FLAG_KEYS = {"key", "category", "terms", "suggestion", "note"}


class StatementFileError(ValueError):
    """An uploaded or given file that cannot be read as a statement; the message says why."""


# --- Languages ---------------------------------------------------------------------------------

_LANGUAGE_ALIASES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-hans-cn": "zh-hans",
}


def normalise_language(code: str) -> str:
    """Return the lexicon language for a code such as "EN", "zh_Hans" or "zh-cn"."""
    cleaned = (code or "").strip().lower().replace("_", "-")
    cleaned = _LANGUAGE_ALIASES.get(cleaned, cleaned)
    if cleaned not in LANGUAGES:
        raise ValidationError(
            _("Unknown language %(code)s; use one of %(languages)s.")
            % {"code": code, "languages": ", ".join(LANGUAGES)},
            code="language",
        )
    return cleaned


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words that mostly belong to one of the three Latin-script languages; shared words
# ("de", "la", "que", "en") are left out so they cannot tip the balance.
STOPWORDS = {
    "en": _words(
        "the and of to is are that this with for we our be by from who which have has their "
        "they it as not all on women people should must will"
    ),
    "fr": _words(
        "le les des et est une du pour dans qui nous sont au aux avec ce cette leur leurs pas "
        "elles ils sur par femmes doit doivent toutes tous"
    ),
    "es": _words(
        "el los las y del una es por para con nosotras son su sus como esta este mujeres "
        "todas todos ellas deben debe sobre al"
    ),
}


def detect_language(text: str) -> str:
    """Guess the statement's main language: by script, then by frequent words for en/fr/es.

    A statement that mixes languages gets the one most of its text is written in.
    """
    sample = text[:50_000]  # the opening pages decide; scanning more only costs time
    han = len(_HAN.findall(sample))
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    # A Chinese character carries about as much as a short word, so weigh it like three letters.
    if han * 3 >= max(cyrillic, latin) and han:
        return "zh-hans"
    if cyrillic >= latin and cyrillic:
        return "ru"
    counts = dict.fromkeys(STOPWORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for language, words in STOPWORDS.items():
            if word in words:
                counts[language] += 1
    best = max(counts, key=lambda language: counts[language])
    return best if counts[best] else "en"


# --- Lexicons ----------------------------------------------------------------------------------


@functools.cache
def _file_lexicon(language: str) -> dict:
    with (LEXICON_DIR / f"{language}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def default_lexicon(language: str) -> dict:
    """Return the lexicon shipped in the data file (a copy: callers may change it)."""
    return copy.deepcopy(_file_lexicon(normalise_language(language)))


def _stored_stamp(language: str) -> tuple[Any, Any] | None:
    """Return (id, updated_at) of the secretariat's saved lexicon, or None to use the file."""
    from chorus.stakeholders.models import Lexicon

    return Lexicon.objects.filter(language=language).values_list("pk", "updated_at").first()


def lexicon_source(language: str) -> dict:
    """Say where the lexicon in use comes from: the data file or the secretariat's edit."""
    from chorus.stakeholders.models import Lexicon

    language = normalise_language(language)
    row = Lexicon.objects.filter(language=language).select_related("updated_by").first()
    if row is None:
        return {"source": "file", "updated_at": None, "updated_by": None}
    return {
        "source": "database",
        "updated_at": row.updated_at,
        "updated_by": row.updated_by.get_username() if row.updated_by else None,
    }


def lexicon_for(language: str) -> dict:
    """Return the lexicon in use for a language: the saved edit if any, else the data file."""
    from chorus.stakeholders.models import Lexicon

    language = normalise_language(language)
    data = Lexicon.objects.filter(language=language).values_list("data", flat=True).first()
    return copy.deepcopy(data) if data is not None else default_lexicon(language)


def validate_lexicon(data: Any, *, language: str | None = None) -> dict:
    """Check a whole lexicon and return a cleaned copy; raise one ValidationError listing all.

    Each message names the place of the problem, e.g. "groups[2].terms[0]".
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError(_("The lexicon must be a JSON object with “groups” and “flags”."))
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        problems.append(
            _("Unknown entries at the top level: %(names)s.") % {"names": ", ".join(unknown)}
        )
    declared = data.get("language")
    if language is not None and declared != language:
        problems.append(
            _("“language” must be “%(expected)s”, not “%(given)s”.")
            % {"expected": language, "given": declared}
        )
    elif declared not in LANGUAGES:
        problems.append(
            _("“language” must be one of %(languages)s.") % {"languages": ", ".join(LANGUAGES)}
        )
    if "note" in data and not isinstance(data["note"], str):
        problems.append(_("“note” must be text."))
    term_count = 0
    cleaned: dict[str, Any] = {"language": declared}
    if isinstance(data.get("note"), str):
        cleaned["note"] = data["note"]
    for section, allowed, required in (
        ("groups", GROUP_KEYS, ("key", "label", "terms")),
        ("flags", FLAG_KEYS, ("key", "category", "terms", "suggestion")),
    ):
        entries = data.get(section)
        if not isinstance(entries, list):
            problems.append(_("“%(section)s” must be a list.") % {"section": section})
            continue
        seen: set[str] = set()
        cleaned[section] = []
        for index, entry in enumerate(entries):
            where = f"{section}[{index}]"
            if not isinstance(entry, dict):
                problems.append(_("%(where)s must be an object.") % {"where": where})
                continue
            extra = sorted(set(entry) - allowed)
            if extra:
                problems.append(
                    _("%(where)s: unknown entries %(names)s.")
                    % {"where": where, "names": ", ".join(extra)}
                )
            missing = [name for name in required if name not in entry]
            if missing:
                problems.append(
                    _("%(where)s: missing %(names)s.")
                    % {"where": where, "names": ", ".join(missing)}
                )
                continue
            key = entry["key"]
            if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
                problems.append(
                    _("%(where)s.key must be lower-case letters, digits and _ (e.g. sex_workers).")
                    % {"where": where}
                )
            elif key in seen:
                problems.append(
                    _("%(where)s.key “%(key)s” is used twice.") % {"where": where, "key": key}
                )
            else:
                seen.add(key)
            for name in ("label", "suggestion", "note"):
                if name in entry and (
                    not isinstance(entry[name], str) or (name != "note" and not entry[name].strip())
                ):
                    problems.append(
                        _("%(where)s.%(name)s must be a non-empty text.")
                        % {"where": where, "name": name}
                    )
            if "category" in entry and entry["category"] not in CATEGORIES:
                problems.append(
                    _("%(where)s.category must be one of %(categories)s.")
                    % {"where": where, "categories": ", ".join(CATEGORIES)}
                )
            terms = entry["terms"]
            if not isinstance(terms, list) or not terms:
                problems.append(_("%(where)s.terms must be a non-empty list.") % {"where": where})
                continue
            clean_terms = []
            for term_index, term in enumerate(terms):
                term_where = f"{where}.terms[{term_index}]"
                if not isinstance(term, str) or not term.strip().strip("*").strip():
                    problems.append(
                        _("%(where)s must be a non-empty text.") % {"where": term_where}
                    )
                elif len(term) > MAX_TERM_CHARS:
                    problems.append(
                        _("%(where)s is longer than %(limit)s characters.")
                        % {"where": term_where, "limit": MAX_TERM_CHARS}
                    )
                elif re.search(r"\*[^\s,]", term) or "**" in term:
                    problems.append(
                        _("%(where)s: “*” may only end a word (e.g. “migrant*”).")
                        % {"where": term_where}
                    )
                else:
                    clean_terms.append(" ".join(term.split()))
            term_count += len(clean_terms)
            cleaned[section].append({**entry, "terms": clean_terms})
    if term_count > MAX_TERMS:
        problems.append(
            _("The lexicon has %(count)s terms; the limit is %(limit)s.")
            % {"count": term_count, "limit": MAX_TERMS}
        )
    if problems:
        raise ValidationError(problems)
    return cleaned


# --- Folding: case- and accent-insensitive text with a map back to the original ----------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u00b4"), "'")
_FOLDED: dict[str, str] = {}
# Enough for every character of the five languages; a text of rare characters cannot grow it more.
_FOLDED_MAX = 20_000


def _fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        decomposed = unicodedata.normalize("NFD", char.casefold())
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = unicodedata.normalize("NFC", folded).translate(_DASHES).translate(_QUOTES)
        if len(_FOLDED) < _FOLDED_MAX:
            _FOLDED[char] = folded
    return folded


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold case and accents; return the folded text and, if lengths differ, a map to the original.

    `index[i]` is the original position of folded character `i`; the map is `None` when every
    character folds to exactly one, so positions are the same. Folding can change length: "ß"
    becomes "ss", an accent typed as a separate character disappears.
    """
    if text.isascii():
        return text.lower(), None
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    if all(len(piece) == 1 for piece in pieces):
        return folded, None
    index: list[int] = []
    for position, piece in enumerate(pieces):
        index.extend([position] * len(piece))
    return folded, index


def _original_span(start: int, end: int, index: list[int] | None, text: str) -> tuple[int, int]:
    if index is None:
        return start, end
    original_start = index[start]
    original_end = index[end - 1] + 1
    # Keep accents written as separate characters with the letter they belong to.
    while original_end < len(text) and not _fold_char(text[original_end]):
        original_end += 1
    return original_start, original_end


# --- Compiling lexicons to patterns ------------------------------------------------------------


# Regex fragments for the parts of a term, in the order a trie tries them: specific first, so that
# at one position the longest term wins ("prostituted women" before "prostitut*"), the end last.
_SPACE, _HYPHEN, _COMMA, _ANY_ENDING = r"[\s\-]+", r"[\s\-]?", ",?", r"\w*"
_SUBSTRING_SPACE = r"\s*"
_LOOSE = (_HYPHEN, _COMMA, _ANY_ENDING, _SUBSTRING_SPACE)


def _atoms(term: str, *, substring: bool) -> tuple[str, ...]:
    """Split a term into regex fragments: one per letter, plus spaces, hyphens, commas and "*"."""
    folded = fold(" ".join(term.split()))[0]
    atoms: list[str] = []
    for piece in re.split(r"(\s+|-|,)", folded):
        if not piece:
            continue
        if piece == ",":
            atoms.append(_COMMA)
        elif piece == "-":
            atoms.append(_SUBSTRING_SPACE if substring else _HYPHEN)
        elif piece.isspace():
            atoms.append(_SUBSTRING_SPACE if substring else _SPACE)
        else:
            atoms.extend(re.escape(char) for char in piece.rstrip("*"))
            if piece.endswith("*") and not substring:
                atoms.append(_ANY_ENDING)
    return tuple(atoms)


def _trie_pattern(sequences: Iterable[tuple[str, ...]]) -> str:
    """Build one regex from many terms, sharing their common beginnings.

    A plain alternation of a hundred terms is tried term by term at every position of the text;
    the trie tries one character class per position, which keeps a five-page check fast.
    """
    trie: dict = {}
    for atoms in sequences:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[None] = {}

    def build(node: dict) -> str:
        children = sorted((atom for atom in node if atom is not None), key=lambda a: a in _LOOSE)
        alternatives = [atom + build(node[atom]) for atom in children]
        if None in node:
            alternatives.append("")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    return build(trie)


def _literal_length(term: str) -> int:
    return len(term.replace("*", ""))


class _Matcher:
    """All the terms of one group (or of all flags) as one pattern, and which term matched."""

    def __init__(self, terms: list[tuple[Any, str]], *, substring: bool) -> None:
        # Longest first: where two terms match the same phrase, the more specific one is cited.
        self.terms = sorted(terms, key=lambda pair: _literal_length(pair[1]), reverse=True)
        sequences = [_atoms(term, substring=substring) for _entry, term in self.terms]
        pattern = _trie_pattern(sequences)
        self.pattern = re.compile(pattern if substring else rf"(?<!\w)(?:{pattern})(?!\w)")
        # To cite the term behind a match, only the terms starting with its first letter are tried.
        self.by_first: dict[str, list[tuple[re.Pattern, Any, str]]] = {}
        for (entry, term), atoms in zip(self.terms, sequences, strict=True):
            first = fold(term.strip())[0][:1]
            self.by_first.setdefault(first, []).append((re.compile("".join(atoms)), entry, term))

    def find(self, folded: str) -> Iterable[tuple[int, int, Any, str]]:
        """Yield (start, end, entry, term) for each match in the folded text."""
        cited: dict[str, tuple[Any, str]] = {}
        for match in self.pattern.finditer(folded):
            phrase = match.group()
            if phrase not in cited:
                candidates = self.by_first.get(phrase[:1], [])
                cited[phrase] = next(
                    ((entry, term) for regex, entry, term in candidates if regex.fullmatch(phrase)),
                    self.terms[0],
                )
            entry, term = cited[phrase]
            yield match.start(), match.end(), entry, term


@dataclass(frozen=True)
class _Compiled:
    language: str
    groups: list[tuple[dict, _Matcher]]
    flags: _Matcher | None


def _compile(lexicon: dict) -> _Compiled:
    substring = lexicon["language"] in SUBSTRING_LANGUAGES
    groups = [
        (group, _Matcher([(group, term) for term in group["terms"]], substring=substring))
        for group in lexicon.get("groups", [])
    ]
    flag_terms = [(flag, term) for flag in lexicon.get("flags", []) for term in flag["terms"]]
    flags = _Matcher(flag_terms, substring=substring) if flag_terms else None
    return _Compiled(lexicon["language"], groups, flags)


_COMPILED: dict[tuple, _Compiled] = {}


def compiled_lexicon(language: str) -> tuple[_Compiled, str]:
    """Return the compiled patterns for a language and where the lexicon came from.

    Compiled once per lexicon version: the cache key is the language with the saved row's id and
    `updated_at` (or "file"), so an edit by the secretariat takes effect in the next check, in
    every process, at the cost of one small query.
    """
    language = normalise_language(language)
    stamp = _stored_stamp(language)
    key = (language, *(stamp or ("file",)))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _compile(lexicon_for(language))
        for old in [k for k in list(_COMPILED) if k[0] == language]:
            _COMPILED.pop(old, None)  # one version per language is enough
        _COMPILED[key] = compiled
    return compiled, ("database" if stamp else "file")


# --- The check ---------------------------------------------------------------------------------


@dataclass
class Match:
    term: str
    phrase: str
    start: int
    end: int


@dataclass
class GroupResult:
    key: str
    label: str
    matches: list[Match] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.matches)


@dataclass
class Flag:
    key: str
    category: str
    term: str
    phrase: str
    start: int
    end: int
    suggestion: str

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))


@dataclass
class Report:
    language: str
    language_detected: bool
    lexicon_source: str
    characters: int
    groups_named: list[GroupResult]
    groups_left_out: list[GroupResult]
    flags: list[Flag]

    @property
    def group_count(self) -> int:
        return len(self.groups_named) + len(self.groups_left_out)

    def as_dict(self) -> dict:
        """Return the report as plain data (for JSON): every finding cites its lexicon term."""
        return {
            "language": self.language,
            "language_detected": self.language_detected,
            "lexicon_source": self.lexicon_source,
            "characters": self.characters,
            "groups_named": [
                {
                    "key": group.key,
                    "label": group.label,
                    "count": group.count,
                    "matches": [asdict(match) for match in group.matches],
                }
                for group in self.groups_named
            ],
            "groups_left_out": [
                {"key": group.key, "label": group.label} for group in self.groups_left_out
            ],
            "flags": [asdict(flag) for flag in self.flags],
        }


def check_statement(text: str, *, language: str | None = None) -> Report:
    """Check a statement against the lexicon of its language (detected unless given)."""
    detected = not language
    language = detect_language(text) if detected else normalise_language(language)
    compiled, source = compiled_lexicon(language)
    folded, index = fold(text)

    named, left_out = [], []
    for group, matcher in compiled.groups:
        result = GroupResult(key=group["key"], label=group["label"])
        for folded_start, folded_end, _entry, term in matcher.find(folded):
            start, end = _original_span(folded_start, folded_end, index, text)
            result.matches.append(Match(term=term, phrase=text[start:end], start=start, end=end))
        (named if result.matches else left_out).append(result)

    flags = []
    if compiled.flags is not None:
        for folded_start, folded_end, flag, term in compiled.flags.find(folded):
            start, end = _original_span(folded_start, folded_end, index, text)
            flags.append(
                Flag(
                    key=flag["key"],
                    category=flag["category"],
                    term=term,
                    phrase=text[start:end],
                    start=start,
                    end=end,
                    suggestion=flag["suggestion"],
                )
            )
    return Report(
        language=language,
        language_detected=detected,
        lexicon_source=source,
        characters=len(text),
        groups_named=named,
        groups_left_out=left_out,
        flags=flags,
    )


def group_labels(language: str) -> dict[str, str]:
    """Return the group labels of one language's lexicon, to show a report in the page language."""
    try:
        lexicon = compiled_lexicon(language)[0]
    except ValidationError:
        return {}
    return {group["key"]: group["label"] for group, _matcher in lexicon.groups}


def _escape_lines(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>\n")


def highlight(text: str, flags: Iterable[Flag]) -> SafeString:
    """Return the statement as HTML, escaped, with each flagged phrase in a <mark>.

    Every piece of the statement goes through `escape`, so HTML in a statement shows as text.
    """
    pieces, position = [], 0
    for number, flag in enumerate(flags, start=1):
        if flag.start < position:
            continue  # flags never overlap, but a hand-made list might
        pieces.append(_escape_lines(text[position : flag.start]))
        pieces.append(
            format_html(
                '<mark id="flag-{}" class="flag {}">{}</mark>',
                number,
                flag.category,
                mark_safe(_escape_lines(flag.phrase)),  # noqa: S308 - escaped just above
            )
        )
        position = flag.end
    pieces.append(_escape_lines(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def context_of(text: str, start: int, end: int, width: int = 40) -> tuple[str, str, str]:
    """Return the words before, the phrase, and the words after a match, for showing where."""
    before = " ".join(text[max(0, start - width) : start].splitlines())
    after = " ".join(text[end : end + width].splitlines())
    return (
        ("…" if start > width else "") + before,
        text[start:end],
        after + ("…" if end + width < len(text) else ""),
    )


# --- Reading files -----------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_text(data: bytes) -> str:
    """Decode a plain-text statement in any common encoding (BOM, UTF-8, then detection)."""
    from charset_normalizer import from_bytes

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise StatementFileError(_("The file could not be decoded as text.")) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # UTF-16 without a byte-order mark is valid UTF-8 full of NUL characters.
    if text is not None and "\x00" not in text:
        return text
    best = from_bytes(data).best()
    if best is None or "\x00" in str(best):
        raise StatementFileError(
            _("The file could not be decoded as text. Save it as plain text (UTF-8) and retry.")
        )
    return str(best)


def docx_text(data: bytes) -> str:
    """Return the paragraphs of a Word .docx file (tables included), one per line."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise StatementFileError(
            _("The Word file could not be read; it may be damaged. Save it again as .docx.")
        ) from error
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise StatementFileError(_("The Word file unpacks to too much data to be checked."))
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx and lxml raise many kinds of error on a malformed file; all mean the same here.
    except Exception as error:
        raise StatementFileError(
            _("The Word file could not be read; it may be damaged. Save it again as .docx.")
        ) from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return "\n".join(lines)


def read_statement_file(name: str, data: bytes) -> str:
    """Return the text of a .txt, .md or .docx statement, or raise StatementFileError."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise StatementFileError(
            _("Choose a .txt, .md or .docx file (this one is “%(suffix)s”).")
            % {"suffix": suffix or "?"}
        )
    if len(data) > MAX_FILE_BYTES:
        raise StatementFileError(too_large_message())
    if not data:
        raise StatementFileError(_("The file is empty."))
    text = docx_text(data) if suffix == ".docx" else decode_text(data)
    if not text.strip():
        raise StatementFileError(_("The file contains no text."))
    if len(text) > MAX_TEXT_CHARS:
        raise StatementFileError(too_long_message(len(text)))
    return text


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB; split the statement into smaller files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


def too_long_message(length: int) -> str:
    return _(
        "The statement is %(length)s characters long; the limit is %(limit)s. Check it in parts."
    ) % {"length": format_count(length), "limit": format_count(MAX_TEXT_CHARS)}


def format_count(value: int) -> str:
    """Format a count with the page language's digit grouping (200,000 or 200 000)."""
    return number_format(value, force_grouping=True)
