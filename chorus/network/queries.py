"""Reads of the registry, scoped to what each user may see.

Visibility of an organisation:
- the secretariat sees every organisation;
- everyone signed in sees publicly listed organisations;
- a regional coordinator also sees the unlisted ones in their region, a member editor their own.
Confidential fields (the sex worker-led flag, notes) are read only within that need-to-know scope,
and each such read is written to the access log.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chorus.core.audit import record_access
from chorus.core.scoping import Scope, get_visible_or_404
from chorus.network.models import Organisation

REGION_PATH = "country__region"
ORGANISATION_PATH = "pk"


def _need_to_know(scope: Scope) -> Q:
    return scope.confidential_filter(region_path=REGION_PATH, organisation_path=ORGANISATION_PATH)


def organisations_for(
    user, *, search: str = "", region: str = "", country: str = "", kind: str = ""
) -> QuerySet[Organisation]:
    scope = Scope.of(user)
    if not scope.is_internal:
        queryset = Organisation.objects.none()
    elif scope.is_everything:
        queryset = Organisation.objects.all()
    else:
        queryset = Organisation.objects.filter(Q(publicly_listed=True) | _need_to_know(scope))
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(acronym__icontains=search))
    if region:
        queryset = queryset.filter(country__region=region)
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("country").defer("sex_worker_led", "notes")


def organisation_for(user, pk: int) -> Organisation:
    return get_visible_or_404(organisations_for(user), pk=pk)


def organisation_editable_for(user, pk: int) -> Organisation:
    scope = Scope.of(user)
    editable = Organisation.objects.filter(
        scope.editable_filter(region_path=REGION_PATH, organisation_path=ORGANISATION_PATH)
    )
    return get_visible_or_404(editable, pk=pk)


def organisation_for_editing(user, pk: int) -> Organisation:
    """Return an organisation the user may edit; its form shows confidential data, so log it."""
    organisation = organisation_editable_for(user, pk)
    record_access(actor=user, obj=organisation, data_class="confidential", purpose="edit")
    return organisation


def organisation_confidential_for(user, organisation: Organisation) -> dict | None:
    """Return the confidential fields when the user needs to know them, logging the read."""
    scope = Scope.of(user)
    allowed = Organisation.objects.filter(_need_to_know(scope), pk=organisation.pk)
    if not scope.is_internal or not allowed.exists():
        return None
    full = Organisation.objects.only("sex_worker_led", "notes").get(pk=organisation.pk)
    record_access(actor=user, obj=organisation, data_class="confidential", purpose="view")
    return {"sex_worker_led": full.get_sex_worker_led_display(), "notes": full.notes}


def can_create_organisation(user) -> bool:
    scope = Scope.of(user)
    return scope.is_everything or scope.role == "regional_coordinator"
