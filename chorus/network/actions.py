"""Writes of the registry, each in one transaction with its audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from chorus.core.audit import apply_changes, record_change
from chorus.core.scoping import Scope
from chorus.network.models import Country, Organisation
from chorus.network.places import region_of_country

ORGANISATION_FIELDS = (
    "name",
    "acronym",
    "kind",
    "country",
    "website",
    "founded",
    "publicly_listed",
    "sex_worker_led",
    "notes",
)


def _check_region(actor, country: Country | None) -> None:
    scope = Scope.of(actor)
    if scope.is_everything:
        return
    if (
        scope.role == "regional_coordinator"
        and country is not None
        and country.region == scope.region
    ):
        return
    if scope.role == "member_editor":
        return
    raise PermissionDenied


@transaction.atomic
def countries_sync(*, actor=None) -> int:
    """Make the country table match the ISO list and the regional grouping; return rows added."""
    existing = dict(Country.objects.values_list("code", "region"))
    added = 0
    for code, region in region_of_country().items():
        if code not in existing:
            Country.objects.create(code=code, region=region)
            added += 1
        elif existing[code] != region:
            Country.objects.filter(code=code).update(region=region)
    if added:
        record_change(actor=actor, action="country.sync", obj=Country, changed_fields=["code"])
    return added


@transaction.atomic
def organisation_create(*, actor, **values) -> Organisation:
    scope = Scope.of(actor)
    if not (scope.is_everything or scope.role == "regional_coordinator"):
        raise PermissionDenied
    _check_region(actor, values.get("country"))
    organisation = Organisation(
        **{key: values[key] for key in values if key in ORGANISATION_FIELDS}
    )
    organisation.full_clean()
    organisation.save()
    record_change(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        changed_fields=[key for key in values if key in ORGANISATION_FIELDS],
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **values) -> Organisation:
    """Change an organisation; a coordinator cannot move it out of their own region."""
    _check_region(actor, values.get("country", organisation.country))
    changed = apply_changes(
        organisation, {key: value for key, value in values.items() if key in ORGANISATION_FIELDS}
    )
    organisation.full_clean()
    organisation.save()
    record_change(
        actor=actor, action="organisation.update", obj=organisation, changed_fields=changed
    )
    return organisation
