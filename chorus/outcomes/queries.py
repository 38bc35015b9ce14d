"""Reads of outcomes and recommendations.

Recommendations are public UN documents: any signed-in user may read them. Outcomes are internal
and follow the visibility of their social actor when it is a registry organisation.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from chorus.core.scoping import Scope, get_visible_or_404
from chorus.network.queries import visible_organisation_filter
from chorus.outcomes.models import Outcome, Recommendation

# The label that counts: a reviewer's, else the classifier's.
EFFECTIVE_LABEL = Coalesce(NullIf("reviewed_label", Value("")), "label")


def recommendations_for(
    user,
    *,
    relevant: bool | None = None,
    body: str = "",
    country: str = "",
    label: str = "",
    year: int | None = None,
    search: str = "",
) -> QuerySet[Recommendation]:
    if not Scope.of(user).is_internal:
        return Recommendation.objects.none()
    queryset = Recommendation.objects.annotate(effective=EFFECTIVE_LABEL)
    if relevant is not None:
        queryset = queryset.filter(relevant=relevant)
    if body:
        queryset = queryset.filter(body=body)
    if country:
        queryset = queryset.filter(country_id=country)
    if label:
        queryset = queryset.filter(effective=label)
    if year:
        queryset = queryset.filter(year=year)
    if search:
        queryset = queryset.filter(Q(text__icontains=search) | Q(symbol__icontains=search))
    return queryset.select_related("country")


def recommendation_for(user, pk: int) -> Recommendation:
    return get_visible_or_404(recommendations_for(user), pk=pk)


def review_queue_for(user) -> QuerySet[Recommendation]:
    """Relevant paragraphs whose label no person has confirmed yet, least confident first."""
    return (
        recommendations_for(user, relevant=True)
        .filter(reviewed_label="")
        .order_by("confidence", "-year", "id")
    )


def trends_for(user, *, body: str = "", region: str = "") -> dict:
    """Relevant recommendations counted by year and label, and by body and by region."""
    queryset = recommendations_for(user, relevant=True, body=body)
    if region:
        queryset = queryset.filter(country__region=region)
    by_year = list(
        queryset.exclude(year=None)
        .values("year", "effective")
        .annotate(count=Count("id"))
        .order_by("year", "effective")
    )
    by_body = list(
        queryset.values("body", "effective").annotate(count=Count("id")).order_by("body")
    )
    by_region = list(
        queryset.values("country__region", "effective")
        .annotate(count=Count("id"))
        .order_by("country__region")
    )
    return {"by_year": by_year, "by_body": by_body, "by_region": by_region}


def before_and_after(user, *, country: str, since_year: int) -> dict[str, dict[str, int]]:
    """Recommendations to a country before and from a shadow report's year, by label."""
    queryset = recommendations_for(user, relevant=True, country=country).exclude(year=None)
    result = {"before": {}, "after": {}}
    for row in queryset.values("year", "effective").annotate(count=Count("id")):
        side = "after" if row["year"] >= since_year else "before"
        result[side][row["effective"]] = result[side].get(row["effective"], 0) + row["count"]
    return result


def outcomes_for(user, *, direction: str = "", country: str = "") -> QuerySet[Outcome]:
    scope = Scope.of(user)
    if not scope.is_internal:
        return Outcome.objects.none()
    queryset = Outcome.objects.all()
    if not scope.is_everything:
        queryset = queryset.filter(
            Q(social_actor__isnull=True) | visible_organisation_filter(user, "social_actor__")
        )
    if direction:
        queryset = queryset.filter(direction=direction)
    if country:
        queryset = queryset.filter(country_id=country)
    return queryset.select_related("social_actor", "country").prefetch_related("substantiations")


def outcome_for(user, pk: int) -> Outcome:
    return get_visible_or_404(outcomes_for(user), pk=pk)


def substantiation_status(outcome: Outcome) -> str:
    """None asked, awaiting answers, substantiated (all agree fully), partly, or disputed."""
    answers = list(outcome.substantiations.all())
    if not answers:
        return "none"
    answered = [item for item in answers if item.responded_on]
    if len(answered) < len(answers):
        return "awaiting"
    values = {
        getattr(item, part)
        for item in answered
        for part in ("description", "significance", "contribution")
    }
    if "disagree" in values:
        return "disputed"
    return "substantiated" if values == {"full"} else "partly"


# Engagement platforms where a treaty body's or the UPR's recommendations are prepared.
BODY_PLATFORMS = {"CEDAW": "cedaw", "UPR": "hrc_upr"}


def work_before(user, recommendation: Recommendation, *, limit: int = 20):
    """The visible shadow reports and engagements in the recommendation's country before it.

    These are the network's contributions a reviewer weighs when asking whether the
    recommendation is an outcome of that work: shadow reports from organisations in the country,
    and engagements at the body's own platform, up to the end of the recommendation's year.
    """
    from chorus.engagement.queries import engagements_for

    if recommendation.country_id is None or recommendation.year is None:
        return []
    relevant = Q(kind="shadow_report")
    platform_kind = BODY_PLATFORMS.get(recommendation.body)
    if platform_kind:
        relevant |= Q(platform__kind=platform_kind) | Q(event__platform__kind=platform_kind)
    return list(
        engagements_for(user)
        .filter(relevant, organisation__country_id=recommendation.country_id)
        .filter(start__year__lte=recommendation.year)
        .select_related("organisation")
        .order_by("-start")[:limit]
    )
