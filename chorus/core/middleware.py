"""Request-wide protections: idle-session notice, mandatory two-factor, database faults."""

from __future__ import annotations

import logging
import time

from django.contrib import messages
from django.db import OperationalError
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.core.error_pages import error_page

logger = logging.getLogger(__name__)

# Set at sign-in and removed at sign-out, so a request that still carries it while anonymous
# comes from a session that expired through inactivity.
SIGNED_IN_COOKIE = "chorus_signed_in"


# How often an active session's expiry is pushed forward. Saving the session on every request
# (Django's SESSION_SAVE_EVERY_REQUEST) made each page view a database write; once a minute
# keeps the idle timeout within a minute of CHORUS_SESSION_MINUTES.
SESSION_REFRESH_SECONDS = 60
SESSION_REFRESHED_KEY = "_chorus_refreshed"


class SessionRefreshMiddleware:
    """Keep an active session alive: renew its expiry at most once every SESSION_REFRESH_SECONDS.

    Placed after SessionMiddleware, so that the session is marked changed before that middleware
    decides whether to save it. Visitors without a session get none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(SESSION_REFRESHED_KEY, 0) >= SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return response


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expired = SIGNED_IN_COOKIE in request.COOKIES and not request.user.is_authenticated
        if expired:
            messages.warning(
                request,
                _("Your session ended after a period without activity. Please sign in again."),
            )
        response = self.get_response(request)
        if expired:
            response.delete_cookie(SIGNED_IN_COOKIE)
        return response


class TwoFactorRequiredMiddleware:
    """Send users whose role requires two-factor to set it up or confirm it before anything else."""

    allowed_url_names = {"two_factor_setup", "two_factor_verify", "logout", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.two_factor_required
            and not user.is_verified()
            and not request.path.startswith("/static/")
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is None or match.url_name not in self.allowed_url_names:
                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                target = "core:two_factor_verify" if has_device else "core:two_factor_setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer politely when the database cannot be written or read; the transaction rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            logger.error("database unavailable: %s", exception.__class__.__name__)
            return error_page(
                request,
                _("The database is not available"),
                _(
                    "Chorus could not save or read data just now, so nothing was changed. "
                    "Please try again in a few minutes; "
                    "if it persists, tell your administrator."
                ),
                status=503,
            )
        return None
