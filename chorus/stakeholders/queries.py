"""Reads of the stakeholder map: timelines, the power map, the movable middle and alerts.

Observations of an organisation are visible when the organisation is (see `network.queries`);
observations of a person when the person is. Stance data is internal: any signed-in role may
read it, nobody signed out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from chorus.core.scoping import RECORDERS, Scope, has_role
from chorus.engagement.models import Engagement, EngagementPartner
from chorus.network.models import Organisation, Person, Position
from chorus.network.queries import (
    organisation_for,
    people_for,
    person_for,
    visible_organisation_filter,
)
from chorus.stakeholders import analysis
from chorus.stakeholders.models import (
    MOVABLE_MIDDLE,
    Alert,
    AlertKind,
    BacklashPreparation,
    ChecklistItem,
    Influence,
    InfluenceAssessment,
    Issue,
    Stance,
    StanceObservation,
)

Actor = analysis.Actor
INFLUENTIAL = Influence.HIGH
# How many of the movable middle the page lists with a suggested next step.
MIDDLE_LISTED = 50


def _visible(user, queryset: QuerySet) -> QuerySet:
    scope = Scope.of(user)
    if not scope.is_internal:
        return queryset.none()
    if scope.is_everything:
        return queryset
    # A person is visible through a post in a visible organisation (as in `people_for`); tested
    # per row, so it costs nothing for the many observations of organisations.
    person_visible = Exists(
        Position.objects.filter(person=OuterRef("person")).filter(
            visible_organisation_filter(user, "organisation__")
        )
    )
    return queryset.filter(
        Q(organisation__isnull=False) & visible_organisation_filter(user, "organisation__")
        | Q(person__isnull=False) & person_visible
    )


def observations_for(user) -> QuerySet[StanceObservation]:
    return _visible(user, StanceObservation.objects.all())


def can_record(user) -> bool:
    return has_role(user, *RECORDERS)


def _current_rows(user, issue: str = ""):
    """Each actor's current observation (per issue), with the one before it.

    `is_current` and `previous_*` are derived by `actions.series_refresh` whenever a series
    changes, so this reads one row per actor and issue instead of every observation.
    """
    queryset = observations_for(user).filter(is_current=True)
    if issue:
        queryset = queryset.filter(issue=issue)
    return queryset


def _points(stance, observed_on, pk, previous_stance, previous_on) -> list[analysis.Point]:
    points = [analysis.Point(pk, observed_on, stance)]
    if previous_stance is not None:
        points.insert(0, analysis.Point(0, previous_on, previous_stance))
    return points


def _latest_level(field: str) -> Subquery:
    """The latest influence level of the outer row's actor, read through one index.

    `field` is "organisation_id" or "person_id", a column of both the outer row and the
    assessments; the latest assessment counts (by date, then by when it was recorded).
    """
    return Subquery(
        InfluenceAssessment.objects.filter(**{field: OuterRef(field)})
        .order_by("-assessed_on", "-id")
        .values("level")[:1]
    )


def _actor_level() -> Coalesce:
    """The latest influence level of an observation's actor (organisation or person)."""
    return Coalesce(_latest_level("organisation_id"), _latest_level("person_id"))


def _display_name(organisation_name, acronym, person_name) -> str:
    """An actor's name as `str()` of the organisation or the person's display name gives it."""
    if organisation_name is None:
        return person_name or "?"
    return f"{organisation_name} ({acronym})" if acronym else organisation_name


def _latest_contact_ids(user, organisation_ids: list[int]) -> dict[int, int]:
    """The latest visible engagement with each organisation, as {organisation: engagement}.

    A correlated subquery walks each organisation's partner rows newest first (one index) and
    stops at the first engagement the user may see, instead of reading every row and grouping.
    """
    rows = (
        Organisation.objects.filter(pk__in=organisation_ids)
        .annotate(latest=Subquery(_latest_partner(user).values("engagement_id")[:1]))
        .exclude(latest=None)
        .order_by()
        .values_list("pk", "latest")
    )
    return dict(rows)


def _latest_partner(user) -> QuerySet[EngagementPartner]:
    """The outer organisation's partner rows the user may see, newest first."""
    return (
        EngagementPartner.objects.filter(organisation_id=OuterRef("pk"))
        .filter(visible_organisation_filter(user, "engagement__organisation__"))
        .order_by("-start", "-engagement_id")
    )


def _engagement_contacts(engagement_ids) -> dict[int, analysis.Contact]:
    return {
        pk: analysis.Contact(start, pk, title)
        for pk, start, title in Engagement.objects.filter(pk__in=list(engagement_ids)).values_list(
            "pk", "start", "title"
        )
    }


def _contacts(user, middle: list[tuple]) -> dict[Actor, tuple]:
    """For each (actor, points): the last contact, and the contacts a next step may name.

    For an organisation that is the latest contact between its last two stances, read only when
    it moved toward us (the one case where `analysis.next_step` names a contact); for a person,
    every contact. Engagement titles are read only for the contacts returned.
    """
    visible = visible_organisation_filter(user, "engagement__organisation__")
    organisation_ids = [actor[1] for actor, _points in middle if actor[0] == "organisation"]
    person_ids = [actor[1] for actor, _points in middle if actor[0] == "person"]
    latest = _latest_contact_ids(user, organisation_ids) if organisation_ids else {}
    windows = [
        Q(organisation_id=actor[1], start__gte=points[-2].date, start__lte=points[-1].date)
        for actor, points in middle
        if actor[0] == "organisation" and analysis.moved_toward_us(points)
    ]
    in_window: dict[int, tuple] = {}
    if windows:
        # One OR of the windows, built in one step (combining them pairwise copies the tree).
        for organisation_id, engagement_id, start in (
            EngagementPartner.objects.filter(Q(*windows, _connector=Q.OR))
            .filter(visible)
            .values_list("organisation_id", "engagement_id", "start")
        ):
            in_window[organisation_id] = max(
                in_window.get(organisation_id, (start, engagement_id)), (start, engagement_id)
            )
    # People's engagements, for every person of the middle at once.
    personal: dict[int, list[int]] = defaultdict(list)
    if person_ids:
        for person_id, engagement_id in (
            Engagement.people.through.objects.filter(person_id__in=person_ids)
            .filter(visible)
            .values_list("person_id", "engagement_id")
        ):
            personal[person_id].append(engagement_id)
    wanted = set(latest.values())
    wanted.update(engagement_id for _start, engagement_id in in_window.values())
    for engagement_ids in personal.values():
        wanted.update(engagement_ids)
    details = _engagement_contacts(wanted) if wanted else {}
    result: dict[Actor, tuple] = {}
    for actor, _points in middle:
        if actor[0] == "organisation":
            last = details.get(latest.get(actor[1]))
            window = in_window.get(actor[1])
            window_contacts = [details[window[1]]] if window else []
        else:
            contacts = sorted(
                (details[pk] for pk in personal.get(actor[1], ())),
                key=lambda contact: contact.date,
            )
            last = contacts[-1] if contacts else None
            window_contacts = contacts
        result[actor] = (last, window_contacts)
    return result


def actor_url(actor: Actor) -> str:
    kind, pk = actor
    name = (
        "stakeholders:organisation_timeline"
        if kind == "organisation"
        else "stakeholders:person_timeline"
    )
    return reverse(name, args=[pk])


@dataclass(slots=True)
class MapActor:
    actor: Actor
    name: str
    kind: str
    region: str
    stance: int
    influence: int | None
    observed_on: datetime.date
    last_contact: datetime.date | None = None
    next_step: str = ""

    @property
    def url(self) -> str:
        # Reversed only for the rows a page shows: thousands of reverse() calls cost more than
        # the whole map's queries.
        return actor_url(self.actor)

    @property
    def stance_label(self) -> str:
        return Stance(self.stance).label

    @property
    def in_movable_middle(self) -> bool:
        return analysis.in_movable_middle(self.stance)


def _middle_order(actor: MapActor) -> tuple:
    return (-(actor.influence or 0), -actor.stance, actor.name)


@dataclass
class PowerMap:
    issue: str
    actors: list[MapActor] = field(default_factory=list)

    @cached_property
    def movable_middle_all(self) -> list[MapActor]:
        middle = [actor for actor in self.actors if actor.in_movable_middle]
        return sorted(middle, key=_middle_order)

    @property
    def movable_middle(self) -> list[MapActor]:
        """The most influential of the movable middle, each with a suggested next step."""
        return self.movable_middle_all[:MIDDLE_LISTED]


def power_map_for(
    user,
    *,
    issue: str = Issue.DECRIMINALISATION,
    region: str = "",
    kind: str = "",
    today: datetime.date | None = None,
) -> PowerMap:
    """Every visible actor's current stance on the issue with their influence and next step.

    One query reads each actor's current observation with the actor's name, kind, region and
    latest influence level (a correlated subquery on the assessments' index); the region and
    kind filters are applied in the database. Contacts are read only for the listed middle.
    """
    today = today or datetime.date.today()
    queryset = _current_rows(user, issue)
    if region:
        # People have no region: a region filter keeps organisations of that region only.
        queryset = queryset.filter(organisation__country__region=region)
    if kind == "person":
        queryset = queryset.filter(person__isnull=False)
    elif kind:
        queryset = queryset.filter(organisation__kind=kind)
    rows = queryset.annotate(level=_actor_level()).values_list(
        "organisation_id",
        "person_id",
        "stance",
        "observed_on",
        "id",
        "previous_stance",
        "previous_on",
        "organisation__name",
        "organisation__acronym",
        "organisation__kind",
        "organisation__country__region",
        "person__display_name",
        "level",
    )
    result = PowerMap(issue=issue)
    actors = result.actors
    middle = []
    for (
        organisation_id,
        person_id,
        stance,
        observed_on,
        pk,
        previous,
        previous_on,
        organisation_name,
        acronym,
        organisation_kind,
        organisation_region,
        person_name,
        level,
    ) in rows:
        if organisation_id:
            item = MapActor(
                ("organisation", organisation_id),
                f"{organisation_name} ({acronym})" if acronym else organisation_name,
                organisation_kind,
                organisation_region or "",
                stance,
                level,
                observed_on,
            )
        else:
            item = MapActor(
                ("person", person_id), person_name, "person", "", stance, level, observed_on
            )
        actors.append(item)
        if stance in MOVABLE_MIDDLE:
            middle.append((item, (stance, observed_on, pk, previous, previous_on)))
    # Next steps for the most influential of the middle: the list shows those first, and
    # reading every contact of thousands of actors would slow the page for rows nobody reads.
    middle.sort(key=lambda entry: _middle_order(entry[0]))
    listed = [(item, _points(*facts)) for item, facts in middle[:MIDDLE_LISTED]]
    contacts = _contacts(user, [(item.actor, points) for item, points in listed]) if listed else {}
    for item, points in listed:
        last, between = contacts[item.actor]
        item.last_contact = last.date if last else None
        item.next_step = analysis.next_step(points, last, between, today)
    actors.sort(key=lambda a: (a.stance, -(a.influence or 0), a.name))
    return result


@dataclass(frozen=True)
class DetectedAlert:
    """A detected alert; its sentence is written only when shown, in the reader's language."""

    kind: str
    trigger: str
    actor: Actor
    name: str
    issue: str
    detected_on: datetime.date
    # Kind-specific facts: (recent best stance, new stance) for a reversal;
    # (title, organisation) for a rotation; the last contact date (or None) for a stalled ally.
    facts: tuple = ()

    @property
    def url(self) -> str:
        return actor_url(self.actor)

    @property
    def kind_label(self) -> str:
        return AlertKind(self.kind).label

    @property
    def message(self) -> str:
        if self.kind == AlertKind.REVERSAL:
            before, after = self.facts
            return _("%(name)s moved from “%(before)s” to “%(after)s” on %(issue)s (%(date)s).") % {
                "name": self.name,
                "before": Stance(before).label,
                "after": Stance(after).label,
                "issue": Issue(self.issue).label,
                "date": self.detected_on.isoformat(),
            }
        if self.kind == AlertKind.ROTATION_OUT:
            title, organisation = self.facts
            return _("%(name)s, an ally, left the post of %(title)s at %(organisation)s.") % {
                "name": self.name,
                "title": title,
                "organisation": organisation,
            }
        if self.kind == AlertKind.ROTATION_IN:
            title, organisation = self.facts
            return _(
                "%(name)s, who opposes us, took the post of %(title)s at %(organisation)s."
            ) % {"name": self.name, "title": title, "organisation": organisation}
        (last_date,) = self.facts
        if last_date:
            return _("No engagement with %(name)s, an ally, since %(date)s.") % {
                "name": self.name,
                "date": last_date.isoformat(),
            }
        return _("No engagement with %(name)s, an ally, has been recorded.") % {"name": self.name}


def _reversal_alerts(user) -> list[DetectedAlert]:
    """Observations at least REVERSAL_BANDS below their recent best, with the actor's name."""
    rows = (
        observations_for(user)
        .filter(recent_best__gte=F("stance") + analysis.REVERSAL_BANDS)
        .values_list(
            "organisation_id",
            "person_id",
            "issue",
            "stance",
            "observed_on",
            "id",
            "recent_best",
            "organisation__name",
            "organisation__acronym",
            "person__display_name",
        )
    )
    return [
        DetectedAlert(
            kind=AlertKind.REVERSAL,
            trigger=f"observation:{pk}",
            actor=analysis.actor_of(organisation_id, person_id),
            name=_display_name(organisation_name, acronym, person_name),
            issue=issue,
            detected_on=observed_on,
            facts=(best, stance),
        )
        for (
            organisation_id,
            person_id,
            issue,
            stance,
            observed_on,
            pk,
            best,
            organisation_name,
            acronym,
            person_name,
        ) in rows
    ]


def _rotation_alerts(user, today: datetime.date) -> list[DetectedAlert]:
    """Allies who left, and opponents who took, an influential post in the last year."""
    # A person's stance for rotations: their latest current observation on any issue.
    person_stance: dict[int, int] = {}
    for person_id, stance in (
        observations_for(user)
        .filter(is_current=True, person__isnull=False)
        .order_by("observed_on", "id")
        .values_list("person_id", "stance")
    ):
        person_stance[person_id] = stance
    if not person_stance:
        return []
    since = today - datetime.timedelta(days=365)
    # Influential: the post's organisation, or the person, was last assessed as highly
    # influential. Levels are only compared here, never shown, and the posts are filtered to
    # organisations the user can see.
    posts = (
        Position.objects.filter(person_id__in=list(person_stance))
        .filter(Q(end__gte=since, end__lte=today) | Q(start__gte=since, start__lte=today))
        .filter(visible_organisation_filter(user, "organisation__"))
        .annotate(
            organisation_level=_latest_level("organisation_id"),
            person_level=_latest_level("person_id"),
        )
        .filter(Q(organisation_level__gte=INFLUENTIAL) | Q(person_level__gte=INFLUENTIAL))
        .values_list(
            "pk",
            "person_id",
            "person__display_name",
            "title",
            "organisation__name",
            "organisation__acronym",
            "start",
            "end",
        )
    )
    found = []
    for pk, person_id, person_name, title, organisation_name, acronym, start, end in posts:
        stance = person_stance[person_id]
        organisation = _display_name(organisation_name, acronym, None)
        if stance >= Stance.PASSIVE_ALLY and end and since <= end <= today:
            found.append(
                DetectedAlert(
                    kind=AlertKind.ROTATION_OUT,
                    trigger=f"position-end:{pk}",
                    actor=("person", person_id),
                    name=person_name,
                    issue="",
                    detected_on=end,
                    facts=(title, organisation),
                )
            )
        if stance <= Stance.PASSIVE_OPPOSITION and start and since <= start <= today:
            found.append(
                DetectedAlert(
                    kind=AlertKind.ROTATION_IN,
                    trigger=f"position-start:{pk}",
                    actor=("person", person_id),
                    name=person_name,
                    issue="",
                    detected_on=start,
                    facts=(title, organisation),
                )
            )
    return found


def _stalled_alerts(user, today: datetime.date) -> list[DetectedAlert]:
    """Organisations whose current stance on some issue is an ally's, with no recent engagement.

    One query: the visible organisations with a current ally stance (a subquery on a partial
    index of current observations) and no engagement the user can see since the cutoff (`NOT
    EXISTS` on the partners' (organisation, start) index); the date of the last engagement the
    user can see is read for those rows only.
    """
    cutoff = today - datetime.timedelta(days=settings.CHORUS_STALLED_ALLY_DAYS)
    allies = StanceObservation.objects.filter(
        is_current=True, stance__gte=Stance.PASSIVE_ALLY, organisation__isnull=False
    ).values("organisation_id")
    rows = (
        Organisation.objects.filter(pk__in=allies)
        .filter(visible_organisation_filter(user))
        # Stalled: no engagement the user can see in the last CHORUS_STALLED_ALLY_DAYS days.
        .exclude(Exists(_latest_partner(user).filter(start__gte=cutoff)))
        .annotate(
            last_contact=Subquery(_latest_partner(user).order_by("-start").values("start")[:1])
        )
        .values_list("pk", "name", "acronym", "last_contact")
    )
    return [
        DetectedAlert(
            kind=AlertKind.STALLED,
            trigger=f"stalled:{pk}:{last_date.isoformat() if last_date else 'never'}",
            actor=("organisation", pk),
            name=_display_name(name, acronym, None),
            issue="",
            detected_on=today,
            facts=(last_date,),
        )
        for pk, name, acronym, last_date in rows
    ]


ALERT_ORDER = {
    AlertKind.REVERSAL: 0,
    AlertKind.ROTATION_OUT: 1,
    AlertKind.ROTATION_IN: 2,
    AlertKind.STALLED: 3,
}


def alerts_for(
    user, *, today: datetime.date | None = None, include_acknowledged: bool = False
) -> list[DetectedAlert]:
    """Reversals, rotations and stalled allies among the actors the user can see.

    Each kind is one or two queries that return only the rows that alert, names included.
    """
    today = today or datetime.date.today()
    if not Scope.of(user).is_internal:
        return []
    found = _reversal_alerts(user) + _rotation_alerts(user, today) + _stalled_alerts(user, today)
    if not include_acknowledged:
        acknowledged = set(
            Alert.objects.filter(acknowledged_at__isnull=False)
            .order_by()
            .values_list("kind", "trigger")
        )
        if acknowledged:
            found = [alert for alert in found if (alert.kind, alert.trigger) not in acknowledged]
    found.sort(key=lambda alert: (ALERT_ORDER[alert.kind], alert.detected_on))
    return found


def alert_for(user, kind: str, trigger: str) -> DetectedAlert | None:
    for alert in alerts_for(user):
        if alert.kind == kind and alert.trigger == trigger:
            return alert
    return None


@dataclass
class Timeline:
    actor: Actor
    name: str
    observations: list[StanceObservation]
    current: dict[str, StanceObservation]
    influence: list[InfluenceAssessment]
    engagements: list[Engagement]
    positions: list[Position]


def timeline_for(
    user, *, organisation_id: int | None = None, person_id: int | None = None
) -> Timeline:
    """Everything recorded about one actor's stance over time; 404 outside the user's scope."""
    if organisation_id is not None:
        subject = organisation_for(user, organisation_id)
        actor: Actor = ("organisation", subject.pk)
        observations = observations_for(user).filter(organisation=subject)
        influence = InfluenceAssessment.objects.filter(organisation=subject)
        engagements = Engagement.objects.filter(partners=subject)
        positions = Position.objects.filter(organisation=subject).select_related("person")
        name = str(subject)
    else:
        subject = person_for(user, person_id)
        actor = ("person", subject.pk)
        observations = observations_for(user).filter(person=subject)
        influence = InfluenceAssessment.objects.filter(person=subject)
        engagements = Engagement.objects.filter(people=subject)
        positions = (
            Position.objects.filter(person=subject)
            .filter(visible_organisation_filter(user, "organisation__"))
            .select_related("organisation")
        )
        name = subject.display_name
    observations = list(
        observations.select_related("evidence_engagement", "recorded_by").order_by(
            "observed_on", "id"
        )
    )
    current = {}
    for observation in observations:
        current[observation.issue] = observation
    engagements = list(
        engagements.filter(visible_organisation_filter(user, "organisation__"))
        .select_related("organisation")
        .order_by("-start")[:50]
    )
    return Timeline(
        actor=actor,
        name=name,
        observations=observations,
        current=current,
        influence=list(influence.order_by("assessed_on")),
        engagements=engagements,
        positions=list(positions.order_by("-start")),
    )


def backlash_checklist_for(user, ally: Organisation) -> dict:
    """The ally's checklist items, in general and per engagement, with every item listed."""
    rows = BacklashPreparation.objects.filter(ally=ally).select_related("engagement")
    by_engagement: dict[int | None, dict[str, BacklashPreparation]] = defaultdict(dict)
    for row in rows:
        by_engagement[row.engagement_id][row.item] = row
    return {"items": ChecklistItem.choices, "rows": by_engagement}


def actor_choices(user) -> tuple[QuerySet[Organisation], QuerySet[Person]]:
    organisations = (
        Organisation.objects.filter(visible_organisation_filter(user))
        .exclude(kind="member")
        .only("id", "name", "acronym")
    )
    return organisations, people_for(user).only("id", "display_name")
