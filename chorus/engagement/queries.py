"""Reads of the engagement log, scoped through the organisation that did the work.

An engagement is visible when its organisation is (see `network.queries`): listed organisations'
engagements to every signed-in user, unlisted ones' only on need-to-know. Partner organisations
and people shown on an engagement are filtered the same way, so an engagement never reveals an
unlisted partner.
"""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from chorus.core.models import Role
from chorus.core.scoping import RECORDERS, Scope, get_visible_or_404, has_role
from chorus.engagement.models import Attachment, Engagement, Event, Platform
from chorus.network.models import Organisation, OrganisationKind, Person
from chorus.network.queries import visible_organisation_filter


def _visible_partners(user) -> Prefetch:
    return Prefetch(
        "partners",
        queryset=Organisation.objects.filter(visible_organisation_filter(user)).only(
            "id", "name", "acronym", "publicly_listed"
        ),
    )


def engagements_for(
    user,
    *,
    search: str = "",
    platform: int | None = None,
    kind: str = "",
    level: str = "",
    region: str = "",
    year: int | None = None,
    strategy: str = "",
    barrier: str = "",
    organisation: int | None = None,
    partner: int | None = None,
) -> QuerySet[Engagement]:
    queryset = Engagement.objects.filter(visible_organisation_filter(user, "organisation__"))
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if platform:
        queryset = queryset.filter(Q(platform_id=platform) | Q(event__platform_id=platform))
    if kind:
        queryset = queryset.filter(kind=kind)
    if level:
        queryset = queryset.filter(level=level)
    if region:
        queryset = queryset.filter(organisation__country__region=region)
    if year:
        queryset = queryset.filter(start__year=year)
    if strategy:
        queryset = queryset.filter(strategies__icontains=f'"{strategy}"')
    if barrier:
        queryset = queryset.filter(barriers__icontains=f'"{barrier}"')
    if organisation:
        queryset = queryset.filter(organisation_id=organisation)
    if partner:
        queryset = queryset.filter(partners__id=partner)
    return queryset.select_related("organisation", "organisation__country", "platform", "event")


def engagement_for(user, pk: int) -> Engagement:
    queryset = engagements_for(user).prefetch_related(
        _visible_partners(user),
        Prefetch("people", queryset=visible_people(user)),
        "attachments",
    )
    return get_visible_or_404(queryset, pk=pk)


def _editable(user) -> QuerySet[Engagement]:
    scope = Scope.of(user)
    return Engagement.objects.filter(
        scope.editable_filter(
            region_path="organisation__country__region", organisation_path="organisation_id"
        )
    )


def engagement_editable_for(user, pk: int) -> Engagement:
    return get_visible_or_404(_editable(user).select_related("organisation"), pk=pk)


def can_edit_engagement(user, engagement: Engagement) -> bool:
    return _editable(user).filter(pk=engagement.pk).exists()


def can_record_engagements(user) -> bool:
    return has_role(user, *RECORDERS)


def reporting_organisations_for(user) -> QuerySet[Organisation]:
    """Organisations the user may record engagements for."""
    scope = Scope.of(user)
    return Organisation.objects.filter(
        scope.editable_filter(region_path="country__region", organisation_path="pk")
    ).only("id", "name", "acronym")


def partner_choices_for(user) -> QuerySet[Organisation]:
    """Allies, UN bodies, donors, networks and coalitions: the usual partners of an engagement.

    Member organisations are left out of the choice list to keep the form light; they take part
    as the organisation recording the engagement.
    """
    return (
        Organisation.objects.filter(visible_organisation_filter(user))
        .exclude(kind=OrganisationKind.MEMBER)
        .only("id", "name", "acronym")
    )


def visible_people(user) -> QuerySet[Person]:
    from chorus.network.queries import people_for

    return people_for(user).only("id", "display_name")


def people_choices_for(user) -> QuerySet[Person]:
    """People who hold a post in a partner organisation or a network."""
    return (
        visible_people(user)
        .filter(
            positions__organisation__kind__in=[
                kind for kind in OrganisationKind.values if kind != OrganisationKind.MEMBER
            ]
        )
        .distinct()
    )


def attachment_for(user, pk: int) -> Attachment:
    return get_visible_or_404(
        Attachment.objects.filter(engagement__in=engagements_for(user).values("pk")).select_related(
            "engagement"
        ),
        pk=pk,
    )


def platforms_for(user) -> QuerySet[Platform]:
    if not Scope.of(user).is_internal:
        return Platform.objects.none()
    return Platform.objects.annotate(
        event_count=Count("events", distinct=True), last_event=Max("events__start")
    )


def platform_for(user, pk: int) -> Platform:
    return get_visible_or_404(platforms_for(user), pk=pk)


def events_for(user, platform: Platform | None = None) -> QuerySet[Event]:
    if not Scope.of(user).is_internal:
        return Event.objects.none()
    queryset = Event.objects.select_related("platform", "country")
    return queryset.filter(platform=platform) if platform else queryset


def can_manage_platforms(user) -> bool:
    return has_role(user, Role.REGIONAL_COORDINATOR)


def coalitions_for(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(visible_organisation_filter(user)).filter(
        kind=OrganisationKind.COALITION
    )


def coalition_for(user, pk: int) -> Organisation:
    return get_visible_or_404(coalitions_for(user), pk=pk)


def coalition_history(user, coalition: Organisation) -> dict:
    """Members with their dated status history, and the coalition's joint engagements."""
    from chorus.network.queries import members_of

    members = members_of(user, coalition).prefetch_related("events").order_by("tier", "joined")
    engagements = (
        engagements_for(user).filter(Q(organisation=coalition) | Q(partners=coalition)).distinct()
    )
    return {"members": members, "engagements": engagements}
