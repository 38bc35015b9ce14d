"""Writes of outcomes and recommendations, each in one transaction with its audit event."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.audit import apply_changes, record_change
from chorus.core.models import Role
from chorus.core.scoping import RECORDERS, require_role
from chorus.outcomes.models import Agreement, Label, Outcome, Recommendation, Substantiation

OUTCOME_FIELDS = (
    "title",
    "social_actor",
    "social_actor_text",
    "change",
    "kind",
    "occurred_on",
    "country",
    "level",
    "significance",
    "contribution",
    "evidence",
    "direction",
)


def _validate_outcome(outcome: Outcome) -> None:
    if outcome.occurred_on and outcome.occurred_on > datetime.date.today():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if not outcome.social_actor_id and not outcome.social_actor_text.strip():
        raise ValidationError(
            {"social_actor": _("Say who changed: choose or name the social actor.")}
        )
    outcome.full_clean()


@transaction.atomic
def outcome_create(*, actor, engagements=(), other_contributors=(), **values) -> Outcome:
    """Record an outcome: who changed what, when and where, and how the network contributed."""
    require_role(actor, *RECORDERS)
    outcome = Outcome(
        **{key: value for key, value in values.items() if key in OUTCOME_FIELDS},
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    _validate_outcome(outcome)
    outcome.save()
    outcome.engagements.set(engagements)
    outcome.other_contributors.set(other_contributors)
    record_change(
        actor=actor,
        action="outcome.create",
        obj=outcome,
        changed_fields=[key for key in values if key in OUTCOME_FIELDS]
        + (["engagements"] if engagements else [])
        + (["other_contributors"] if other_contributors else []),
    )
    return outcome


@transaction.atomic
def outcome_update(*, actor, outcome: Outcome, engagements=None, **values) -> Outcome:
    require_role(actor, *RECORDERS)
    changed = apply_changes(
        outcome, {key: value for key, value in values.items() if key in OUTCOME_FIELDS}
    )
    _validate_outcome(outcome)
    outcome.save()
    if engagements is not None:
        outcome.engagements.set(engagements)
        changed.append("engagements")
    record_change(actor=actor, action="outcome.update", obj=outcome, changed_fields=changed)
    return outcome


@transaction.atomic
def substantiation_request(*, actor, outcome: Outcome, substantiator) -> Substantiation:
    """Ask a named person to substantiate an outcome (nothing is sent; the request is recorded)."""
    require_role(actor, *RECORDERS)
    substantiation, created = Substantiation.objects.get_or_create(
        outcome=outcome,
        substantiator=substantiator,
        defaults={"requested_on": datetime.date.today()},
    )
    if not created:
        raise ValidationError(_("This person has already been asked to substantiate it."))
    record_change(
        actor=actor, action="substantiation.request", obj=substantiation, changed_fields=["outcome"]
    )
    return substantiation


@transaction.atomic
def substantiation_record(
    *,
    actor,
    substantiation: Substantiation,
    description: str,
    significance: str,
    contribution: str,
    comment: str = "",
) -> Substantiation:
    """Record a substantiator's agreement with the description, significance and contribution."""
    require_role(actor, *RECORDERS)
    for value in (description, significance, contribution):
        if value not in Agreement.values:
            raise ValidationError(
                _("Give an answer for the description, significance and contribution.")
            )
    changed = apply_changes(
        substantiation,
        {
            "description": description,
            "significance": significance,
            "contribution": contribution,
            "comment": comment,
            "responded_on": datetime.date.today(),
        },
    )
    substantiation.save()
    record_change(
        actor=actor, action="substantiation.record", obj=substantiation, changed_fields=changed
    )
    return substantiation


@transaction.atomic
def recommendation_review(*, actor, recommendation: Recommendation, label: str) -> Recommendation:
    """Confirm or correct a recommendation's label; corrections train later classification."""
    require_role(actor, Role.REGIONAL_COORDINATOR, Role.RESEARCHER)
    if label not in Label.values or label == Label.UNKNOWN:
        raise ValidationError(
            {"label": _("Choose rights-affirming, regressive, mixed or neutral.")}
        )
    recommendation.reviewed_label = label
    recommendation.reviewed_by = actor if getattr(actor, "pk", None) else None
    recommendation.reviewed_at = timezone.now()
    recommendation.save(update_fields=["reviewed_label", "reviewed_by", "reviewed_at"])
    record_change(
        actor=actor,
        action="recommendation.review",
        obj=recommendation,
        changed_fields=["reviewed_label"],
    )
    return recommendation
