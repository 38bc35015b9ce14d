"""Refuse an oversized upload before any of it is read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def declared_size(request: HttpRequest) -> int:
    """The body size the client announced (0 when absent or malformed)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def max_files() -> int:
    """How many files one upload may hold (Django refuses more while reading the form)."""
    return settings.DATA_UPLOAD_MAX_NUMBER_FILES


def size_limited(
    max_bytes: Callable[[], int],
    refuse: Callable[[HttpRequest], HttpResponse],
    too_many_files: Callable[[HttpRequest], HttpResponse] | None = None,
) -> Callable:
    """Decorate an upload view: refuse a POST larger than `max_bytes()`, then check CSRF.

    The CSRF middleware would read the whole body to find the token, so the view is exempt from
    it and the same check runs here, after the size is known to be acceptable. An upload of more
    than `max_files()` files is answered by `too_many_files` (when given) rather than with a bare
    "bad request".
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                if declared_size(request) > max_bytes():
                    return refuse(request)
                try:
                    return protected(request, *args, **kwargs)
                except TooManyFilesSent:
                    if too_many_files is None:
                        raise
                    return too_many_files(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
