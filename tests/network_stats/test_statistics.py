"""Network statistics: right figures, scoped to the visitor, small cells hidden, charts offline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from chorus.core import charts as core_charts
from chorus.core.models import Region, Role
from chorus.network import actions, charts
from chorus.network.models import Country, OrganisationKind
from chorus.network.statistics import network_statistics_for
from tests.conftest import make_organisation, make_user

SEC, COORD, VIEWER = Role.SECRETARIAT, Role.REGIONAL_COORDINATOR, Role.VIEWER
ANONYMOUS = "anonymous"
OTHER_COORD = "coordinator of another region"
MAX_PAGE_BYTES = 100 * 1024
EXTERNAL = re.compile(r"(?:https?:)?//[^\s\"'<>)]+")
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(autouse=True)
def fresh_chart_cache():
    """Start every test with no chart in memory, so no test sees another's drawing."""
    core_charts.clear_cache()
    yield
    core_charts.clear_cache()


def member(network, name, code, *, listed=True, tier="associate", joined=None):
    organisation = make_organisation(name, Country.objects.get(code=code), listed=listed)
    actions.membership_record(
        actor=None,
        organisation=organisation,
        network=network,
        tier=tier,
        status="member",
        joined=joined,
    )
    return organisation


@pytest.fixture
def network(countries):
    return make_organisation(
        "Global Network of Sex Work Projects",
        Country.objects.get(code="GB"),
        kind=OrganisationKind.GLOBAL_NETWORK,
        acronym="NSWP",
    )


@pytest.fixture
def members(network):
    """Kenya: 3 listed and 1 unlisted (the only supporting member, the only one from 2015).

    Thailand has 2 listed members (too few to name in public), France 3; one organisation has only
    applied and one is a member of another network, so neither counts.
    """
    created = {
        "KE": [
            member(network, f"Kenya Member {index}", "KE", joined=datetime.date(2010 + index, 5, 1))
            for index in range(3)
        ],
        "TH": [
            member(
                network, f"Thai Member {index}", "TH", tier="full", joined=datetime.date(2012, 1, 1)
            )
            for index in range(2)
        ],
        "FR": [
            member(network, f"French Member {index}", "FR", joined=datetime.date(2011, 1, 1))
            for index in range(3)
        ],
    }
    created["unlisted"] = member(
        network,
        "Mombasa Unlisted Member",
        "KE",
        listed=False,
        tier="supporting",
        joined=datetime.date(2015, 3, 1),
    )
    applicant = make_organisation("Applicant Group", Country.objects.get(code="EC"))
    actions.membership_record(
        actor=None, organisation=applicant, network=network, tier="associate", status="applied"
    )
    regional = make_organisation(
        "Regional Network", Country.objects.get(code="EC"), kind=OrganisationKind.REGIONAL_NETWORK
    )
    elsewhere = make_organisation("Elsewhere Member", Country.objects.get(code="EC"))
    actions.membership_record(
        actor=None, organisation=elsewhere, network=regional, tier="associate", status="member"
    )
    return created


def user_for(users, role):
    if role == ANONYMOUS:
        return AnonymousUser()
    if role == OTHER_COORD:
        return make_user("asia-coord", COORD, region=Region.ASIA_PACIFIC)
    return users[role]


def region_counts(figures):
    return {region.region: region.count for region in figures.regions}


def country_counts(figures):
    return {country.code: country.count for country in figures.countries}


def map_counts(figures):
    return dict(charts.chart_data("map", figures))


@pytest.mark.django_db
def test_totals_and_breakdowns_are_right(users, members, network):
    """The secretariat's figures count every current member once, in every breakdown."""
    figures = network_statistics_for(users[SEC], network=network)
    assert figures.member_count == 9
    assert figures.country_count == 3
    assert [region.region for region in figures.regions] == [str(region) for region in Region]
    assert region_counts(figures) == {
        Region.AFRICA: 4,
        Region.ASIA_PACIFIC: 2,
        Region.EUROPE: 3,
        Region.LATIN_AMERICA: 0,
        Region.NORTH_AMERICA_CARIBBEAN: 0,
    }
    assert {tier.tier: tier.count for tier in figures.tiers} == {
        "full": 2,
        "associate": 6,
        "supporting": 1,
    }
    assert {year.year: year.count for year in figures.years} == {
        2010: 1,
        2011: 4,
        2012: 3,
        2015: 1,
    }
    assert country_counts(figures) == {"KE": 4, "TH": 2, "FR": 3}
    assert [country.name for country in figures.countries] == ["France", "Kenya", "Thailand"]
    assert figures.suppressed is False
    assert map_counts(figures) == {"404": 4, "764": 2, "250": 3}


@pytest.mark.django_db
def test_the_global_network_is_the_default(users, members, network):
    """Without a network, the figures are the global network's, not the regional network's."""
    assert network_statistics_for(users[SEC]).member_count == 9


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_unlisted"),
    [(SEC, True), (COORD, True), (OTHER_COORD, False), (VIEWER, False), (ANONYMOUS, False)],
)
def test_an_unlisted_member_shows_only_to_those_who_may_know_it(
    users, members, network, role, sees_unlisted
):
    """The secretariat and its region's coordinator count it; nobody else does, anywhere."""
    figures = network_statistics_for(user_for(users, role), network=network)
    extra = 1 if sees_unlisted else 0
    public = role in (VIEWER, ANONYMOUS)
    assert figures.member_count == 8 + extra
    assert region_counts(figures)[Region.AFRICA] == 3 + extra
    assert sum(region.count for region in figures.regions) == 8 + extra
    assert country_counts(figures)["KE"] == 3 + extra
    assert map_counts(figures)["404"] == 3 + extra
    assert ("supporting" in {tier.tier for tier in figures.tiers}) is sees_unlisted
    assert (2015 in {year.year for year in figures.years}) is sees_unlisted
    assert figures.other_count == (2 if public else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [VIEWER, ANONYMOUS])
def test_an_unlisted_member_is_absent_from_the_public_page_and_charts(
    client, client_for, users, members, role
):
    """Nothing on the page or in any chart's data differs from a network without it."""
    visitor = client if role == ANONYMOUS else client_for(users[role])
    html = visitor.get(reverse("network:statistics")).content.decode()
    assert "8 member organisations in 3 countries" in html
    assert "Supporting member" not in html
    assert "2015" not in html
    tiers_svg = visitor.get(reverse("network:statistics_chart", args=["tiers"])).content.decode()
    assert "Supporting member" not in tiers_svg


@pytest.mark.django_db
@pytest.mark.parametrize("role", [VIEWER, ANONYMOUS])
def test_a_country_with_too_few_members_is_not_named_in_public(users, members, network, role):
    """Thailand (2 members) is merged into its region's other line; France (3) is named."""
    figures = network_statistics_for(user_for(users, role), network=network)
    assert figures.suppressed is True
    assert "TH" not in country_counts(figures)
    assert "764" not in map_counts(figures)
    assert country_counts(figures)["FR"] == 3
    asia = next(region for region in figures.regions if region.region == Region.ASIA_PACIFIC)
    assert (asia.count, asia.other_count, asia.countries) == (2, 2, ())
    assert figures.country_count == 3


@pytest.mark.django_db
def test_the_public_page_hides_small_countries_but_keeps_region_totals(client, members):
    """The page names France but not Thailand, whose 2 members stay in the Asia total."""
    html = client.get(reverse("network:statistics")).content.decode()
    assert "France" in html
    assert "Thailand" not in html
    assert "Other countries (fewer than 3 each)" in html
    assert re.search(r"Asia and the Pacific</th><td class=\"number\">2</td>", html)


@pytest.mark.django_db
def test_the_secretariat_sees_small_countries(client_for, users, members):
    """Small-cell suppression is for public figures only; the secretariat sees every country."""
    html = client_for(users[SEC]).get(reverse("network:statistics")).content.decode()
    assert "Thailand" in html
    assert "9 member organisations in 3 countries" in html


@pytest.mark.django_db
def test_the_threshold_follows_the_setting(settings, members, network):
    """Raising CHORUS_PUBLIC_MIN_CELL to 4 hides every country; the total stays."""
    settings.CHORUS_PUBLIC_MIN_CELL = 4
    figures = network_statistics_for(AnonymousUser(), network=network)
    assert country_counts(figures) == {}
    assert figures.member_count == 8


@pytest.mark.django_db
def test_the_published_figure_is_shown_with_its_date_and_source(client, members, network):
    """The latest published NetworkStatistic appears as a dated, sourced figure."""
    actions.network_statistic_record(
        actor=None,
        network=network,
        date=datetime.date(2021, 3, 1),
        member_count=306,
        country_count=99,
        source="Annual report 2021",
    )
    html = client.get(reverse("network:statistics")).content.decode()
    assert "306 member organisations in 99 countries" in html
    assert "2021-03-01" in html
    assert "Annual report 2021" in html


@pytest.mark.django_db
@pytest.mark.parametrize("chart", charts.CHART_NAMES)
def test_charts_are_self_contained_svg(client, members, chart):
    """Each chart is SVG that loads nothing from elsewhere and runs nothing."""
    response = client.get(reverse("network:statistics_chart", args=[chart]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cache-Control"] == "private, max-age=300"
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert "<script" not in svg.lower()
    assert "href=" not in svg
    assert set(EXTERNAL.findall(svg)) <= SVG_NAMESPACES


@pytest.mark.django_db
def test_the_map_draws_the_countries(client, members):
    """The map has a shape for each country of the atlas, at the size the page announces."""
    svg = client.get(reverse("network:statistics_chart", args=["map"])).content.decode()
    assert svg.count("<path") > 100
    assert 'width="720"' in svg


@pytest.mark.django_db
def test_an_unknown_chart_is_not_found(client, members):
    """Only the four chart names exist; anything else answers 404."""
    assert client.get(reverse("network:statistics_chart", args=["people"])).status_code == 404


@pytest.mark.django_db
def test_charts_are_drawn_once_per_language_and_figures(users, members, network):
    """A second request for the same figures is served from memory; another language redraws."""
    figures = network_statistics_for(users[SEC], network=network)
    first = charts.chart_svg("regions", figures)
    assert charts.chart_svg("regions", figures) is first
    with translation.override("fr"):
        french = charts.chart_svg("regions", network_statistics_for(users[SEC], network=network))
    assert french is not first
    assert "Afrique" in french


@pytest.mark.django_db
def test_the_page_is_light_and_complete_without_images(client, members):
    """Under 100 KB, nothing from another site, a captioned table under every chart."""
    response = client.get(reverse("network:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < MAX_PAGE_BYTES
    assert re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]*)"', html) == []
    assert "style=" not in html and "<script>" not in html
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 4
    for image in images:
        assert re.search(r'alt="[^"]+"', image) and "width=" in image and "height=" in image
    assert html.count("<caption>") == 4


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "zh-hans"])
def test_the_page_renders_in_every_language(client, members, language):
    """The page and its charts answer under each of the five language prefixes."""
    with translation.override(language):
        url = reverse("network:statistics")
        chart_url = reverse("network:statistics_chart", args=["regions"])
    assert url.startswith(f"/{language}/")
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()
    assert client.get(chart_url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [SEC, ANONYMOUS])
def test_the_page_query_count_does_not_grow_with_the_network(
    client, client_for, users, network, django_assert_max_num_queries, role
):
    """Six times as many members take no more queries: the figures are aggregates."""
    visitor = client if role == ANONYMOUS else client_for(users[role])
    url = reverse("network:statistics")
    codes = ["KE", "TH", "FR", "EC", "GY"]
    for index in range(10):
        member(
            network, f"Member {index}", codes[index % 5], joined=datetime.date(2000 + index, 1, 1)
        )
    with CaptureQueriesContext(connection) as small:
        assert visitor.get(url).status_code == 200
    for index in range(10, 60):
        member(
            network, f"Member {index}", codes[index % 5], joined=datetime.date(2000 + index, 1, 1)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert visitor.get(url).status_code == 200


@pytest.fixture
def quiet_coalition(countries):
    """An unlisted network in Africa: its coordinator may see it, a viewer may not."""
    return make_organisation(
        "Quiet Coalition",
        Country.objects.get(code="KE"),
        kind=OrganisationKind.COALITION,
        listed=False,
    )


@pytest.mark.django_db
def test_a_network_the_user_cannot_see_is_not_found(
    client, client_for, users, members, quiet_coalition
):
    """An unlisted coalition is 404 for a viewer and the public, as if it did not exist."""
    url = reverse("network:statistics")
    chart = reverse("network:statistics_chart", args=["regions"])
    query = {"network": quiet_coalition.pk}
    assert client_for(users[VIEWER]).get(url, query).status_code == 404
    assert client_for(users[VIEWER]).get(chart, query).status_code == 404
    assert client_for(users[COORD]).get(url, query).status_code == 200
    client.logout()
    assert client.get(url, query).status_code == 404
    assert client.get(url, {"network": "not-a-number"}).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_may_ask_for_the_global_network_only(client, members, network):
    """The public may name the global network; any other network, even listed, answers 404."""
    url = reverse("network:statistics")
    assert client.get(url, {"network": network.pk}).status_code == 200
    regional = make_organisation(
        "Listed Regional Network",
        Country.objects.get(code="FR"),
        kind=OrganisationKind.REGIONAL_NETWORK,
    )
    assert client.get(url, {"network": regional.pk}).status_code == 404


@pytest.mark.django_db
def test_a_missing_world_atlas_keeps_the_tables_and_says_how_to_fix_it(
    client, members, settings, tmp_path
):
    """Without the atlas the page keeps its tables, and the map says to run `make vendor`."""
    settings.CHORUS_WORLD_ATLAS = tmp_path / "missing.json"
    response = client.get(reverse("network:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "France" in html
    assert "statistics/map.svg" not in html
    with pytest.raises(charts.WorldAtlasMissing, match="make vendor"):
        charts.world_topology()
    response = client.get(reverse("network:statistics_chart", args=["map"]))
    assert response.status_code == 503
    assert "make vendor" in response.content.decode()


@pytest.mark.django_db
def test_a_png_can_be_made_for_reports(users, members, network):
    """Reports can have any chart as a PNG."""
    figures = network_statistics_for(users[SEC], network=network)
    png = core_charts.chart_png(charts.chart_spec("regions", figures))
    assert png.startswith(b"\x89PNG")
