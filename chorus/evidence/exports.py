"""Exports of retrieved segments as CSV, XLSX and Word files, pseudonymised by default.

Security policy: an export leaves the platform, so it replaces the study's real names with their
pseudonyms unless a study lead asks otherwise (and that request is recorded). Spreadsheet cells
are neutralised so that no segment runs as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import record_access
from chorus.core.exports import XML_ILLEGAL, csv_bytes, neutralise_formula
from chorus.evidence import access
from chorus.evidence.analysis import Segment, SegmentPage, all_segments
from chorus.evidence.models import Source, Study, StudyRole

# Characters XML 1.0 forbids; they would stop an XLSX or DOCX export with an error.


def _pseudonymiser(study: Study):
    """Return a text transform for `all_segments` that replaces the study's real names."""
    from chorus.evidence.pseudonymise import pseudonymise, study_replacements

    replacements = study_replacements(study)

    def transform(source: Source):
        title = pseudonymise(source.title, replacements).text
        result = pseudonymise(source.text, replacements)
        return title, result.text, result.map_span

    return transform


def segments_for_export(
    user, study: Study, *, pseudonymised: bool = True, **filters
) -> list[Segment]:
    """Return every segment for the filters of `analysis.segments_for`, ready to export.

    Pseudonymised by default: the study's real names are replaced in source titles, segment
    text and context (the offsets stay those of the original text). Only a study lead may
    export the original text, and that is recorded as a secret read.
    """
    filters.pop("page", None)
    filters.pop("per_page", None)
    if pseudonymised:
        access.require(user, study)
        return all_segments(user, study, transform=_pseudonymiser(study), **filters)
    access.require(user, study, StudyRole.LEAD)
    with transaction.atomic():
        record_access(
            actor=user, obj=study, data_class="secret", purpose="export without pseudonyms"
        )
    return all_segments(user, study, **filters)


def _segments(page_or_segments: SegmentPage | Iterable[Segment]) -> list[Segment]:
    if isinstance(page_or_segments, SegmentPage):
        return page_or_segments.segments
    return list(page_or_segments)


def _header() -> list[str]:
    return [
        _("Code"),
        _("Source"),
        _("Kind"),
        _("Language"),
        _("Participants"),
        _("Start"),
        _("End"),
        _("Coder"),
        _("Context before"),
        _("Segment"),
        _("Context after"),
        _("May be quoted"),
    ]


def _rows(segments: Sequence[Segment]) -> Iterable[list]:
    for segment in segments:
        yield [
            segment.code.name,
            segment.source.title,
            segment.source.kind,
            segment.source.language,
            ", ".join(segment.participants),
            segment.start,
            segment.end,
            segment.coder,
            segment.context_before,
            segment.text,
            segment.context_after,
            _("yes") if segment.quotable else _("no"),
        ]


def retrieval_csv(page_or_segments: SegmentPage | Iterable[Segment]) -> bytes:
    """Write the segments as UTF-8 CSV, one row per segment, no cell runnable as a formula."""
    return csv_bytes(_header(), _rows(_segments(page_or_segments)))


def retrieval_xlsx(page_or_segments: SegmentPage | Iterable[Segment]) -> bytes:
    """Write the segments as a workbook, one row per segment, no cell runnable as a formula."""
    from openpyxl import Workbook

    def cell(value):
        if isinstance(value, str):
            return neutralise_formula(XML_ILLEGAL.sub("", value))
        return value

    workbook = Workbook(write_only=True)
    # A fixed sheet name: translated names could hold characters sheet names forbid.
    sheet = workbook.create_sheet(title="segments")
    sheet.append([cell(value) for value in _header()])
    for row in _rows(_segments(page_or_segments)):
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def retrieval_docx(
    page_or_segments: SegmentPage | Iterable[Segment],
    *,
    study: Study,
    code_names: Sequence[str] | None = None,
) -> bytes:
    """Write the segments as a Word document: a heading, then each segment as a quote.

    `code_names` names the codes retrieved in the heading; by default, those of the segments.
    Text goes in as plain runs with the document's styles, never as markup.
    """
    import docx

    segments = _segments(page_or_segments)
    if code_names is None:
        code_names = list(dict.fromkeys(segment.code.name for segment in segments))

    def clean(text: str) -> str:
        return XML_ILLEGAL.sub("", text)

    document = docx.Document()
    document.add_heading(clean(study.title), level=1)
    if code_names:
        document.add_heading(clean(", ".join(code_names)), level=2)
    document.add_paragraph(_("%(count)s segments") % {"count": len(segments)}, style="Subtitle")
    for segment in segments:
        document.add_paragraph(clean(segment.text), style="Quote")
        details = [
            segment.source.title,
            _("participants: %(names)s") % {"names": ", ".join(segment.participants)}
            if segment.participants
            else "",
            _("characters %(start)s–%(end)s") % {"start": segment.start, "end": segment.end},
            _("coded by %(coder)s with %(code)s")
            % {"coder": segment.coder or _("unknown"), "code": segment.code.name},
            "" if segment.quotable else _("may not be quoted"),
        ]
        document.add_paragraph(clean(" · ".join(part for part in details if part)), style="Caption")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
