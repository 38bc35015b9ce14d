"""Thin views of the engagement log, platforms and events, and coalitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chorus.core.views import paginate
from chorus.engagement import actions, queries
from chorus.engagement.forms import (
    AttachmentForm,
    EngagementFilterForm,
    EngagementForm,
    EventForm,
    PlatformForm,
)
from chorus.engagement.models import Barrier, Strategy
from chorus.network.views import add_form_errors


@login_required
def engagement_list(request: HttpRequest) -> HttpResponse:
    form = EngagementFilterForm(request.GET or None, platforms=queries.platforms_for(request.user))
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "platform": data["platform"],
            "kind": data["kind"],
            "level": data["level"],
            "region": data["region"],
            "year": data["year"],
            "strategy": data["strategy"],
            "barrier": data["barrier"],
        }
    page = paginate(request, queries.engagements_for(request.user, **filters))
    return render(
        request,
        "engagement/engagement_list.html",
        {"form": form, "page": page, "can_record": queries.can_record_engagements(request.user)},
    )


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = queries.engagement_for(request.user, pk)
    can_edit = queries.can_edit_engagement(request.user, engagement)
    attachment_form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if attachment_form.is_valid():
            try:
                actions.attachment_add(
                    actor=request.user,
                    engagement=queries.engagement_editable_for(request.user, pk),
                    title=attachment_form.cleaned_data["title"],
                    upload=attachment_form.cleaned_data["file"],
                )
            except ValidationError as error:
                add_form_errors(attachment_form, error)
            else:
                messages.success(request, _("The file has been attached."))
                return redirect("engagement:engagement_detail", pk=pk)
    return render(
        request,
        "engagement/engagement_detail.html",
        {
            "engagement": engagement,
            "can_edit": can_edit,
            "attachment_form": attachment_form if can_edit else None,
            "links": [line for line in engagement.links.splitlines() if line.strip()],
            "strategies": [Strategy(value).label for value in engagement.strategies],
            "barriers": [Barrier(value).label for value in engagement.barriers],
        },
    )


def _engagement_form(request: HttpRequest, engagement=None) -> EngagementForm:
    return EngagementForm(
        request.POST or None,
        instance=engagement,
        organisations=queries.reporting_organisations_for(request.user),
        partners=queries.partner_choices_for(request.user),
        people=queries.people_choices_for(request.user),
    )


@login_required
def engagement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None and not queries.can_record_engagements(request.user):
        raise PermissionDenied
    engagement = queries.engagement_editable_for(request.user, pk) if pk else None
    form = _engagement_form(request, engagement)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        partners = list(values.pop("partners"))
        people = list(values.pop("people"))
        try:
            if engagement is None:
                engagement = actions.engagement_create(
                    actor=request.user, partners=partners, people=people, **values
                )
            else:
                fresh = queries.engagement_editable_for(request.user, pk)
                actions.engagement_update(
                    actor=request.user, engagement=fresh, partners=partners, people=people, **values
                )
        except PermissionDenied:
            form.add_error(
                "organisation", _("You cannot record engagements for this organisation.")
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The engagement has been saved."))
            return redirect("engagement:engagement_detail", pk=engagement.pk)
    return render(
        request, "engagement/engagement_form.html", {"form": form, "engagement": engagement}
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = queries.attachment_for(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.title + "." + attachment.file.name.rsplit(".", 1)[-1],
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def platform_list(request: HttpRequest) -> HttpResponse:
    can_manage = queries.can_manage_platforms(request.user)
    form = PlatformForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                platform = actions.platform_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The platform has been saved."))
                return redirect("engagement:platform_detail", pk=platform.pk)
    return render(
        request,
        "engagement/platform_list.html",
        {
            "platforms": queries.platforms_for(request.user),
            "form": form if can_manage else None,
        },
    )


@login_required
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    platform = queries.platform_for(request.user, pk)
    can_manage = queries.can_manage_platforms(request.user)
    form = EventForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            values = dict(form.cleaned_data)
            values["interpretation_languages"] = values.pop("interpretation")
            try:
                actions.event_create(actor=request.user, platform=platform, **values)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The event has been saved."))
                return redirect("engagement:platform_detail", pk=pk)
    return render(
        request,
        "engagement/platform_detail.html",
        {
            "platform": platform,
            "events": queries.events_for(request.user, platform),
            "engagements": queries.engagements_for(request.user, platform=pk)[:50],
            "form": form if can_manage else None,
        },
    )


@login_required
def coalition_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/coalition_list.html",
        {"coalitions": queries.coalitions_for(request.user)},
    )


@login_required
def coalition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    coalition = queries.coalition_for(request.user, pk)
    history = queries.coalition_history(request.user, coalition)
    return render(request, "engagement/coalition_detail.html", {"coalition": coalition, **history})
