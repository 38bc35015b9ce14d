"""The network statistics page and its charts: public, with figures scoped to the visitor."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chorus.core.scoping import Scope
from chorus.network import charts
from chorus.network.queries import networks_for
from chorus.network.statistics import network_statistics_for, statistics_network_for

logger = logging.getLogger(__name__)

CHART_CACHE_CONTROL = "private, max-age=300"


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """Show the network's member figures, with charts and the same figures as tables."""
    asked = request.GET.get("network", "")
    network = statistics_network_for(request.user, asked)
    figures = network_statistics_for(request.user, network=network)
    networks = list(networks_for(request.user)) if Scope.of(request.user).is_internal else []
    return render(
        request,
        "network/statistics.html",
        {
            "stats": figures,
            "network_query": f"?network={network.pk}" if asked and network else "",
            "networks": networks,
            "map_available": charts.world_atlas_available(),
            "sizes": {name: {"width": w, "height": h} for name, (w, h) in charts.SIZES.items()},
        },
    )


@require_safe
def statistics_chart(request: HttpRequest, chart: str) -> HttpResponse:
    """Return one chart of the figures the visitor may see, as SVG."""
    if chart not in charts.CHART_NAMES:
        raise Http404
    network = statistics_network_for(request.user, request.GET.get("network", ""))
    figures = network_statistics_for(request.user, network=network)
    try:
        svg = charts.chart_svg(chart, figures)
    except charts.WorldAtlasMissing as error:
        logger.error("%s", error)
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Figures depend on who asks, so only the visitor's own browser may keep a copy.
    response["Cache-Control"] = CHART_CACHE_CONTROL
    return response
