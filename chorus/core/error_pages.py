"""One way to answer with a polite error page, in the person's language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def error_page(request: HttpRequest, title: str, message: str, *, status: int) -> HttpResponse:
    """Render the error template with a title and a sentence saying what happened and what to do."""
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)
