"""The registry: countries in the network's regions, and organisations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.core.fields import EncryptedTextField
from chorus.core.models import Region


class Country(models.Model):
    """An ISO 3166 country, placed in exactly one of the network's regions."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        from chorus.network.places import country_name

        return country_name(self.code)


class OrganisationKind(models.TextChoices):
    MEMBER = "member", _("Member organisation")
    REGIONAL_NETWORK = "regional_network", _("Regional network")
    GLOBAL_NETWORK = "global_network", _("Global network")
    COALITION = "coalition", _("Coalition")
    WOMENS_RIGHTS = "womens_rights", _("Women's rights organisation")
    HUMAN_RIGHTS = "human_rights", _("Human rights organisation")
    UN_BODY = "un_body", _("UN body")
    DONOR = "donor", _("Donor")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class SexWorkerLed(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(
        _("kind"), max_length=32, choices=OrganisationKind.choices, default=OrganisationKind.MEMBER
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    founded = models.PositiveSmallIntegerField(_("founded (year)"), null=True, blank=True)
    publicly_listed = models.BooleanField(
        _("publicly listed"),
        default=True,
        help_text=_("Unlisted organisations are shown only to people who need to know."),
    )
    # Confidential: the network never publishes which members are sex worker-led.
    sex_worker_led = EncryptedTextField(
        _("sex worker-led"), choices=SexWorkerLed.choices, data_class="confidential"
    )
    notes = EncryptedTextField(_("notes"), data_class="confidential")
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["publicly_listed", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
