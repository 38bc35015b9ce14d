"""Reads of the registry, scoped to what each user may see.

Visibility of an organisation:
- the secretariat sees every organisation;
- everyone signed in sees publicly listed organisations;
- a regional coordinator also sees the unlisted ones in their region, a member editor their own;
- anonymous visitors see nothing here (public figures come from `statistics`).
Memberships, positions and people follow the visibility of their organisation. Confidential
fields (the sex worker-led flag, notes) are read only within need-to-know scope, secret ones
(people's legal names and contacts) only by the secretariat; every such read is logged.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from chorus.core.audit import record_access
from chorus.core.models import Role
from chorus.core.scoping import RECORDERS, Scope, get_visible_or_404, has_role
from chorus.network.models import (
    NETWORK_KINDS,
    OPEN_APPLICATION_STATUSES,
    Membership,
    MembershipEvent,
    NetworkStatistic,
    Organisation,
    Person,
    Position,
)
from chorus.network.search import fold

REGION_PATH = "country__region"
ORGANISATION_PATH = "pk"


def _need_to_know(scope: Scope, prefix: str = "") -> Q:
    return scope.confidential_filter(
        region_path=prefix + REGION_PATH, organisation_path=(prefix + "pk") if prefix else "pk"
    )


def visible_organisation_filter(user, prefix: str = "") -> Q:
    """Return a filter, relative to `prefix` (e.g. "organisation__"), for visible organisations."""
    scope = Scope.of(user)
    if not scope.is_internal:
        return Q(pk__in=[])
    if scope.is_everything:
        return Q()
    return Q(**{prefix + "publicly_listed": True}) | _need_to_know(scope, prefix)


def organisations_for(
    user,
    *,
    search: str = "",
    region: str = "",
    country: str = "",
    kind: str = "",
    tier: str = "",
    status: str = "",
    network: int | None = None,
) -> QuerySet[Organisation]:
    queryset = Organisation.objects.filter(visible_organisation_filter(user))
    if search:
        queryset = queryset.filter(search_key__contains=fold(search.strip()))
    if region:
        queryset = queryset.filter(country__region=region)
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if kind:
        queryset = queryset.filter(kind=kind)
    if tier or status or network:
        memberships = Membership.objects.filter(organisation=OuterRef("pk"))
        if tier:
            memberships = memberships.filter(tier=tier)
        if status:
            memberships = memberships.filter(status=status)
        if network:
            memberships = memberships.filter(network_id=network)
        queryset = queryset.filter(Exists(memberships))
    return queryset.select_related("country").defer("sex_worker_led", "notes")


def organisation_for(user, pk: int) -> Organisation:
    return get_visible_or_404(organisations_for(user), pk=pk)


def _editable(user) -> QuerySet[Organisation]:
    scope = Scope.of(user)
    return Organisation.objects.filter(
        scope.editable_filter(region_path=REGION_PATH, organisation_path=ORGANISATION_PATH)
    )


def organisation_editable_for(user, pk: int) -> Organisation:
    return get_visible_or_404(_editable(user), pk=pk)


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return _editable(user).filter(pk=organisation.pk).exists()


def organisation_for_editing(user, pk: int) -> Organisation:
    """Return an organisation the user may edit; its form shows confidential data, so log it."""
    organisation = organisation_editable_for(user, pk)
    record_access(actor=user, obj=organisation, data_class="confidential", purpose="edit")
    return organisation


def organisation_confidential_for(user, organisation: Organisation) -> dict | None:
    """Return the confidential fields when the user needs to know them, logging the read."""
    scope = Scope.of(user)
    allowed = Organisation.objects.filter(_need_to_know(scope), pk=organisation.pk)
    if not scope.is_internal or not allowed.exists():
        return None
    full = Organisation.objects.only("sex_worker_led", "notes").get(pk=organisation.pk)
    record_access(actor=user, obj=organisation, data_class="confidential", purpose="view")
    return {"sex_worker_led": full.get_sex_worker_led_display(), "notes": full.notes}


def can_create_organisation(user) -> bool:
    return has_role(user, Role.REGIONAL_COORDINATOR)


def networks_for(user) -> QuerySet[Organisation]:
    """Networks and coalitions an organisation can be a member of."""
    return organisations_for(user).filter(kind__in=NETWORK_KINDS)


def memberships_of(user, organisation: Organisation) -> QuerySet[Membership]:
    """Memberships of a visible organisation, in networks the user can see, with their history."""
    return (
        Membership.objects.filter(organisation=organisation)
        .filter(visible_organisation_filter(user, "network__"))
        .select_related("network", "verified_by")
        .prefetch_related(
            Prefetch("events", queryset=MembershipEvent.objects.select_related("actor"))
        )
    )


def members_of(user, network: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(network=network)
        .filter(visible_organisation_filter(user, "organisation__"))
        .select_related("organisation", "organisation__country")
    )


def positions_at(user, organisation: Organisation, *, on: datetime.date | None = None):
    """Return (current, past) positions at a visible organisation, so rotation shows."""
    on = on or datetime.date.today()
    positions = list(
        Position.objects.filter(organisation=organisation)
        .select_related("person")
        .order_by("title", "-start")
    )
    current = [position for position in positions if position.is_current(on)]
    past = [position for position in positions if not position.is_current(on)]
    past.sort(key=lambda position: position.end or datetime.date.min, reverse=True)
    return current, past


def people_for(user, *, search: str = "") -> QuerySet[Person]:
    """People with a post in an organisation the user can see (all people for the secretariat)."""
    scope = Scope.of(user)
    if not scope.is_internal:
        return Person.objects.none()
    queryset = Person.objects.all()
    if not scope.is_everything:
        visible_positions = Position.objects.filter(person=OuterRef("pk")).filter(
            visible_organisation_filter(user, "organisation__")
        )
        queryset = queryset.filter(Exists(visible_positions))
    if search:
        queryset = queryset.filter(display_name__icontains=search.strip())
    return queryset.defer("legal_name", "contact")


def person_for(user, pk: int) -> Person:
    return get_visible_or_404(people_for(user), pk=pk)


def person_positions_for(user, person: Person) -> QuerySet[Position]:
    return (
        Position.objects.filter(person=person)
        .filter(visible_organisation_filter(user, "organisation__"))
        .select_related("organisation")
        .order_by("-start")
    )


def person_secret_for(user, person: Person) -> dict | None:
    """Return the person's secret fields for the secretariat only, logging the read."""
    if not Scope.of(user).is_everything:
        return None
    full = Person.objects.only("legal_name", "contact").get(pk=person.pk)
    record_access(actor=user, obj=person, data_class="secret", purpose="view")
    return {"legal_name": full.legal_name, "contact": full.contact}


def can_edit_people(user) -> bool:
    return has_role(user, *RECORDERS)


def applications_for(user) -> QuerySet[Membership]:
    """Open membership applications the user has a part in deciding or following."""
    scope = Scope.of(user)
    queryset = Membership.objects.filter(status__in=OPEN_APPLICATION_STATUSES)
    if not scope.is_everything:
        queryset = queryset.filter(
            scope.confidential_filter(
                region_path="organisation__country__region",
                organisation_path="organisation_id",
            )
        )
    return queryset.select_related("organisation", "organisation__country", "network").order_by(
        "id"
    )


def membership_visible_for(user, pk: int) -> Membership | None:
    """A membership whose organisation and network the user can both see, or None."""
    return (
        Membership.objects.filter(pk=pk)
        .filter(visible_organisation_filter(user, "organisation__"))
        .filter(visible_organisation_filter(user, "network__"))
        .select_related("organisation", "organisation__country", "network", "verified_by")
        .first()
    )


def person_for_editing(user, pk: int) -> Person:
    """Return a person to edit; for the secretariat the form shows secret fields, so log it."""
    person = person_for(user, pk)
    if Scope.of(user).is_everything:
        record_access(actor=user, obj=person, data_class="secret", purpose="edit")
    return person


def position_editable_for(user, pk: int) -> Position:
    scope = Scope.of(user)
    queryset = Position.objects.filter(
        scope.editable_filter(
            region_path="organisation__country__region", organisation_path="organisation_id"
        )
    ).select_related("organisation", "person")
    return get_visible_or_404(queryset, pk=pk)


def latest_network_statistic(network: Organisation | None = None) -> NetworkStatistic | None:
    queryset = NetworkStatistic.objects.select_related("network")
    if network is not None:
        queryset = queryset.filter(network=network)
    return queryset.order_by("-date").first()


def global_network() -> Organisation | None:
    return Organisation.objects.filter(kind="global_network").order_by("pk").first()
