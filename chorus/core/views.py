"""Thin views of the shared kernel: home, sign-in, two-factor, audit trail, error pages."""

from __future__ import annotations

import base64
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.core import actions, queries
from chorus.core.error_pages import error_page
from chorus.core.forms import SignInForm, TokenForm, TrailFilterForm
from chorus.core.middleware import SIGNED_IN_COOKIE


def paginate(request: HttpRequest, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.CHORUS_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        response.set_cookie(
            SIGNED_IN_COOKIE,
            "1",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("core:login")
    response.delete_cookie(SIGNED_IN_COOKIE)
    messages.info(request, _("You have signed out."))
    return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    device = actions.two_factor_start(actor=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            actions.two_factor_confirm(actor=request.user, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect(_safe_next(request) or "dashboard:home")
        form.add_error(
            "token", _("That code is not valid. Check your device's clock and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    issuer = "Chorus"
    uri = (
        f"otpauth://totp/{quote(issuer)}:{quote(request.user.username)}"
        f"?secret={secret}&issuer={quote(issuer)}&digits={device.digits}&period={device.step}"
    )
    qr_data_uri = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return render(
        request,
        "core/two_factor_setup.html",
        {"form": form, "secret": secret, "qr_data_uri": qr_data_uri, "next": _safe_next(request)},
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("core:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request) or "dashboard:home")
        form.add_error(
            "token", _("That code is not valid. Check your device's clock and try again.")
        )
    return render(
        request, "core/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    if request.method == "POST" and request.POST.get("disable_two_factor"):
        if request.user.two_factor_required:
            messages.error(request, _("Your role requires two-factor authentication."))
        else:
            actions.two_factor_disable(actor=request.user)
            messages.success(request, _("Two-factor authentication is off."))
        return redirect("core:account")
    return render(request, "core/account.html", {"has_device": has_device})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        # The action, not the form, writes the change, so it is audited in the same transaction.
        actions.password_change(
            actor=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("core:account")


def _trail(request: HttpRequest, query, template: str) -> HttpResponse:
    form = TrailFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    if "action" in filters and query is queries.access_events_for:
        filters["purpose"] = filters.pop("action")
    page = paginate(request, query(request.user, **filters))
    return render(request, template, {"form": form, "page": page})


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    return _trail(request, queries.audit_events_for, "core/audit_trail.html")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    return _trail(request, queries.access_events_for, "core/access_log.html")


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "core/locked_out.html", {"minutes": minutes}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        _("This form has expired"),
        _(
            "For your security the form could not be accepted: it may have been open too long, "
            "or cookies are blocked. Go back, reload the page and submit it again. "
            "Nothing was saved."
        ),
        status=403,
    )


def error_400(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        request,
        _("Bad request"),
        _("The request could not be understood. Nothing was changed."),
        status=400,
    )


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        request, _("Not allowed"), _("Your account does not have access to this page."), status=403
    )


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        request,
        _("Page not found"),
        _("There is no page at this address, or you do not have access to it."),
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        _("Something went wrong"),
        _("The server could not complete the request. Nothing was saved. Please try again later."),
        status=500,
    )
