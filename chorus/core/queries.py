"""Reads of the shared kernel: the audit trail and the access log, for the secretariat only."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from chorus.core.models import AccessEvent, AuditEvent
from chorus.core.scoping import Scope


def _trail_filters(
    queryset: QuerySet,
    *,
    actor: str = "",
    object_type: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    if actor:
        queryset = queryset.filter(actor__username__iexact=actor)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if since:
        queryset = queryset.filter(occurred_at__date__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__date__lte=until)
    return queryset.select_related("actor")


def audit_events_for(user, *, action: str = "", **filters) -> QuerySet[AuditEvent]:
    if not Scope.of(user).is_everything:
        raise PermissionDenied
    queryset = AuditEvent.objects.all()
    if action:
        queryset = queryset.filter(action__startswith=action)
    return _trail_filters(queryset, **filters)


def access_events_for(user, *, purpose: str = "", **filters) -> QuerySet[AccessEvent]:
    if not Scope.of(user).is_everything:
        raise PermissionDenied
    queryset = AccessEvent.objects.all()
    if purpose:
        queryset = queryset.filter(purpose=purpose)
    return _trail_filters(queryset, **filters)
