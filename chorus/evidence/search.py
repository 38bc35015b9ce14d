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

Each token becomes a *term*: "t" and the hex of the first 8 bytes of HMAC-SHA256 under a
per-study key derived from `config.search_key()` (a file outside the database). A paragraph is
stored as one `SearchParagraph` row whose `terms` lists its terms sorted by hash and repeated
as often as the word occurs, and a full-text engine indexes that column: FTS5 on SQLite, a GIN
index over a generated `tsvector` on PostgreSQL. The database therefore holds no word: a copy of
it cannot be read, and without the key it cannot be searched by hashing guessed words either.
What remains visible is the shape of the index (how many words a paragraph has, how often a
hashed word recurs), never the order of the words; that is why the key is per study: the same
word hashes differently in two studies. Changing the key requires `reindex_sources`.

Why an engine and not a table of (paragraph, term) rows: adding a 10 000-character transcript
meant inserting about 1 900 keys at random places of one large B-tree, 20-28 ms a source on
SQLite (most of an import). The engines append a segment per transaction and merge later, and
rank in C: about 4.5 ms a source in all, under 2 ms of it in the engine (bench/README.md).

Query
=====
Words must all occur in the paragraph (AND); "double-quoted phrases" (also «», “”, „“) need their
words adjacent and in order, with any spaces or punctuation between them; a leading "-" excludes
a word or phrase. Paragraphs are ranked by the engine (BM25 on SQLite, `ts_rank` normalised by
length on PostgreSQL: both favour paragraphs where the words occur more often, and shorter
ones), ties by source title, then position. (On SQLite, pages are cut by score and then index
order, and ties are ordered by title within a page: equally scored hits may fall on two pages
in an order that differs from one long page. Every hit still appears once.)

The engine finds and ranks candidates, so a query costs the same whatever the study's size,
apart from how frequent its words are. Since the index does not keep word order, phrases and
Chinese words of three characters or more are found as "all their terms" and then checked
against the text: texts are decrypted for the page of results plus a bounded number of such
candidates; when that bound cuts the checking short, `total` is an estimate and `estimated` is
true.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chorus import config
from chorus.evidence.models import SearchParagraph, Source, Study

# Paragraphs longer than this are cut, so that a transcript without blank lines still gives
# hits of a readable size and BM25's length normalisation keeps its meaning.
MAX_PARAGRAPH = 2000
BATCH_SIZE = 500
# A query is cut to this many distinct hashed terms: each one widens the engine's query, and
# nobody types more than a few words on purpose (1000 pasted words would not match any
# paragraph anyway).
MAX_TERMS = 32
SNIPPET_CHARS = 200
# For queries that must be checked against the text (phrases, Chinese words of 3+ characters),
# fetch at most this many ranked candidates, and once the page is full go on checking them only
# while no more than this many sources have been decrypted; past that, the total is estimated
# from the share of checked candidates that passed.
VERIFY_CANDIDATES = 400
VERIFY_SOURCES = 60
# The FTS5 table over SearchParagraph.terms on SQLite (made by migration evidence 0002).
FTS_TABLE = "evidence_searchparagraph_fts"
# How many tokens' hashes a process remembers in all: the common words of a study recur in
# every transcript, and hashing them again was a fifth of an import's indexing time. Kept small
# (a few MB) because the tokens are words of the transcripts, held in memory in the clear.
TERM_CACHE_SIZE = 50_000

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


def _tokens(folded: str) -> list[str]:
    """Return the indexed tokens of a folded paragraph: words, and bigrams of Han runs."""
    tokens = _WORD.findall(folded)
    for run in _HAN_RUN.findall(folded):
        tokens += map(str.__add__, run, run[1:])
    return tokens


def study_key(study_id: int) -> bytes:
    """Return the study's own key, so that the same word hashes differently in two studies."""
    return hmac.digest(config.search_key(), b"chorus.search.study:%d" % study_id, "sha256")


def _term(key: bytes, token: str) -> str:
    """Return the token's keyed hash as an index term: "t" and 16 hex digits.

    The leading letter makes every term one plain word to both engines' tokenisers: PostgreSQL's
    parser would otherwise split some hashes, such as "12345678e9abcdef", into a number in
    scientific notation and a word.
    """
    return "t" + hmac.digest(key, token.encode(), "sha256")[:8].hex()


class _Terms(dict[str, str]):
    """Tokens' terms under one study key, computed once per token."""

    def __init__(self, key: bytes):
        super().__init__()
        self.key = key

    def __missing__(self, token: str) -> str:
        if len(self) >= TERM_CACHE_SIZE:
            self.clear()
        value = self[token] = _term(self.key, token)
        return value


# By study key, so a changed search key starts afresh.
_TERMS: dict[bytes, _Terms] = {}


def _terms_for(key: bytes) -> dict[str, str]:
    """Return the remembered terms of a study key; one key at a time is remembered."""
    terms = _TERMS.get(key)
    if terms is None:
        # Working on another study: forget the previous one, so that the total stays within
        # TERM_CACHE_SIZE whatever the number of studies.
        _TERMS.clear()
        terms = _TERMS[key] = _Terms(key)
    return terms


def _terms_of(study_id: int) -> _Terms:
    """Return the study's remembered terms."""
    return _terms_for(study_key(study_id))


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


def _paragraph_terms(text: str, terms: _Terms) -> list[tuple[int, int, str]]:
    rows = []
    for start, end in paragraphs(text):
        tokens = _tokens(fold(text[start:end]))
        if tokens:
            # Sorted by hash: the row tells how often each hashed word occurs, not where.
            rows.append((start, end, " ".join(sorted(map(terms.__getitem__, tokens)))))
    return rows


def paragraph_terms(key: bytes, text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, terms) for each paragraph of a text, under a study's `study_key`.

    It reads no database and no configuration, so an import may compute it in a worker process
    (`index_source` then takes it as `prepared`).
    """
    return _paragraph_terms(text or "", _terms_for(key))


def write_rows(table: str, rows: list[tuple], using=connection) -> None:
    """Insert index rows into `table` (the model's, or a migration's) on the `using` connection."""
    # A plain executemany rather than bulk_create: model instances cost more than the insert,
    # and SQLite's parameter limit would cut bulk_create's batches small.
    q = using.ops.quote_name
    columns = ("study_id", "source_id", "paragraph_start", "paragraph_end", "terms")
    names = ", ".join(map(q, columns))
    sql = f"INSERT INTO {q(table)} ({names}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
    with using.cursor() as cursor:
        for first in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[first : first + BATCH_SIZE])


def source_rows(study_id: int, source_id: int, text: str) -> list[tuple]:
    """Return the index rows of a source's text (used by the migration that builds the index)."""
    return [(study_id, source_id, *row) for row in paragraph_terms(study_key(study_id), text)]


def index_source(
    source: Source, *, new: bool = False, prepared: list[tuple[int, int, str]] | None = None
) -> int:
    """Replace the source's index rows with those of its current text; return how many.

    `new` says the source was created in this transaction and has no rows yet (one query fewer
    for each imported file); `prepared` is `paragraph_terms` of its text, computed beforehand.
    """
    if prepared is None:
        prepared = paragraph_terms(study_key(source.study_id), source.text)
    return _write_index(source, prepared, replace=not new)


@transaction.atomic
def _write_index(source: Source, prepared: list[tuple[int, int, str]], replace: bool) -> int:
    if replace:
        SearchParagraph.objects.filter(source_id=source.pk).delete()
    write_rows(
        SearchParagraph._meta.db_table, [(source.study_id, source.pk, *row) for row in prepared]
    )
    return len(prepared)


def remove_source(source: Source) -> None:
    """Delete the source's index rows (before the source itself is deleted)."""
    SearchParagraph.objects.filter(source_id=source.pk).delete()


def reindex_study(study: Study, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index of every source of the study; return the number of paragraphs.

    Each source is replaced in its own transaction, so searches keep working meanwhile (with the
    old rows of the sources not yet reached). `progress(done, total)` is called after each.
    """
    ids = list(Source.objects.filter(study=study).order_by("pk").values_list("pk", flat=True))
    terms = _terms_of(study.pk)
    written = 0
    for first in range(0, len(ids), 20):
        # A few sources at a time: each holds its whole decrypted text in memory.
        chunk = ids[first : first + 20]
        for done, source in enumerate(
            Source.objects.filter(pk__in=chunk).only("id", "study_id", "text").order_by("pk"),
            start=first + 1,
        ):
            written += _write_index(source, _paragraph_terms(source.text or "", terms), True)
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

    terms: list[str]  # the hashed terms that must all be in the paragraph
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
    def positive(self) -> list[str]:
        return list(dict.fromkeys(t for u in self.units if not u.exclude for t in u.terms))

    @property
    def negative(self) -> list[str]:
        # Excluded words and Chinese pairs are filtered by the engine; excluded phrases are checked
        # against the text.
        return list(dict.fromkeys(t for u in self.units if u.exclude and u.exact for t in u.terms))

    @property
    def exact(self) -> bool:
        return all(unit.exact for unit in self.units)


def _excludes(match: re.Match[str]) -> bool:
    return bool(match["neg"]) or (match["phrase"] is None and match["word"].startswith("-"))


def _parse(study_id: int, query: str) -> _Query:
    """Turn the query into units of hashed terms, within MAX_TERMS, with notices."""
    parsed = _Query()
    terms = _terms_of(study_id)
    used: set[str] = set()
    single_han: list[str] = []
    capped = False
    # Words to find come first, so that a long list of exclusions cannot crowd them out of the
    # MAX_TERMS (the order of units does not change the results).
    for match in sorted(_QUERY_UNIT.finditer(query.translate(_QUOTES)), key=_excludes):
        exclude = bool(match["neg"])
        text = match["phrase"]
        if text is None:
            text = match["word"]
            exclude = text.startswith("-")
        tokens = [(m.lastgroup, m[0]) for m in _TOKEN.finditer(fold(text))]
        if not tokens:
            continue
        unit_terms: list[str] = []
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


def _quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def _engine_query(query: _Query) -> str:
    """Return the query in the engine's own syntax: all positive terms, none of the negative."""
    positive, negative = query.positive, query.negative
    # Terms are "t" and hex digits: nothing in them needs escaping in either syntax.
    if connection.vendor == "postgresql":
        return " & ".join([*positive, *(f"!{term}" for term in negative)])
    match = " AND ".join(positive)
    return f"({match}) NOT ({' OR '.join(negative)})" if negative else match


def _source_filter(column: str, source_ids: list[int] | None) -> str:
    # Ids are integers made by the caller (search_study casts them), so they can be inlined.
    if not source_ids:
        return ""
    return f"AND {column} IN ({', '.join(str(int(pk)) for pk in source_ids)})"


def _ranked(
    study: Study, query: _Query, source_ids: list[int] | None, limit: int, offset: int
) -> list[tuple]:
    """Return (source_id, start, end, score, title) of matching paragraphs, best first."""
    paragraph, source = _quoted(SearchParagraph._meta.db_table), _quoted(Source._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT p.source_id, p.paragraph_start, p.paragraph_end,
                   ts_rank(p.terms_vector, %s::tsquery, 1) AS score, s.title
            FROM {paragraph} p
            INNER JOIN {source} s ON s.id = p.source_id
            WHERE p.study_id = %s AND p.terms_vector @@ %s::tsquery
              {_source_filter("p.source_id", source_ids)}
            ORDER BY score DESC, s.title, p.source_id, p.paragraph_start
            LIMIT %s OFFSET %s
        """  # noqa: S608 - quoted model tables; every value is a parameter or an int
        engine_query = _engine_query(query)
        params = [engine_query, study.pk, engine_query, limit, offset]
    else:
        fts = _quoted(FTS_TABLE)
        # The page is cut inside the FTS5 query (ranked by BM25 in C, ties by row id), so only
        # its rows are joined; ties are then ordered by title within the page. Terms are keyed
        # by study, so matches belong to it; the outer filter makes sure of it.
        narrowing = (
            f"INNER JOIN {paragraph} n ON n.id = {fts}.rowid "
            f"WHERE {fts} MATCH %s {_source_filter('n.source_id', source_ids)}"
            if source_ids
            else f"WHERE {fts} MATCH %s"
        )
        sql = f"""
            SELECT p.source_id, p.paragraph_start, p.paragraph_end, -f.rank, s.title
            FROM (
                SELECT {fts}.rowid AS id, {fts}.rank AS rank FROM {fts} {narrowing}
                ORDER BY {fts}.rank, {fts}.rowid LIMIT %s OFFSET %s
            ) f
            INNER JOIN {paragraph} p ON p.id = f.id
            INNER JOIN {source} s ON s.id = p.source_id
            WHERE p.study_id = %s
            ORDER BY f.rank, s.title, p.source_id, p.paragraph_start
        """  # noqa: S608 - quoted table names; every value is a parameter or an int
        params = [_engine_query(query), limit, offset, study.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(study: Study, query: _Query, source_ids: list[int] | None) -> int:
    """Return how many paragraphs have all the query's positive terms and none of its negative."""
    paragraph = _quoted(SearchParagraph._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT COUNT(*) FROM {paragraph} p
            WHERE p.study_id = %s AND p.terms_vector @@ %s::tsquery
              {_source_filter("p.source_id", source_ids)}
        """  # noqa: S608 - a quoted model table; every value is a parameter or an int
        params = [study.pk, _engine_query(query)]
    else:
        fts = _quoted(FTS_TABLE)
        sql = (
            f"""
            SELECT COUNT(*) FROM {fts} INNER JOIN {paragraph} p ON p.id = {fts}.rowid
            WHERE {fts} MATCH %s AND p.study_id = %s {_source_filter("p.source_id", source_ids)}
            """  # noqa: S608 - quoted table names; every value is a parameter or an int
            if source_ids
            # The common case counts in the engine alone: a study's terms are its own.
            else f"SELECT COUNT(*) FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
        )
        params = [_engine_query(query), study.pk] if source_ids else [_engine_query(query)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


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
    limit, offset = max(0, limit), max(0, offset)
    texts = _Texts()

    if parsed.exact:
        page = _ranked(study, parsed, ids, limit, offset)
        results.total = _count(study, parsed, ids) if page or offset else 0
    else:
        # Check ranked candidates against the text until the page is full, then keep checking
        # (for an exact total) while that costs few further decryptions.
        wanted = offset + limit
        rows = _ranked(study, parsed, ids, max(VERIFY_CANDIDATES, 2 * wanted), 0)
        candidates = _count(study, parsed, ids) if rows else 0
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
    for source_id, start, end, score, title in page:
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
