from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.exports import csv_bytes
from chorus.core.views import paginate
from chorus.network import actions, queries
from chorus.network.forms import OrganisationFilterForm, OrganisationForm


def _filters(request: HttpRequest) -> tuple[OrganisationFilterForm, dict]:
    form = OrganisationFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        return form, {"search": data["q"], "region": data["region"], "kind": data["kind"]}
    return form, {}


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = paginate(request, queries.organisations_for(request.user, **filters))
    return render(
        request,
        "network/organisation_list.html",
        {
            "form": form,
            "page": page,
            "can_create": queries.can_create_organisation(request.user),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_for(request.user, pk)
    confidential = queries.organisation_confidential_for(request.user, organisation)
    try:
        queries.organisation_editable_for(request.user, pk)
        can_edit = True
    except Http404:
        can_edit = False
    return render(
        request,
        "network/organisation_detail.html",
        {"organisation": organisation, "confidential": confidential, "can_edit": can_edit},
    )


@login_required
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not queries.can_create_organisation(request.user):
            raise PermissionDenied
        organisation = None
    else:
        organisation = queries.organisation_for_editing(request.user, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if organisation is None:
                organisation = actions.organisation_create(actor=request.user, **values)
            else:
                # The form filled the instance already; re-read it so the action sees the change.
                organisation = queries.organisation_editable_for(request.user, pk)
                actions.organisation_update(actor=request.user, organisation=organisation, **values)
        except PermissionDenied:
            form.add_error("country", _("You can only place organisations in your own region."))
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("network:organisation_detail", pk=organisation.pk)
    return render(
        request, "network/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def organisation_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    organisations = queries.organisations_for(request.user, **filters)
    header = ["name", "acronym", "kind", "country", "website", "founded", "listed"]
    rows = (
        [
            o.name,
            o.acronym,
            o.kind,
            o.country_id or "",
            o.website,
            o.founded or "",
            o.publicly_listed,
        ]
        for o in organisations.iterator(chunk_size=2000)
    )
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="organisations-{stamp}.csv"'
    return response
