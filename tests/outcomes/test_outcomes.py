"""Outcome harvesting with substantiation; importing, classifying and reviewing recommendations."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.network.models import Person
from chorus.outcomes import actions, classification, importing, queries
from chorus.outcomes.models import Outcome, Recommendation

D = datetime.date
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "un"


def uhri_csv(rows, header=("Symbol", "Text", "PublicationDate", "Countries", "Body")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


DECRIM = (
    "The Committee recommends that the State party decriminalize sex work and protect sex "
    "workers from police violence and arbitrary arrest."
)
END_DEMAND = (
    "The Committee recommends that the State party discourage the demand for prostitution and "
    "provide exit programmes for women who wish to leave prostitution."
)
OTHER = "The Committee recommends that the State party increase the number of women judges."


# Outcomes ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_outcome_needs_a_social_actor_and_a_past_date(users):
    secretariat = users[Role.SECRETARIAT]
    base = {
        "title": "Law passed",
        "change": "A law passed.",
        "kind": "policy",
        "direction": "positive",
    }
    with pytest.raises(ValidationError, match="social actor"):
        actions.outcome_create(actor=secretariat, occurred_on=D(2020, 1, 1), **base)
    with pytest.raises(ValidationError, match="future"):
        actions.outcome_create(
            actor=secretariat,
            occurred_on=D.today() + datetime.timedelta(days=2),
            social_actor_text="Parliament",
            **base,
        )
    assert not Outcome.objects.exists()
    outcome = actions.outcome_create(
        actor=secretariat, occurred_on=D(2020, 1, 1), social_actor_text="Parliament", **base
    )
    assert AuditEvent.objects.filter(action="outcome.create", object_id=str(outcome.pk)).exists()
    with pytest.raises(PermissionDenied):
        actions.outcome_create(
            actor=users[Role.VIEWER], occurred_on=D(2020, 1, 1), social_actor_text="X", **base
        )


@pytest.mark.django_db
def test_substantiation_status_follows_the_answers(users, organisations):
    secretariat = users[Role.SECRETARIAT]
    outcome = actions.outcome_create(
        actor=secretariat,
        title="Policy adopted",
        change="c",
        kind="policy",
        occurred_on=D(2016, 5, 26),
        social_actor_text="An ally",
        direction="positive",
    )
    assert queries.substantiation_status(outcome) == "none"
    first = actions.substantiation_request(
        actor=secretariat, outcome=outcome, substantiator=Person.objects.create(display_name="A")
    )
    second = actions.substantiation_request(
        actor=secretariat, outcome=outcome, substantiator=Person.objects.create(display_name="B")
    )
    assert queries.substantiation_status(outcome) == "awaiting"
    actions.substantiation_record(
        actor=secretariat,
        substantiation=first,
        description="full",
        significance="full",
        contribution="full",
    )
    actions.substantiation_record(
        actor=secretariat,
        substantiation=second,
        description="full",
        significance="partial",
        contribution="full",
    )
    assert queries.substantiation_status(outcome) == "partly"
    actions.substantiation_record(
        actor=secretariat,
        substantiation=second,
        description="full",
        significance="full",
        contribution="disagree",
        comment="Others did more.",
    )
    assert queries.substantiation_status(outcome) == "disputed"
    with pytest.raises(ValidationError):
        actions.substantiation_request(
            actor=secretariat, outcome=outcome, substantiator=first.substantiator
        )


@pytest.mark.django_db
def test_outcomes_about_unlisted_organisations_stay_in_scope(users, organisations, client_for):
    outcome = actions.outcome_create(
        actor=None,
        title="Quiet change",
        change="c",
        kind="practice",
        occurred_on=D(2020, 1, 1),
        social_actor=organisations["asia_unlisted"],
        direction="positive",
    )
    for role, expected in (
        (Role.SECRETARIAT, 200),
        (Role.REGIONAL_COORDINATOR, 404),
        (Role.VIEWER, 404),
    ):
        response = client_for(users[role]).get(
            reverse("outcomes:outcome_detail", args=[outcome.pk])
        )
        assert response.status_code == expected


# Importing recommendations -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_uhri_csv_imports_and_classifies_every_paragraph(countries):
    data = uhri_csv(
        [
            ["CEDAW/C/KAZ/CO/5 para. 22", DECRIM, "2019-03-14", "Kazakhstan", "CEDAW"],
            ["CEDAW/C/SWE/CO/10 para. 27", END_DEMAND, "2021-11-01", "Sweden", "CEDAW"],
            ["CEDAW/C/FRA/CO/9 para. 12", OTHER, "2023-01-01", "France", "CEDAW"],
        ]
    )
    report = importing.parse_uhri(data, "uhri.csv")
    assert report.is_valid
    importing.recommendations_import(actor=None, report=report)
    assert report.created == 3 and report.relevant == 2
    kazakhstan = Recommendation.objects.get(symbol="CEDAW/C/KAZ/CO/5", paragraph="22")
    assert (kazakhstan.country_id, kazakhstan.year, kazakhstan.label) == (
        "KZ",
        2019,
        "rights-affirming",
    )
    assert {cue["key"] for cue in kazakhstan.cues} >= {"decriminalisation"}
    assert Recommendation.objects.get(paragraph="27").label == "regressive"
    assert not Recommendation.objects.get(paragraph="12").relevant
    assert AuditEvent.objects.filter(action="recommendation.import").count() == 1


@pytest.mark.django_db
def test_duplicates_by_symbol_or_by_text_are_left_out(countries):
    first = importing.parse_uhri(
        uhri_csv([["CEDAW/C/KAZ/CO/5 para. 22", DECRIM, "2019", "KZ", "CEDAW"]])
    )
    importing.recommendations_import(actor=None, report=first)
    again = importing.parse_uhri(
        uhri_csv(
            [
                ["CEDAW/C/KAZ/CO/5 para. 22", "Different wording", "2019", "KZ", "CEDAW"],
                ["CEDAW/C/XYZ/CO/1 para. 3", DECRIM, "2019", "KZ", "CEDAW"],
                ["CEDAW/C/NEW/CO/1 para. 1", END_DEMAND, "2020", "SE", "CEDAW"],
                ["CEDAW/C/NEW/CO/1 para. 1", END_DEMAND, "2020", "SE", "CEDAW"],
            ]
        )
    )
    importing.recommendations_import(actor=None, report=again)
    assert again.created == 1
    assert len(again.duplicates) == 3
    assert Recommendation.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (uhri_csv([["S para. 1", DECRIM]], header=("Symbol", "Body")), "a.csv", "no Text column"),
        (b'{"Symbol": "x"}', "a.json", "must hold a list"),
        (b"[not json", "a.json", "not valid JSON"),
        (b"", "a.csv", "empty"),
    ],
)
def test_bad_files_are_refused_whole_and_nothing_is_written(countries, data, filename, message):
    report = importing.parse_uhri(data, filename)
    assert not report.is_valid
    assert message in " ".join(str(error[2]) for error in report.errors)
    importing.recommendations_import(actor=None, report=report, valid_only=True)
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_a_paragraph_of_a_megabyte_is_a_row_error_and_valid_rows_can_still_go_in(countries):
    report = importing.parse_uhri(
        uhri_csv(
            [
                ["S/1 para. 1", "prostitution " * 90_000, "2019", "", "CEDAW"],
                ["S/1 para. 2", DECRIM, "2019", "", "CEDAW"],
                ["S/1 para. 3", "", "2019", "", "CEDAW"],
                ["S/1 para. 4", OTHER, "2019", "Atlantis", "CEDAW"],
            ]
        )
    )
    assert {(row, column) for row, column, _m in report.errors} == {
        (2, "Text"),
        (4, "Text"),
        (5, "Countries"),
    }
    importing.recommendations_import(actor=None, report=report)
    assert Recommendation.objects.count() == 0  # all or nothing by default
    importing.recommendations_import(actor=None, report=report, valid_only=True)
    assert list(Recommendation.objects.values_list("paragraph", flat=True)) == ["2"]


@pytest.mark.django_db
def test_json_exports_and_pasted_text_are_read(countries):
    data = json.dumps(
        [
            {
                "Symbol": "CCPR/C/XX/CO/1",
                "Paragraph": "9",
                "Text": DECRIM,
                "PublicationDate": "2018-01-01",
                "Body": "Human Rights Committee",
            }
        ]
    ).encode()
    report = importing.parse_uhri(data, "export.json")
    assert report.is_valid and report.rows[0].body == "CCPR" and report.rows[0].paragraph == "9"
    pasted = importing.parse_pasted(
        "11. " + OTHER + "\n12. " + END_DEMAND + "\n   continued on a second line.",
        symbol="CEDAW/C/SWE/CO/10",
        body="CEDAW",
        country="SE",
        year=2021,
    )
    assert [(row.paragraph, row.text.endswith("second line.")) for row in pasted.rows] == [
        ("11", False),
        ("12", True),
    ]
    unnumbered = importing.parse_pasted(OTHER + "\n\n" + DECRIM, symbol="X", body="CEDAW")
    assert [row.paragraph for row in unnumbered.rows] == ["1", "2"]


@pytest.mark.django_db
def test_the_shared_general_recommendation_38_is_imported_and_found_regressive(countries):
    path = FIXTURES / "treaty-body-general-comments" / "Annotated_CEDAW-GC38-Trafficking.json"
    report = importing.parse_paragraph_json(path.read_bytes(), path.name)
    importing.recommendations_import(actor=None, report=report, valid_only=True)
    relevant = Recommendation.objects.filter(relevant=True)
    assert report.created > 50 and relevant.exists()
    assert relevant.filter(label__in=["regressive", "mixed"]).exists()


# Review and learning ------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviewed_labels_train_the_model_used_for_later_imports(users, countries):
    rows = [
        [f"S/{index} para. 1", f"{END_DEMAND} Case {index}.", "2019", "", "CEDAW"]
        for index in range(5)
    ]
    rows += [
        [f"T/{index} para. 1", f"{DECRIM} Case {index}.", "2019", "", "CEDAW"] for index in range(5)
    ]
    report = importing.parse_uhri(uhri_csv(rows))
    importing.recommendations_import(actor=None, report=report)
    assert classification.current_model() is None
    reviewer = users[Role.RESEARCHER]
    for recommendation in Recommendation.objects.all():
        actions.recommendation_review(
            actor=reviewer, recommendation=recommendation, label=recommendation.label
        )
    assert classification.current_model() is not None
    with pytest.raises(PermissionDenied):
        actions.recommendation_review(
            actor=users[Role.VIEWER], recommendation=recommendation, label="neutral"
        )
    with pytest.raises(ValidationError):
        actions.recommendation_review(actor=reviewer, recommendation=recommendation, label="bogus")


@pytest.mark.django_db
def test_pages_list_review_and_chart_recommendations(client_for, users, countries):
    report = importing.parse_uhri(
        uhri_csv([["CEDAW/C/KAZ/CO/5 para. 22", DECRIM, "2019", "KZ", "CEDAW"]])
    )
    importing.recommendations_import(actor=None, report=report)
    recommendation = Recommendation.objects.get()
    researcher = client_for(users[Role.RESEARCHER])
    assert "CEDAW/C/KAZ/CO/5" in researcher.get(reverse("outcomes:review_queue")).content.decode()
    response = researcher.post(
        reverse("outcomes:recommendation_detail", args=[recommendation.pk]), {"label": "mixed"}
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.reviewed_label == "mixed"
    assert (
        "CEDAW/C/KAZ/CO/5" not in researcher.get(reverse("outcomes:review_queue")).content.decode()
    )
    trends = researcher.get(reverse("outcomes:trends")).content.decode()
    assert "2019" in trends
    chart = researcher.get(reverse("outcomes:trends_chart"))
    assert chart["Content-Type"] == "image/svg+xml" and "<script" not in chart.content.decode()
    assert researcher.get(reverse("outcomes:country", args=["KZ"])).status_code == 200
    assert researcher.get(reverse("outcomes:recommendation_import")).status_code == 403


@pytest.mark.django_db
def test_the_secretariat_imports_pasted_text_in_the_page(client_for, users, countries):
    client = client_for(users[Role.SECRETARIAT])
    response = client.post(
        reverse("outcomes:recommendation_import"),
        {
            "text": "5. " + DECRIM + "\n6. " + OTHER,
            "symbol": "CEDAW/C/KEN/CO/9",
            "body": "CEDAW",
            "country": "KE",
            "year": "2024",
        },
    )
    assert response.status_code == 200
    assert Recommendation.objects.filter(symbol="CEDAW/C/KEN/CO/9").count() == 2
    refused = client.post(reverse("outcomes:recommendation_import"), {"text": DECRIM})
    assert "document symbol" in refused.content.decode()


@pytest.mark.django_db
def test_the_outcome_form_records_an_outcome_with_its_engagements(client_for, users, organisations):
    from chorus.engagement import actions as engagement_actions

    platform = engagement_actions.platform_create(
        actor=None, name="CEDAW", kind="cedaw", level="global"
    )
    engagement = engagement_actions.engagement_create(
        actor=None,
        title="Shadow report",
        kind="shadow_report",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=D(2019, 1, 1),
    )
    client = client_for(users[Role.REGIONAL_COORDINATOR])
    assert client.get(reverse("outcomes:outcome_create")).status_code == 200
    response = client.post(
        reverse("outcomes:outcome_create"),
        {
            "title": "Recommendation on police violence",
            "social_actor_text": "CEDAW Committee",
            "change": "The Committee asked the State to stop police violence against sex workers.",
            "kind": "policy",
            "occurred_on": "2020-03-01",
            "direction": "positive",
            "engagements": [engagement.pk],
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get(title="Recommendation on police violence")
    assert list(outcome.engagements.all()) == [engagement]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_before_it_is_read_and_csrf_still_holds(client_for, users):
    """The declared size is checked first; a normal-sized post without a CSRF token is refused."""
    from django.test import Client

    client = client_for(users[Role.SECRETARIAT])
    response = client.post(
        reverse("outcomes:recommendation_import"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "larger than 20 MB" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users[Role.REGIONAL_COORDINATOR])
    refused = strict.post(reverse("outcomes:recommendation_import"), {"text": "x"})
    assert refused.status_code == 403
    assert Recommendation.objects.count() == 0


def test_a_recommendation_shows_the_work_before_it_in_its_country(client_for, users, organisations):
    """Shadow reports and engagements at the body in the country up to its year, in scope."""
    from chorus.engagement import actions as engagement_actions

    platform = engagement_actions.platform_create(
        actor=None, name="CEDAW", kind="cedaw", level="global"
    )
    common = {"platform": platform, "level": "global"}
    engagement_actions.engagement_create(
        actor=None,
        title="Kenya shadow report",
        kind="shadow_report",
        organisation=organisations["africa_listed"],
        start=D(2016, 6, 1),
        **common,
    )
    engagement_actions.engagement_create(
        actor=None,
        title="Quiet shadow report",
        kind="shadow_report",
        organisation=organisations["africa_unlisted"],
        start=D(2016, 7, 1),
        **common,
    )
    engagement_actions.engagement_create(
        actor=None,
        title="Later briefing",
        kind="shadow_report",
        organisation=organisations["africa_listed"],
        start=D(2019, 2, 1),
        **common,
    )
    report = importing.parse_uhri(
        uhri_csv([["CEDAW/C/KEN/CO/8 para. 29", DECRIM, "2017-11-22", "Kenya", "CEDAW"]]),
        "uhri.csv",
    )
    importing.recommendations_import(actor=None, report=report)
    recommendation = Recommendation.objects.get()
    url = reverse("outcomes:recommendation_detail", args=[recommendation.pk])
    page = client_for(users[Role.VIEWER]).get(url).content.decode()
    assert "Kenya shadow report" in page
    assert "Later briefing" not in page  # after the recommendation's year
    assert "Quiet shadow report" not in page  # an unlisted member, out of a viewer's scope
    page = client_for(users[Role.SECRETARIAT]).get(url).content.decode()
    assert "Quiet shadow report" in page
