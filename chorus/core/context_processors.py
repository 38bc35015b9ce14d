from django.conf import settings

from chorus.core.scoping import Scope


def chorus(request):
    user = getattr(request, "user", None)
    scope = Scope.of(user) if user is not None else Scope(role="anonymous")
    return {"scope": scope, "LANGUAGES": settings.LANGUAGES}
