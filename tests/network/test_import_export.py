"""Member registry import and export: files in any encoding and language, all or nothing, scoped."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chorus.core.models import AuditEvent, Role
from chorus.network import actions as network_actions
from chorus.network import exporting, importing
from chorus.network.models import (
    Country,
    Membership,
    MembershipEvent,
    Organisation,
    SexWorkerLed,
)
from tests.conftest import make_organisation

HEADER = list(importing.COLUMNS)


def csv_data(rows: list[list], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER if header is None else header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_data(rows: list[list], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER if header is None else header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(name: str, country: str = "KE", **values) -> list:
    """Return a data row in the order of HEADER, with the given columns filled."""
    cells = {"name": name, "country": country, **values}
    return [cells.get(column, "") for column in HEADER]


def run_import(data: bytes, filename: str = "members.csv", **options) -> importing.ImportReport:
    return importing.members_import(actor=None, data=data, filename=filename, **options)


def counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def problems_at(report: importing.ImportReport) -> set[tuple[int, str]]:
    return {(problem.row, problem.column) for problem in report.errors}


@pytest.fixture
def networks(countries):
    """The global network, a regional network and a coalition, as imports refer to them."""
    return {
        "global": network_actions.organisation_create(
            actor=None,
            name="Global Network of Sex Work Projects",
            acronym="NSWP",
            kind="global_network",
            country=Country.objects.get(code="GB"),
        ),
        "africa": network_actions.organisation_create(
            actor=None,
            name="African Sex Workers Alliance",
            acronym="ASWA",
            kind="regional_network",
            country=countries["KE"],
        ),
        "caribbean": network_actions.organisation_create(
            actor=None,
            name="Caribbean Sex Work Coalition",
            acronym="CSWC",
            kind="coalition",
            country=countries["GY"],
        ),
    }


# Good files --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_csv_imports_organisations_and_memberships_with_one_audit_event(networks):
    """Every row is written in one go: organisations, memberships, their history, one event."""
    data = csv_data(
        [
            row(
                "Kisumu Sex Workers Alliance",
                acronym="KISWA",
                tier="full",
                status="member",
                joined="2015-03-01",
                website="kiswa.example.org",
                founded="2009",
                languages="en; sw",
            ),
            row("Empower Foundation", "Thailand", network="NSWP", tier="Associate member"),
            row("Empower Foundation", "Thailand", network="ASWA", tier="supporting"),
            row("Sex Workers Outreach Project", "GY", network="CSWC", tier="core", joined="2019"),
            row("Quiet Collective", "EC", listed="no"),
        ]
    )
    events_before = AuditEvent.objects.count()

    report = run_import(data)

    assert report.is_valid, report.errors
    assert report.written
    assert (report.organisations_created, report.memberships_created) == (4, 4)
    kiswa = Organisation.objects.get(acronym="KISWA")
    assert kiswa.country_id == "KE"
    assert kiswa.website == "https://kiswa.example.org"
    assert kiswa.founded == 2009
    assert kiswa.working_languages == ["en", "sw"]
    assert kiswa.publicly_listed
    assert kiswa.search_key == "kisumu sex workers alliance | kiswa"
    # A full member has a vote, which only sex worker-led organisations get.
    assert Organisation.objects.get(pk=kiswa.pk).sex_worker_led == SexWorkerLed.YES
    membership = kiswa.memberships.get()
    assert membership.network == networks["global"]
    assert (membership.tier, membership.status) == ("full", "member")
    assert membership.joined == datetime.date(2015, 3, 1)
    assert list(membership.events.values_list("status", "date")) == [
        ("member", datetime.date(2015, 3, 1))
    ]
    empower = Organisation.objects.get(name="Empower Foundation")
    assert set(empower.memberships.values_list("network__acronym", "tier")) == {
        ("NSWP", "associate"),
        ("ASWA", "supporting"),
    }
    swop = Organisation.objects.get(name="Sex Workers Outreach Project").memberships.get()
    assert swop.joined == datetime.date(2019, 1, 1)
    assert not Organisation.objects.get(name="Quiet Collective").publicly_listed
    assert MembershipEvent.objects.filter(membership__organisation__country_id="TH").count() == 2
    imports = AuditEvent.objects.filter(action="organisation.import")
    assert imports.count() == 1
    assert AuditEvent.objects.count() == events_before + 1
    event = imports.get()
    assert event.object_type == "network.organisation"
    assert set(event.changed_fields) >= {"name", "country", "tier", "working_languages"}
    assert "sex_worker_led" in event.changed_fields


ENCODED_NAMES = {
    "utf-8-sig": ("CI", ["Médecins du Monde – Côte d’Ivoire", "Réseau ivoirien des travailleuses"]),
    "utf-16": ("RU", ["Ассоциация «Шаг навстречу»", "Серебряная роза", "Феминистское движение"]),
    "gbk": ("HK", ["香港紫藤性工作者关注组织", "午夜蓝", "青鸟", "香港性工作者权益协会"]),
    "latin-1": (
        "BJ",
        ["Association des Travailleuses du Sexe de Bénin", "Réseau Béninois Santé", "Évolution"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", list(ENCODED_NAMES))
def test_csv_files_in_common_encodings_are_detected(networks, encoding):
    """UTF-8 with a byte-order mark, UTF-16, GBK and Latin-1 files read back the same text."""
    country, names = ENCODED_NAMES[encoding]
    data = csv_data([row(name, country, tier="associate") for name in names], encoding=encoding)

    report = run_import(data)

    assert report.written, report.errors
    assert set(
        Organisation.objects.filter(country_id=country).values_list("name", flat=True)
    ) == set(names)


@pytest.mark.django_db
def test_csv_without_a_byte_order_mark_in_utf16_is_detected(networks):
    """A UTF-16 file saved without its byte-order mark is not mistaken for UTF-8."""
    data = csv_data([row("Sisonke National Movement", "ZA")], encoding="utf-16-le")
    assert run_import(data).written
    assert Organisation.objects.filter(name="Sisonke National Movement").exists()


@pytest.mark.django_db
def test_semicolon_separated_csv_is_read(networks):
    """Spreadsheet programs in many locales separate columns with semicolons."""
    data = b"name;country;languages\nSWAN Hungary;HU;hu,en\n"
    report = run_import(data)
    assert report.written, report.errors
    assert Organisation.objects.get(name="SWAN Hungary").working_languages == ["hu", "en"]


@pytest.mark.django_db
def test_french_headers_and_values_are_understood(networks):
    """Column names in French, with or without accents and in any case, match the columns."""
    header = ["Nom", "SIGLE", "Type", "pays", "Réseau", "categorie", "Statut", "Adhésion", "listée"]
    data = csv_data(
        [["Collectif Cabiria", "CAB", "member", "France", "NSWP", "full", "member", "2010", "non"]],
        header=header,
    )
    report = run_import(data)
    assert report.written, report.errors
    assert report.warnings == []
    organisation = Organisation.objects.get(name="Collectif Cabiria")
    assert (organisation.acronym, organisation.country_id) == ("CAB", "FR")
    assert not organisation.publicly_listed
    assert organisation.memberships.get().joined == datetime.date(2010, 1, 1)


@pytest.mark.django_db
def test_chinese_headers_are_understood(networks):
    """Column names in Chinese match the columns; yes/no may be written 是/否."""
    header = ["名称", "缩写", "国家", "网络", "级别", "状态", "加入日期", "语言", "公开"]
    data = csv_data(
        [["紫藤", "ZT", "HK", "NSWP", "associate", "member", "2012-05", "zh;en", "否"]],
        header=header,
    )
    report = run_import(data)
    assert report.written, report.errors
    organisation = Organisation.objects.get(name="紫藤")
    assert organisation.working_languages == ["zh", "en"]
    assert not organisation.publicly_listed
    assert organisation.memberships.get().joined == datetime.date(2012, 5, 1)


@pytest.mark.django_db
def test_unknown_columns_are_reported_as_warnings_and_ignored(networks):
    """An extra column does not stop the import; the report names it."""
    data = csv_data([["SWEAT", "ZA", "secret"]], header=["name", "country", "notes"])
    report = run_import(data)
    assert report.written
    assert [(problem.row, problem.column) for problem in report.warnings] == [(1, "notes")]
    assert Organisation.objects.get(name="SWEAT").notes == ""


@pytest.mark.django_db
def test_xlsx_import_reads_dates_numbers_and_formula_cells(networks):
    """Dates and years typed as spreadsheet values work; a formula cell crashes nothing."""
    data = xlsx_data(
        [
            [
                "Sex Workers Rights Advocacy Network",
                "SWAN",
                "member",
                "HU",
                "NSWP",
                "associate",
                "member",
                datetime.date(2008, 6, 1),
                "",
                2006,
                "hu",
                True,
            ],
            ["Formula Collective", "", "", "KE", "", "", "", "", "", "=1+1", "", "yes"],
        ]
    )
    report = run_import(data, filename="members.xlsx")
    assert report.file_error is False
    # The formula has no cached value (no spreadsheet program computed it), so the year is empty.
    assert report.written, report.errors
    swan = Organisation.objects.get(acronym="SWAN")
    assert swan.founded == 2006
    assert swan.memberships.get().joined == datetime.date(2008, 6, 1)
    assert Organisation.objects.get(name="Formula Collective").founded is None


# Bad files change nothing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_with_row_problems_writes_nothing_and_reports_each_by_row_and_column(networks):
    """Every problem is listed by spreadsheet row and column, and nothing is written."""
    data = csv_data(
        [
            row("Good Collective"),
            row("Nowhere Collective", "Atlantis"),
            row(""),
            row("Bad Date Collective", tier="full", joined="2015-13-01"),
            row("Bad Year Collective", founded="later"),
            row("Bad Kind Collective", kind="club"),
            row("Bad Tier Collective", tier="gold"),
            row("Bad Status Collective", tier="full", status="sleeping"),
            row("Bad Network Collective", network="NOPE", tier="full"),
            row("Wrong Tier Collective", "GY", network="CSWC", tier="full"),
            row("N" * 301),
            row("Bad Listed Collective", listed="maybe"),
        ]
    )
    before = counts()

    report = run_import(data)

    assert not report.written
    assert counts() == before
    assert problems_at(report) == {
        (3, "country"),
        (4, "name"),
        (5, "joined"),
        (6, "founded"),
        (7, "kind"),
        (8, "tier"),
        (9, "status"),
        (10, "network"),
        (11, "tier"),
        (12, "name"),
        (13, "listed"),
    }
    assert report.valid_count == 1


@pytest.mark.django_db
def test_valid_only_imports_the_valid_rows_and_leaves_out_the_others(networks):
    """With --valid-only the good rows go in, in one transaction, and the bad rows stay out."""
    data = csv_data(
        [
            row("Good Collective", tier="associate"),
            row("Nowhere Collective", "Atlantis"),
            row("Another Good Group", "TH"),
        ]
    )
    organisations_before = Organisation.objects.count()

    report = run_import(data, valid_only=True)

    assert report.written
    assert report.organisations_created == 2
    assert Organisation.objects.count() == organisations_before + 2
    assert not Organisation.objects.filter(name="Nowhere Collective").exists()
    assert AuditEvent.objects.filter(action="organisation.import").count() == 1


@pytest.mark.django_db
def test_members_of_a_network_defined_on_a_bad_row_are_left_out_with_valid_only(countries):
    """A member cannot be imported when the file's row for its network cannot."""
    data = csv_data(
        [
            row("Global Network of Sex Work Projects", "GB", acronym="NSWP", kind="global_network"),
            row("Broken Network", "Atlantis", kind="regional_network"),
            row("Member of Broken", network="Broken Network", tier="full"),
            row("Member of Global", network="NSWP", tier="full"),
        ]
    )
    report = run_import(data, valid_only=True)
    assert problems_at(report) == {(3, "country"), (4, "network")}
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Global Network of Sex Work Projects",
        "Member of Global",
    ]


@pytest.mark.django_db
def test_duplicates_of_existing_organisations_are_found_by_similar_name_or_acronym(
    networks, organisations
):
    """A near-identical name or the same acronym in the same country is a duplicate."""
    make_organisation(
        "Sex Workers Outreach Programme", Country.objects.get(code="KE"), acronym="SWOP"
    )
    data = csv_data(
        [
            row("Kenya Listed Collective.", "KE"),
            row("listed collective KENYA", "KE"),
            row("Sex Worker Outreach Project Kisumu", "KE", acronym="swop"),
            row("Kenya Listed Collective", "TH"),
            row("Nairobi Quiet Collectives", "KE"),
        ]
    )
    before = counts()

    report = run_import(data)

    assert problems_at(report) == {(2, "name"), (3, "name"), (4, "name"), (6, "name")}
    # The report names the existing organisation, so that it can be found and compared.
    assert any("Nairobi Quiet Collective" in problem.message for problem in report.errors)
    assert counts() == before


@pytest.mark.django_db
def test_duplicates_within_the_file_are_found(networks):
    """The same organisation twice in one file is reported on the later row."""
    data = csv_data(
        [
            row("Sisonke National Movement", "ZA"),
            row("Sisonke National Movement", "ZA"),
            row("Sisonke Nationall Movement", "ZA", website="sisonke.example.org"),
            row("Thai Group", "TH", acronym="TG"),
            row("Completely Different Name", "TH", acronym="tg"),
            row("Sisonke National Movement", "KE"),
            row("Two Memberships", "KE", network="NSWP", tier="full"),
            row("Two Memberships", "KE", network="ASWA", tier="full"),
            row("Two Memberships", "KE", network="ASWA", tier="associate"),
        ]
    )
    report = run_import(data)
    assert problems_at(report) == {(3, "name"), (4, "name"), (6, "name"), (10, "name")}
    assert not report.written


@pytest.mark.django_db
def test_a_cell_of_ten_thousand_characters_is_a_row_error(networks):
    """An enormous cell is refused for its row, without a crash, and nothing is written."""
    data = csv_data([row("Fine Group"), row("Long Website Group", website="x" * 10_000)])
    before = counts()
    report = run_import(data)
    assert problems_at(report) == {(3, "website")}
    assert "2000" in report.errors[0].message
    assert counts() == before


@pytest.mark.django_db
def test_a_file_without_a_name_column_is_refused(networks):
    report = run_import(csv_data([["KE"]], header=["country"]))
    assert report.file_error
    assert "name" in report.errors[0].message


@pytest.mark.django_db
def test_more_rows_than_the_limit_are_refused(networks, settings):
    """Past CHORUS_IMPORT_MAX_ROWS the file is refused as a whole, and reading stops."""
    settings.CHORUS_IMPORT_MAX_ROWS = 5
    before = counts()
    too_many = run_import(csv_data([row(f"Group {index}", "KE") for index in range(6)]))
    assert too_many.file_error
    assert "5" in too_many.errors[0].message
    assert counts() == before
    names = ["Alpha Collective", "Beta Movement", "Gamma Project", "Delta Alliance", "Omega"]
    assert run_import(csv_data([row(name, "KE") for name in names])).written


@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-40],
        lambda data: b"PK\x03\x04" + b"\x00" * 200,
        lambda data: b"this is not a workbook at all",
    ],
    ids=["half", "no-directory", "zip-header-only", "text"],
)
def test_a_damaged_xlsx_file_gives_a_clear_file_error(networks, damage):
    """A truncated or corrupt workbook is one clear message, and nothing is written."""
    good = xlsx_data([row("Sisonke National Movement", "ZA")])
    before = counts()
    report = run_import(damage(good), filename="members.xlsx")
    assert report.file_error
    assert "XLSX" in report.errors[0].message
    assert counts() == before


@pytest.mark.django_db
def test_an_xlsx_file_missing_a_part_gives_a_clear_file_error(networks):
    """A workbook whose worksheet part is missing (KeyError inside openpyxl) is refused."""
    good = xlsx_data([row("Sisonke National Movement", "ZA")])
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            if "worksheets/sheet1" not in item.filename:
                target.writestr(item, source.read(item.filename))
    report = run_import(damaged.getvalue(), filename="members.xlsx")
    assert report.file_error


@pytest.mark.django_db
def test_an_undecodable_csv_gives_a_clear_file_error(networks):
    report = run_import(bytes(range(256)) * 50, filename="members.csv")
    assert report.file_error
    assert "could not be decoded" in report.errors[0].message
    assert Organisation.objects.filter(kind="member").count() == 0


@pytest.mark.django_db
def test_an_empty_file_gives_a_clear_file_error(networks):
    assert run_import(b"").file_error
    assert run_import(b"name,country\n").file_error


@pytest.mark.django_db
def test_the_import_action_is_for_the_secretariat_only(users):
    for role in (Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR, Role.RESEARCHER, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            importing.members_import(actor=users[role], data=csv_data([row("Sneaky Group")]))
    assert not Organisation.objects.filter(name="Sneaky Group").exists()


# Web pages ---------------------------------------------------------------------------------------


def upload(data: bytes, name: str = "members.csv") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.mark.django_db
def test_the_secretariat_checks_then_imports_a_file_in_the_web_page(client_for, users, networks):
    """ "Check the file" writes nothing; "Import" writes and shows the counts."""
    client = client_for(users[Role.SECRETARIAT])
    url = reverse("network:import_members")
    assert client.get(url).status_code == 200
    data = csv_data([row("Web Collective", tier="associate"), row("Web Group", "TH")])

    checked = client.post(url, {"file": upload(data), "action": "check"})
    assert checked.status_code == 200
    assert "The file is valid" in checked.content.decode()
    assert not Organisation.objects.filter(name="Web Collective").exists()

    imported = client.post(url, {"file": upload(data), "action": "import"})
    assert imported.status_code == 200
    assert "Imported 2 organisations and 1 memberships." in imported.content.decode()
    assert Organisation.objects.filter(name__startswith="Web ").count() == 2


@pytest.mark.django_db
def test_the_web_page_shows_the_problems_and_imports_valid_rows_when_asked(
    client_for, users, networks
):
    client = client_for(users[Role.SECRETARIAT])
    url = reverse("network:import_members")
    data = csv_data([row("Web Collective"), row("Nowhere Group", "Atlantis")])

    refused = client.post(url, {"file": upload(data), "action": "import"})
    content = refused.content.decode()
    assert "Unknown country “Atlantis”." in content
    assert "<td>3</td><td>country</td>" in content
    assert not Organisation.objects.filter(name="Web Collective").exists()

    client.post(url, {"file": upload(data), "action": "import", "valid_only": "on"})
    assert Organisation.objects.filter(name="Web Collective").exists()
    assert not Organisation.objects.filter(name="Nowhere Group").exists()


@pytest.mark.django_db
def test_a_60_mb_upload_is_refused_before_it_is_read(client_for, users, networks):
    """The declared length is checked first: reading the body here would fail the test client."""
    client = client_for(users[Role.SECRETARIAT])
    before = counts()
    response = client.post(
        reverse("network:import_members"),
        {"file": upload(csv_data([row("Huge Group")])), "action": "import"},
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "larger than 20 MB" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_an_upload_over_the_configured_size_is_refused(client_for, users, networks, settings):
    settings.CHORUS_IMPORT_MAX_BYTES = 1024
    client = client_for(users[Role.SECRETARIAT])
    data = csv_data([row(f"Group {index:05d} Collective", "KE") for index in range(5000)])
    assert len(data) > 1024 + 64 * 1024
    response = client.post(
        reverse("network:import_members"), {"file": upload(data), "action": "import"}
    )
    assert response.status_code == 413
    assert not Organisation.objects.filter(name__startswith="Group ").exists()


@pytest.mark.django_db
def test_an_upload_over_the_size_but_within_the_form_allowance_is_refused(
    client_for, users, networks, settings
):
    """A file just over the limit, inside the room left for the form, is still refused."""
    settings.CHORUS_IMPORT_MAX_BYTES = 1024
    client = client_for(users[Role.SECRETARIAT])
    data = csv_data([row(f"Group {index:03d}", "KE") for index in range(100)])
    assert 1024 < len(data) < 64 * 1024
    response = client.post(
        reverse("network:import_members"), {"file": upload(data), "action": "import"}
    )
    assert response.status_code == 413
    assert not Organisation.objects.filter(name__startswith="Group ").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR, Role.RESEARCHER, Role.VIEWER]
)
def test_the_import_page_is_refused_to_everyone_but_the_secretariat(client_for, users, role):
    client = client_for(users[role])
    url = reverse("network:import_members")
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"file": upload(csv_data([row("Sneaky Group")])), "action": "import"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Sneaky Group").exists()


@pytest.mark.django_db
def test_the_import_page_needs_a_signed_in_user(client):
    response = client.get(reverse("network:import_members"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_import_form_still_checks_the_csrf_token(users, networks):
    """Moving the CSRF check after the size check does not drop it."""
    from django.test import Client

    from tests.conftest import verified_client

    client = verified_client(Client(enforce_csrf_checks=True), users[Role.SECRETARIAT])
    response = client.post(
        reverse("network:import_members"),
        {"file": upload(csv_data([row("Forged Group")])), "action": "import"},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Forged Group").exists()


# Export ------------------------------------------------------------------------------------------


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [
        [cell if cell is not None else "" for cell in values]
        for values in sheet.iter_rows(values_only=True)
    ]
    return [dict(zip(rows[0], values, strict=False)) for values in rows[1:]]


@pytest.mark.django_db
def test_exports_neutralise_formulas_in_csv_and_xlsx(networks):
    """A name a spreadsheet would run as a formula is written as plain text in both formats."""
    make_organisation('=HYPERLINK("http://evil.example","click")', Country.objects.get(code="KE"))
    make_organisation("+254 Collective", Country.objects.get(code="KE"), acronym="@SW")

    for file_format, reader in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = reader(exporting.export_members(None, file_format=file_format))
        names = {row["name"] for row in rows}
        assert '\'=HYPERLINK("http://evil.example","click")' in names, file_format
        assert "'+254 Collective" in names
        assert "'@SW" in {row["acronym"] for row in rows}
        assert not any(
            str(value).startswith(("=", "+", "@")) for row in rows for value in row.values()
        )

    workbook = load_workbook(io.BytesIO(exporting.export_members(None, file_format="xlsx")))
    assert all(cell.data_type != "f" for row in workbook.worksheets[0].iter_rows() for cell in row)


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_download_is_scoped_to_what_the_user_may_see(
    client_for, users, organisations, networks, file_format
):
    """A viewer never gets an unlisted name; the secretariat gets every organisation."""
    hidden = {organisations["africa_unlisted"].name, organisations["asia_unlisted"].name}
    reader = csv_rows if file_format == "csv" else xlsx_rows
    url = reverse("network:export_members") + f"?format={file_format}"

    viewer = client_for(users[Role.VIEWER]).get(url)
    assert viewer.status_code == 200
    assert viewer["Content-Type"] == exporting.CONTENT_TYPES[file_format]
    viewer_names = {row["name"] for row in reader(viewer.content)}
    assert organisations["africa_listed"].name in viewer_names
    assert not hidden & viewer_names
    for name in hidden:
        assert name.encode() not in viewer.content

    coordinator = client_for(users[Role.REGIONAL_COORDINATOR]).get(url)
    coordinator_names = {row["name"] for row in reader(coordinator.content)}
    assert organisations["africa_unlisted"].name in coordinator_names
    assert organisations["asia_unlisted"].name not in coordinator_names

    secretariat = client_for(users[Role.SECRETARIAT]).get(url)
    assert hidden <= {row["name"] for row in reader(secretariat.content)}


@pytest.mark.django_db
def test_the_export_download_applies_the_registry_filters(client_for, users, organisations):
    client = client_for(users[Role.SECRETARIAT])
    response = client.get(reverse("network:export_members") + "?region=asia_pacific&q=bangkok")
    assert [row["name"] for row in csv_rows(response.content)] == ["Bangkok Listed Group"]
    assert client.get(reverse("network:export_members") + "?format=pdf").status_code == 400


@pytest.mark.django_db
def test_the_export_download_needs_a_signed_in_user(client):
    assert client.get(reverse("network:export_members")).status_code == 302


def registry_snapshot() -> tuple[set, set]:
    organisations = {
        (
            organisation.name,
            organisation.acronym,
            organisation.kind,
            organisation.country_id,
            organisation.website,
            organisation.founded,
            tuple(organisation.working_languages),
            organisation.publicly_listed,
        )
        for organisation in Organisation.objects.all()
    }
    memberships = set(
        Membership.objects.values_list(
            "organisation__name", "network__name", "tier", "status", "joined"
        )
    )
    return organisations, memberships


def empty_the_registry() -> None:
    MembershipEvent.objects.all().delete()
    Membership.objects.all().delete()
    Organisation.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_registry_gives_the_same_registry(
    organisations, networks, file_format
):
    """Organisations, countries, kinds, listed flags and memberships all survive a round trip."""
    kenya = Country.objects.get(code="KE")
    member = make_organisation(
        "-Minus Collective",
        kenya,
        acronym="MC",
        website="https://mc.example.org",
        founded=2001,
        working_languages=["en", "sw"],
    )
    for network, tier, joined in (
        (networks["global"], "full", datetime.date(2011, 4, 2)),
        (networks["africa"], "associate", None),
    ):
        network_actions.membership_record(
            actor=None, organisation=member, network=network, tier=tier, joined=joined
        )
    network_actions.membership_record(
        actor=None,
        organisation=organisations["africa_unlisted"],
        network=networks["africa"],
        tier="supporting",
        status="suspended",
        joined=datetime.date(2020, 1, 1),
    )
    network_actions.membership_record(
        actor=None,
        organisation=networks["africa"],
        network=networks["global"],
        tier="associate",
    )
    before = registry_snapshot()
    content = exporting.export_members(None, file_format=file_format)

    empty_the_registry()
    report = run_import(content, filename=f"members.{file_format}")

    assert report.written, report.errors
    assert registry_snapshot() == before


# Commands ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_command_imports_a_valid_file(tmp_path, networks):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_data([row("Command Collective", tier="associate")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", str(path), stdout=out, stderr=err)
    assert "Imported 1 organisations and 1 memberships." in out.getvalue()
    assert "1/1" in err.getvalue()  # the progress bar
    assert Organisation.objects.filter(name="Command Collective").exists()


@pytest.mark.django_db
def test_the_import_command_dry_run_writes_nothing(tmp_path, networks):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_data([row("Command Collective", tier="associate")]))
    before = counts()
    out = io.StringIO()
    call_command("import_members", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "would be imported" in out.getvalue()
    assert counts() == before


@pytest.mark.django_db
def test_the_import_command_fails_on_an_invalid_file_and_prints_each_problem(tmp_path, networks):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_data([row("Good Collective"), row("Nowhere Collective", "Atlantis")]))
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_members", str(path), stdout=out, stderr=io.StringIO())
    assert "Row 3, country: Unknown country “Atlantis”." in out.getvalue()
    assert counts() == before

    call_command("import_members", str(path), "--valid-only", stdout=out, stderr=io.StringIO())
    assert Organisation.objects.filter(name="Good Collective").exists()


@pytest.mark.django_db
def test_the_import_command_refuses_a_damaged_or_missing_file(tmp_path, networks):
    path = tmp_path / "members.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_members", str(tmp_path / "missing.csv"), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_export_command_writes_csv_and_xlsx(tmp_path, organisations):
    out = io.StringIO()
    call_command("export_members", "--format", "csv", stdout=out)
    names = {row["name"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert organisations["asia_unlisted"].name in names

    listed = io.StringIO()
    call_command("export_members", "--listed-only", stdout=listed)
    assert organisations["asia_unlisted"].name not in listed.getvalue()
    assert organisations["asia_listed"].name in listed.getvalue()

    path = tmp_path / "members.xlsx"
    call_command("export_members", "--format", "xlsx", "--output", str(path), stderr=io.StringIO())
    assert organisations["asia_unlisted"].name in {
        row["name"] for row in xlsx_rows(path.read_bytes())
    }
    with pytest.raises(CommandError):
        call_command("export_members", "--format", "xlsx")


@pytest.mark.django_db
def test_names_that_differ_only_in_a_number_are_not_duplicates(networks):
    """Branches numbered 1, 2, 12 are distinct organisations; the same number twice is not."""
    make_organisation("Collective Branch 1", Country.objects.get(code="KE"))
    data = csv_data(
        [
            row("Collective Branch 2", "KE"),
            row("Collective Branch 12", "KE"),
            row("Collective Branch 1", "KE", acronym="CB1"),
        ]
    )
    report = run_import(data)
    assert problems_at(report) == {(4, "name")}
