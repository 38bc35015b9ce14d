"""Who may see and change what: the one place that turns a user's role into query filters.

Every app's `queries.py` builds its querysets through `Scope`, so access is decided on the server
for lists, detail pages and exports alike. A hidden link is never the protection.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from chorus.core.models import Role

SYSTEM = "system"


@dataclass(frozen=True)
class Scope:
    """The reach of one user: everything, one region, one organisation, or public data only."""

    role: str
    region: str = ""
    organisation_id: int | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, user) -> Scope:
        """Return the user's scope; `None` is the system itself (commands, migrations, demo)."""
        if user is None:
            return cls(role=SYSTEM)
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(role="anonymous")
        return cls(
            role=user.role,
            region=user.region or "",
            organisation_id=user.organisation_id,
            user_id=user.pk,
        )

    @property
    def is_everything(self) -> bool:
        return self.role in (Role.SECRETARIAT, SYSTEM)

    @property
    def is_internal(self) -> bool:
        """Signed-in staff may read internal data (engagements, stances, codebooks)."""
        return self.role != "anonymous"

    def region_filter(self, region_path: str) -> Q:
        """Rows in this user's region (a regional coordinator), none for other scoped roles."""
        if self.is_everything:
            return Q()
        if self.role == Role.REGIONAL_COORDINATOR and self.region:
            return Q(**{region_path: self.region})
        return Q(pk__in=[])

    def organisation_filter(self, organisation_path: str) -> Q:
        if self.is_everything:
            return Q()
        if self.role == Role.MEMBER_EDITOR and self.organisation_id:
            return Q(**{organisation_path: self.organisation_id})
        return Q(pk__in=[])

    def confidential_filter(self, *, region_path: str, organisation_path: str) -> Q:
        """Rows whose confidential data this user may read: need-to-know within scope."""
        if self.is_everything:
            return Q()
        return self.region_filter(region_path) | self.organisation_filter(organisation_path)

    def editable_filter(self, *, region_path: str, organisation_path: str) -> Q:
        return self.confidential_filter(
            region_path=region_path, organisation_path=organisation_path
        )


# Roles that record the network's own work (engagements, stances, outcomes, people and posts).
RECORDERS = (Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR)


def has_role(user, *roles: str) -> bool:
    """Whether the user holds one of the roles; the secretariat and the system always do."""
    scope = Scope.of(user)
    return scope.is_everything or (scope.role != "anonymous" and scope.role in roles)


def require_role(user, *roles: str) -> None:
    """Refuse unless the user holds one of the roles; with none named, only the secretariat."""
    if not has_role(user, *roles):
        raise PermissionDenied


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset; out of scope looks exactly like absent."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404 from error
