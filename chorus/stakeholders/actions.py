"""Writes of the stakeholder map, each in one transaction with its audit event."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.audit import record_change
from chorus.core.models import Role
from chorus.core.scoping import RECORDERS, Scope, require_role
from chorus.stakeholders import analysis, statements
from chorus.stakeholders.models import (
    Alert,
    BacklashPreparation,
    ChecklistItem,
    ChecklistStatus,
    EvidenceKind,
    InfluenceAssessment,
    Lexicon,
    StanceObservation,
)


def _check_date(value: datetime.date, field: str) -> None:
    if value > datetime.date.today():
        raise ValidationError({field: _("The date cannot be in the future.")})


def series_refresh(*, organisation=None, person=None, issue: str) -> None:
    """Re-derive the current stance and reversal facts of one actor's series on one issue.

    Runs inside the recording action's transaction; a back-dated observation can change what is
    current and what counts as a reversal for the ones after it, so the whole (short) series is
    read again.
    """
    series = list(
        StanceObservation.objects.filter(organisation=organisation, person=person, issue=issue)
        .order_by("observed_on", "id")
        .only(
            "id",
            "stance",
            "observed_on",
            "is_current",
            "previous_stance",
            "previous_on",
            "recent_best",
        )
    )
    derived = analysis.derive([item.stance for item in series])
    changed = []
    for index, (item, (current, previous, best)) in enumerate(zip(series, derived, strict=True)):
        previous_on = series[index - 1].observed_on if index else None
        values = (current, previous, previous_on, best)
        if (item.is_current, item.previous_stance, item.previous_on, item.recent_best) != values:
            item.is_current, item.previous_stance, item.previous_on, item.recent_best = values
            changed.append(item)
    StanceObservation.objects.bulk_update(
        changed, ["is_current", "previous_stance", "previous_on", "recent_best"]
    )


@transaction.atomic
def observation_record(
    *,
    actor,
    issue: str,
    stance: int,
    observed_on: datetime.date,
    evidence_kind: str,
    organisation=None,
    person=None,
    evidence_text: str = "",
    evidence_url: str = "",
    evidence_engagement=None,
) -> StanceObservation:
    """Record where an actor stood on an issue, on a date, and the evidence for it."""
    require_role(actor, *RECORDERS)
    _check_date(observed_on, "observed_on")
    needed = {
        EvidenceKind.QUOTE: ("evidence_text", evidence_text.strip()),
        EvidenceKind.DOCUMENT: ("evidence_text", evidence_text.strip() or evidence_url),
        EvidenceKind.LINK: ("evidence_url", evidence_url),
        EvidenceKind.ENGAGEMENT: ("evidence_engagement", evidence_engagement),
    }
    if evidence_kind not in needed:
        raise ValidationError({"evidence_kind": _("Choose the kind of evidence.")})
    field, value = needed[evidence_kind]
    if not value:
        raise ValidationError({field: _("A stance observation needs its evidence.")})
    observation = StanceObservation(
        organisation=organisation,
        person=person,
        issue=issue,
        stance=stance,
        observed_on=observed_on,
        evidence_kind=evidence_kind,
        evidence_text=evidence_text.strip(),
        evidence_url=evidence_url,
        evidence_engagement=evidence_engagement,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    observation.full_clean()
    observation.save()
    series_refresh(organisation=organisation, person=person, issue=issue)
    observation.refresh_from_db()
    record_change(
        actor=actor,
        action="stance.observe",
        obj=observation,
        changed_fields=["issue", "stance", "observed_on", "evidence_kind"],
    )
    return observation


@transaction.atomic
def influence_assess(
    *, actor, level: int, assessed_on: datetime.date, organisation=None, person=None, note=""
) -> InfluenceAssessment:
    require_role(actor, *RECORDERS)
    _check_date(assessed_on, "assessed_on")
    assessment = InfluenceAssessment(
        organisation=organisation, person=person, level=level, assessed_on=assessed_on, note=note
    )
    assessment.full_clean()
    assessment.save()
    record_change(actor=actor, action="influence.assess", obj=assessment, changed_fields=["level"])
    return assessment


@transaction.atomic
def alert_acknowledge(
    *,
    actor,
    kind: str,
    trigger: str,
    organisation=None,
    person=None,
    issue: str = "",
    detected_on: datetime.date | None = None,
) -> Alert:
    """Mark a detected alert as seen; it then leaves the list of open alerts."""
    scope = Scope.of(actor)
    if not scope.is_internal or scope.role == Role.VIEWER:
        raise PermissionDenied
    alert, _created = Alert.objects.get_or_create(
        kind=kind,
        trigger=trigger,
        defaults={
            "organisation": organisation,
            "person": person,
            "issue": issue,
            "detected_on": detected_on or datetime.date.today(),
        },
    )
    alert.acknowledged_by = actor if getattr(actor, "pk", None) else None
    alert.acknowledged_at = timezone.now()
    alert.save()
    record_change(
        actor=actor, action="alert.acknowledge", obj=alert, changed_fields=["acknowledged_at"]
    )
    return alert


@transaction.atomic
def backlash_item_set(
    *, actor, ally, item: str, status: str, engagement=None, note: str = ""
) -> BacklashPreparation:
    """Track one item of an ally's backlash preparedness (for one engagement, or in general)."""
    require_role(actor, *RECORDERS)
    if item not in ChecklistItem.values or status not in ChecklistStatus.values:
        raise ValidationError(_("Unknown checklist item or status."))
    preparation, _created = BacklashPreparation.objects.get_or_create(
        ally=ally, engagement=engagement, item=item
    )
    preparation.status = status
    preparation.note = note
    preparation.updated_on = datetime.date.today()
    preparation.full_clean()
    preparation.save()
    record_change(
        actor=actor, action="backlash.update", obj=preparation, changed_fields=["status", "note"]
    )
    return preparation


@transaction.atomic
def lexicon_update(*, actor, language: str, data: dict) -> Lexicon:
    """Replace a language's lexicon (the secretariat only; `actor=None` is the system).

    The whole structure is validated before anything is written, so a lexicon in use is always
    complete; the saved row overrides the data file from the next check on.
    """
    if not Scope.of(actor).is_everything:
        raise PermissionDenied
    language = statements.normalise_language(language)
    cleaned = statements.validate_lexicon(data, language=language)
    lexicon, _created = Lexicon.objects.update_or_create(
        language=language,
        defaults={"data": cleaned, "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    record_change(actor=actor, action="lexicon.update", obj=lexicon, changed_fields=["data"])
    return lexicon
