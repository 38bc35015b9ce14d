"""Import the member registry from a CSV or XLSX file: read it, check every row, then write once.

Nothing is written unless every row is valid, or the caller asks for the valid rows only. The write
is one transaction with one audit event, whatever the number of rows, and uses bulk inserts: a
file of ten thousand rows must import in seconds, not minutes.

Rows with exactly the same organisation columns describe one organisation with several
memberships (that is how the export writes an organisation that belongs to several networks);
any other repetition of a name or an acronym in the same country is reported as a duplicate.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from chorus.core.audit import record_change
from chorus.core.exports import FORMULA_TRIGGERS
from chorus.core.scoping import Scope
from chorus.core.tabular import (  # noqa: F401 - part of this module's interface
    FileProblem,
    decode_text,
    max_bytes,
    max_rows,
    read_table,
)
from chorus.network.models import (
    NETWORK_KINDS,
    Country,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    SexWorkerLed,
    Tier,
)
from chorus.network.places import lookup_country
from chorus.network.queries import global_network
from chorus.network.search import fold, organisation_search_key

COLUMNS = (
    "name",
    "acronym",
    "kind",
    "country",
    "network",
    "tier",
    "status",
    "joined",
    "website",
    "founded",
    "languages",
    "listed",
)
MEMBERSHIP_COLUMNS = ("network", "tier", "status", "joined")

# Header names in the five languages of the network; matched after `fold`, so "Catégorie",
# "CATEGORIE" and "categorie" are the same header.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "nom", "nombre", "название", "名称", "organisation", "organization"),
    "acronym": ("acronym", "sigle", "sigla", "аббревиатура", "缩写"),
    "kind": ("kind", "type", "tipo", "вид", "类型"),
    "country": ("country", "pays", "país", "страна", "国家"),
    "network": ("network", "réseau", "red", "сеть", "网络"),
    "tier": ("tier", "catégorie", "categoría", "категория", "级别"),
    "status": ("status", "statut", "estado", "статус", "状态"),
    "joined": ("joined", "adhésion", "ingreso", "вступление", "加入日期"),
    "website": ("website", "site web", "sitio web", "сайт", "网站", "web site"),
    "founded": ("founded", "fondée", "fundada", "основана", "成立年份"),
    "languages": ("languages", "langues", "idiomas", "языки", "语言"),
    "listed": ("listed", "listée", "listada", "в списке", "公开"),
}

LISTED_WORDS: dict[str, bool] = {
    **dict.fromkeys(("yes", "y", "true", "1", "oui", "sí", "si", "да", "是"), True),
    **dict.fromkeys(("no", "n", "false", "0", "non", "нет", "否"), False),
}

# Which model field each column fills, for the audit event (which names fields, never values).
COLUMN_FIELDS = {
    "name": "name",
    "acronym": "acronym",
    "kind": "kind",
    "country": "country",
    "network": "network",
    "tier": "tier",
    "status": "status",
    "joined": "joined",
    "website": "website",
    "founded": "founded",
    "languages": "working_languages",
    "listed": "publicly_listed",
}

NAME_MAX = 300
CELL_MAX = 2000
ACRONYM_MAX = Organisation._meta.get_field("acronym").max_length
WEBSITE_MAX = Organisation._meta.get_field("website").max_length
DUPLICATE_SCORE = 90
NETWORK_TIERS = (Tier.FULL, Tier.ASSOCIATE, Tier.SUPPORTING)
COALITION_TIERS = (Tier.CORE, Tier.GENERAL)
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
YEAR_PATTERN = re.compile(r"\d{4}")

ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Problem:
    """One finding: `row` is the spreadsheet's row number (the header is row 1, 0 = the file)."""

    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    """One data row, parsed into the values the registry stores."""

    row: int
    organisation: dict
    membership: dict | None = None
    network: Organisation | None = None
    # A network defined by other rows of the same file, by its organisation identity.
    network_identity: tuple | None = None

    @cached_property
    def identity(self) -> tuple:
        """Return what makes two rows the same organisation: every organisation column."""
        values = self.organisation
        return (
            fold(values["name"]),
            fold(values["acronym"]),
            values["kind"],
            values["country_id"],
            values["website"],
            values["founded"],
            tuple(values["working_languages"]),
            values["publicly_listed"],
        )


@dataclass
class ImportReport:
    """What a file holds and what is wrong with it; after a write, what was created."""

    filename: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    file_error: bool = False
    written: bool = False
    organisations_created: int = 0
    memberships_created: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> set[int]:
        return {problem.row for problem in self.errors}

    @property
    def valid_rows(self) -> list[ImportRow]:
        invalid = self.error_rows
        return [row for row in self.rows if row.row not in invalid]

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def valid_count(self) -> int:
        return len(self.valid_rows)

    @property
    def invalid_count(self) -> int:
        return len(self.error_rows - {0, 1})

    @property
    def organisation_count(self) -> int:
        """Return how many organisations the valid rows describe."""
        return len({row.identity for row in self.valid_rows})

    @property
    def membership_count(self) -> int:
        return sum(1 for row in self.valid_rows if row.membership is not None)

    def sorted_errors(self) -> list[Problem]:
        return sorted(self.errors, key=lambda problem: (problem.row, _column_order(problem)))

    def sorted_warnings(self) -> list[Problem]:
        return sorted(self.warnings, key=lambda problem: (problem.row, _column_order(problem)))

    def add_file_error(self, message: str) -> None:
        self.errors.append(Problem(0, "", message))
        self.file_error = True


def _column_order(problem: Problem) -> int:
    return COLUMNS.index(problem.column) if problem.column in COLUMNS else len(COLUMNS)


# Reading the file -------------------------------------------------------------------------------


# Checking the rows ------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(fold(text.replace("\ufeff", "")).replace("_", " ").split())


def _header_lookup() -> dict[str, str]:
    return {
        _header_key(alias): column
        for column, aliases in HEADER_ALIASES.items()
        for alias in aliases
    }


def _choice_lookup(choices) -> dict[str, str]:
    """Map values and labels (in every interface language, English first) to choice values."""
    lookup: dict[str, str] = {}
    for value in choices.values:
        lookup[fold(value)] = value
    languages = ["en", *[code for code, _name in settings.LANGUAGES if code != "en"]]
    for language in languages:
        with translation.override(language):
            for value, label in choices.choices:
                text = fold(str(label))
                lookup.setdefault(text, value)
                # "Full member (with vote)" may be written "Full member".
                lookup.setdefault(re.sub(r"\s*\(.*\)$", "", text), value)
    return lookup


def _token_key(text: str) -> str:
    """Return the folded name with its words sorted, so that plain `ratio` is `token_sort_ratio`."""
    return " ".join(sorted(fold(text).split()))


def _similar(key: str, choices: list[str]):
    """Return the closest choice above the duplicate score, or None.

    Names that differ only in a number ("Collective 1", "Collective 2", "Section 12") are distinct
    organisations, so a candidate whose numbers differ is never a duplicate, however close.
    """
    numbers = re.findall(r"\d+", key)
    for match in process.extract(
        key, choices, scorer=fuzz.ratio, score_cutoff=DUPLICATE_SCORE, limit=10
    ):
        if re.findall(r"\d+", match[0]) == numbers:
            return match
    return None


def _unneutralise(text: str) -> str:
    """Undo the quote that exports put before a cell a spreadsheet would run as a formula."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class _Lookups:
    """Everything rows are checked against, read once so that each row costs no query."""

    def __init__(self) -> None:
        self.country_codes = set(Country.objects.values_list("code", flat=True))
        self.kinds = _choice_lookup(OrganisationKind)
        self.tiers = _choice_lookup(Tier)
        self.statuses = _choice_lookup(MembershipStatus)
        self.global_network = global_network()
        self.networks: dict[str, list[Organisation]] = defaultdict(list)
        for network in Organisation.objects.filter(kind__in=NETWORK_KINDS).only(
            "pk", "name", "acronym", "kind"
        ):
            for key in {fold(network.name), fold(network.acronym)} - {""}:
                self.networks[key].append(network)
        # Existing organisations by country, for duplicate checks.
        self.names_by_country: dict[str | None, list[str]] = defaultdict(list)
        self.labels_by_country: dict[str | None, list[str]] = defaultdict(list)
        self.acronyms_by_country: dict[str | None, dict[str, str]] = defaultdict(dict)
        for name, acronym, country_id in Organisation.objects.values_list(
            "name", "acronym", "country_id"
        ):
            label = f"{name} ({acronym})" if acronym else name
            self.names_by_country[country_id].append(_token_key(name))
            self.labels_by_country[country_id].append(label)
            if acronym:
                self.acronyms_by_country[country_id].setdefault(fold(acronym), label)
        self._countries: dict[str, str | None] = {}
        self._languages: dict[str, bool] = {}
        self.url_validator = URLValidator()

    def country(self, text: str) -> str | None:
        if text not in self._countries:
            code = lookup_country(text)
            self._countries[text] = code if code in self.country_codes else None
        return self._countries[text]

    def language_known(self, code: str) -> bool:
        if code not in self._languages:
            self._languages[code] = (
                pycountry.languages.get(alpha_2=code) is not None
                or pycountry.languages.get(alpha_3=code) is not None
            )
        return self._languages[code]


def _parse_date(text: str) -> datetime.date:
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        raise ValueError(text)
    year, month, day = match.groups()
    return datetime.date(int(year), int(month or 1), int(day or 1))


def _check_row(
    number: int, cells: dict[str, str], lookups: _Lookups
) -> tuple[ImportRow, list[Problem]]:
    """Parse one row's cells, returning the row and every problem found in it."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    for column, text in list(cells.items()):
        if len(text) > CELL_MAX:
            problem(
                column,
                _("This cell is longer than %(limit)s characters.") % {"limit": CELL_MAX},
            )
            cells[column] = ""

    name = cells.get("name", "")
    if not name:
        if "name" not in {p.column for p in problems}:
            problem("name", _("The name is missing."))
    elif len(name) > NAME_MAX:
        problem("name", _("The name is longer than %(limit)s characters.") % {"limit": NAME_MAX})
    acronym = cells.get("acronym", "")
    if len(acronym) > ACRONYM_MAX:
        problem(
            "acronym",
            _("The acronym is longer than %(limit)s characters.") % {"limit": ACRONYM_MAX},
        )

    kind = OrganisationKind.MEMBER.value
    if cells.get("kind"):
        kind = lookups.kinds.get(fold(cells["kind"]), "")
        if not kind:
            problem("kind", _("Unknown kind “%(value)s”.") % {"value": cells["kind"]})

    country_id = None
    if cells.get("country"):
        country_id = lookups.country(cells["country"])
        if country_id is None:
            problem("country", _("Unknown country “%(value)s”.") % {"value": cells["country"]})

    website = cells.get("website", "")
    if website:
        if "://" not in website:
            website = "https://" + website
        try:
            if len(website) > WEBSITE_MAX:
                raise ValidationError("too long")
            lookups.url_validator(website)
        except ValidationError:
            problem("website", _("This is not a valid web address."))

    founded = None
    if cells.get("founded"):
        text = cells["founded"]
        this_year = datetime.date.today().year
        if YEAR_PATTERN.fullmatch(text) and 1000 <= int(text) <= this_year:
            founded = int(text)
        else:
            problem(
                "founded",
                _("“%(value)s” is not a year (four digits, not in the future).") % {"value": text},
            )

    languages: list[str] = []
    if cells.get("languages"):
        for code in re.split(r"[;,]", cells["languages"]):
            code = code.strip().lower()
            if not code:
                continue
            if lookups.language_known(code):
                if code not in languages:
                    languages.append(code)
            else:
                problem("languages", _("Unknown language code “%(code)s”.") % {"code": code})

    listed = True
    if cells.get("listed"):
        answer = LISTED_WORDS.get(fold(cells["listed"]))
        if answer is None:
            problem(
                "listed",
                _("“%(value)s” is not yes or no.") % {"value": cells["listed"]},
            )
        else:
            listed = answer

    membership = None
    if any(cells.get(column) for column in MEMBERSHIP_COLUMNS):
        membership = {"tier": "", "status": MembershipStatus.MEMBER.value, "joined": None}
        if cells.get("tier"):
            membership["tier"] = lookups.tiers.get(fold(cells["tier"]), "")
            if not membership["tier"]:
                problem("tier", _("Unknown tier “%(value)s”.") % {"value": cells["tier"]})
        else:
            problem("tier", _("A membership needs a tier."))
        if cells.get("status"):
            membership["status"] = lookups.statuses.get(fold(cells["status"]), "")
            if not membership["status"]:
                problem("status", _("Unknown status “%(value)s”.") % {"value": cells["status"]})
        if cells.get("joined"):
            try:
                membership["joined"] = _parse_date(cells["joined"])
            except ValueError:
                problem(
                    "joined",
                    _("“%(value)s” is not a date (YYYY-MM-DD, YYYY-MM or YYYY).")
                    % {"value": cells["joined"]},
                )
        membership["network_text"] = cells.get("network", "")

    row = ImportRow(
        row=number,
        organisation={
            "name": name,
            "acronym": acronym,
            "kind": kind,
            "country_id": country_id,
            "website": website,
            "founded": founded,
            "working_languages": languages,
            "publicly_listed": listed,
        },
        membership=membership,
    )
    return row, problems


def _resolve_networks(report: ImportReport, lookups: _Lookups) -> None:
    """Find each membership's network among existing networks, then those the file defines."""
    file_networks: dict[str, set[tuple]] = defaultdict(set)
    kind_of: dict[tuple, str] = {}
    for row in report.rows:
        if row.organisation["kind"] in NETWORK_KINDS:
            identity = row.identity
            kind_of[identity] = row.organisation["kind"]
            for key in {fold(row.organisation["name"]), fold(row.organisation["acronym"])} - {""}:
                file_networks[key].add(identity)
    global_in_file = {
        identity for identity, kind in kind_of.items() if kind == OrganisationKind.GLOBAL_NETWORK
    }

    for row in report.rows:
        membership = row.membership
        if membership is None:
            continue
        text = membership.pop("network_text")
        if not text:
            if lookups.global_network is not None:
                row.network = lookups.global_network
            elif len(global_in_file) == 1:
                row.network_identity = next(iter(global_in_file))
            else:
                report.errors.append(
                    Problem(
                        row.row,
                        "network",
                        _("There is no global network in the registry; name the network."),
                    )
                )
                continue
        else:
            existing = {network.pk: network for network in lookups.networks.get(fold(text), [])}
            in_file = file_networks.get(fold(text), set())
            if len(existing) == 1:
                row.network = next(iter(existing.values()))
            elif not existing and len(in_file) == 1:
                row.network_identity = next(iter(in_file))
            elif existing or in_file:
                report.errors.append(
                    Problem(
                        row.row,
                        "network",
                        _("More than one network is called “%(value)s”; use its full name.")
                        % {"value": text},
                    )
                )
                continue
            else:
                report.errors.append(
                    Problem(
                        row.row,
                        "network",
                        _("Unknown network “%(value)s”: no network or coalition has this name.")
                        % {"value": text},
                    )
                )
                continue
        kind = row.network.kind if row.network is not None else kind_of[row.network_identity]
        if row.network_identity is not None and row.network_identity == row.identity:
            report.errors.append(
                Problem(row.row, "network", _("An organisation cannot be a member of itself."))
            )
            continue
        tier = membership["tier"]
        allowed = COALITION_TIERS if kind == OrganisationKind.COALITION else NETWORK_TIERS
        if tier and tier not in allowed:
            report.errors.append(
                Problem(
                    row.row,
                    "tier",
                    _("The tier “%(tier)s” does not exist for this kind of network.")
                    % {"tier": tier},
                )
            )


def _find_duplicates(report: ImportReport, lookups: _Lookups) -> None:
    """Report rows that repeat an existing organisation, or another organisation in the file."""
    first_row: dict[tuple, int] = {}
    rows_of: dict[tuple, list[ImportRow]] = defaultdict(list)
    for row in report.rows:
        rows_of[row.identity].append(row)
        first_row.setdefault(row.identity, row.row)

    # The same organisation on several rows must be in a different network each time.
    for rows in rows_of.values():
        seen: dict[object, int] = {}
        for row in rows:
            if row.membership is None:
                network = None
            elif row.network is not None:
                network = row.network.pk
            else:
                # An unresolved network (already reported) matches no other row.
                network = row.network_identity or ("unresolved", row.row)
            if network in seen:
                report.errors.append(
                    Problem(
                        row.row,
                        "name",
                        _("This repeats row %(row)s.") % {"row": seen[network]},
                    )
                )
            else:
                seen[network] = row.row

    seen_names: dict[str | None, list[str]] = defaultdict(list)
    seen_rows: dict[str | None, list[int]] = defaultdict(list)
    seen_acronyms: dict[str | None, dict[str, int]] = defaultdict(dict)
    for identity, rows in rows_of.items():
        values = rows[0].organisation
        if not values["name"]:
            continue
        country = values["country_id"]
        key = _token_key(values["name"])
        acronym = fold(values["acronym"])
        message = None
        existing_acronym = lookups.acronyms_by_country[country].get(acronym) if acronym else None
        if existing_acronym:
            message = _("Already in the registry: %(name)s (same acronym, same country).") % {
                "name": existing_acronym
            }
        else:
            match = _similar(key, lookups.names_by_country[country])
            if match is not None:
                message = _("Already in the registry: %(name)s (similar name, same country).") % {
                    "name": lookups.labels_by_country[country][match[2]]
                }
        if message is None:
            earlier = seen_acronyms[country].get(acronym) if acronym else None
            if earlier is None:
                match = _similar(key, seen_names[country])
                if match is not None:
                    earlier = seen_rows[country][match[2]]
            if earlier is not None:
                message = _(
                    "This looks like the organisation on row %(row)s (similar name or same "
                    "acronym, same country)."
                ) % {"row": earlier}
        if message is not None:
            report.errors.extend(Problem(row.row, "name", message) for row in rows)
            continue
        seen_names[country].append(key)
        seen_rows[country].append(first_row[identity])
        if acronym:
            seen_acronyms[country][acronym] = first_row[identity]


def _cascade_network_errors(report: ImportReport) -> None:
    """A row whose network is defined by rows of the file that all fail cannot be imported."""
    while True:
        invalid = report.error_rows
        usable = {row.identity for row in report.rows if row.row not in invalid}
        added = False
        for row in report.rows:
            if (
                row.row not in invalid
                and row.network_identity is not None
                and row.network_identity not in usable
            ):
                report.errors.append(
                    Problem(
                        row.row,
                        "network",
                        _("The network is defined on rows of this file that have problems."),
                    )
                )
                added = True
        if not added:
            return


def check_table(
    table: list[list[str]], report: ImportReport, on_progress: ProgressCallback | None = None
) -> None:
    """Check the header and every row of a read table, filling the report."""
    header_index = next(
        (index for index, cells in enumerate(table) if any(cell.strip() for cell in cells)), None
    )
    if header_index is None:
        report.add_file_error(_("The file is empty."))
        return
    aliases = _header_lookup()
    positions: dict[str, int] = {}
    header_row = header_index + 1
    for position, text in enumerate(table[header_index]):
        text = text.strip()
        if not text:
            continue
        column = aliases.get(_header_key(text))
        if column is None:
            report.warnings.append(
                Problem(
                    header_row,
                    text,
                    _("Unknown column “%(column)s”: it is ignored.") % {"column": text},
                )
            )
        elif column in positions:
            report.warnings.append(
                Problem(
                    header_row,
                    text,
                    _("The column “%(column)s” appears twice; only the first is read.")
                    % {"column": text},
                )
            )
        else:
            positions[column] = position
    if "name" not in positions:
        report.add_file_error(
            _("The file has no “name” column; the first row must hold the column names.")
        )
        return
    report.columns = [column for column in COLUMNS if column in positions]

    lookups = _Lookups()
    data = table[header_index + 1 :]
    total = len(data)
    for offset, cells in enumerate(data):
        number = header_row + 1 + offset
        if on_progress is not None:
            on_progress(offset + 1, total, _("checking"))
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            column: _unneutralise(cells[position].strip()) if position < len(cells) else ""
            for column, position in positions.items()
        }
        row, problems = _check_row(number, values, lookups)
        report.rows.append(row)
        report.errors.extend(problems)
    if not report.rows:
        report.add_file_error(_("The file has a header but no rows to import."))
        return
    _resolve_networks(report, lookups)
    _find_duplicates(report, lookups)
    _cascade_network_errors(report)


def check_file(
    *, actor, data: bytes, filename: str = "", on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Read and check a file without writing anything (the secretariat only)."""
    # The report names existing organisations, listed or not, so it is for the secretariat too.
    if not Scope.of(actor).is_everything:
        raise PermissionDenied
    report = ImportReport(filename=filename)
    try:
        table = read_table(data, filename)
    except FileProblem as problem:
        report.add_file_error(str(problem))
        return report
    check_table(table, report, on_progress)
    return report


# Writing ----------------------------------------------------------------------------------------


def _bulk_insert(model, objects: list) -> None:
    """Insert objects, getting their keys back, which the next inserts need."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=1000)
    else:
        # Without RETURNING the keys stay unknown, so fall back to saving one by one.
        for obj in objects:
            obj.save()


@transaction.atomic
def _write(actor, report: ImportReport, rows: list[ImportRow], columns: list[str]) -> None:
    today = datetime.date.today()
    organisations: dict[tuple, Organisation] = {}
    for row in rows:
        identity = row.identity
        if identity not in organisations:
            values = row.organisation
            organisations[identity] = Organisation(
                **values,
                # bulk_create skips save(), which is where the search key is usually made.
                search_key=organisation_search_key(values["name"], values["acronym"], {}),
            )
        if row.membership is not None and row.membership["tier"] == Tier.FULL:
            # The file has no sex worker-led column, but the network admits only sex worker-led
            # organisations as full members, so a full member is recorded as sex worker-led.
            organisations[identity].sex_worker_led = SexWorkerLed.YES
    _bulk_insert(Organisation, list(organisations.values()))

    memberships = [
        Membership(
            organisation=organisations[row.identity],
            network=row.network if row.network is not None else organisations[row.network_identity],
            tier=row.membership["tier"],
            status=row.membership["status"],
            joined=row.membership["joined"],
        )
        for row in rows
        if row.membership is not None
    ]
    _bulk_insert(Membership, memberships)
    note = _("Recorded by an import from a file.")
    MembershipEvent.objects.bulk_create(
        [
            MembershipEvent(
                membership=membership,
                status=membership.status,
                date=membership.joined or today,
                actor=actor if getattr(actor, "pk", None) else None,
                note=note,
            )
            for membership in memberships
        ],
        batch_size=1000,
    )
    changed = {COLUMN_FIELDS[column] for column in columns}
    if memberships:
        changed.add("status")
    if any(organisation.sex_worker_led for organisation in organisations.values()):
        changed.add("sex_worker_led")
    record_change(
        actor=actor, action="organisation.import", obj=Organisation, changed_fields=changed
    )
    report.organisations_created = len(organisations)
    report.memberships_created = len(memberships)
    report.written = True


def members_import(
    *,
    actor,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    valid_only: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check a file and, unless it is a dry run, import it (the secretariat only).

    Everything is imported when every row is valid; with `valid_only`, the valid rows are
    imported and the others left out. A file-level problem always stops the import.
    """
    report = check_file(actor=actor, data=data, filename=filename, on_progress=on_progress)
    if dry_run or report.file_error:
        return report
    if report.errors and not valid_only:
        return report
    rows = report.valid_rows
    if rows:
        _write(actor, report, rows, report.columns)
    return report


def problems_as_text(problems: Iterable[Problem]) -> Iterator[str]:
    """Yield one line per problem, for the command line."""
    for problem in problems:
        if problem.row == 0:
            yield problem.message
        elif problem.column:
            yield _("Row %(row)s, %(column)s: %(message)s") % {
                "row": problem.row,
                "column": problem.column,
                "message": problem.message,
            }
        else:
            yield _("Row %(row)s: %(message)s") % {"row": problem.row, "message": problem.message}
