"""Analysis of a study's codings: retrieval, frequencies, co-occurrence, agreement, name checks.

Every function takes the user first and checks access itself, so views, exports and commands
cannot forget to. Nothing here writes, except the access event of `uncoded_names`.

Transcript text is decrypted only where a result needs it (the page of segments being shown,
the sources compared for agreement) and is never logged.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from chorus.core.audit import record_access
from chorus.core.models import Region
from chorus.evidence import access
from chorus.evidence.models import (
    Code,
    Coding,
    Consent,
    Participant,
    Pseudonym,
    Source,
    SourceKind,
    Study,
    StudyRole,
)
from chorus.evidence.pseudonymise import find_names
from chorus.evidence.rendering import paragraph_bounds

# Characters of context shown on each side of a segment, and how far into that window we look
# for a space to cut at: scripts written without spaces (Chinese) keep the whole window.
CONTEXT_CHARS = 150
CONTEXT_SLACK = 40
MAX_PER_PAGE = 500
# Sources are fetched by id in batches: SQLite limits the number of query parameters.
ID_BATCH = 500
NONE_LABEL = "—"


# Shapes returned to views and exports


@dataclass(frozen=True, slots=True)
class CodeRef:
    id: int
    name: str
    colour: str = ""
    depth: int = 0


@dataclass(frozen=True, slots=True)
class SourceRef:
    id: int
    title: str
    kind: str = ""
    language: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """One coded segment with its text, some context on each side, and who it is about."""

    coding_id: int
    code: CodeRef
    source: SourceRef
    start: int  # offsets in the source's text, whether or not the text shown is pseudonymised
    end: int
    text: str
    context_before: str
    context_after: str
    coder: str  # username; "" for codings imported without a coder
    participants: tuple[str, ...]  # pseudonyms of the source's participants
    # False when a participant of the source withdrew consent, may not be quoted, or has no
    # consent recorded: the segment may be analysed, not quoted.
    quotable: bool = True


@dataclass(frozen=True, slots=True)
class SegmentPage:
    segments: list[Segment]
    total: int
    page: int
    pages: int
    per_page: int


@dataclass(frozen=True, slots=True)
class FrequencyCell:
    codings: int = 0
    sources: int = 0


@dataclass(frozen=True, slots=True)
class FrequencyColumn:
    value: str  # "" is the column of codings whose source has no value
    label: str


@dataclass(frozen=True, slots=True)
class FrequencyRow:
    code: CodeRef
    cells: list[FrequencyCell]  # one per column, in the table's column order
    total: FrequencyCell


@dataclass(frozen=True, slots=True)
class FrequencyTable:
    by: str
    columns: list[FrequencyColumn]
    rows: list[FrequencyRow]


@dataclass(frozen=True, slots=True)
class CooccurrenceMatrix:
    """Pairs of overlapping codings by the same coder; `counts[i][j]` for codes[i], codes[j].

    The diagonal holds each code's own number of codings (and of sources it is applied in).
    """

    codes: list[CodeRef]
    counts: list[list[int]]
    sources: list[list[int]]

    def count(self, code_a: int, code_b: int) -> int:
        index = {code.id: i for i, code in enumerate(self.codes)}
        return self.counts[index[code_a]][index[code_b]]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A unit that one coder coded with the code and the other did not."""

    source: SourceRef
    paragraph: int  # 1-based, numbered as on the coding page
    start: int
    end: int
    snippet: str
    coder: str  # username of the coder who applied the code
    coder_id: int


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code: CodeRef
    units: int  # units compared (paragraphs of the sources both coders coded)
    coded_by_a: int
    coded_by_b: int
    coded_by_both: int
    percent_agreement: float | None  # 0–100
    kappa: float | None
    alpha: float | None
    reason: str  # why kappa or alpha is None; "" when both are defined
    disagreements: list[Disagreement] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NameOccurrence:
    """Where a real name from the study's name list occurs in a source (secret: leads only)."""

    source: SourceRef
    start: int
    end: int
    kind: str  # PseudonymKind value
    replacement: str
    text: str  # the name as written in the source
    context_before: str
    context_after: str
    in_coding: bool  # some coding overlaps it, so quotes of that coding would carry it


# Shared helpers


def _pk(user_or_id) -> int | None:
    if user_or_id is None:
        return None
    return getattr(user_or_id, "pk", user_or_id)


def _active_language(study: Study) -> str:
    return translation.get_language() or study.main_language


def _code_tree(study: Study, language: str) -> list[CodeRef]:
    """Return the study's codes depth-first (parents before children), named in `language`."""
    codes = list(
        Code.objects.filter(study=study).only(
            "id", "parent", "name", "translations", "colour", "position"
        )
    )
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        by_parent[code.parent_id].append(code)
    ordered: list[CodeRef] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for code in sorted(by_parent.get(parent_id, []), key=lambda c: (c.position, c.name)):
            ordered.append(
                CodeRef(id=code.pk, name=code.name_in(language), colour=code.colour, depth=depth)
            )
            visit(code.pk, depth + 1)

    visit(None, 0)
    return ordered


def _with_descendants(study: Study, code_ids: Iterable[int]) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in study.codes.values_list("id", "parent_id"):
        children[parent_id].append(pk)
    result: set[int] = set()
    pending = list(code_ids)
    while pending:
        pk = pending.pop()
        if pk not in result:
            result.add(pk)
            pending.extend(children.get(pk, ()))
    return result


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for offset in range(0, len(ids), ID_BATCH):
        yield ids[offset : offset + ID_BATCH]


def _sources(ids: Iterable[int], *fields: str) -> dict[int, Source]:
    """Load the sources by id, with only `fields` (the text is decrypted only if named)."""
    ids = sorted(set(ids))
    loaded: dict[int, Source] = {}
    for batch in _batches(ids):
        for source in Source.objects.filter(pk__in=batch).only("id", *fields):
            loaded[source.pk] = source
    return loaded


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """Return about CONTEXT_CHARS of text before and after a span, cut between words."""
    low = max(0, start - CONTEXT_CHARS)
    before = text[low:start]
    # Cut only when the window begins or ends inside a word.
    if low > 0 and not text[low - 1].isspace():
        space = re.search(r"\s", before[:CONTEXT_SLACK])
        if space:
            before = before[space.end() :]
    high = min(len(text), end + CONTEXT_CHARS)
    after = text[end:high]
    if high < len(text) and not text[high].isspace():
        tail = after[-CONTEXT_SLACK:]
        spaces = [m.start() for m in re.finditer(r"\s", tail)]
        if spaces:
            after = after[: len(after) - len(tail) + spaces[-1]]
    return before.lstrip(), after.rstrip()


def _participant_values(study: Study) -> list[dict]:
    """The study's participants as plain values; the secret identity fields are never read."""
    return list(
        Participant.objects.filter(study=study).values(
            "id",
            "pseudonym",
            "region",
            "organisation_id",
            "organisation__name",
            "organisation_name",
            "role_title",
            "attributes",
        )
    )


def _participant_value(participant: dict, key: str) -> str:
    if key == "organisation":
        return participant["organisation__name"] or participant["organisation_name"] or ""
    if key in ("region", "role_title"):
        return participant[key] or ""
    return str((participant["attributes"] or {}).get(key, "") or "")


def _participant_matches(participant: dict, filters: dict[str, str]) -> bool:
    for key, wanted in filters.items():
        value = _participant_value(participant, key)
        if key == "organisation" and participant["organisation_id"] is not None:
            # A member organisation may be named by its registry id as well as by its name.
            if wanted in (value, str(participant["organisation_id"])):
                continue
            return False
        if value != wanted:
            return False
    return True


# Retrieval


def _segment_queryset(
    user,
    study: Study,
    *,
    code_ids: Iterable[int],
    include_children: bool,
    participant_filters: dict[str, str] | None,
    source_kind: str,
    language: str,
    coder_id: int | None,
):
    """Return (the filtered codings in page order, the same without the code filter, the codes).

    The codes are those asked for that belong to the study, with their descendants if asked.
    """
    access.require(user, study)
    study_codes = set(study.codes.values_list("id", flat=True))
    wanted = {int(pk) for pk in code_ids} & study_codes
    if include_children:
        wanted = _with_descendants(study, wanted)
    # Codes are checked against the study, so every coding found belongs to one of its sources.
    # The other filters are kept apart as well, for _page_rows to read code by code.
    codings = Coding.objects.all()
    filters = {key: value for key, value in (participant_filters or {}).items() if value}
    if filters:
        matching = [p["id"] for p in _participant_values(study) if _participant_matches(p, filters)]
        through = Source.participants.through.objects.filter(participant_id__in=matching)
        codings = codings.filter(source_id__in=Subquery(through.values("source_id")))
    if source_kind:
        codings = codings.filter(source__kind=source_kind)
    if language:
        codings = codings.filter(source__language=language)
    if coder_id is not None:
        codings = codings.filter(coder_id=_pk(coder_id))
    # The order is that of the coding_by_code index (code, source, start, then the row id), so
    # for one code SQLite pages through the index without sorting.
    codes = sorted(wanted)
    return codings.filter(code_id__in=codes).order_by("source_id", "start", "id"), codings, codes


# Usernames are looked up afterwards: joining the users table made SQLite scan it per row.
ROW_FIELDS = ("id", "code_id", "source_id", "start", "end", "coder_id")


def _source_people(source_ids: Sequence[int]) -> tuple[dict[int, list[str]], dict[int, bool]]:
    """Return each source's participants' pseudonyms and whether all of them may be quoted."""
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    through = Source.participants.through.objects
    for batch in _batches(sorted(set(source_ids))):
        for source_id, participant_id, pseudonym in through.filter(source_id__in=batch).values_list(
            "source_id", "participant_id", "participant__pseudonym"
        ):
            people[source_id].append((participant_id, pseudonym))
    participant_ids = sorted({pid for rows in people.values() for pid, _name in rows})
    allowed: set[int] = set()
    for batch in _batches(participant_ids):
        # values() keeps the consent's secret notes encrypted: only the decision is needed.
        for row in Consent.objects.filter(participant_id__in=batch).values(
            "participant_id", "quote_mode", "withdrawn_on"
        ):
            consent = Consent(quote_mode=row["quote_mode"], withdrawn_on=row["withdrawn_on"])
            if consent.allows_quotes:
                allowed.add(row["participant_id"])
    names = {sid: sorted(name for _pid, name in rows) for sid, rows in people.items()}
    quotable = {sid: all(pid in allowed for pid, _name in rows) for sid, rows in people.items()}
    return names, quotable


TextTransform = Callable[[Source], tuple[str, str, Callable[[int, int], tuple[int, int]]]]


def _plain(source: Source) -> tuple[str, str, Callable[[int, int], tuple[int, int]]]:
    return source.title, source.text, lambda start, end: (start, end)


def _build_segments(
    rows: Sequence[dict],
    study: Study,
    *,
    transform: TextTransform = _plain,
) -> list[Segment]:
    """Turn coding rows into segments, decrypting only the texts of the rows' sources.

    `transform` returns a source's title and text as shown and maps offsets into that text
    (pseudonymised exports replace names, which moves offsets).
    """
    if not rows:
        return []
    codes = {code.id: code for code in _code_tree(study, _active_language(study))}
    source_ids = sorted({row["source_id"] for row in rows})
    sources = _sources(source_ids, "title", "kind", "language", "text")
    names, quotable = _source_people(source_ids)
    coder_ids = {row["coder_id"] for row in rows} - {None}
    usernames = dict(
        get_user_model().objects.filter(pk__in=coder_ids).values_list("pk", "username")
    )
    shown: dict[int, tuple[SourceRef, str, Callable]] = {}
    for source_id, source in sources.items():
        title, text, mapping = transform(source)
        ref = SourceRef(id=source.pk, title=title, kind=source.kind, language=source.language)
        shown[source_id] = (ref, text, mapping)
    segments = []
    for row in rows:
        ref, text, mapping = shown[row["source_id"]]
        start, end = mapping(row["start"], row["end"])
        before, after = _context(text, start, end)
        segments.append(
            Segment(
                coding_id=row["id"],
                code=codes[row["code_id"]],
                source=ref,
                start=row["start"],
                end=row["end"],
                text=text[start:end],
                context_before=before,
                context_after=after,
                coder=usernames.get(row["coder_id"], ""),
                participants=tuple(names.get(row["source_id"], ())),
                quotable=quotable.get(row["source_id"], True),
            )
        )
    return segments


def segments_for(
    user,
    study: Study,
    *,
    code_ids: Iterable[int],
    include_children: bool = True,
    participant_filters: dict[str, str] | None = None,
    source_kind: str = "",
    language: str = "",
    coder_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> SegmentPage:
    """Return one page of the segments coded with the given codes, with their context.

    Filters narrow the sources: `participant_filters` keys are "region", "organisation" (name,
    or registry id), "role_title" or an attribute name; a source matches when any one of its
    participants matches every filter. Empty filter values are ignored. Codes of other studies
    are ignored. Segments are ordered by source (in import order), then by position.
    """
    codings, unfiltered, wanted = _segment_queryset(
        user,
        study,
        code_ids=code_ids,
        include_children=include_children,
        participant_filters=participant_filters,
        source_kind=source_kind,
        language=language,
        coder_id=coder_id,
    )
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    total = codings.count()
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    offset = (page - 1) * per_page
    rows = _page_rows(codings, unfiltered, wanted, offset, per_page) if total else []
    return SegmentPage(
        segments=_build_segments(rows, study),
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
    )


# Up to this deep in the results, and for up to this many codes, a page of several codes is
# merged from one ordered read per code (see _page_rows); otherwise everything is sorted once.
# SQLite takes at most 500 parts in one UNION.
MERGE_DEPTH = 5_000
MERGE_CODES = 50


def _page_rows(codings, unfiltered, code_ids: list[int], offset: int, per_page: int) -> list[dict]:
    """Return the page's rows of `codings` (ordered by source, start, id).

    `unfiltered` is the same query without its filter on the codes. For several codes (a code
    with its sub-codes), one `code_id IN (...) ORDER BY` made SQLite sort every coding of them in
    a temporary B-tree: about 100 ms for 160 000 codings. Each code's own rows come in that order
    from the coding_by_code index, so the first offset + per_page rows of each, joined with
    UNION ALL and ordered, give the same page.
    """
    if not 2 <= len(code_ids) <= MERGE_CODES or offset + per_page > MERGE_DEPTH:
        return list(codings.values(*ROW_FIELDS)[offset : offset + per_page])
    order = ("source_id", "start", "id")
    parts, params = [], []
    for code_id in code_ids:
        part = unfiltered.filter(code_id=code_id).order_by(*order).values_list(*ROW_FIELDS)
        sql, part_params = part[: offset + per_page].query.sql_with_params()
        # Wrapped, because neither SQLite nor Django accepts a LIMIT directly inside UNION ALL.
        parts.append(f"SELECT * FROM ({sql}) AS part_{len(parts)}")  # noqa: S608 - Django's SQL
        params.extend(part_params)
    q = connection.ops.quote_name
    merged = (
        " UNION ALL ".join(parts)
        + f" ORDER BY {q('source_id')}, {q('start')}, {q('id')} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(merged, [*params, per_page, offset])
        return [dict(zip(ROW_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def all_segments(
    user,
    study: Study,
    *,
    code_ids: Iterable[int],
    include_children: bool = True,
    participant_filters: dict[str, str] | None = None,
    source_kind: str = "",
    language: str = "",
    coder_id: int | None = None,
    transform: TextTransform = _plain,
) -> list[Segment]:
    """Return every segment for the filters of `segments_for`, unpaginated (for exports)."""
    codings, _unfiltered, _wanted = _segment_queryset(
        user,
        study,
        code_ids=code_ids,
        include_children=include_children,
        participant_filters=participant_filters,
        source_kind=source_kind,
        language=language,
        coder_id=coder_id,
    )
    rows = list(codings.values(*ROW_FIELDS))
    segments: list[Segment] = []
    # Build per batch of sources, so that only a batch of decrypted texts is held at a time.
    by_source: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_source[row["source_id"]].append(row)
    source_ids = list(by_source)
    for batch in _batches(source_ids):
        batch_rows = [row for source_id in batch for row in by_source[source_id]]
        segments.extend(_build_segments(batch_rows, study, transform=transform))
    return segments


# Frequencies


def frequency_dimensions(user, study: Study) -> list[tuple[str, str]]:
    """Return the (key, label) pairs `code_frequencies` accepts as `by`, for a choice list."""
    access.require(user, study)
    keys: set[str] = set()
    for attributes in Participant.objects.filter(study=study).values_list("attributes", flat=True):
        keys.update((attributes or {}).keys())
    fixed = [
        ("region", _("Region")),
        ("organisation", _("Organisation")),
        ("role_title", _("Role or title")),
        ("source_kind", _("Kind of source")),
        ("language", _("Language")),
        ("coder", _("Coder")),
    ]
    taken = {key for key, _label in fixed}
    return fixed + [(key, key) for key in sorted(keys - taken, key=str.casefold)]


def _column_label(by: str, value: str, coders: dict[int, str]) -> str:
    if value == "":
        return NONE_LABEL
    if by == "region":
        return str(Region(value).label) if value in Region.values else value
    if by == "source_kind":
        return str(SourceKind(value).label) if value in SourceKind.values else value
    if by == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if by == "coder":
        return coders.get(int(value), value)
    return value


def code_frequencies(user, study: Study, *, by: str) -> FrequencyTable:
    """Count each code's codings and sources, broken down by `by`.

    `by` is "source_kind", "language", "coder", or a participant field ("region",
    "organisation", "role_title") or attribute name. For participant fields a coding counts in
    the column of each value its source's participants have ("—" for a participant without
    one, or a source without participants), so a row's cells can add up to more than its
    total. Each row counts the code's own codings, not those of its child codes.
    """
    access.require(user, study)
    codes = _code_tree(study, _active_language(study))
    code_ids = [code.id for code in codes]
    group = ["code_id", "source_id"] + (["coder_id"] if by == "coder" else [])
    grouped = (
        Coding.objects.filter(code_id__in=code_ids)
        .values(*group)
        .annotate(n=Count("id"))
        .order_by()
    )
    if by in ("source_kind", "language"):
        field_name = "kind" if by == "source_kind" else "language"
        source_values = {
            pk: {value or ""}
            for pk, value in Source.objects.filter(study=study).values_list("id", field_name)
        }
    elif by != "coder":
        participants = {p["id"]: _participant_value(p, by) for p in _participant_values(study)}
        source_values = defaultdict(set)
        for source_id, participant_id in Source.participants.through.objects.filter(
            source__study=study
        ).values_list("source_id", "participant_id"):
            source_values[source_id].add(participants.get(participant_id, ""))
    codings: dict[tuple[int, str], int] = defaultdict(int)
    sources: dict[tuple[int, str], set[int]] = defaultdict(set)
    totals: dict[int, int] = defaultdict(int)
    total_sources: dict[int, set[int]] = defaultdict(set)
    values: set[str] = set()
    for row in grouped:
        if by == "coder":
            keys = {str(row["coder_id"]) if row["coder_id"] is not None else ""}
        else:
            keys = source_values.get(row["source_id"]) or {""}
        for key in keys:
            codings[row["code_id"], key] += row["n"]
            sources[row["code_id"], key].add(row["source_id"])
            values.add(key)
        totals[row["code_id"]] += row["n"]
        total_sources[row["code_id"]].add(row["source_id"])
    coders = {}
    if by == "coder":
        ids = [int(v) for v in values if v]
        coders = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    columns = sorted(
        (FrequencyColumn(value=v, label=_column_label(by, v, coders)) for v in values if v),
        key=lambda column: column.label.casefold(),
    )
    columns.append(FrequencyColumn(value="", label=NONE_LABEL))
    rows = [
        FrequencyRow(
            code=code,
            cells=[
                FrequencyCell(
                    codings=codings.get((code.id, column.value), 0),
                    sources=len(sources.get((code.id, column.value), ())),
                )
                for column in columns
            ],
            total=FrequencyCell(
                codings=totals.get(code.id, 0), sources=len(total_sources.get(code.id, ()))
            ),
        )
        for code in codes
    ]
    return FrequencyTable(by=by, columns=columns, rows=rows)


# Co-occurrence


def cooccurrence(
    user, study: Study, *, code_ids: Iterable[int] | None = None
) -> CooccurrenceMatrix:
    """Count, for each pair of codes, the pairs of their codings that overlap.

    Two codings overlap when they are in the same source, by the same coder, and their spans
    intersect (touching ends do not). Only the same coder's codings are paired: a source that
    two coders coded independently (to compare them) would otherwise count each overlap once
    per combination of coders, and the figure should say how one person's reading joins the
    codes. The codings are read once and each source's codings are compared pairwise with
    NumPy.
    """
    access.require(user, study)
    codes = _code_tree(study, _active_language(study))
    if code_ids is not None:
        wanted = {int(pk) for pk in code_ids}
        codes = [code for code in codes if code.id in wanted]
    index = {code.id: i for i, code in enumerate(codes)}
    size = len(codes)
    counts = np.zeros((size, size), dtype=np.int64)
    sources = np.zeros((size, size), dtype=np.int64)
    # An unordered scan reads the table sequentially, much faster than following an index
    # over a million rows; the rows are grouped by source in NumPy instead.
    rows = (
        Coding.objects.filter(code_id__in=list(index))
        .order_by()
        .values_list("source_id", Coalesce("coder_id", -1), "code_id", "start", "end")
    )
    chunks = []
    chunk: list[tuple[int, int, int, int, int]] = []
    for row in rows.iterator(chunk_size=10000):
        chunk.append(row)
        if len(chunk) == 10000:
            chunks.append(np.array(chunk, dtype=np.int64))
            chunk = []
    chunks.append(np.array(chunk, dtype=np.int64).reshape(-1, 5))
    table = np.concatenate(chunks)
    if len(table):
        lookup = np.zeros(max(index) + 1, dtype=np.int64)
        lookup[list(index)] = list(index.values())
        table[:, 2] = lookup[table[:, 2]]
        table = table[np.argsort(table[:, 0], kind="stable")]
        # Row positions where a new source begins.
        cuts = np.flatnonzero(np.diff(table[:, 0])) + 1
        for group in np.split(table[:, 1:], cuts):
            _count_overlaps(group, counts, sources)
    return CooccurrenceMatrix(codes=codes, counts=counts.tolist(), sources=sources.tolist())


def _count_overlaps(group: np.ndarray, counts: np.ndarray, sources: np.ndarray) -> None:
    """Add one source's overlapping pairs to the matrices; rows are (coder, code, start, end).

    Compares the codings pairwise, a block of rows at a time so that a source with thousands
    of codings does not need a matrix of millions of cells at once.
    """
    coder, code, start, end = group.T
    np.add.at(counts, (code, code), 1)
    seen = np.zeros(counts.shape, dtype=bool)
    seen[code, code] = True
    block = 1000
    for low in range(0, len(group), block):
        high = min(low + block, len(group))
        rows = slice(low, high)
        pairs = (
            (start[rows, None] < end[None, :])
            & (start[None, :] < end[rows, None])
            & (coder[rows, None] == coder[None, :])
            & (code[rows, None] != code[None, :])
        )
        # Each pair once: only partners after the row (the upper triangle).
        pairs &= np.arange(low, high)[:, None] < np.arange(len(group))[None, :]
        first, second = np.nonzero(pairs)
        a, b = code[first + low], code[second]
        np.add.at(counts, (a, b), 1)
        np.add.at(counts, (b, a), 1)
        seen[a, b] = True
        seen[b, a] = True
    sources += seen


# Inter-coder agreement


def _snippet(text: str, limit: int = 200) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - CONTEXT_SLACK)
    return (cut[:space] if space > 0 else cut) + "…"


def _reason_no_variation() -> str:
    return _("no variation: both coders agree on every unit")


def agreement(
    user,
    study: Study,
    *,
    coder_a,
    coder_b,
    code_ids: Iterable[int] | None = None,
    source_ids: Iterable[int] | None = None,
) -> list[CodeAgreement]:
    """Compare two coders code by code: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Unit of analysis: the paragraph, as the coding page shows it (text between blank lines,
    whitespace trimmed). Paragraphs are what coders read and select, they are short enough to
    compare and cheap to compute; characters would weigh a long quote more than several short
    ones and take far too long. A coder applied a code to a unit when any of their codings with
    that code overlaps the unit. Only sources that both coders coded at least once (with any
    code) are compared, so a source one of them has not coded yet does not count as
    disagreement; `source_ids` narrows them further. Each code counts its own codings only.

    When both coders agree on every unit, kappa and alpha are undefined (no variation): they
    are None and `reason` says why. `disagreements` lists the units coded by one coder only.
    `coder_a` and `coder_b` are users or user ids.
    """
    access.require(user, study)
    a_id, b_id = _pk(coder_a), _pk(coder_b)
    if a_id == b_id:
        raise ValidationError(_("Choose two different coders."))
    usernames = dict(
        get_user_model().objects.filter(pk__in=[a_id, b_id]).values_list("pk", "username")
    )
    codes = _code_tree(study, _active_language(study))
    if code_ids is not None:
        wanted = {int(pk) for pk in code_ids}
        codes = [code for code in codes if code.id in wanted]
    coded_by: dict[int, set[int]] = defaultdict(set)
    for source_id, coder in (
        Coding.objects.filter(source__study=study, coder_id__in=[a_id, b_id])
        .order_by()  # the default ordering would take part in DISTINCT
        .values_list("source_id", "coder_id")
        .distinct()
    ):
        coded_by[source_id].add(coder)
    compared = {pk for pk, coders in coded_by.items() if len(coders) == 2}
    if source_ids is not None:
        compared &= {int(pk) for pk in source_ids}
    sources = _sources(compared, "title", "kind", "language", "text")
    order = sorted(sources.values(), key=lambda s: (s.title.casefold(), s.pk))
    # Units of all compared sources, numbered consecutively: (source, paragraph, start, end).
    units: list[tuple[Source, int, int, int]] = []
    first_unit: dict[int, int] = {}
    bounds: dict[int, tuple[list[int], list[int]]] = {}
    for source in order:
        first_unit[source.pk] = len(units)
        paragraphs = paragraph_bounds(source.text)
        bounds[source.pk] = ([s for s, _e in paragraphs], [e for _s, e in paragraphs])
        units.extend((source, n, s, e) for n, (s, e) in enumerate(paragraphs, start=1))
    code_index = {code.id: i for i, code in enumerate(codes)}
    marks = np.zeros((2, len(codes), len(units)), dtype=np.int8)
    rows = (
        Coding.objects.filter(code_id__in=list(code_index), coder_id__in=[a_id, b_id])
        .order_by()
        .values_list("source_id", "coder_id", "code_id", "start", "end")
    )
    for source_id, coder, code_id, start, end in rows.iterator(chunk_size=5000):
        if source_id not in sources:
            continue
        starts, ends = bounds[source_id]
        # The first paragraph ending after the coding's start is the first it can overlap.
        i = bisect.bisect_right(ends, start)
        while i < len(starts) and starts[i] < end:
            marks[0 if coder == a_id else 1, code_index[code_id], first_unit[source_id] + i] = 1
            i += 1
    return [
        _code_agreement(code, marks[0, k], marks[1, k], units, (a_id, b_id), usernames)
        for k, code in enumerate(codes)
    ]


def _code_agreement(
    code: CodeRef,
    a: np.ndarray,
    b: np.ndarray,
    units: list[tuple[Source, int, int, int]],
    coder_ids: tuple[int, int],
    usernames: dict[int, str],
) -> CodeAgreement:
    from krippendorff import alpha as krippendorff_alpha
    from sklearn.metrics import cohen_kappa_score

    n = len(units)
    counts = {
        "units": n,
        "coded_by_a": int(a.sum()),
        "coded_by_b": int(b.sum()),
        "coded_by_both": int((a & b).sum()),
    }
    if n == 0:
        return CodeAgreement(
            code=code,
            percent_agreement=None,
            kappa=None,
            alpha=None,
            reason=_("no units: the two coders have not both coded any source"),
            **counts,
        )
    percent = float((a == b).mean() * 100)
    disagreements = []
    for u in np.flatnonzero(a != b):
        source, paragraph, start, end = units[u]
        coder_id = coder_ids[0] if a[u] else coder_ids[1]
        disagreements.append(
            Disagreement(
                source=SourceRef(
                    id=source.pk, title=source.title, kind=source.kind, language=source.language
                ),
                paragraph=paragraph,
                start=start,
                end=end,
                snippet=_snippet(source.text[start:end]),
                coder=usernames.get(coder_id, ""),
                coder_id=coder_id,
            )
        )
    # Both coders gave every unit the same single value: chance agreement is 1, kappa is 0/0.
    if a.min() == a.max() == b.min() == b.max():
        return CodeAgreement(
            code=code,
            percent_agreement=percent,
            kappa=None,
            alpha=None,
            reason=_reason_no_variation(),
            disagreements=disagreements,
            **counts,
        )
    kappa = float(cohen_kappa_score(a, b, labels=[0, 1]))
    alpha = float(
        krippendorff_alpha(
            reliability_data=np.vstack([a, b]).astype(float),
            level_of_measurement="nominal",
            value_domain=[0.0, 1.0],
        )
    )
    reason = ""
    if not math.isfinite(kappa) or not math.isfinite(alpha):
        reason = _("undefined for these codings")
    return CodeAgreement(
        code=code,
        percent_agreement=percent,
        kappa=kappa if math.isfinite(kappa) else None,
        alpha=alpha if math.isfinite(alpha) else None,
        reason=reason,
        disagreements=disagreements,
        **counts,
    )


# Names still in the text


@transaction.atomic
def uncoded_names(user, study: Study) -> list[NameOccurrence]:
    """List every occurrence of the study's real names in its sources (study leads only).

    Each occurrence says whether a coding overlaps it (`in_coding`): those would travel with
    quotes, and a name outside any coding may still be there to pseudonymise. Reading the name
    list is a secret read, recorded as an access event.
    """
    access.require(user, study, StudyRole.LEAD)
    record_access(actor=user, obj=study, data_class="secret", purpose="pseudonym check")
    # Keyed by the name as listed: find_names reports the first listing of a name.
    names: dict[str, tuple[str, str]] = {}
    for pseudonym in Pseudonym.objects.filter(study=study):
        if pseudonym.real.strip():
            names.setdefault(pseudonym.real, (pseudonym.kind, pseudonym.replacement))
    if not names:
        return []
    found: list[NameOccurrence] = []
    source_ids = list(Source.objects.filter(study=study).values_list("id", flat=True))
    for batch in _batches(source_ids):
        sources = _sources(batch, "title", "kind", "language", "text")
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for source_id, start, end in (
            Coding.objects.filter(source_id__in=batch)
            .order_by("source_id", "start")
            .values_list("source_id", "start", "end")
        ):
            spans[source_id].append((start, end))
        for source in sources.values():
            ref = SourceRef(
                id=source.pk, title=source.title, kind=source.kind, language=source.language
            )
            codings = spans.get(source.pk, [])
            starts = [start for start, _end in codings]
            # The exports' own matching, so this lists exactly what they would replace.
            for start, end, name in find_names(source.text, names):
                kind, replacement = names[name]
                before, after = _context(source.text, start, end)
                # Codings are sorted by start: only those starting before the name ends can
                # overlap it.
                upto = bisect.bisect_left(starts, end)
                covered = any(coding_end > start for _s, coding_end in codings[:upto])
                found.append(
                    NameOccurrence(
                        source=ref,
                        start=start,
                        end=end,
                        kind=kind,
                        replacement=replacement,
                        text=source.text[start:end],
                        context_before=before,
                        context_after=after,
                        in_coding=covered,
                    )
                )
    found.sort(key=lambda o: (o.source.title.casefold(), o.source.id, o.start, o.end))
    return found
