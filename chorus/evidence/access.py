"""Who may do what in a study: the team roles, decided on the server for every read and write.

A researcher sees only the studies they are on. The secretariat oversees every study with a
lead's rights. Leads manage the team, participants' identities, consent and pseudonyms (secret
data); coders import sources, build the codebook and code; readers read.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from chorus.core.models import Role
from chorus.core.scoping import Scope
from chorus.evidence.models import Study, StudyMember, StudyRole

EDITORS = (StudyRole.LEAD, StudyRole.CODER)


def studies_visible_to(user) -> QuerySet[Study]:
    scope = Scope.of(user)
    if scope.is_everything:
        return Study.objects.all()
    if scope.role == "anonymous":
        return Study.objects.none()
    return Study.objects.filter(members__user_id=scope.user_id)


def role_in(user, study: Study) -> str | None:
    """Return the user's role on the study (the secretariat counts as lead), or None."""
    scope = Scope.of(user)
    if scope.is_everything:
        return StudyRole.LEAD
    if scope.role == "anonymous":
        return None
    return (
        StudyMember.objects.filter(study=study, user_id=scope.user_id)
        .values_list("role", flat=True)
        .first()
    )


def require(user, study: Study, *roles: str) -> str:
    """Refuse unless the user holds one of `roles` on the study; off the study looks absent."""
    role = role_in(user, study)
    if role is None:
        raise Http404
    if roles and role not in roles:
        raise PermissionDenied
    return role


def may_create_study(user) -> bool:
    scope = Scope.of(user)
    return scope.is_everything or scope.role == Role.RESEARCHER
