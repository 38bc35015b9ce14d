"""Read stance histories: current stance, the movable middle and next steps.

Pure functions over plain rows, so the rules can be tested on their own and run over tens of
thousands of observations in one pass. An actor is ("organisation", id) or ("person", id).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.stakeholders.models import MOVABLE_MIDDLE, REVERSAL_BANDS

Actor = tuple[str, int]
# A reversal is a fall of at least REVERSAL_BANDS (defined with the model, whose partial index
# depends on it) below the actor's recent best, where "recent" means the best of this many
# observations before it.
REVERSAL_LOOKBACK = 3


@dataclass(frozen=True)
class Point:
    observation_id: int
    date: datetime.date
    stance: int


def actor_of(organisation_id: int | None, person_id: int | None) -> Actor:
    return ("organisation", organisation_id) if organisation_id else ("person", person_id)


def current(points: list[Point]) -> Point:
    """The current stance is the latest observation; it is never recorded separately."""
    return points[-1]


def in_movable_middle(stance: int) -> bool:
    return stance in MOVABLE_MIDDLE


@dataclass(frozen=True)
class Contact:
    date: datetime.date
    engagement_id: int
    title: str


def moved_toward_us(points: list[Point]) -> bool:
    """Whether the latest observation is warmer than the one before it."""
    return len(points) >= 2 and points[-1].stance > points[-2].stance


def next_step(
    points: list[Point], last_contact: Contact | None, contacts: list[Contact], today: datetime.date
) -> str:
    """Suggest what to do next with an actor, from their stance history and our contacts."""
    if last_contact is None:
        return _("No engagement recorded yet: plan a first contact.")
    months = (today - last_contact.date).days // 30
    if months >= 12:
        return ngettext(
            "No contact for %(months)d month: reconnect.",
            "No contact for %(months)d months: reconnect.",
            months,
        ) % {"months": months}
    if moved_toward_us(points):
        between = [c for c in contacts if points[-2].date <= c.date <= points[-1].date]
        if between:
            return _("Moved toward us after “%(title)s”: follow up.") % {"title": between[-1].title}
        return _("Moved toward us: find out why and follow up.")
    if len(points) >= 2 and points[-1].stance < points[-2].stance:
        return _("Moved away from us: find out why before the next contact.")
    return _("Keep engaging; last contact on %(date)s.") % {"date": last_contact.date.isoformat()}


def derive(stances: list[int]) -> list[tuple[bool, int | None, int | None]]:
    """For a series of stances in date order, return (is_current, previous, recent best) each.

    The recent best is the highest stance among the REVERSAL_LOOKBACK observations before;
    an observation at least REVERSAL_BANDS below it is a reversal. Comparing with the recent
    best, not only the previous observation, catches a slide over several steps (+2, +1, 0),
    while a one-band wobble (+1, 0, +1, 0) never fires.
    """
    derived = []
    for position in range(len(stances)):
        before = stances[max(0, position - REVERSAL_LOOKBACK) : position]
        derived.append(
            (
                position == len(stances) - 1,
                stances[position - 1] if position else None,
                max(before) if before else None,
            )
        )
    return derived


def is_reversal(stance: int, recent_best: int | None) -> bool:
    return recent_best is not None and recent_best - stance >= REVERSAL_BANDS
