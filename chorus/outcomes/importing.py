"""Import UN recommendations: UHRI exports (CSV, XLSX, JSON), paragraph JSON, pasted text.

Every source becomes the same rows; the whole batch is checked first (missing text, a paragraph
too long, duplicates of what is already imported, by symbol and paragraph or by identical text)
and written in one transaction with one audit event, classified as it goes in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import record_change
from chorus.core.scoping import Scope
from chorus.core.tabular import FileProblem, decode_text, read_table
from chorus.network.places import lookup_country
from chorus.outcomes.models import Body, Recommendation

MAX_PARAGRAPH_CHARS = 20_000
PARAGRAPH_IN_SYMBOL = re.compile(r"\s*(?:,\s*)?(?:para(?:graph)?\.?|¶)\s*([\w.()-]+)\s*$", re.I)
NUMBERED = re.compile(r"^\s*(\d{1,3})\.\s+", re.M)
BODY_NAMES = {
    "committee on the elimination of discrimination against women": Body.CEDAW,
    "committee on economic, social and cultural rights": Body.CESCR,
    "human rights committee": Body.CCPR,
    "committee on the rights of the child": Body.CRC,
    "committee against torture": Body.CAT,
    "committee on the elimination of racial discrimination": Body.CERD,
    "committee on migrant workers": Body.CMW,
    "committee on the rights of persons with disabilities": Body.CRPD,
    "committee on enforced disappearances": Body.CED,
    "universal periodic review": Body.UPR,
}
ProgressCallback = Callable[[int, int], None]


@dataclass
class RecommendationRow:
    row: int
    body: str
    symbol: str
    paragraph: str
    text: str
    language: str = ""
    country: str | None = None
    year: int | None = None
    session: str = ""

    @property
    def text_hash(self) -> str:
        normalised = " ".join(self.text.split()).casefold()
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass
class RecommendationReport:
    rows: list[RecommendationRow] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    relevant: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, message))


def _body(text: str) -> str:
    value = text.strip()
    if value.upper() in Body.values:
        return value.upper()
    return BODY_NAMES.get(value.casefold(), Body.OTHER if value else "")


def _year(text: str) -> int | None:
    match = re.search(r"(19|20)\d{2}", text or "")
    return int(match.group(0)) if match else None


def _split_symbol(symbol: str, paragraph: str) -> tuple[str, str]:
    """UHRI writes "CEDAW/C/KAZ/CO/5 para. 22"; keep the symbol and the paragraph apart."""
    match = PARAGRAPH_IN_SYMBOL.search(symbol)
    if match and not paragraph:
        return symbol[: match.start()].strip(), match.group(1)
    return symbol.strip(), paragraph.strip()


def _check(report: RecommendationReport, row: RecommendationRow) -> None:
    if not row.text.strip():
        report.error(row.row, "Text", _("The text is empty."))
    elif len(row.text) > MAX_PARAGRAPH_CHARS:
        report.error(
            row.row,
            "Text",
            _("The paragraph is longer than %(limit)s characters; is it really one paragraph?")
            % {"limit": MAX_PARAGRAPH_CHARS},
        )
    if not row.symbol:
        report.error(row.row, "Symbol", _("The document symbol is missing."))
    report.rows.append(row)


def _country(report: RecommendationReport, number: int, text: str) -> str | None:
    names = [part.strip() for part in re.split(r"[;|]", text or "") if part.strip()]
    if not names or names[0].casefold() in {"all states", "all", "general"}:
        return None
    code = lookup_country(names[0])
    if code is None:
        report.error(number, "Countries", _("Unknown country: %(name)s") % {"name": names[0]})
    return code


def parse_uhri(data: bytes, filename: str = "") -> RecommendationReport:
    """Read a Universal Human Rights Index export (CSV, XLSX or JSON list of objects)."""
    report = RecommendationReport()
    if filename.lower().endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        try:
            records = json.loads(decode_text(data))
        except (json.JSONDecodeError, FileProblem) as error:
            report.error(0, "", _("The file is not valid JSON: %(error)s") % {"error": error})
            return report
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            report.error(0, "", _("A JSON file must hold a list of recommendations."))
            return report
        table = [dict(record) for record in records]
        start = 1
    else:
        try:
            rows = read_table(data, filename)
        except FileProblem as problem:
            report.error(0, "", str(problem))
            return report
        header = [cell.strip() for cell in rows[0]] if rows else []
        table = [dict(zip(header, row, strict=False)) for row in rows[1:]]
        start = 2
    columns = {key.casefold(): key for record in table[:1] for key in record}
    if "text" not in columns:
        report.error(0, "Text", _("The file has no Text column."))
        return report

    def cell(record: dict, name: str) -> str:
        key = columns.get(name.casefold())
        value = record.get(key, "") if key else ""
        return "" if value is None else str(value)

    for offset, record in enumerate(table):
        number = start + offset
        if not any(str(value).strip() for value in record.values() if value is not None):
            continue
        symbol, paragraph = _split_symbol(cell(record, "Symbol"), cell(record, "Paragraph"))
        _check(
            report,
            RecommendationRow(
                row=number,
                body=_body(cell(record, "Body")),
                symbol=symbol,
                paragraph=paragraph,
                text=cell(record, "Text").strip(),
                language=cell(record, "Language").strip().lower(),
                country=_country(report, number, cell(record, "Countries")),
                year=_year(cell(record, "PublicationDate") or cell(record, "Year")),
                session=cell(record, "Session").strip(),
            ),
        )
    return report


def parse_paragraph_json(
    data: bytes, filename: str, *, index: dict | None = None
) -> RecommendationReport:
    """Read a treaty-body document as a JSON list of {ID, Labels, Text} paragraphs."""
    report = RecommendationReport()
    try:
        paragraphs = json.loads(decode_text(data))
    except (json.JSONDecodeError, FileProblem) as error:
        report.error(0, "", _("The file is not valid JSON: %(error)s") % {"error": error})
        return report
    if not isinstance(paragraphs, list):
        report.error(0, "", _("A JSON file must hold a list of paragraphs."))
        return report
    info = (index or {}).get(Path(filename).name, {})
    stem = Path(filename).stem.removeprefix("Annotated_")
    body = _body(info.get("committee", "") or re.split(r"[-_]", stem, maxsplit=1)[0])
    symbol = info.get("symbol") or stem
    for number, paragraph in enumerate(paragraphs, start=1):
        if not isinstance(paragraph, dict):
            report.error(number, "", _("Each paragraph must be an object with a Text."))
            continue
        _check(
            report,
            RecommendationRow(
                row=number,
                body=body,
                symbol=symbol,
                paragraph=str(paragraph.get("ID", number)).rstrip("."),
                text=str(paragraph.get("Text", "")).strip(),
                language="en",
                year=_year(str(info.get("year", ""))),
            ),
        )
    return report


def parse_pasted(
    text: str,
    *,
    symbol: str,
    body: str,
    country: str | None = None,
    year: int | None = None,
    language: str = "",
) -> RecommendationReport:
    """Split pasted text into paragraphs: numbered ("12. ...") if numbered, else by blank lines."""
    report = RecommendationReport()
    text = text.replace("\r\n", "\n")
    numbered = list(NUMBERED.finditer(text))
    if len(numbered) >= 2 or (numbered and numbered[0].start() == 0):
        pieces = []
        for index, match in enumerate(numbered):
            end = numbered[index + 1].start() if index + 1 < len(numbered) else len(text)
            pieces.append((match.group(1), text[match.end() : end]))
    else:
        blocks = [block for block in re.split(r"\n\s*\n", text) if block.strip()]
        pieces = [(str(index), block) for index, block in enumerate(blocks, start=1)]
    for number, (paragraph, body_text) in enumerate(pieces, start=1):
        _check(
            report,
            RecommendationRow(
                row=number,
                body=body,
                symbol=symbol.strip(),
                paragraph=paragraph,
                text=" ".join(body_text.split()),
                language=language,
                country=country,
                year=year,
            ),
        )
    return report


def _find_duplicates(report: RecommendationReport) -> None:
    """Leave out paragraphs already imported (same symbol and paragraph, or the same text)."""
    keys = {(row.symbol, row.paragraph) for row in report.rows}
    hashes = {row.text_hash for row in report.rows}
    existing_keys = set(
        Recommendation.objects.filter(symbol__in={symbol for symbol, _p in keys}).values_list(
            "symbol", "paragraph"
        )
    )
    existing_hashes = set(
        Recommendation.objects.filter(text_hash__in=hashes).values_list("text_hash", flat=True)
    )
    seen_keys, seen_hashes, kept = set(), set(), []
    for row in report.rows:
        key = (row.symbol, row.paragraph)
        if key in existing_keys or row.text_hash in existing_hashes:
            report.duplicates.append((row.row, _("already imported")))
        elif key in seen_keys or row.text_hash in seen_hashes:
            report.duplicates.append((row.row, _("repeated in this file")))
        else:
            seen_keys.add(key)
            seen_hashes.add(row.text_hash)
            kept.append(row)
    report.rows = kept


def recommendations_import(
    *,
    actor,
    report: RecommendationReport,
    valid_only: bool = False,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
) -> RecommendationReport:
    """Write the checked rows (all or nothing, unless only the valid rows are asked for)."""
    if not Scope.of(actor).is_everything:
        raise PermissionDenied
    if report.errors and not valid_only:
        return report
    if any(row == 0 for row, _column, _message in report.errors):
        return report
    bad_rows = {row for row, _column, _message in report.errors}
    report.rows = [row for row in report.rows if row.row not in bad_rows]
    _find_duplicates(report)
    if dry_run or not report.rows:
        return report
    from chorus.outcomes.classification import classify_texts

    results = classify_texts(
        [(row.text, row.language or None) for row in report.rows], on_progress=on_progress
    )
    _write(actor, report, results)
    return report


@transaction.atomic
def _write(actor, report: RecommendationReport, results: list[dict]) -> None:
    countries = {row.country for row in report.rows if row.country}
    from chorus.network.models import Country

    known = set(Country.objects.filter(code__in=countries).values_list("code", flat=True))
    objects = []
    for row, result in zip(report.rows, results, strict=True):
        objects.append(
            Recommendation(
                body=row.body or Body.OTHER,
                symbol=row.symbol,
                paragraph=row.paragraph,
                session=row.session,
                country_id=row.country if row.country in known else None,
                year=row.year,
                text=row.text,
                language=result.get("lang") or row.language or "en",
                text_hash=row.text_hash,
                relevant=bool(result.get("relevant")),
                label=result.get("label") or "",
                confidence=result.get("confidence"),
                cues=result.get("cues") or [],
                reason=(result.get("reason") or "")[:500],
            )
        )
    Recommendation.objects.bulk_create(objects, batch_size=1000)
    report.created = len(objects)
    report.relevant = sum(1 for item in objects if item.relevant)
    record_change(
        actor=actor,
        action="recommendation.import",
        obj=Recommendation,
        changed_fields=["body", "symbol", "paragraph", "text", "label"],
    )
