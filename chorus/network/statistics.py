"""Network statistics: how many member organisations there are, where, in which tier, since when.

Every figure is counted over the memberships the user may see, so an unlisted member never shows
to someone who may not know of it, not even as one more in a total. Public figures (anonymous
visitors and the viewer role) also hide small cells: a country with fewer than
`settings.CHORUS_PUBLIC_MIN_CELL` member organisations is not named; its organisations are merged
into one "other countries" line in its region, so region totals stay right.

Figures are computed with a handful of aggregate queries, whatever the number of organisations.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Func, Q, QuerySet
from django.db.models.functions import ExtractYear, Substr
from django.http import Http404

from chorus.core.models import Region, Role
from chorus.core.scoping import Scope, get_visible_or_404
from chorus.network.models import Membership, MembershipStatus, NetworkStatistic, Organisation, Tier
from chorus.network.places import country_name
from chorus.network.queries import (
    global_network,
    latest_network_statistic,
    networks_for,
    visible_organisation_filter,
)
from chorus.network.search import fold

# Roles that see public figures, with small cells hidden.
PUBLIC_ROLES = ("anonymous", Role.VIEWER)


@dataclass(frozen=True)
class CountryFigure:
    code: str
    name: str
    region: str
    count: int


@dataclass(frozen=True)
class RegionFigure:
    region: str
    label: str
    count: int
    # Countries that may be named, by name.
    countries: tuple[CountryFigure, ...]
    # Organisations in countries too small to name; they are in `count` too.
    other_count: int


@dataclass(frozen=True)
class TierFigure:
    tier: str
    label: str
    count: int


@dataclass(frozen=True)
class YearFigure:
    year: int
    count: int


@dataclass(frozen=True)
class NetworkStatistics:
    """Figures about one network's current members, as far as one user may see them."""

    network: Organisation | None
    member_count: int
    country_count: int
    # All five regions, in the constitution's order, zero allowed.
    regions: tuple[RegionFigure, ...]
    tiers: tuple[TierFigure, ...]
    years: tuple[YearFigure, ...]
    # Countries that may be named (the map shades only these), by name.
    countries: tuple[CountryFigure, ...]
    without_country: int
    without_year: int
    # Whether small cells are hidden (public figures).
    suppressed: bool
    min_cell: int
    published: NetworkStatistic | None

    @property
    def other_count(self) -> int:
        """Return how many organisations are counted only in "other countries" lines."""
        return sum(region.other_count for region in self.regions)


def is_public(user) -> bool:
    """Whether the user sees public figures, in which small cells are hidden."""
    return Scope.of(user).role in PUBLIC_ROLES


def _visible_members(user, network: Organisation) -> QuerySet[Membership]:
    scope = Scope.of(user)
    # visible_organisation_filter shows nothing to anonymous visitors; public figures are
    # counted over the publicly listed organisations only.
    if scope.is_internal:
        visible = visible_organisation_filter(user, "organisation__")
    else:
        visible = Q(organisation__publicly_listed=True)
    # order_by() drops the model's ordering, which would otherwise join and group by names.
    return (
        Membership.objects.filter(network=network, status=MembershipStatus.MEMBER)
        .filter(visible)
        .order_by()
    )


def _joined_year() -> Func:
    # SQLite stores dates as "YYYY-MM-DD" text, and Django's year extraction there calls back into
    # Python for every row (a third of the time over 10,000 members); the first four characters
    # are the year and SQLite takes them natively.
    if connection.vendor == "sqlite":
        return Substr("joined", 1, 4)
    return ExtractYear("joined")


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def statistics_network_for(user, pk: str | int | None = None) -> Organisation | None:
    """Return the network to count: the global network by default, or one the user may see.

    Anonymous visitors may only ask for the global network; any other value answers 404, the same
    as a network that does not exist.
    """
    if pk in (None, ""):
        return global_network()
    try:
        pk = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    if not Scope.of(user).is_internal:
        network = global_network()
        if network is None or network.pk != pk:
            raise Http404
        return network
    return get_visible_or_404(networks_for(user), pk=pk)


def network_statistics_for(user, *, network: Organisation | None = None) -> NetworkStatistics:
    """Return the figures about the network's current members that the user may see.

    `network` defaults to the global network; check a network asked for in a request with
    `statistics_network_for` first. Country names are in the active language.
    """
    network = network or global_network()
    min_cell = settings.CHORUS_PUBLIC_MIN_CELL
    suppressed = is_public(user)
    if network is None:
        return NetworkStatistics(
            network=None,
            member_count=0,
            country_count=0,
            regions=tuple(
                RegionFigure(str(region), str(region.label), 0, (), 0) for region in Region
            ),
            tiers=(),
            years=(),
            countries=(),
            without_country=0,
            without_year=0,
            suppressed=suppressed,
            min_cell=min_cell,
            published=None,
        )
    members = _visible_members(user, network)

    by_country = (
        members.values("organisation__country_id", "organisation__country__region")
        .annotate(count=Count("pk"))
        .order_by()
    )
    region_counts = {str(region): 0 for region in Region}
    region_countries: dict[str, list[CountryFigure]] = {str(region): [] for region in Region}
    region_other = {str(region): 0 for region in Region}
    without_country = 0
    country_count = 0
    for row in by_country:
        code, region, count = (
            row["organisation__country_id"],
            row["organisation__country__region"],
            row["count"],
        )
        if code is None:
            without_country += count
            continue
        country_count += 1
        region_counts[region] = region_counts.get(region, 0) + count
        if suppressed and count < min_cell:
            region_other[region] = region_other.get(region, 0) + count
        else:
            region_countries.setdefault(region, []).append(
                CountryFigure(code=code, name=country_name(code), region=region, count=count)
            )
    for countries in region_countries.values():
        countries.sort(key=lambda country: fold(country.name))
    regions = tuple(
        RegionFigure(
            region=str(region),
            label=str(region.label),
            count=region_counts[str(region)],
            countries=tuple(region_countries[str(region)]),
            other_count=region_other[str(region)],
        )
        for region in Region
    )
    countries = tuple(
        sorted(
            (country for region in regions for country in region.countries),
            key=lambda country: fold(country.name),
        )
    )

    tier_counts = dict(
        members.values("tier").annotate(count=Count("pk")).order_by().values_list("tier", "count")
    )
    order = {tier: index for index, tier in enumerate(Tier.values)}
    tiers = tuple(
        TierFigure(tier=tier, label=_label(Tier, tier), count=count)
        for tier, count in sorted(tier_counts.items(), key=lambda item: order.get(item[0], 99))
        if count
    )

    year_counts = dict(
        members.annotate(year=_joined_year())
        .values("year")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("year", "count")
    )
    without_year = year_counts.pop(None, 0)
    years = tuple(
        YearFigure(year=int(year), count=year_counts[year]) for year in sorted(year_counts)
    )

    return NetworkStatistics(
        network=network,
        member_count=sum(region_counts.values()) + without_country,
        country_count=country_count,
        regions=regions,
        tiers=tiers,
        years=years,
        countries=countries,
        without_country=without_country,
        without_year=without_year,
        suppressed=suppressed,
        min_cell=min_cell,
        published=latest_network_statistic(network),
    )
