"""Allies and opponents: stance observed over time, influence, alerts, backlash preparedness."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Issue(models.TextChoices):
    DECRIMINALISATION = "decriminalisation", _("Decriminalisation of sex work")
    SEX_WORK_IS_WORK = "sex_work_is_work", _("Sex work is work")
    INCLUSION = "inclusion", _("Inclusion of sex workers in the women's movement")
    TRAFFICKING_FRAMING = "trafficking_framing", _("Separating sex work from trafficking")


class Stance(models.IntegerChoices):
    """The spectrum of allies, from active opposition (-2) to active ally (+2)."""

    ACTIVE_OPPOSITION = -2, _("Active opposition")
    PASSIVE_OPPOSITION = -1, _("Passive opposition")
    NEUTRAL = 0, _("Neutral")
    PASSIVE_ALLY = 1, _("Passive ally")
    ACTIVE_ALLY = 2, _("Active ally")


# The neutral and passive bands: people and organisations without a fixed position.
MOVABLE_MIDDLE = (Stance.PASSIVE_OPPOSITION, Stance.NEUTRAL, Stance.PASSIVE_ALLY)
# A reversal is a fall of at least this many bands below the actor's recent best (see
# `analysis.derive`). A partial index below is defined by it: changing it needs a migration.
REVERSAL_BANDS = 2


class Influence(models.IntegerChoices):
    MINIMAL = 1, _("Minimal")
    LOW = 2, _("Low")
    MODERATE = 3, _("Moderate")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")


class EvidenceKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")
    ENGAGEMENT = "engagement", _("Engagement")


class ActorMixin(models.Model):
    """Refers to exactly one actor: an organisation or a person."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "network.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def actor(self):
        return self.organisation or self.person

    def clean(self) -> None:
        super().clean()
        if (self.organisation_id is None) == (self.person_id is None):
            raise ValidationError(_("Name either an organisation or a person."))


class StanceObservation(ActorMixin):
    """One dated, evidenced observation of where an actor stands on an issue.

    Current stance is always derived from these, never typed separately.
    """

    issue = models.CharField(_("issue"), max_length=32, choices=Issue.choices)
    stance = models.SmallIntegerField(_("stance"), choices=Stance.choices)
    observed_on = models.DateField(_("observed on"))
    evidence_kind = models.CharField(_("evidence"), max_length=16, choices=EvidenceKind.choices)
    evidence_text = models.TextField(_("quote or description"), blank=True)
    evidence_url = models.URLField(_("link"), blank=True, max_length=500)
    evidence_engagement = models.ForeignKey(
        "engagement.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stance_observations",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    # Derived from the actor's series on this issue whenever it changes (see
    # `actions.series_refresh`), never entered: whether this is the current stance, the stance
    # observed just before, and the best of the few observations before (for reversals).
    is_current = models.BooleanField(default=False, editable=False)
    previous_stance = models.SmallIntegerField(null=True, editable=False)
    previous_on = models.DateField(null=True, editable=False)
    recent_best = models.SmallIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["observed_on", "id"]
        verbose_name = _("stance observation")
        verbose_name_plural = _("stance observations")
        indexes = [
            models.Index(
                fields=["organisation", "person", "issue", "observed_on", "id"],
                name="stance_series_idx",
            ),
            models.Index(fields=["person", "issue", "observed_on"]),
            models.Index(fields=["issue", "is_current"]),
            models.Index(fields=["is_current", "stance"]),
            # Partial indexes for the power map and alerts. SQLite cannot seek on a bare boolean
            # term (`WHERE is_current`) in the composite indexes above, nor index a comparison
            # of two columns; it uses these when a query's WHERE clause implies their condition.
            models.Index(
                fields=["issue"], condition=Q(is_current=True), name="stance_current_issue_idx"
            ),
            models.Index(
                fields=["stance"], condition=Q(is_current=True), name="stance_current_stance_idx"
            ),
            models.Index(
                fields=["observed_on", "id"],
                condition=Q(recent_best__gte=F("stance") + REVERSAL_BANDS),
                name="stance_reversal_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} · {self.issue} · {self.stance:+d} ({self.observed_on})"


class InfluenceAssessment(ActorMixin):
    """How much influence an actor has, as assessed on a date; the latest one counts."""

    level = models.SmallIntegerField(_("influence"), choices=Influence.choices)
    assessed_on = models.DateField(_("assessed on"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = _("influence assessment")
        verbose_name_plural = _("influence assessments")
        indexes = [
            models.Index(fields=["organisation", "assessed_on"]),
            models.Index(fields=["person", "assessed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor} · {self.level} ({self.assessed_on})"


class AlertKind(models.TextChoices):
    REVERSAL = "reversal", _("Reversal")
    ROTATION_OUT = "rotation_out", _("Ally left an influential post")
    ROTATION_IN = "rotation_in", _("Opponent took an influential post")
    STALLED = "stalled", _("Stalled ally")


class Alert(ActorMixin):
    """A detected change worth attention; kept until someone acknowledges it."""

    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    issue = models.CharField(_("issue"), max_length=32, choices=Issue.choices, blank=True)
    # What triggered it (an observation or a position), so the same change never alerts twice.
    trigger = models.CharField(max_length=64)
    detected_on = models.DateField(_("detected on"))
    detail = models.JSONField(default=dict, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-detected_on", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "trigger"], name="one_alert_per_trigger")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.actor}"


class ChecklistItem(models.TextChoices):
    """What the seed says an ally needs before taking a public position."""

    STAFF_TRAINING = "staff_training", _("Staff training")
    DONOR_BRIEFING = "donor_briefing", _("Briefing donors and allies")
    MEDIA_PLAN = "media_plan", _("A media plan")
    SPOKESPERSON_SECURITY = "spokesperson_security", _("Security of spokespeople")


class ChecklistStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


class BacklashPreparation(models.Model):
    """The state of one checklist item for an ally, optionally for one engagement."""

    ally = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("ally"),
        on_delete=models.CASCADE,
        related_name="backlash_preparations",
    )
    engagement = models.ForeignKey(
        "engagement.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backlash_preparations",
    )
    item = models.CharField(_("item"), max_length=32, choices=ChecklistItem.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ChecklistStatus.choices,
        default=ChecklistStatus.NOT_STARTED,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_on = models.DateField(_("updated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("backlash preparation")
        verbose_name_plural = _("backlash preparations")
        constraints = [
            models.UniqueConstraint(
                fields=["ally", "engagement", "item"], name="one_checklist_item_per_ally_engagement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ally} · {self.item}: {self.status}"


class Lexicon(models.Model):
    """The statement check's word lists for one language, editable by the secretariat.

    Loaded from the data files in `chorus/stakeholders/lexicons/` when first needed.
    """

    language = models.CharField(_("language"), max_length=8, unique=True)
    data = models.JSONField(_("lexicon"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["language"]
        verbose_name = _("lexicon")
        verbose_name_plural = _("lexicons")

    def __str__(self) -> str:
        return self.language
