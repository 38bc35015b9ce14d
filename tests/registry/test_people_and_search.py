"""People and posts (rotation stays visible), secret fields, search in five languages, demo data."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from chorus.core.models import AccessEvent, Role
from chorus.network import actions, queries
from chorus.network.models import Membership, NetworkStatistic, Organisation, Person, Position


@pytest.mark.django_db
def test_organisation_page_shows_who_holds_a_post_now_and_who_held_it_before(
    client_for, users, organisations
):
    organisation = organisations["africa_listed"]
    actor = users[Role.REGIONAL_COORDINATOR]
    before = actions.position_add(
        actor=actor,
        organisation=organisation,
        title="Coordinator",
        new_person_name="Former Coordinator",
        start=datetime.date(2015, 1, 1),
        end=datetime.date(2019, 6, 30),
    )
    actions.position_add(
        actor=actor,
        organisation=organisation,
        title="Coordinator",
        new_person_name="Current Coordinator",
        start=datetime.date(2019, 7, 1),
    )
    current, past = queries.positions_at(actor, organisation)
    assert [p.person.display_name for p in current] == ["Current Coordinator"]
    assert [p.person.display_name for p in past] == ["Former Coordinator"]
    page = client_for(users[Role.VIEWER]).get(
        reverse("network:organisation_detail", args=[organisation.pk])
    )
    content = page.content.decode()
    assert content.index("Current Coordinator") < content.index("Held before")
    assert content.index("Held before") < content.index("Former Coordinator")
    assert before.end.isoformat() in content


@pytest.mark.django_db
def test_position_dates_are_validated(users, organisations):
    with pytest.raises(ValidationError, match="before the start"):
        actions.position_add(
            actor=users[Role.SECRETARIAT],
            organisation=organisations["africa_listed"],
            title="Chair",
            new_person_name="Someone",
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2019, 1, 1),
        )
    with pytest.raises(ValidationError, match="future"):
        actions.position_add(
            actor=users[Role.SECRETARIAT],
            organisation=organisations["africa_listed"],
            title="Chair",
            new_person_name="Someone",
            start=datetime.date.today() + datetime.timedelta(days=10),
        )
    # Neither failure left a half-made person behind.
    assert not Person.objects.filter(display_name="Someone").exists()


@pytest.mark.django_db
def test_a_member_editor_adds_posts_only_in_its_own_organisation(users, organisations):
    editor = users[Role.MEMBER_EDITOR]
    actions.position_add(
        actor=editor,
        organisation=organisations["africa_listed"],
        title="Chair",
        new_person_name="A",
    )
    with pytest.raises(PermissionDenied):
        actions.position_add(
            actor=editor,
            organisation=organisations["asia_listed"],
            title="Chair",
            new_person_name="B",
        )
    assert not Person.objects.filter(display_name="B").exists()


@pytest.mark.django_db
def test_people_in_unlisted_organisations_are_hidden_with_them(client_for, users, organisations):
    actions.position_add(
        actor=None,
        organisation=organisations["asia_unlisted"],
        title="Coordinator",
        new_person_name="Hidden Person",
    )
    person = Person.objects.get(display_name="Hidden Person")
    for role, expected in (
        (Role.SECRETARIAT, 200),
        (Role.REGIONAL_COORDINATOR, 404),
        (Role.VIEWER, 404),
    ):
        client = client_for(users[role])
        assert (
            client.get(reverse("network:person_detail", args=[person.pk])).status_code == expected
        )
        listing = client.get(reverse("network:person_list")).content.decode()
        assert ("Hidden Person" in listing) is (expected == 200)


@pytest.mark.django_db
def test_secret_fields_are_shown_to_the_secretariat_only_and_logged(
    client_for, users, organisations
):
    person = actions.person_create(
        actor=users[Role.SECRETARIAT],
        display_name="Rose",
        is_pseudonym=True,
        legal_name="Real Legal Name",
        contact="+254 700 000000",
    )
    actions.position_create(
        actor=None,
        person=person,
        organisation=organisations["africa_listed"],
        title="Peer educator",
    )
    url = reverse("network:person_detail", args=[person.pk])
    secretariat_page = client_for(users[Role.SECRETARIAT]).get(url).content.decode()
    assert "Real Legal Name" in secretariat_page
    assert (
        AccessEvent.objects.filter(object_type="network.person", data_class="secret").count() == 1
    )
    for role in (Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR, Role.VIEWER):
        page = client_for(users[role]).get(url).content.decode()
        assert "Real Legal Name" not in page and "+254" not in page
    with pytest.raises(PermissionDenied):
        actions.person_update(actor=users[Role.REGIONAL_COORDINATOR], person=person, contact="x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sopeku", "Sopeku"),
        ("SOPEKU", "Sopeku"),
        ("medecins", "Médecins du Quartier"),
        ("MÉDECINS", "Médecins du Quartier"),
        ("Ассоциация", "Association Tverskaya"),
        ("ассоциация", "Association Tverskaya"),
        ("性工作者", "Sex Workers Alliance of Yunnan"),
        ("alianza", "Sex Workers Alliance of Yunnan"),
    ],
)
def test_search_finds_names_in_any_language_ignoring_case_and_accents(
    users, countries, query, expected
):
    from tests.conftest import make_organisation

    make_organisation("Sopeku", countries["KE"])
    make_organisation("Médecins du Quartier", countries["FR"])
    make_organisation("Association Tverskaya", countries["FR"], names={"ru": "Ассоциация Тверская"})
    make_organisation(
        "Sex Workers Alliance of Yunnan",
        countries["TH"],
        names={"zh-hans": "云南性工作者联盟", "es": "Alianza de trabajadoras sexuales de Yunnan"},
    )
    found = list(
        queries.organisations_for(users[Role.VIEWER], search=query).values_list("name", flat=True)
    )
    assert found == [expected]


@pytest.mark.django_db
def test_filters_by_tier_and_status(users, organisations, countries):
    network = actions.organisation_create(
        actor=None, name="Net", kind="global_network", country=countries["FR"]
    )
    actions.membership_record(
        actor=None, organisation=organisations["africa_listed"], network=network, tier="full"
    )
    actions.membership_record(
        actor=None,
        organisation=organisations["asia_listed"],
        network=network,
        tier="associate",
        status="suspended",
    )
    viewer = users[Role.VIEWER]
    assert [o.name for o in queries.organisations_for(viewer, tier="full")] == [
        "Kenya Listed Collective"
    ]
    assert [o.name for o in queries.organisations_for(viewer, status="suspended")] == [
        "Bangkok Listed Group"
    ]
    assert [o.name for o in queries.organisations_for(viewer, region="asia_pacific")] == [
        "Bangkok Listed Group"
    ]


@pytest.mark.django_db
def test_demo_builds_the_seed_registry_and_is_idempotent():
    call_command("demo")
    counts = (
        Organisation.objects.count(),
        Membership.objects.count(),
        Person.objects.count(),
        Position.objects.count(),
    )
    call_command("demo")
    assert counts == (
        Organisation.objects.count(),
        Membership.objects.count(),
        Person.objects.count(),
        Position.objects.count(),
    )
    nswp = Organisation.objects.get(acronym="NSWP")
    swifa = Organisation.objects.get(acronym="SWIFA")
    assert swifa.names["zh-hans"] == "性工作者包容性女权主义联盟"
    assert Membership.objects.filter(network=swifa, tier="core").count() == 8
    assert Organisation.objects.filter(kind="regional_network").count() == 6
    statistic = NetworkStatistic.objects.get(network=nswp)
    assert (statistic.member_count, statistic.country_count) == (306, 99)
    # The published totals are a dated statistic, not invented organisations.
    assert Organisation.objects.filter(kind="member").count() < 306
    ruth = Position.objects.get(person__display_name="Ruth Morgan Thomas")
    assert (ruth.title, ruth.organisation) == ("Global coordinator", nswp)
    assert Position.objects.filter(person__display_name="KayThi Win").count() == 2


@pytest.mark.django_db
def test_synthetic_organisations_are_clearly_marked(capsys):
    call_command("demo", synthetic=50)
    synthetic = Organisation.objects.filter(is_synthetic=True)
    assert synthetic.count() == 50
    assert all(name.startswith("Synthetic") for name in synthetic.values_list("name", flat=True))
    assert Person.objects.filter(is_synthetic=True).count() >= 50
    assert Membership.objects.filter(organisation__is_synthetic=True).count() == 50
