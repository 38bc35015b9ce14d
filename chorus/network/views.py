"""Thin views of the registry: organisations, memberships and applications, people and posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chorus.core.models import Role
from chorus.core.scoping import Scope
from chorus.core.views import paginate
from chorus.network import actions, queries
from chorus.network.forms import (
    MembershipApplicationForm,
    MembershipDecisionForm,
    MembershipEditForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonFilterForm,
    PersonForm,
    PositionForm,
)
from chorus.network.models import MembershipStatus


def add_form_errors(form, error: ValidationError) -> None:
    """Show an action's validation error on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _filters(request: HttpRequest) -> tuple[OrganisationFilterForm, dict]:
    form = OrganisationFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        return form, {
            "search": data["q"],
            "region": data["region"],
            "country": data["country"],
            "kind": data["kind"],
            "tier": data["tier"],
            "status": data["status"],
        }
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
            "can_import": Scope.of(request.user).is_everything,
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_for(request.user, pk)
    current, past = queries.positions_at(request.user, organisation)
    can_edit = queries.can_edit_organisation(request.user, organisation)
    return render(
        request,
        "network/organisation_detail.html",
        {
            "organisation": organisation,
            "confidential": queries.organisation_confidential_for(request.user, organisation),
            "can_edit": can_edit,
            "memberships": queries.memberships_of(request.user, organisation),
            "members": queries.members_of(request.user, organisation)
            if organisation.kind in ("global_network", "regional_network", "coalition")
            else None,
            "current_positions": current,
            "past_positions": past,
            "other_countries": organisation.other_countries.all(),
            "local_name": organisation.names.get(request.LANGUAGE_CODE, ""),
        },
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
        values = form.action_values()
        try:
            if organisation is None:
                organisation = actions.organisation_create(actor=request.user, **values)
            else:
                # The form already changed the instance; the action compares with a fresh copy.
                fresh = queries.organisation_editable_for(request.user, pk)
                actions.organisation_update(actor=request.user, organisation=fresh, **values)
        except PermissionDenied:
            form.add_error("country", _("You can only place organisations in your own region."))
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("network:organisation_detail", pk=organisation.pk)
    return render(
        request, "network/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def membership_application(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_editable_for(request.user, pk)
    form = MembershipApplicationForm(
        request.POST or None, networks=queries.networks_for(request.user).exclude(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.membership_apply(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The application has been submitted."))
            return redirect("network:membership_detail", pk=membership.pk)
    return render(
        request, "network/membership_apply.html", {"form": form, "organisation": organisation}
    )


def _decisions_for(user, membership) -> list[tuple[str, str]]:
    """The steps this user may take on this membership now."""
    scope = Scope.of(user)
    region = membership.organisation.country.region if membership.organisation.country else ""
    regional = scope.is_everything or (
        scope.role == Role.REGIONAL_COORDINATOR and scope.region == region
    )
    status = membership.status
    decisions = []
    if regional and status in (MembershipStatus.APPLIED, MembershipStatus.REFERRED):
        decisions.append(("verify", _("Verify the application")))
    if regional and status == MembershipStatus.APPLIED and not scope.is_everything:
        decisions.append(("refer", _("Refer to the secretariat")))
    if scope.is_everything:
        if status in (
            MembershipStatus.APPLIED,
            MembershipStatus.REFERRED,
            MembershipStatus.VERIFIED,
        ):
            decisions += [("approve", _("Approve membership")), ("rejected", _("Reject"))]
        if status == MembershipStatus.MEMBER:
            decisions += [("suspended", _("Suspend")), ("left", _("Record that it left"))]
        if status == MembershipStatus.SUSPENDED:
            decisions += [("member", _("Reinstate")), ("left", _("Record that it left"))]
    return decisions


def _membership_for(user, pk: int):
    """A membership whose organisation and network the user can both see."""
    membership = queries.membership_visible_for(user, pk)
    if membership is None:
        raise Http404
    return membership


@login_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for(request.user, pk)
    decisions = _decisions_for(request.user, membership)
    decision_form = MembershipDecisionForm(
        request.POST if request.POST.get("form") == "decision" else None, decisions=decisions
    )
    can_edit = queries.can_edit_organisation(request.user, membership.organisation)
    edit_form = MembershipEditForm(
        request.POST if request.POST.get("form") == "edit" else None,
        initial={
            "tier": membership.tier,
            "consensus_statement_endorsed": membership.consensus_statement_endorsed,
            "core_values_endorsed": membership.core_values_endorsed,
        },
    )
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "decision":
            if not decisions:
                raise PermissionDenied
            if decision_form.is_valid():
                result = _decide(request, membership, decision_form)
                if result is not None:
                    return result
        elif which == "edit":
            if not can_edit:
                raise PermissionDenied
            if edit_form.is_valid():
                try:
                    actions.membership_update(
                        actor=request.user, membership=membership, **edit_form.cleaned_data
                    )
                except ValidationError as error:
                    add_form_errors(edit_form, error)
                else:
                    messages.success(request, _("The membership has been saved."))
                    return redirect("network:membership_detail", pk=pk)
        else:
            raise SuspiciousOperation("unknown form")
    return render(
        request,
        "network/membership_detail.html",
        {
            "membership": membership,
            "events": membership.events.select_related("actor").all(),
            "decision_form": decision_form if decisions else None,
            "edit_form": edit_form if can_edit else None,
        },
    )


def _decide(request: HttpRequest, membership, form) -> HttpResponse | None:
    decision = form.cleaned_data["decision"]
    note = form.cleaned_data["note"]
    date = form.cleaned_data["date"]
    try:
        if decision == "verify":
            actions.membership_verify(actor=request.user, membership=membership, note=note)
        elif decision == "refer":
            actions.membership_refer(actor=request.user, membership=membership, note=note)
        elif decision == "approve":
            actions.membership_approve(
                actor=request.user, membership=membership, joined=date, note=note
            )
        else:
            actions.membership_set_status(
                actor=request.user, membership=membership, status=decision, date=date, note=note
            )
    except ValidationError as error:
        add_form_errors(form, error)
        return None
    messages.success(request, _("The membership has been updated."))
    return redirect("network:membership_detail", pk=membership.pk)


@login_required
def application_queue(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not (scope.is_everything or scope.role in (Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR)):
        raise PermissionDenied
    page = paginate(request, queries.applications_for(request.user))
    return render(request, "network/application_queue.html", {"page": page})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(request, queries.people_for(request.user, search=search))
    return render(
        request,
        "network/person_list.html",
        {"form": form, "page": page, "can_create": queries.can_edit_people(request.user)},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.person_for(request.user, pk)
    return render(
        request,
        "network/person_detail.html",
        {
            "person": person,
            "positions": queries.person_positions_for(request.user, person),
            "secret": queries.person_secret_for(request.user, person),
            "can_edit": queries.can_edit_people(request.user),
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not queries.can_edit_people(request.user):
        raise PermissionDenied
    person = queries.person_for_editing(request.user, pk) if pk else None
    show_secret = Scope.of(request.user).is_everything
    form = PersonForm(request.POST or None, instance=person, show_secret=show_secret)
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                person = actions.person_create(actor=request.user, **form.cleaned_data)
            else:
                fresh = queries.person_for(request.user, pk)
                actions.person_update(actor=request.user, person=fresh, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The person has been saved."))
            return redirect("network:person_detail", pk=person.pk)
    return render(request, "network/person_form.html", {"form": form, "person": person})


@login_required
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_editable_for(request.user, pk)
    form = PositionForm(request.POST or None, people=queries.people_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.position_add(
                actor=request.user,
                organisation=organisation,
                title=data["title"],
                start=data["start"],
                end=data["end"],
                person=data["person"],
                new_person_name=data["new_person"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The position has been saved."))
            return redirect("network:organisation_detail", pk=organisation.pk)
    return render(
        request, "network/position_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = queries.position_editable_for(request.user, pk)
    form = PositionForm(request.POST or None, instance=position, people=None, editing=True)
    if request.method == "POST" and form.is_valid():
        fresh = queries.position_editable_for(request.user, pk)
        try:
            actions.position_update(actor=request.user, position=fresh, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The position has been saved."))
            return redirect("network:organisation_detail", pk=position.organisation_id)
    return render(
        request,
        "network/position_form.html",
        {"form": form, "organisation": position.organisation, "position": position},
    )
