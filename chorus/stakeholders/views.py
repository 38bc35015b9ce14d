"""Thin views of the stakeholder map: power map, timelines, observations, alerts, backlash."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.core.views import paginate
from chorus.engagement.queries import engagements_for
from chorus.network.models import Organisation, Person
from chorus.network.queries import organisation_for
from chorus.network.views import add_form_errors
from chorus.stakeholders import actions, charts, queries
from chorus.stakeholders.forms import (
    ChecklistItemForm,
    InfluenceForm,
    ObservationForm,
    PowerMapFilterForm,
)
from chorus.stakeholders.models import ChecklistStatus, Issue


def _map_filters(request: HttpRequest) -> tuple[PowerMapFilterForm, dict]:
    form = PowerMapFilterForm(request.GET or None)
    filters = {"issue": Issue.DECRIMINALISATION, "region": "", "kind": ""}
    if form.is_valid():
        filters = {
            "issue": form.cleaned_data["issue"] or Issue.DECRIMINALISATION,
            "region": form.cleaned_data["region"],
            "kind": form.cleaned_data["kind"],
        }
    return form, filters


@login_required
def power_map(request: HttpRequest) -> HttpResponse:
    form, filters = _map_filters(request)
    result = queries.power_map_for(request.user, **filters)
    return render(
        request,
        "stakeholders/power_map.html",
        {
            "form": form,
            "map": result,
            "issue_label": Issue(filters["issue"]).label,
            "can_record": queries.can_record(request.user),
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def power_map_chart(request: HttpRequest) -> HttpResponse:
    _form, filters = _map_filters(request)
    svg = charts.power_map_svg(queries.power_map_for(request.user, **filters))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stakeholders/alert_list.html",
        {
            "page": paginate(request, queries.alerts_for(request.user)),
            "can_acknowledge": queries.can_record(request.user),
        },
    )


@require_POST
@login_required
def alert_acknowledge(request: HttpRequest) -> HttpResponse:
    alert = queries.alert_for(
        request.user, request.POST.get("kind", ""), request.POST.get("trigger", "")
    )
    if alert is None:
        raise Http404
    kind, actor_pk = alert.actor
    actions.alert_acknowledge(
        actor=request.user,
        kind=alert.kind,
        trigger=alert.trigger,
        organisation=Organisation.objects.get(pk=actor_pk) if kind == "organisation" else None,
        person=Person.objects.get(pk=actor_pk) if kind == "person" else None,
        issue=alert.issue,
        detected_on=alert.detected_on,
    )
    messages.success(request, _("The alert has been acknowledged."))
    return redirect("stakeholders:alert_list")


def _timeline(request: HttpRequest, **actor) -> HttpResponse:
    timeline = queries.timeline_for(request.user, **actor)
    return render(
        request,
        "stakeholders/timeline.html",
        {
            "timeline": timeline,
            "current": [
                (Issue(issue).label, observation) for issue, observation in timeline.current.items()
            ],
            "can_record": queries.can_record(request.user),
            "actor_kind": timeline.actor[0],
            "actor_pk": timeline.actor[1],
        },
    )


@login_required
def organisation_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    return _timeline(request, organisation_id=pk)


@login_required
def person_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    return _timeline(request, person_id=pk)


def _initial_actor(request: HttpRequest) -> dict:
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = int(request.GET["organisation"])
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    return initial


@login_required
def observation_create(request: HttpRequest) -> HttpResponse:
    if not queries.can_record(request.user):
        raise PermissionDenied
    organisations, people = queries.actor_choices(request.user)
    form = ObservationForm(
        request.POST or None,
        organisations=organisations,
        people=people,
        initial=_initial_actor(request),
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        number = values.pop("evidence_engagement")
        engagement = None
        if number:
            engagement = engagements_for(request.user).filter(pk=number).first()
            if engagement is None:
                form.add_error("evidence_engagement", _("There is no engagement with this number."))
        if not form.errors:
            try:
                observation = actions.observation_record(
                    actor=request.user, evidence_engagement=engagement, **values
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The observation has been recorded."))
                if observation.organisation_id:
                    return redirect(
                        "stakeholders:organisation_timeline", pk=observation.organisation_id
                    )
                return redirect("stakeholders:person_timeline", pk=observation.person_id)
    return render(request, "stakeholders/observation_form.html", {"form": form})


@login_required
def influence_create(request: HttpRequest) -> HttpResponse:
    if not queries.can_record(request.user):
        raise PermissionDenied
    organisations, people = queries.actor_choices(request.user)
    form = InfluenceForm(
        request.POST or None,
        organisations=organisations,
        people=people,
        initial=_initial_actor(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.influence_assess(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The assessment has been recorded."))
            if assessment.organisation_id:
                return redirect("stakeholders:organisation_timeline", pk=assessment.organisation_id)
            return redirect("stakeholders:person_timeline", pk=assessment.person_id)
    return render(request, "stakeholders/influence_form.html", {"form": form})


@login_required
def backlash_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """An ally's backlash preparedness: in general, and for each engagement with them."""
    ally = organisation_for(request.user, pk)
    can_edit = queries.can_record(request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ChecklistItemForm(request.POST)
        if form.is_valid():
            engagement = None
            if form.cleaned_data["engagement"]:
                engagement = (
                    engagements_for(request.user)
                    .filter(pk=form.cleaned_data["engagement"], partners=ally)
                    .first()
                )
                if engagement is None:
                    raise Http404
            try:
                actions.backlash_item_set(
                    actor=request.user,
                    ally=ally,
                    item=form.cleaned_data["item"],
                    status=form.cleaned_data["status"],
                    engagement=engagement,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The checklist has been updated."))
            return redirect("stakeholders:backlash_checklist", pk=pk)
        messages.error(request, _("The checklist could not be updated."))
    checklist = queries.backlash_checklist_for(request.user, ally)
    engagements = list(engagements_for(request.user, partner=ally.pk)[:20])
    sections = [(None, _("In general"))] + [(e, e.title) for e in engagements]
    rows = []
    for engagement, title in sections:
        saved = checklist["rows"].get(engagement.pk if engagement else None, {})
        items = []
        for item, label in checklist["items"]:
            record = saved.get(item)
            items.append(
                {
                    "item": item,
                    "label": label,
                    "status": record.status if record else ChecklistStatus.NOT_STARTED,
                    "status_label": record.get_status_display()
                    if record
                    else ChecklistStatus.NOT_STARTED.label,
                    "note": record.note if record else "",
                }
            )
        rows.append({"engagement": engagement, "title": title, "items": items})
    return render(
        request,
        "stakeholders/backlash_checklist.html",
        {"ally": ally, "sections": rows, "statuses": ChecklistStatus.choices, "can_edit": can_edit},
    )
