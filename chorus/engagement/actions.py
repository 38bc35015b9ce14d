"""Writes of the engagement log, each in one transaction with its audit event."""

from __future__ import annotations

import mimetypes
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import apply_changes, record_change
from chorus.core.models import Role
from chorus.core.scoping import Scope, require_role
from chorus.engagement.models import (
    Attachment,
    Barrier,
    Engagement,
    EngagementPartner,
    Event,
    Platform,
    Strategy,
)

ENGAGEMENT_FIELDS = (
    "title",
    "kind",
    "organisation",
    "platform",
    "event",
    "level",
    "start",
    "end",
    "description",
    "strategies",
    "barriers",
    "links",
)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def _require_editor(actor, organisation) -> None:
    """The secretariat, the coordinator of the organisation's region, or its own editor."""
    scope = Scope.of(actor)
    if scope.is_everything:
        return
    region = organisation.country.region if organisation.country_id else ""
    if scope.role == Role.REGIONAL_COORDINATOR and region and region == scope.region:
        return
    if scope.role == Role.MEMBER_EDITOR and organisation.pk == scope.organisation_id:
        return
    raise PermissionDenied


def _validate_engagement(engagement: Engagement) -> None:
    errors = {}
    if engagement.end and engagement.start and engagement.end < engagement.start:
        errors["end"] = _("The end date cannot be before the start date.")
    if (
        engagement.event_id
        and engagement.platform_id
        and engagement.event.platform_id != engagement.platform_id
    ):
        errors["event"] = _("This event belongs to another platform.")
    unknown = set(engagement.strategies) - set(Strategy.values)
    if unknown:
        errors["strategies"] = _("Unknown strategy.")
    if set(engagement.barriers) - set(Barrier.values):
        errors["barriers"] = _("Unknown barrier.")
    if errors:
        raise ValidationError(errors)
    engagement.full_clean()


@transaction.atomic
def platform_create(*, actor, **values) -> Platform:
    require_role(actor, Role.REGIONAL_COORDINATOR)
    platform = Platform(**values)
    platform.full_clean()
    platform.save()
    record_change(actor=actor, action="platform.create", obj=platform, changed_fields=list(values))
    return platform


@transaction.atomic
def event_create(*, actor, platform: Platform, **values) -> Event:
    require_role(actor, Role.REGIONAL_COORDINATOR)
    event = Event(platform=platform, **values)
    if event.end and event.end < event.start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    event.full_clean()
    event.save()
    record_change(
        actor=actor, action="event.create", obj=event, changed_fields=["platform", *values]
    )
    return event


@transaction.atomic
def engagement_create(*, actor, partners=(), people=(), **values) -> Engagement:
    """Record an engagement for an organisation the actor may report for."""
    _require_editor(actor, values["organisation"])
    if values.get("event") is not None and values.get("platform") is None:
        values["platform"] = values["event"].platform
    engagement = Engagement(
        **{key: value for key, value in values.items() if key in ENGAGEMENT_FIELDS},
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    _validate_engagement(engagement)
    engagement.save()
    if partners:
        engagement.partners.set(partners, through_defaults={"start": engagement.start})
    if people:
        engagement.people.set(people)
    record_change(
        actor=actor,
        action="engagement.create",
        obj=engagement,
        changed_fields=[key for key in values if key in ENGAGEMENT_FIELDS]
        + (["partners"] if partners else [])
        + (["people"] if people else []),
    )
    return engagement


@transaction.atomic
def engagement_update(
    *, actor, engagement: Engagement, partners=None, people=None, **values
) -> Engagement:
    _require_editor(actor, engagement.organisation)
    if "organisation" in values:
        _require_editor(actor, values["organisation"])
    if values.get("event") is not None and values.get("platform") is None:
        values["platform"] = values["event"].platform
    changed = apply_changes(
        engagement, {key: value for key, value in values.items() if key in ENGAGEMENT_FIELDS}
    )
    _validate_engagement(engagement)
    engagement.save()
    for name, new in (("partners", partners), ("people", people)):
        if new is None:
            continue
        related = getattr(engagement, name)
        if set(related.values_list("pk", flat=True)) != {item.pk for item in new}:
            if name == "partners":
                related.set(new, through_defaults={"start": engagement.start})
            else:
                related.set(new)
            changed.append(name)
    if "start" in changed:
        EngagementPartner.objects.filter(engagement=engagement).update(start=engagement.start)
    record_change(actor=actor, action="engagement.update", obj=engagement, changed_fields=changed)
    return engagement


@transaction.atomic
def attachment_add(
    *, actor, engagement: Engagement, title: str, upload: UploadedFile
) -> Attachment:
    """Keep a file with an engagement; only common document and image types, 10 MB at most."""
    _require_editor(actor, engagement.organisation)
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": _("Only PDF, DOCX, ODT, TXT, PNG and JPEG files can be attached.")}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("Attachments are limited to 10 MB.")})
    attachment = Attachment(
        engagement=engagement,
        title=title or name,
        content_type=ATTACHMENT_TYPES[extension] or mimetypes.guess_type(name)[0] or "",
        size=upload.size,
    )
    # Stored under a random name: the original name may itself be sensitive.
    attachment.file.save(f"{secrets.token_hex(16)}{extension}", upload, save=False)
    attachment.full_clean()
    attachment.save()
    record_change(
        actor=actor, action="attachment.add", obj=attachment, changed_fields=["file", "title"]
    )
    return attachment
