"""The home page: a read-only summary composed from the other apps' queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chorus.engagement.queries import engagements_for
from chorus.network.queries import applications_for
from chorus.network.statistics import network_statistics_for
from chorus.stakeholders.queries import alerts_for

ALERTS_SHOWN = 5
ENGAGEMENTS_SHOWN = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    alerts = alerts_for(request.user)
    return render(
        request,
        "dashboard/home.html",
        {
            "statistics": network_statistics_for(request.user),
            "alerts": alerts[:ALERTS_SHOWN],
            "alert_count": len(alerts),
            "engagements": engagements_for(request.user)[:ENGAGEMENTS_SHOWN],
            "application_count": applications_for(request.user).count(),
        },
    )
