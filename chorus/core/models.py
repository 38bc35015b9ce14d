"""The shared kernel's records: users with their role and scope, audit and access events."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")
    MEMBER_EDITOR = "member_editor", _("Member editor")
    RESEARCHER = "researcher", _("Researcher")
    VIEWER = "viewer", _("Viewer")


class Region(models.TextChoices):
    """The network's five regions, fixed by its constitution."""

    AFRICA = "africa", _("Africa")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    EUROPE = "europe", _("Europe")
    LATIN_AMERICA = "latin_america", _("Latin America")
    NORTH_AMERICA_CARIBBEAN = "north_america_caribbean", _("North America and the Caribbean")


class User(AbstractUser):
    """A person who signs in, with one role and, for scoped roles, its region or organisation."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.VIEWER)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editors",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    @property
    def two_factor_required(self) -> bool:
        """The secretariat and every study lead (who read secret identities) use a second factor."""
        if self.role in settings.CHORUS_TWO_FACTOR_REQUIRED_ROLES:
            return True
        return self.pk is not None and self.study_memberships.filter(role="lead").exists()


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit records cannot be changed")

    def delete(self):
        raise PermissionError("audit records cannot be deleted")


class ImmutableRecord(models.Model):
    """A record that is written once and never changed or deleted by the application."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records cannot be deleted")


class AuditEvent(ImmutableRecord):
    """One change made through an action: who did what to which object, and which fields changed.

    Values are never stored here, only field names, so the trail itself leaks nothing.
    """

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
        )


class AccessEvent(ImmutableRecord):
    """One read of a confidential or secret record."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data_class = models.CharField(_("data class"), max_length=16)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=32)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.purpose} {self.object_type}:{self.object_id}"
        )
