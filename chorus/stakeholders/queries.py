"""Reads of the stakeholder map: timelines, the power map, the movable middle and alerts.

Observations of an organisation are visible when the organisation is (see `network.queries`);
observations of a person when the person is. Stance data is internal: any signed-in role may
read it, nobody signed out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
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


def _latest_influence(actors: set[Actor]) -> dict[Actor, int]:
    """The latest influence level of each of these (already visible) actors."""
    organisation_ids = [pk for kind, pk in actors if kind == "organisation"]
    person_ids = [pk for kind, pk in actors if kind == "person"]
    levels: dict[Actor, int] = {}
    rows = (
        InfluenceAssessment.objects.filter(
            Q(organisation_id__in=organisation_ids) | Q(person_id__in=person_ids)
        )
        .order_by("assessed_on", "id")
        .values_list("organisation_id", "person_id", "level")
    )
    for organisation_id, person_id, level in rows:
        levels[analysis.actor_of(organisation_id, person_id)] = level
    return levels


def _latest_contact_ids(user, organisation_ids: list[int]) -> dict[int, int]:
    """The latest visible engagement with each organisation, as {organisation: engagement}.

    A correlated subquery walks each organisation's partner rows newest first (one index) and
    stops at the first engagement the user may see, instead of reading every row and grouping.
    """
    latest = (
        EngagementPartner.objects.filter(organisation_id=OuterRef("pk"))
        .filter(visible_organisation_filter(user, "engagement__organisation__"))
        .order_by("-start", "-engagement_id")
        .values("engagement_id")[:1]
    )
    rows = (
        Organisation.objects.filter(pk__in=organisation_ids)
        .annotate(latest=Subquery(latest))
        .exclude(latest=None)
        .values_list("pk", "latest")
    )
    return dict(rows)


def _engagement_contacts(engagement_ids) -> dict[int, analysis.Contact]:
    return {
        pk: analysis.Contact(start, pk, title)
        for pk, start, title in Engagement.objects.filter(pk__in=list(engagement_ids)).values_list(
            "pk", "start", "title"
        )
    }


def _contacts(user, middle: list[tuple]) -> dict[Actor, tuple]:
    """For each (actor, points): the last contact, and contacts between its last two stances."""
    visible = visible_organisation_filter(user, "engagement__organisation__")
    organisation_ids = [actor[1] for actor, _points in middle if actor[0] == "organisation"]
    latest = _latest_contact_ids(user, organisation_ids)
    window = Q(pk__in=[])
    for actor, points in middle:
        if actor[0] == "organisation" and len(points) > 1:
            window |= Q(
                organisation_id=actor[1], start__gte=points[-2].date, start__lte=points[-1].date
            )
    between = list(
        EngagementPartner.objects.filter(window)
        .filter(visible)
        .values_list("organisation_id", "engagement_id")
    )
    details = _engagement_contacts(set(latest.values()) | {pk for _org, pk in between})
    result: dict[Actor, tuple] = {}
    for actor, _points in middle:
        if actor[0] == "organisation":
            last = details.get(latest.get(actor[1]))
            window_contacts = sorted(
                (details[pk] for org, pk in between if org == actor[1]), key=lambda c: c.date
            )
        else:
            person_rows = (
                Engagement.people.through.objects.filter(person_id=actor[1])
                .filter(visible)
                .values_list("engagement_id", flat=True)
            )
            contacts = sorted(
                _engagement_contacts(person_rows).values(), key=lambda contact: contact.date
            )
            last = contacts[-1] if contacts else None
            window_contacts = contacts
        result[actor] = (last, window_contacts)
    return result


def _last_contacts(user, actors: set[Actor]) -> dict[Actor, datetime.date]:
    """The date of the latest engagement each organisation took part in, that the user can see."""
    organisation_ids = [pk for kind, pk in actors if kind == "organisation"]
    latest = _latest_contact_ids(user, organisation_ids)
    dates = dict(Engagement.objects.filter(pk__in=list(latest.values())).values_list("pk", "start"))
    return {("organisation", pk): dates[engagement] for pk, engagement in latest.items()}


def _names(actors: set[Actor]) -> dict[Actor, tuple[str, str, str]]:
    """Name, kind and region of each actor."""
    names = {}
    organisation_ids = [pk for kind, pk in actors if kind == "organisation"]
    for pk, name, acronym, kind, region in Organisation.objects.filter(
        pk__in=organisation_ids
    ).values_list("pk", "name", "acronym", "kind", "country__region"):
        names[("organisation", pk)] = (
            f"{name} ({acronym})" if acronym else name,
            kind,
            region or "",
        )
    person_ids = [pk for kind, pk in actors if kind == "person"]
    for pk, name in Person.objects.filter(pk__in=person_ids).values_list("pk", "display_name"):
        names[("person", pk)] = (name, "person", "")
    return names


def actor_url(actor: Actor) -> str:
    kind, pk = actor
    name = (
        "stakeholders:organisation_timeline"
        if kind == "organisation"
        else "stakeholders:person_timeline"
    )
    return reverse(name, args=[pk])


@dataclass
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


@dataclass
class PowerMap:
    issue: str
    actors: list[MapActor] = field(default_factory=list)

    @property
    def movable_middle_all(self) -> list[MapActor]:
        middle = [actor for actor in self.actors if actor.in_movable_middle]
        return sorted(middle, key=lambda a: (-(a.influence or 0), -a.stance, a.name))

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
    """Every visible actor's current stance on the issue with their influence and next step."""
    today = today or datetime.date.today()
    rows = list(
        _current_rows(user, issue).values_list(
            "organisation_id",
            "person_id",
            "stance",
            "observed_on",
            "id",
            "previous_stance",
            "previous_on",
        )
    )
    actors = {analysis.actor_of(row[0], row[1]) for row in rows}
    names = _names(actors)
    influence = _latest_influence(actors)
    result = PowerMap(issue=issue)
    middle = []
    for organisation_id, person_id, stance, observed_on, pk, previous, previous_on in rows:
        actor = analysis.actor_of(organisation_id, person_id)
        name, actor_kind, actor_region = names.get(actor, ("?", "", ""))
        if region and actor_region != region:
            continue
        if kind and actor_kind != kind:
            continue
        points = _points(stance, observed_on, pk, previous, previous_on)
        item = MapActor(
            actor=actor,
            name=name,
            kind=actor_kind,
            region=actor_region,
            stance=stance,
            influence=influence.get(actor),
            observed_on=observed_on,
        )
        result.actors.append(item)
        if item.in_movable_middle:
            middle.append((item, points))
    # Next steps for the most influential of the middle: the list shows those first, and
    # reading every contact of thousands of actors would slow the page for rows nobody reads.
    middle.sort(key=lambda entry: (-(entry[0].influence or 0), -entry[0].stance, entry[0].name))
    middle = middle[:MIDDLE_LISTED]
    contacts = _contacts(user, [(item.actor, points) for item, points in middle])
    for item, points in middle:
        last, between = contacts[item.actor]
        item.last_contact = last.date if last else None
        item.next_step = analysis.next_step(points, last, between, today)
    result.actors.sort(key=lambda a: (a.stance, -(a.influence or 0), a.name))
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


def _influential_posts(user) -> QuerySet[Position]:
    """Posts in organisations assessed as highly influential, or held by influential people."""
    # Every actor's latest level, unscoped: the posts below are filtered to organisations the
    # user can see, so a level never shows on its own.
    influence: dict[Actor, int] = {}
    for organisation_id, person_id, level in InfluenceAssessment.objects.order_by(
        "assessed_on", "id"
    ).values_list("organisation_id", "person_id", "level"):
        influence[analysis.actor_of(organisation_id, person_id)] = level
    influential_orgs = [
        pk
        for (kind, pk), level in influence.items()
        if kind == "organisation" and level >= INFLUENTIAL
    ]
    influential_people = [
        pk for (kind, pk), level in influence.items() if kind == "person" and level >= INFLUENTIAL
    ]
    return Position.objects.filter(
        Q(organisation_id__in=influential_orgs) | Q(person_id__in=influential_people)
    ).filter(visible_organisation_filter(user, "organisation__"))


def alerts_for(
    user, *, today: datetime.date | None = None, include_acknowledged: bool = False
) -> list[DetectedAlert]:
    """Reversals, rotations and stalled allies among the actors the user can see."""
    today = today or datetime.date.today()
    # One pass over the user's observations: reversals, and the current stances that matter
    # here (people's, for rotations; allies', for stalling).
    reversal = Q(recent_best__gte=F("stance") + analysis.REVERSAL_BANDS)
    current = Q(is_current=True) & (Q(person__isnull=False) | Q(stance__gte=Stance.PASSIVE_ALLY))
    reversal_rows, current_rows = [], []
    for row in (
        observations_for(user)
        .filter(reversal | current)
        .values_list(
            "organisation_id",
            "person_id",
            "issue",
            "stance",
            "observed_on",
            "id",
            "recent_best",
            "is_current",
        )
    ):
        _organisation_id, person_id, _issue, stance, _on, _pk, best, is_current = row
        if analysis.is_reversal(stance, best):
            reversal_rows.append(row[:7])
        if is_current and (person_id is not None or stance >= Stance.PASSIVE_ALLY):
            current_rows.append(row[:6])
    names = _names({analysis.actor_of(row[0], row[1]) for row in reversal_rows + current_rows})
    found: list[DetectedAlert] = []
    for organisation_id, person_id, issue, stance, observed_on, pk, best in reversal_rows:
        actor = analysis.actor_of(organisation_id, person_id)
        found.append(
            DetectedAlert(
                kind=AlertKind.REVERSAL,
                trigger=f"observation:{pk}",
                actor=actor,
                name=names.get(actor, ("?",))[0],
                issue=issue,
                detected_on=observed_on,
                facts=(best, stance),
            )
        )
    series = {
        (analysis.actor_of(row[0], row[1]), row[2]): [analysis.Point(row[5], row[4], row[3])]
        for row in current_rows
    }
    # A person's stance for rotations: their latest observation on any issue.
    person_stance: dict[int, analysis.Point] = {}
    for (actor, _issue), points in series.items():
        if actor[0] == "person":
            latest = analysis.current(points)
            known = person_stance.get(actor[1])
            if known is None or latest.date >= known.date:
                person_stance[actor[1]] = latest
    since = today - datetime.timedelta(days=365)
    posts = (
        _influential_posts(user)
        .filter(person_id__in=list(person_stance))
        .select_related("person", "organisation")
    )
    for post in posts:
        stance = person_stance[post.person_id].stance
        if stance >= Stance.PASSIVE_ALLY and post.end and since <= post.end <= today:
            found.append(
                DetectedAlert(
                    kind=AlertKind.ROTATION_OUT,
                    trigger=f"position-end:{post.pk}",
                    actor=("person", post.person_id),
                    name=post.person.display_name,
                    issue="",
                    detected_on=post.end,
                    facts=(post.title, str(post.organisation)),
                )
            )
        if stance <= Stance.PASSIVE_OPPOSITION and post.start and since <= post.start <= today:
            found.append(
                DetectedAlert(
                    kind=AlertKind.ROTATION_IN,
                    trigger=f"position-start:{post.pk}",
                    actor=("person", post.person_id),
                    name=post.person.display_name,
                    issue="",
                    detected_on=post.start,
                    facts=(post.title, str(post.organisation)),
                )
            )
    # Stalled allies: organisations whose current stance on some issue is an ally's, with no
    # engagement in the configured period.
    allies = {
        actor
        for (actor, _issue), points in series.items()
        if actor[0] == "organisation" and analysis.current(points).stance >= Stance.PASSIVE_ALLY
    }
    last = _last_contacts(user, allies)
    quiet_days = settings.CHORUS_STALLED_ALLY_DAYS
    for actor in allies:
        last_date = last.get(actor)
        if last_date is None or (today - last_date).days > quiet_days:
            name = names.get(actor, ("?",))[0]
            found.append(
                DetectedAlert(
                    kind=AlertKind.STALLED,
                    trigger=f"stalled:{actor[1]}:{last_date.isoformat() if last_date else 'never'}",
                    actor=actor,
                    name=name,
                    issue="",
                    detected_on=today,
                    facts=(last_date,),
                )
            )
    if not include_acknowledged:
        acknowledged = set(
            Alert.objects.filter(acknowledged_at__isnull=False).values_list("kind", "trigger")
        )
        found = [alert for alert in found if (alert.kind, alert.trigger) not in acknowledged]
    order = {
        AlertKind.REVERSAL: 0,
        AlertKind.ROTATION_OUT: 1,
        AlertKind.ROTATION_IN: 2,
        AlertKind.STALLED: 3,
    }
    found.sort(key=lambda alert: (order[alert.kind], alert.detected_on), reverse=False)
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
