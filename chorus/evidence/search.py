"""Search a study's sources in five languages without keeping any word in the clear.

Index
=====
A source's text is cut into paragraphs (blank lines; very long paragraphs are cut near
`MAX_PARAGRAPH` characters at a space or punctuation). Each paragraph is *folded* (casefold,
compatibility decomposition, combining marks dropped: "Écoutées" -> "ecoutees", "Ёлка" ->
"елка", "Straße" -> "strasse") and tokenised:

- runs of letters and digits outside the Han script are words (Latin, Cyrillic, and also kana
  and hangul, which are rare in this network's sources);
- runs of Han characters are indexed as overlapping bigrams ("性工作者" -> 性工, 工作, 作者),
  because Chinese is written without spaces and a dictionary segmenter would miss words it
  does not know (names of organisations, slang). A query of N >= 2 Han characters needs its N-1
  bigrams in the paragraph and is then checked as a contiguous string. A single Han character
  is not searched (it would need a scan of every transcript, i.e. decrypting the whole study);
  the results carry a notice saying so.

Each (paragraph, token) pair becomes one `SearchPosting` whose `term` is the first 8 bytes of
HMAC-SHA256 under a per-study key derived from `config.search_key()` (a file outside the
database). The database therefore holds integers only: a copy of it cannot be read, and without
the key it cannot be searched by hashing guessed words either. What remains visible is the shape
of the index (how many distinct words a paragraph has, how often a hashed word recurs), which is
why the key is per study: the same word hashes differently in two studies. Changing the key
requires `reindex_study` for every study.

Query
=====
Words must all occur in the paragraph (AND); "double-quoted phrases" (also «», “”, „“) need their
words adjacent and in order, with any spaces or punctuation between them; a leading "-" excludes
a word or phrase. Paragraphs are ranked with BM25 (term count, idf from the study's postings,
paragraph length in characters), ties by source title, then position.

Candidates are found and ranked in SQL (one GROUP BY over the postings of the query's terms), so
a query costs the same whatever the study's size, apart from how frequent its words are. Texts are
decrypted only for the page of results, plus, for phrases and Chinese words of three characters
or more, for a bounded number of candidates that must be checked against the text; when that
bound cuts the checking short, `total` is an estimate and `estimated` is true.
"""

from __future__ import annotations

import hmac
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chorus import config
from chorus.evidence.models import SearchPosting, Source, Study

# Paragraphs longer than this are cut, so that a transcript without blank lines still gives
# hits of a readable size and BM25's length normalisation keeps its meaning.
MAX_PARAGRAPH = 2000
BATCH_SIZE = 5000
# A query is cut to this many distinct hashed terms: each one widens the SQL IN list and the
# GROUP BY, and nobody types more than a few words on purpose (1000 pasted words would not
# match any paragraph anyway).
MAX_TERMS = 32
SNIPPET_CHARS = 200
# BM25's usual constants. Lengths are in characters, not words (the posting table does not store
# a word count), and the average paragraph length is assumed rather than measured: measuring it
# would scan every posting of the study at each query.
K1 = 1.2
B = 0.75
AVG_PARAGRAPH_CHARS = 500
# For queries that must be checked against the text (phrases, Chinese words of 3+ characters),
# fetch at most this many ranked candidates, and once the page is full go on checking them only
# while no more than this many sources have been decrypted; past that, the total is estimated
# from the share of checked candidates that passed.
VERIFY_CANDIDATES = 400
VERIFY_SOURCES = 60
# How long a process trusts the study length it summed (for idf), in seconds.
STUDY_LENGTH_SECONDS = 300
# PositiveSmallIntegerField's upper bound.
MAX_COUNT = 32767

# CJK Unified Ideographs with extension A, compatibility ideographs and the supplementary planes'
# extensions B-H and compatibility supplement (astral characters are single codepoints in Python).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD_CHARS = rf"[^\W_{_HAN}]"
_WORD = re.compile(rf"{_WORD_CHARS}+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_TOKEN = re.compile(rf"(?P<word>{_WORD_CHARS}+)|(?P<han>[{_HAN}]+)")
# A blank line (possibly holding spaces) and any further blank lines after it.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# Greedy up to the last space, or else the last character that cannot be inside a token: where a
# long paragraph is cut.
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_UP_TO_LAST_BREAK = re.compile(r".*[\W_]", re.DOTALL)
# Query units: a (possibly negated) quoted phrase, unterminated at the end, or a bare word.
_QUERY_UNIT = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+)')
_QUOTES = str.maketrans(dict.fromkeys("“”„«»", '"'))


# Folding


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """Return a pattern matching runs of the BMP's characters with a combining class."""
    # Built once per process (about 10 ms) from the running Python's Unicode database, so it
    # never falls behind the one `unicodedata.normalize` uses. Astral marks are left to
    # `_ASTRAL`: a character class with astral members is checked range by range, which made
    # folding ten times slower than this class, which `re` checks with a bitmap.
    marks = "".join(chr(c) for c in range(0x10000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{re.escape(marks)}]+")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]+")


def _without_marks(match: re.Match[str]) -> str:
    return "".join(char for char in match[0] if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Return `text` casefolded, decomposed (NFKD) and without combining marks.

    Every step works character by character (casefold has no context rule, and canonical
    reordering only moves the combining marks that are then dropped), so folding a string equals
    folding its characters one by one: `_fold_with_map` relies on it to map matches back.
    """
    if text.isascii():
        return text.lower()
    decomposed = _combining_marks().sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _ASTRAL.sub(_without_marks, decomposed)


_CHAR_FOLDS: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _CHAR_FOLDS.get(char)
    if folded is None:
        folded = _CHAR_FOLDS[char] = fold(char)
    return folded


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, for each of its characters, the index it came from in `text`.

    "ß" gives two folded characters that both point at it; a combining mark gives none.
    """
    pieces = [_fold_char(char) for char in text]
    origin = [index for index, piece in enumerate(pieces) for _char in piece]
    return "".join(pieces), origin


# Tokens and their keyed hashes


def _tokens(folded: str) -> Counter[str]:
    """Count the indexed tokens of a folded paragraph: words, and bigrams of Han runs."""
    counts = Counter(_WORD.findall(folded))
    for run in _HAN_RUN.findall(folded):
        if len(run) > 1:
            counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return counts


def _study_key(study_id: int) -> bytes:
    # A key per study, so that the same word hashes differently in two studies.
    return hmac.digest(config.search_key(), b"chorus.search.study:%d" % study_id, "sha256")


def _term(key: bytes, token: str) -> int:
    """Return the token's keyed hash as a signed 64-bit integer (a BigIntegerField)."""
    return int.from_bytes(hmac.digest(key, token.encode(), "sha256")[:8], "big", signed=True)


class _Terms(dict[str, int]):
    """Tokens' hashes under one study key, computed once per token."""

    def __init__(self, study_id: int):
        super().__init__()
        self.key = _study_key(study_id)

    def __missing__(self, token: str) -> int:
        value = self[token] = _term(self.key, token)
        return value


# Paragraphs


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    segment = text[start:end]
    stripped = segment.lstrip()
    start += len(segment) - len(stripped)
    return start, start + len(stripped.rstrip())


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield the (start, end) codepoint offsets of the text's paragraphs, without blank ones."""
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _cut(text, start, match.start())
        start = match.end()
    yield from _cut(text, start, len(text))


def _cut(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield a paragraph, cut into pieces of at most MAX_PARAGRAPH characters if it is longer."""
    start, end = _trimmed(text, start, end)
    while end - start > MAX_PARAGRAPH:
        # Cut after the last space in the second half of the allowed length, or else after the
        # last punctuation (Chinese has no spaces); a run without either is cut hard.
        low, high = start + MAX_PARAGRAPH // 2, start + MAX_PARAGRAPH
        match = _UP_TO_LAST_SPACE.match(text, low, high) or _UP_TO_LAST_BREAK.match(text, low, high)
        cut = match.end() if match else start + MAX_PARAGRAPH
        piece = _trimmed(text, start, cut)
        if piece[1] > piece[0]:
            yield piece
        start = _trimmed(text, cut, end)[0]
    if end > start:
        yield start, end


# Indexing


def _rows(source: Source, terms: _Terms) -> Iterator[tuple[int, int, int, int, int, int]]:
    """Yield the source's postings as (study, source, term, start, end, count) tuples."""
    text = source.text or ""
    study_id, source_id = source.study_id, source.pk
    for start, end in paragraphs(text):
        for token, count in _tokens(fold(text[start:end])).items():
            yield study_id, source_id, terms[token], start, end, min(count, MAX_COUNT)


def _insert_sql() -> str:
    q = connection.ops.quote_name
    columns = ("study_id", "source_id", "term", "paragraph_start", "paragraph_end", "count")
    table, names, values = q(SearchPosting._meta.db_table), ", ".join(map(q, columns)), "%s, " * 5
    return f"INSERT INTO {table} ({names}) VALUES ({values}%s)"  # noqa: S608 - model names only


def index_source(source: Source) -> int:
    """Replace the source's postings with those of its current text; return how many."""
    return _index(source, _Terms(source.study_id))


@transaction.atomic
def _index(source: Source, terms: _Terms) -> int:
    _STUDY_LENGTHS.pop(source.study_id, None)
    SearchPosting.objects.filter(source_id=source.pk).delete()
    # In term order, so that consecutive inserts land near each other in the (study, term)
    # index: 15% faster than random order on a 12-million-posting SQLite table.
    rows = sorted(_rows(source, terms), key=lambda row: row[2])
    # A plain executemany rather than bulk_create: building 1000+ model instances per source and
    # preparing each field value took twice the time of the insert itself, and SQLite's limit of
    # 999 parameters cut bulk_create's batches to 166 rows. Both backends run this statement.
    with connection.cursor() as cursor:
        for first in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(_insert_sql(), rows[first : first + BATCH_SIZE])
    return len(rows)


def remove_source(source: Source) -> None:
    """Delete the source's postings (before the source itself is deleted)."""
    _STUDY_LENGTHS.pop(source.study_id, None)
    SearchPosting.objects.filter(source_id=source.pk).delete()


def reindex_study(study: Study, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index of every source of the study; return the number of postings.

    Each source is replaced in its own transaction, so searches keep working meanwhile (with the
    old postings of the sources not yet reached). `progress(done, total)` is called after each.
    """
    ids = list(Source.objects.filter(study=study).order_by("pk").values_list("pk", flat=True))
    terms = _Terms(study.pk)
    written = 0
    for first in range(0, len(ids), 20):
        # A few sources at a time: each holds its whole decrypted text in memory.
        chunk = ids[first : first + 20]
        for done, source in enumerate(
            Source.objects.filter(pk__in=chunk).only("id", "study_id", "text").order_by("pk"),
            start=first + 1,
        ):
            written += _index(source, terms)
            if progress is not None:
                progress(done, len(ids))
    return written


# Searching


@dataclass(frozen=True)
class Hit:
    """A matching paragraph: where it is, its score, and a highlighted, escaped snippet."""

    source_id: int
    source_title: str
    paragraph_start: int
    paragraph_end: int
    score: float
    snippet_html: SafeString
    # Absolute codepoint offsets into source.text of every match in the paragraph, in order.
    match_spans: list[tuple[int, int]]


@dataclass
class SearchResults:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # A sentence for the person searching when part of the query was left out, else "".
    notice: str = ""
    # True when `total` is extrapolated from the candidates checked against the text.
    estimated: bool = False


@dataclass
class _Unit:
    """A word or quoted phrase of the query."""

    terms: list[int]  # the hashed terms that must all be in the paragraph
    pattern: re.Pattern[str]  # the unit on folded text, with token boundaries
    exact: bool  # the terms alone decide the match (no check against the text needed)
    exclude: bool


def _unit_pattern(tokens: list[tuple[str, str]]) -> re.Pattern[str]:
    parts = []
    for kind, token in tokens:
        if kind == "word":
            # Whole tokens only, as indexed: "form" does not match inside "forum".
            parts.append(rf"(?<!{_WORD_CHARS}){re.escape(token)}(?!{_WORD_CHARS})")
        else:
            parts.append(re.escape(token))
    # Any spaces or punctuation between the words of a phrase, none needed between Han runs.
    return re.compile(r"[\W_]*".join(parts))


@dataclass
class _Query:
    units: list[_Unit] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[int]:
        return list(dict.fromkeys(t for u in self.units if not u.exclude for t in u.terms))

    @property
    def negative(self) -> list[int]:
        # Excluded words and Chinese pairs are filtered in SQL; excluded phrases are checked
        # against the text.
        return list(dict.fromkeys(t for u in self.units if u.exclude and u.exact for t in u.terms))

    @property
    def exact(self) -> bool:
        return all(unit.exact for unit in self.units)


def _parse(study_id: int, query: str) -> _Query:
    """Turn the query into units of hashed terms, within MAX_TERMS, with notices."""
    parsed = _Query()
    terms = _Terms(study_id)
    used: set[int] = set()
    single_han: list[str] = []
    capped = False
    for match in _QUERY_UNIT.finditer(query.translate(_QUOTES)):
        exclude = bool(match["neg"])
        text = match["phrase"]
        if text is None:
            text = match["word"]
            exclude = text.startswith("-")
        tokens = [(m.lastgroup, m[0]) for m in _TOKEN.finditer(fold(text))]
        if not tokens:
            continue
        unit_terms: list[int] = []
        exact = len(tokens) == 1
        for kind, token in tokens:
            if kind == "word":
                unit_terms.append(terms[token])
            elif len(token) == 1:
                exact = False
            else:
                exact = exact and len(token) == 2
                unit_terms.extend(terms[token[i : i + 2]] for i in range(len(token) - 1))
        unit_terms = list(dict.fromkeys(unit_terms))
        if not unit_terms:
            single_han.append(text.lstrip("-"))
            continue
        new = [term for term in unit_terms if term not in used]
        if len(used) + len(new) > MAX_TERMS:
            capped = True
            room = MAX_TERMS - len(used)
            if parsed.units or exclude or room < 1:
                break
            # A single very long phrase (a pasted Chinese sentence) is still searched: a subset
            # of its terms finds candidates, and the text check decides.
            unit_terms, exact = new[:room], False
            new = unit_terms
        used.update(new)
        pattern = _unit_pattern(tokens)
        parsed.units.append(_Unit(unit_terms, pattern, exact, exclude))
        if capped:
            break
    if capped:
        parsed.notices.append(
            _("The query is long: only its first %(count)s search terms were used.")
            % {"count": MAX_TERMS}
        )
    if single_han:
        parsed.notices.append(
            _(
                "Single Chinese characters are not searched on their own (%(characters)s); "
                "search for words of two characters or more."
            )
            % {"characters": ", ".join(single_han)}
        )
    return parsed


_STUDY_LENGTHS: dict[int, tuple[float, int]] = {}


def _study_length(study_id: int) -> int:
    """Return the study's length in characters, remembered for STUDY_LENGTH_SECONDS."""
    # Summing Source.length costs 25 ms for 5000 sources on SQLite, which stores the column
    # after the encrypted text and so walks every text's overflow pages; idf only needs an
    # approximate size, so a few minutes' staleness (in other processes) does not matter.
    now = time.monotonic()
    remembered = _STUDY_LENGTHS.get(study_id)
    if remembered is None or now - remembered[0] > STUDY_LENGTH_SECONDS:
        sources = Source.objects.filter(study_id=study_id)
        remembered = _STUDY_LENGTHS[study_id] = (
            now,
            sources.aggregate(total=Sum("length"))["total"] or 0,
        )
    return remembered[1]


def _weights(study: Study, query: _Query) -> dict[int, float] | None:
    """Return each positive term's BM25 weight, idf * (k1 + 1); None if one term is absent."""
    positive = query.positive
    frequency = dict(
        SearchPosting.objects.filter(study=study, term__in=positive)
        .order_by()
        .values("term")
        .annotate(paragraphs=Count("id"))
        .values_list("term", "paragraphs")
    )
    if len(frequency) < len(positive):
        return None
    # The number of paragraphs, estimated from the study's length: counting them exactly would
    # scan the whole posting table of the study.
    paragraphs_in_study = max(_study_length(study.pk) / AVG_PARAGRAPH_CHARS, *frequency.values(), 1)
    return {
        term: (K1 + 1) * math.log(1 + (paragraphs_in_study - df + 0.5) / (df + 0.5))
        for term, df in frequency.items()
    }


def _ranked(
    study: Study,
    query: _Query,
    weights: dict[int, float],
    source_ids: list[int] | None,
    limit: int,
    offset: int,
) -> list[tuple]:
    """Return (source_id, start, end, score, title, total) of matching paragraphs, best first."""
    q = connection.ops.quote_name
    postings, sources = q(SearchPosting._meta.db_table), q(Source._meta.db_table)
    positive, negative = query.positive, query.negative

    def placeholders(values: list) -> str:
        return ", ".join(["%s"] * len(values))

    weight_case = " ".join(["WHEN %s THEN %s"] * len(positive))
    weight_params = [value for term in positive for value in (term, weights[term])]
    source_filter = f"AND p.{q('source_id')} IN ({placeholders(source_ids)})" if source_ids else ""
    exclusion = (
        f"AND SUM(CASE WHEN p.{q('term')} IN ({placeholders(negative)}) THEN 1 ELSE 0 END) = 0"
        if negative
        else ""
    )
    # Every posting is one (paragraph, term) pair, so counting the paragraph's postings among
    # the positive terms tells whether all of them are there.
    sql = f"""
        SELECT g.source_id, g.paragraph_start, g.paragraph_end, g.score, s.{q("title")},
               COUNT(*) OVER ()
        FROM (
            SELECT p.{q("source_id")} AS source_id,
                   p.{q("paragraph_start")} AS paragraph_start,
                   p.{q("paragraph_end")} AS paragraph_end,
                   SUM(
                       (CASE p.{q("term")} {weight_case} ELSE 0.0 END) * p.{q("count")}
                       / (p.{q("count")} + %s
                          + %s * (p.{q("paragraph_end")} - p.{q("paragraph_start")}))
                   ) AS score
            FROM {postings} p
            WHERE p.{q("study_id")} = %s
              AND p.{q("term")} IN ({placeholders(positive + negative)})
              {source_filter}
            GROUP BY p.{q("source_id")}, p.{q("paragraph_start")}, p.{q("paragraph_end")}
            HAVING SUM(CASE WHEN p.{q("term")} IN ({placeholders(positive)}) THEN 1 ELSE 0 END)
                   = %s
              {exclusion}
        ) g
        INNER JOIN {sources} s ON s.{q("id")} = g.source_id
        ORDER BY g.score DESC, s.{q("title")}, g.source_id, g.paragraph_start
        LIMIT %s OFFSET %s
    """  # noqa: S608 - identifiers are quoted model names; every value is a parameter
    params = [
        *weight_params,
        K1 * (1 - B),
        K1 * B / AVG_PARAGRAPH_CHARS,
        study.pk,
        *positive,
        *negative,
        *(source_ids or []),
        *positive,
        len(positive),
        *negative,
        limit,
        offset,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Texts(dict):
    """Decrypted source texts, loaded in batches and at most once per search."""

    def load(self, source_ids: Iterable[int]) -> None:
        missing = {pk for pk in source_ids if pk not in self}
        if missing:
            self.update(Source.objects.filter(pk__in=missing).values_list("pk", "text"))


def _matches(units: list[_Unit], folded: str) -> bool:
    """Tell whether a folded paragraph satisfies the units that need a check against the text."""
    return all(
        bool(unit.pattern.search(folded)) != unit.exclude for unit in units if not unit.exact
    )


def _spans(units: list[_Unit], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the merged, absolute spans of the positive units' matches in a paragraph."""
    paragraph = text[start:end]
    folded, origin = _fold_with_map(paragraph)
    found = []
    for unit in units:
        if unit.exclude:
            continue
        for match in unit.pattern.finditer(folded):
            if match.end() == match.start():
                continue
            first, last = origin[match.start()], origin[match.end() - 1] + 1
            # A mark that folds to nothing belongs to the character before it ("e" + U+0301).
            while last < len(paragraph) and not _fold_char(paragraph[last]):
                last += 1
            found.append((start + first, start + last))
    merged: list[tuple[int, int]] = []
    for span in sorted(found):
        if merged and span[0] <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return merged


def _snippet(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> SafeString:
    """Return about SNIPPET_CHARS of the paragraph around its first match, escaped, marked."""
    first = spans[0] if spans else (start, start)
    low = max(start, first[0] - SNIPPET_CHARS // 3)
    high = min(end, max(low + SNIPPET_CHARS, first[1]))
    low = max(start, min(low, high - SNIPPET_CHARS))
    # Begin and end at a space when one is near, so the snippet shows whole words.
    if low > start:
        space = text.find(" ", low, min(first[0], low + 20))
        low = space + 1 if space >= 0 else low
    if high < end:
        space = text.rfind(" ", max(first[1], high - 20), high)
        high = space if space >= 0 else high
    parts = ["…" if low > start else ""]
    position = low
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, low), min(span_end, high)
        if span_start >= span_end:
            continue
        parts += [escape(text[position:span_start]), "<mark>"]
        parts += [escape(text[span_start:span_end]), "</mark>"]
        position = span_end
    parts += [escape(text[position:high]), "…" if high < end else ""]
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def search_study(
    study: Study,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    source_ids: Iterable[int] | None = None,
) -> SearchResults:
    """Return the study's paragraphs that match the query, best first, with snippets.

    The caller checks that the person may read the study; `source_ids` narrows the search to
    some of its sources (sources of other studies are never returned).
    """
    if not query or not query.strip():
        return SearchResults()
    parsed = _parse(study.pk, query)
    results = SearchResults(notice=" ".join(parsed.notices))
    if not parsed.units:
        if not parsed.notices:
            results.notice = _("The query has no words to search for.")
        return results
    if not parsed.positive:
        results.notice = " ".join(
            [*parsed.notices, _("Add a word to look for: a query cannot only exclude words.")]
        )
        return results
    ids = None if source_ids is None else sorted({int(pk) for pk in source_ids})
    if ids == []:
        return results
    weights = _weights(study, parsed)
    if weights is None:
        return results
    limit, offset = max(0, limit), max(0, offset)
    texts = _Texts()

    if parsed.exact:
        rows = _ranked(study, parsed, weights, ids, limit, offset)
        if not rows and offset:
            # Past the last page: the window count comes with rows only, so ask for the first.
            first_row = _ranked(study, parsed, weights, ids, 1, 0)
            results.total = first_row[0][5] if first_row else 0
        elif rows:
            results.total = rows[0][5]
        page = rows
    else:
        # Check ranked candidates against the text until the page is full, then keep checking
        # (for an exact total) while that costs few further decryptions.
        wanted = offset + limit
        rows = _ranked(study, parsed, weights, ids, max(VERIFY_CANDIDATES, 2 * wanted), 0)
        candidates = rows[0][5] if rows else 0
        passed: list[tuple] = []
        checked = 0
        for first in range(0, len(rows), 50):
            batch = rows[first : first + 50]
            extra = {row[0] for row in batch} - texts.keys()
            if len(passed) >= wanted and len(texts) + len(extra) > VERIFY_SOURCES:
                break
            texts.load(extra)
            for row in batch:
                source_text = texts[row[0]] or ""
                if _matches(parsed.units, fold(source_text[row[1] : row[2]])):
                    passed.append(row)
            checked += len(batch)
        results.total = len(passed)
        if checked and checked < candidates:
            results.estimated = True
            results.total += round((candidates - checked) * len(passed) / checked)
        page = passed[offset:wanted]

    texts.load(row[0] for row in page)
    for source_id, start, end, score, title, _total in page:
        text = texts[source_id] or ""
        spans = _spans(parsed.units, text, start, end)
        results.hits.append(
            Hit(
                source_id=source_id,
                source_title=title,
                paragraph_start=start,
                paragraph_end=end,
                score=float(score),
                snippet_html=_snippet(text, start, end, spans),
                match_spans=spans,
            )
        )
    return results
