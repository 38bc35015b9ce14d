"""Outcomes (what changed, and the network's part in it) and UN recommendations on sex work."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """The kinds of observable change outcome harvesting records."""

    BEHAVIOUR = "behaviour", _("Behaviour")
    POLICY = "policy", _("Policy or law")
    PRACTICE = "practice", _("Practice")
    DISCOURSE = "discourse", _("Discourse")
    RELATIONSHIP = "relationship", _("Relationship")


class Direction(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative or regressive")


class Outcome(models.Model):
    """Who changed what, when and where, why it matters, and how the network contributed."""

    title = models.CharField(_("title"), max_length=300)
    social_actor = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("social actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
    )
    social_actor_text = models.CharField(
        _("social actor (if not in the registry)"), max_length=300, blank=True
    )
    change = models.TextField(_("observable change"))
    kind = models.CharField(_("kind of change"), max_length=16, choices=ChangeKind.choices)
    occurred_on = models.DateField(_("when"))
    country = models.ForeignKey(
        "network.Country",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=16, blank=True)
    significance = models.TextField(_("significance"), blank=True)
    contribution = models.TextField(_("the network's contribution"), blank=True)
    engagements = models.ManyToManyField(
        "engagement.Engagement",
        verbose_name=_("contributing engagements"),
        blank=True,
        related_name="outcomes",
    )
    other_contributors = models.ManyToManyField(
        "network.Organisation",
        verbose_name=_("other contributors"),
        blank=True,
        related_name="co_contributed_outcomes",
    )
    evidence = models.TextField(_("evidence"), blank=True)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return self.title


class Agreement(models.TextChoices):
    FULL = "full", _("Agrees fully")
    PARTIAL = "partial", _("Agrees in part")
    DISAGREE = "disagree", _("Disagrees")


class Substantiation(models.Model):
    """One substantiator's view of an outcome: description, significance and contribution."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="substantiations")
    substantiator = models.ForeignKey(
        "network.Person",
        verbose_name=_("substantiator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_on = models.DateField(_("requested on"))
    description = models.CharField(
        _("description"), max_length=16, choices=Agreement.choices, blank=True
    )
    significance = models.CharField(
        _("significance"), max_length=16, choices=Agreement.choices, blank=True
    )
    contribution = models.CharField(
        _("contribution"), max_length=16, choices=Agreement.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("substantiation")
        verbose_name_plural = _("substantiations")
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "substantiator"], name="one_substantiation_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} · {self.substantiator}"


class Body(models.TextChoices):
    CEDAW = "CEDAW", "CEDAW"
    CESCR = "CESCR", "CESCR"
    CCPR = "CCPR", "CCPR"
    CRC = "CRC", "CRC"
    CAT = "CAT", "CAT"
    CERD = "CERD", "CERD"
    CMW = "CMW", "CMW"
    CRPD = "CRPD", "CRPD"
    CED = "CED", "CED"
    UPR = "UPR", _("Universal Periodic Review")
    OTHER = "other", _("Other")


class Label(models.TextChoices):
    RIGHTS_AFFIRMING = "rights-affirming", _("Rights-affirming")
    REGRESSIVE = "regressive", _("Regressive")
    MIXED = "mixed", _("Mixed")
    NEUTRAL = "neutral", _("Neutral")
    UNKNOWN = "unknown", _("Unknown")


class Recommendation(models.Model):
    """A treaty-body recommendation or general-recommendation paragraph, with its classification.

    `label`, `confidence` and `cues` come from the classifier; `reviewed_label` from a person.
    The reviewed label, when given, is the one that counts.
    """

    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    symbol = models.CharField(_("document symbol"), max_length=120)
    paragraph = models.CharField(_("paragraph"), max_length=40, blank=True)
    session = models.CharField(_("session"), max_length=60, blank=True)
    country = models.ForeignKey(
        "network.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for general recommendations addressed to all States."),
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, default="en")
    text_hash = models.CharField(max_length=64, db_index=True, editable=False)
    relevant = models.BooleanField(_("concerns sex work"), default=False, db_index=True)
    label = models.CharField(_("label"), max_length=20, choices=Label.choices, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    cues = models.JSONField(_("cues"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reviewed_label = models.CharField(
        _("reviewed label"), max_length=20, choices=Label.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    engagements = models.ManyToManyField(
        "engagement.Engagement",
        verbose_name=_("shadow reports and engagements before it"),
        blank=True,
        related_name="recommendations",
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-year", "symbol", "paragraph"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["symbol", "paragraph"], name="one_recommendation_per_paragraph"
            )
        ]
        indexes = [
            models.Index(fields=["relevant", "year"]),
            models.Index(fields=["country", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} ¶{self.paragraph}" if self.paragraph else self.symbol

    @property
    def effective_label(self) -> str:
        return self.reviewed_label or self.label
