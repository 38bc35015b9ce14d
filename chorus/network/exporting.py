"""Export the member registry as CSV or XLSX, in the columns the import reads back.

One row per membership (an organisation without memberships gets one row with the membership
columns empty), so that exporting and importing into an empty registry gives the same registry.
Rows come from `organisations_for`, so nobody exports an organisation they may not see, and every
text cell is neutralised so that no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from chorus.core.exports import csv_bytes, neutralise_formula
from chorus.network.importing import COLUMNS
from chorus.network.models import NETWORK_KINDS, Membership, Organisation
from chorus.network.queries import organisations_for, visible_organisation_filter
from chorus.network.search import fold

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _network_labels() -> dict[int, str]:
    """Name each network by its acronym, or by its full name where the acronym is not unique."""
    networks = list(
        Organisation.objects.filter(kind__in=NETWORK_KINDS).values_list("pk", "name", "acronym")
    )
    acronyms = Counter(fold(acronym) for _pk, _name, acronym in networks if acronym)
    names = {fold(name) for _pk, name, _acronym in networks}
    return {
        pk: acronym
        if acronym and acronyms[fold(acronym)] == 1 and fold(acronym) not in names - {fold(name)}
        else name
        for pk, name, acronym in networks
    }


def export_queryset(
    user,
    *,
    search: str = "",
    region: str = "",
    country: str = "",
    kind: str = "",
    tier: str = "",
    status: str = "",
    listed_only: bool = False,
) -> QuerySet[Organisation]:
    """Return the organisations the user may export, with their visible memberships attached."""
    memberships = (
        Membership.objects.filter(visible_organisation_filter(user, "network__"))
        .select_related("network")
        .order_by("network__name", "pk")
    )
    # A filter on tier or status picks the matching memberships, not every row of the member.
    if tier:
        memberships = memberships.filter(tier=tier)
    if status:
        memberships = memberships.filter(status=status)
    organisations = organisations_for(
        user,
        search=search,
        region=region,
        country=country,
        kind=kind,
        tier=tier,
        status=status,
    )
    if listed_only:
        organisations = organisations.filter(publicly_listed=True)
    return organisations.order_by("name", "pk").prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="exported_memberships")
    )


def export_rows(organisations: QuerySet[Organisation]) -> Iterator[list]:
    """Yield one row per membership of each organisation, in the order of `COLUMNS`."""
    labels = _network_labels()
    for organisation in organisations.iterator(chunk_size=2000):
        base = {
            "name": organisation.name,
            "acronym": organisation.acronym,
            "kind": organisation.kind,
            "country": organisation.country_id or "",
            "website": organisation.website,
            "founded": organisation.founded if organisation.founded is not None else "",
            "languages": ";".join(organisation.working_languages or []),
            "listed": "yes" if organisation.publicly_listed else "no",
        }
        memberships = organisation.exported_memberships
        if not memberships:
            yield [base.get(column, "") for column in COLUMNS]
        for membership in memberships:
            values = {
                **base,
                "network": labels.get(membership.network_id, membership.network.name),
                "tier": membership.tier,
                "status": membership.status,
                "joined": membership.joined.isoformat() if membership.joined else "",
            }
            yield [values[column] for column in COLUMNS]


def xlsx_bytes(header: list[str], rows: Iterator[list]) -> bytes:
    """Write a workbook in which no string cell can run as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if isinstance(value, str):
            # Control characters are not allowed in XLSX and would stop the whole export.
            return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="members")
    sheet.append([cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_members(user, *, file_format: str = "csv", **filters) -> bytes:
    """Return the registry the user may see, as CSV or XLSX bytes."""
    rows = export_rows(export_queryset(user, **filters))
    if file_format == "xlsx":
        return xlsx_bytes(list(COLUMNS), rows)
    return csv_bytes(list(COLUMNS), rows)
