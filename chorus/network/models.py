"""The registry: countries and regions, organisations, memberships, people and positions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


# Kinds of organisation that others can be members of.
NETWORK_KINDS = (
    OrganisationKind.GLOBAL_NETWORK,
    OrganisationKind.REGIONAL_NETWORK,
    OrganisationKind.COALITION,
)


class SexWorkerLed(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class PriorityArea(models.TextChoices):
    """The network's priority areas; a member says which it works on."""

    DECRIMINALISATION = (
        "decriminalisation",
        _("Oppose criminalisation and support recognition of sex work as work"),
    )
    TRAFFICKING = "trafficking", _("Critique the trafficking paradigm")
    HEALTH = "health", _("Universal access to health services, including HIV and SRHR")
    VIOLENCE = "violence", _("Violence against sex workers")
    HUMAN_RIGHTS = (
        "human_rights",
        _(
            "Human rights abuses (coercive programmes, mandatory testing, raids, "
            "forced rehabilitation)"
        ),
    )
    STIGMA = "stigma", _("Stigma and discrimination")
    ECONOMIC = "economic", _("Economic empowerment and social inclusion")


class Population(models.TextChoices):
    FEMALE = "female", _("Female sex workers")
    MALE = "male", _("Male sex workers")
    TRANS = "trans", _("Trans sex workers")
    MIGRANT = "migrant", _("Migrant sex workers")
    DRUG_USERS = "drug_users", _("Sex workers who use drugs")
    LIVING_WITH_HIV = "hiv", _("Sex workers living with HIV")
    YOUNG = "young", _("Young sex workers")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300)
    # Names in other languages, keyed by language code, e.g. {"zh-hans": "...", "fr": "..."}.
    names = models.JSONField(_("names in other languages"), default=dict, blank=True)
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
    # Networks and coalitions work across borders.
    other_countries = models.ManyToManyField(
        Country, verbose_name=_("other countries"), blank=True, related_name="+"
    )
    working_languages = models.JSONField(_("working languages"), default=list, blank=True)
    website = models.URLField(_("website"), blank=True)
    founded = models.PositiveSmallIntegerField(_("founded (year)"), null=True, blank=True)
    priority_areas = models.JSONField(_("priority areas"), default=list, blank=True)
    populations = models.JSONField(_("works with"), default=list, blank=True)
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
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    # Every name and the acronym, casefolded without accents, for search in any language.
    search_key = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["publicly_listed", "name"]),
            models.Index(fields=["kind", "name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        from chorus.network.search import organisation_search_key

        self.search_key = organisation_search_key(self.name, self.acronym, self.names)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


class Tier(models.TextChoices):
    FULL = "full", _("Full member (with vote)")
    ASSOCIATE = "associate", _("Associate member")
    SUPPORTING = "supporting", _("Supporting member")
    CORE = "core", _("Core member (coalition)")
    GENERAL = "general", _("General member (coalition)")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFERRED = "referred", _("Referred to the secretariat")
    VERIFIED = "verified", _("Verified")
    MEMBER = "member", _("Member")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")
    REJECTED = "rejected", _("Rejected")


OPEN_APPLICATION_STATUSES = (
    MembershipStatus.APPLIED,
    MembershipStatus.REFERRED,
    MembershipStatus.VERIFIED,
)


class Membership(models.Model):
    """An organisation's membership of the global network, a regional network or a coalition.

    `status` mirrors the latest `MembershipEvent`; only actions change either, together.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    network = models.ForeignKey(
        Organisation,
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="member_records",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus.choices, db_index=True
    )
    joined = models.DateField(_("joined"), null=True, blank=True)
    consensus_statement_endorsed = models.DateField(
        _("Consensus Statement endorsed on"), null=True, blank=True
    )
    core_values_endorsed = models.DateField(_("core values endorsed on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)

    class Meta:
        ordering = ["network__name", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "network"], name="one_membership_per_network"
            )
        ]
        indexes = [models.Index(fields=["network", "status", "tier"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.network}"

    @property
    def is_current(self) -> bool:
        return self.status == MembershipStatus.MEMBER


class MembershipEvent(models.Model):
    """One step in a membership's history: applied, verified, approved, suspended, left..."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices)
    date = models.DateField(_("date"), default=datetime.date.today)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")

    def __str__(self) -> str:
        return f"{self.date} {self.status}"


class Person(models.Model):
    """A person in the registry, known by a public name or a pseudonym.

    Secret class: a legal name other than the display name, and contact details, are encrypted
    and read only by the secretariat.
    """

    display_name = models.CharField(_("name or pseudonym"), max_length=200)
    is_pseudonym = models.BooleanField(_("this is a pseudonym"), default=False)
    legal_name = EncryptedTextField(_("legal name"), data_class="secret")
    contact = EncryptedTextField(_("contact details"), data_class="secret")
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name


class Position(models.Model):
    """A person's post in an organisation over a period; an open end means they still hold it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="positions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    title = models.CharField(pgettext_lazy("job", "title"), max_length=200)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "title"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        indexes = [models.Index(fields=["organisation", "end"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.title} · {self.organisation}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or datetime.date.today()
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)


class NetworkStatistic(models.Model):
    """A published, dated figure about a network (e.g. "306 members in 99 countries", 2021)."""

    network = models.ForeignKey(
        Organisation, verbose_name=_("network"), on_delete=models.CASCADE, related_name="statistics"
    )
    date = models.DateField(_("date"))
    member_count = models.PositiveIntegerField(_("member organisations"))
    country_count = models.PositiveIntegerField(_("countries"))
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("network statistic")
        verbose_name_plural = _("network statistics")

    def __str__(self) -> str:
        return f"{self.network}: {self.member_count} / {self.country_count} ({self.date})"
