"""Thin views of outcomes, recommendations, their review queue and trends."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chorus.core.scoping import Scope
from chorus.core.uploads import size_limited
from chorus.core.views import paginate
from chorus.engagement.models import Engagement
from chorus.engagement.queries import engagements_for
from chorus.network.models import Country
from chorus.network.queries import organisations_for, people_for
from chorus.network.views import add_form_errors
from chorus.outcomes import actions, charts, importing, queries
from chorus.outcomes.forms import (
    OutcomeForm,
    RecommendationFilterForm,
    RecommendationUploadForm,
    ReviewForm,
    SubstantiationForm,
    SubstantiationRequestForm,
    TrendsFilterForm,
)
from chorus.outcomes.models import Label
from chorus.stakeholders.queries import can_record

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Room for the form's other fields (pasted text is bounded by the same limit).
FORM_OVERHEAD = 64 * 1024
ENGAGEMENT_CHOICES = 500


@login_required
def outcome_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "")
    page = paginate(request, queries.outcomes_for(request.user, direction=direction))
    for outcome in page:
        outcome.status = queries.substantiation_status(outcome)
    return render(
        request,
        "outcomes/outcome_list.html",
        {"page": page, "can_record": can_record(request.user), "direction": direction},
    )


def _recent_engagements(user):
    """The 500 latest engagements the user can see: enough to choose from, light to send."""
    recent = list(
        engagements_for(user).order_by("-start").values_list("pk", flat=True)[:ENGAGEMENT_CHOICES]
    )
    return Engagement.objects.filter(pk__in=recent).only("id", "title", "start")


def _outcome_form(request: HttpRequest, outcome=None) -> OutcomeForm:
    return OutcomeForm(
        request.POST or None,
        instance=outcome,
        actors=organisations_for(request.user).exclude(kind="member"),
        engagements=_recent_engagements(request.user),
    )


@login_required
def outcome_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_record(request.user):
        raise PermissionDenied
    outcome = queries.outcome_for(request.user, pk) if pk else None
    form = _outcome_form(request, outcome)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        engagements = list(values.pop("engagements"))
        try:
            if outcome is None:
                outcome = actions.outcome_create(
                    actor=request.user, engagements=engagements, **values
                )
            else:
                fresh = queries.outcome_for(request.user, pk)
                actions.outcome_update(
                    actor=request.user, outcome=fresh, engagements=engagements, **values
                )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The outcome has been saved."))
            return redirect("outcomes:outcome_detail", pk=outcome.pk)
    return render(request, "outcomes/outcome_form.html", {"form": form, "outcome": outcome})


@login_required
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = queries.outcome_for(request.user, pk)
    editable = can_record(request.user)
    request_form = SubstantiationRequestForm(
        request.POST if request.POST.get("form") == "request" else None,
        people=people_for(request.user).only("id", "display_name"),
    )
    answer_form = SubstantiationForm(request.POST if request.POST.get("form") == "answer" else None)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "request" and request_form.is_valid():
                actions.substantiation_request(
                    actor=request.user,
                    outcome=outcome,
                    substantiator=request_form.cleaned_data["substantiator"],
                )
                messages.success(request, _("The substantiation request has been recorded."))
                return redirect("outcomes:outcome_detail", pk=pk)
            if request.POST.get("form") == "answer" and answer_form.is_valid():
                data = dict(answer_form.cleaned_data)
                substantiation = outcome.substantiations.get(pk=data.pop("substantiation"))
                actions.substantiation_record(
                    actor=request.user, substantiation=substantiation, **data
                )
                messages.success(request, _("The substantiation has been recorded."))
                return redirect("outcomes:outcome_detail", pk=pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "status": queries.substantiation_status(outcome),
            "substantiations": outcome.substantiations.select_related("substantiator"),
            "engagements": outcome.engagements.all(),
            "request_form": request_form if editable else None,
            "answer_form": answer_form if editable else None,
        },
    )


def _recommendation_filters(request: HttpRequest) -> tuple[RecommendationFilterForm, dict]:
    form = RecommendationFilterForm(request.GET or {"relevant": "yes"})
    filters: dict = {"relevant": True}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "relevant": {"yes": True, "no": False}.get(data["relevant"]),
            "body": data["body"],
            "label": data["label"],
            "year": data["year"],
            "search": data["q"],
        }
    return form, filters


@login_required
def recommendation_list(request: HttpRequest) -> HttpResponse:
    form, filters = _recommendation_filters(request)
    page = paginate(request, queries.recommendations_for(request.user, **filters))
    return render(
        request,
        "outcomes/recommendation_list.html",
        {"form": form, "page": page, "can_import": Scope.of(request.user).is_everything},
    )


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = queries.recommendation_for(request.user, pk)
    form = ReviewForm(
        request.POST or None, initial={"label": recommendation.effective_label or Label.NEUTRAL}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.recommendation_review(
                actor=request.user,
                recommendation=recommendation,
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The label has been recorded."))
            following = queries.review_queue_for(request.user).first()
            if request.POST.get("next") == "queue" and following is not None:
                return redirect("outcomes:recommendation_detail", pk=following.pk)
            return redirect("outcomes:recommendation_detail", pk=pk)
    return render(
        request,
        "outcomes/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "form": form,
            "work_before": queries.work_before(request.user, recommendation),
            "cues": [
                {**cue, "polarity_label": _label_text(cue.get("polarity", ""))}
                for cue in recommendation.cues
            ],
        },
    )


def _label_text(value: str) -> str:
    """A label's name in the reader's language (stored labels and cues hold the code)."""
    return str(Label(value).label) if value in Label.values else "—"


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    page = paginate(request, queries.review_queue_for(request.user))
    return render(request, "outcomes/review_queue.html", {"page": page})


def _upload_too_large(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "outcomes/recommendation_import.html",
        {"form": RecommendationUploadForm(), "refused": _("The file is larger than 20 MB.")},
        status=413,
    )


@size_limited(lambda: UPLOAD_MAX_BYTES + FORM_OVERHEAD, _upload_too_large)
@login_required
def recommendation_import(request: HttpRequest) -> HttpResponse:
    if not Scope.of(request.user).is_everything:
        raise PermissionDenied
    form = RecommendationUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["file"]:
            upload = data["file"]
            if upload.size > UPLOAD_MAX_BYTES:
                form.add_error("file", _("The file is larger than 20 MB."))
                return render(request, "outcomes/recommendation_import.html", {"form": form})
            raw = upload.read()
            if _looks_like_paragraph_json(raw):
                report = importing.parse_paragraph_json(raw, upload.name)
            else:
                report = importing.parse_uhri(raw, upload.name)
        else:
            report = importing.parse_pasted(
                data["text"],
                symbol=data["symbol"],
                body=data["body"],
                country=data["country"].code if data["country"] else None,
                year=data["year"],
            )
        importing.recommendations_import(
            actor=request.user, report=report, valid_only=data["valid_only"]
        )
    return render(request, "outcomes/recommendation_import.html", {"form": form, "report": report})


def _looks_like_paragraph_json(raw: bytes) -> bool:
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return (
        isinstance(parsed, list)
        and bool(parsed)
        and isinstance(parsed[0], dict)
        and "ID" in parsed[0]
    )


@login_required
def trends(request: HttpRequest) -> HttpResponse:
    form = TrendsFilterForm(request.GET or None)
    filters = {"body": "", "region": ""}
    if form.is_valid():
        filters = {"body": form.cleaned_data["body"], "region": form.cleaned_data["region"]}
    figures = queries.trends_for(request.user, **filters)
    return render(
        request,
        "outcomes/trends.html",
        {
            "form": form,
            "figures": figures,
            "years": charts.year_table(figures["by_year"]),
            "labels": Label.choices,
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def trends_chart(request: HttpRequest) -> HttpResponse:
    form = TrendsFilterForm(request.GET or None)
    filters = {"body": "", "region": ""}
    if form.is_valid():
        filters = {"body": form.cleaned_data["body"], "region": form.cleaned_data["region"]}
    figures = queries.trends_for(request.user, **filters)
    response = HttpResponse(charts.trend_svg(figures["by_year"]), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def country(request: HttpRequest, code: str) -> HttpResponse:
    place = Country.objects.filter(code=code.upper()).first()
    if place is None:
        raise Http404
    recommendations = queries.recommendations_for(request.user, relevant=True, country=place.code)
    shadow_reports = engagements_for(request.user, kind="shadow_report").filter(
        organisation__country=place
    )
    first_report = shadow_reports.order_by("start").first()
    comparison = (
        queries.before_and_after(
            request.user, country=place.code, since_year=first_report.start.year
        )
        if first_report
        else None
    )
    return render(
        request,
        "outcomes/country.html",
        {
            "country": place,
            "recommendations": [
                (recommendation, _label_text(recommendation.effective))
                for recommendation in recommendations.order_by("-year", "symbol")[:200]
            ],
            "shadow_reports": shadow_reports,
            "outcomes": queries.outcomes_for(request.user, country=place.code),
            "first_report": first_report,
            "comparison": comparison,
            "labels": Label.choices,
        },
    )
