"""Advocacy spaces, their events, and the engagements the network's members carry out in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    LOCAL = "local", _("Local")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    GLOBAL = "global", _("Global")


class PlatformKind(models.TextChoices):
    CSW = "csw", _("UN Commission on the Status of Women")
    CEDAW = "cedaw", _("CEDAW Committee")
    HRC_UPR = "hrc_upr", _("Human Rights Council / Universal Periodic Review")
    AWID = "awid", _("AWID International Forum")
    GENERATION_EQUALITY = "generation_equality", _("Generation Equality Forum")
    BEIJING_REVIEW = "beijing_review", _("Beijing+25 regional review")
    NATIONAL_POLICY = "national_policy", _("National policy process")
    COALITION_MEETING = "coalition_meeting", _("Coalition meeting")
    DONOR_CONVENING = "donor_convening", _("Donor convening")
    OTHER = "other", _("Other")


class Platform(models.Model):
    """An advocacy space, from a local coalition to a UN body."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=PlatformKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """A dated occurrence of a platform: a CSW session, a forum, a review meeting."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="events"
    )
    name = models.CharField(_("name"), max_length=300)
    session_number = models.PositiveIntegerField(_("session number"), null=True, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    country = models.ForeignKey(
        "network.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    online = models.BooleanField(_("online"), default=False)
    interpretation_languages = models.JSONField(
        _("interpretation offered in"), default=list, blank=True
    )

    class Meta:
        ordering = ["-start"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%Y})"


class EngagementKind(models.TextChoices):
    SIDE_EVENT = "side_event", _("Co-hosted a side event")
    DELEGATION = "delegation", _("Sent a delegation")
    PLENARY = "plenary", _("Spoke in plenary")
    SHADOW_REPORT = "shadow_report", _("Submitted a shadow report")
    STATEMENT_SIGNED = "statement_signed", _("Signed a statement")
    STATEMENT_DRAFTED = "statement_drafted", _("Drafted a statement")
    CONSULTATION = "consultation", _("Answered a consultation")
    TRAINING = "training", _("Trained allies")
    MEETING = "meeting", _("Held a meeting")
    PUBLICATION = "publication", _("Published a joint resource")
    OTHER = "other", _("Other")


class Strategy(models.TextChoices):
    """The strategies the seed found to work."""

    COMMON_GROUND = "common_ground", _("Finding common ground")
    ALLIANCES = "alliances", _("Alliances and partnerships")
    MOVABLE_MIDDLE = "movable_middle", _("Targeting the movable middle")
    SOFT_POWER = "soft_power", _("Soft power and empathy")
    PATIENCE = "patience", _("Patience and persistence")
    SELF_CARE = "self_care", _("Self-care and compassion")


class Barrier(models.TextChoices):
    """The barriers the seed describes."""

    STIGMA = "stigma", _("Stigma and stereotypes")
    TRAFFICKING_CONFLATION = "trafficking", _("Conflation with trafficking")
    EXCLUSION = "exclusion", _("Exclusion, discrimination or abuse")
    TOKENISM = "tokenism", _("Tokenistic inclusion")
    LANGUAGE_ACCESS = "access", _("Language or access barriers")


class Engagement(models.Model):
    """Something a member, a regional network or the secretariat did in an advocacy space."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("what was done"), max_length=32, choices=EngagementKind.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    platform = models.ForeignKey(
        Platform,
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="engagements",
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="engagements",
        null=True,
        blank=True,
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    start = models.DateField(_("date"))
    end = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        "network.Organisation",
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="partner_engagements",
        through="EngagementPartner",
    )
    people = models.ManyToManyField(
        "network.Person", verbose_name=_("people"), blank=True, related_name="engagements"
    )
    strategies = models.JSONField(_("strategies used"), default=list, blank=True)
    barriers = models.JSONField(_("barriers met"), default=list, blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One address per line."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [models.Index(fields=["organisation", "start"]), models.Index(fields=["start"])]

    def __str__(self) -> str:
        return self.title


class EngagementPartner(models.Model):
    """An organisation that took part in an engagement as a partner.

    The engagement's date is copied here (by the engagement actions) so that "when did we last
    engage with this ally" reads one index instead of joining hundreds of thousands of rows.
    """

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE)
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "organisation"], name="one_row_per_engagement_partner"
            )
        ]
        indexes = [models.Index(fields=["organisation", "start"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.engagement_id}"


class Attachment(models.Model):
    """A file kept with an engagement; served only through a scoped view, never from /media/."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="engagements/%Y/")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
