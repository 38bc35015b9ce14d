"""Charts of the network statistics, drawn on the server so the browser needs no JavaScript.

Specs are Vega-Lite, built with altair, and rendered to SVG (pages) or PNG (reports) by
vl-convert, which runs Vega in-process: nothing is fetched from another site, at render time or in
the browser. The world map's country shapes come from the world-atlas TopoJSON that `make vendor`
fetches into `settings.CHORUS_WORLD_ATLAS`.

Rendering takes tens to hundreds of milliseconds, so SVGs are kept in memory, keyed by chart,
language and a digest of the figures drawn: the same figures are drawn once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pycountry
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from chorus.core.charts import ACCENT, cached_svg
from chorus.network.statistics import NetworkStatistics

if TYPE_CHECKING:
    import altair as alt

# altair and vl_convert are imported where charts are drawn: together they take half a second to
# import, which every process would otherwise pay at start-up, for pages that draw nothing.

CHART_NAMES = ("map", "regions", "tiers", "years")
# Outer size of each chart in pixels (autosize "fit" makes the SVG exactly this size), so pages
# can give their <img> a width and height and nothing shifts while it loads.
SIZES = {"map": (720, 400), "regions": (640, 240), "tiers": (640, 200), "years": (640, 300)}
NO_MEMBERS = "#e4e2e6"
# Antarctica has no members and takes a sixth of the map.
ANTARCTICA = "010"


class WorldAtlasMissing(ImproperlyConfigured):
    """The world map's country shapes are not installed."""


def world_atlas_available() -> bool:
    return Path(settings.CHORUS_WORLD_ATLAS).is_file()


@lru_cache(maxsize=2)
def _topology(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError as error:
        raise WorldAtlasMissing(
            f"The world map's country shapes are missing ({path}). Run `make vendor` to fetch them."
        ) from error


def world_topology() -> dict:
    """Return the world-atlas TopoJSON, read once per process."""
    return _topology(str(settings.CHORUS_WORLD_ATLAS))


@lru_cache(maxsize=512)
def numeric_code(alpha_2: str) -> str | None:
    """Return the ISO 3166-1 numeric code ("834") that the atlas uses for an alpha-2 code."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.numeric if country is not None else None


def chart_data(name: str, statistics: NetworkStatistics) -> tuple:
    """Return the figures a chart draws, in the active language, as a hashable tuple."""
    if name == "map":
        # Only countries that may be named are shaded; small cells stay blank on public maps.
        return tuple(
            (code, country.count)
            for country in statistics.countries
            if (code := numeric_code(country.code))
        )
    if name == "regions":
        return tuple((region.label, region.count) for region in statistics.regions)
    if name == "tiers":
        return tuple((tier.label, tier.count) for tier in statistics.tiers)
    if name == "years":
        counts = {figure.year: figure.count for figure in statistics.years}
        if not counts:
            return ()
        # Years without a new member are drawn as zero rather than left out of the axis.
        return tuple(
            (str(year), counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)
        )
    raise KeyError(name)


def _fit(chart: alt.TopLevelMixin, name: str, title: str) -> dict:
    import altair as alt

    width, height = SIZES[name]
    return chart.properties(
        width=width,
        height=height,
        title=title,
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
    ).to_dict()


def _map_spec(data: tuple) -> dict:
    import altair as alt

    topology = world_topology()
    # The topology is added to the finished spec under a name: altair would otherwise walk its
    # hundred thousand numbers on every build.
    shapes = alt.Data(name="countries", format=alt.DataFormat(type="topojson", feature="countries"))
    values = [{"id": code, "members": count} for code, count in data]
    counts = [count for _code, count in data] or [0]
    low, high = min(counts), max(counts)
    # One layer, each country drawn once: those without members (or not named) stay grey.
    color = (
        alt.when("datum.members > 0")
        .then(
            alt.Color(
                "members:Q",
                title=_("Member organisations"),
                scale=alt.Scale(domain=[low if low < high else 0, high], range=["#e9b9d9", ACCENT]),
                legend=alt.Legend(orient="bottom-left", format="d", tickMinStep=1),
            )
        )
        .otherwise(alt.value(NO_MEMBERS))
    )
    countries = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5)
        .transform_filter(f"datum.id !== '{ANTARCTICA}'")
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(alt.Data(values=values), "id", ["members"]),
        )
        .transform_calculate(members="datum.members || 0")
        .encode(color=color if high else alt.value(NO_MEMBERS))
        .project(type="equalEarth")
    )
    spec = _fit(countries, "map", _("Member organisations by country"))
    spec.setdefault("datasets", {})["countries"] = topology
    return spec


def _bar_spec(name: str, data: tuple, *, title: str, category: str, horizontal: bool) -> dict:
    import altair as alt

    values = [{"label": label, "members": count} for label, count in data]
    members = alt.X if horizontal else alt.Y
    categories = alt.Y if horizontal else alt.X
    base = alt.Chart(alt.Data(values=values)).encode(
        members(
            "members:Q",
            title=_("Member organisations"),
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        categories(
            "label:N",
            title=category,
            sort=None,
            axis=alt.Axis(labelLimit=260, labelAngle=0 if horizontal else -45),
        ),
    )
    bars = base.mark_bar(color=ACCENT)
    labels = base.mark_text(
        align="left" if horizontal else "center",
        baseline="middle" if horizontal else "bottom",
        dx=4 if horizontal else 0,
        dy=0 if horizontal else -3,
        color="#1d1b20",
    ).encode(text="members:Q")
    if not horizontal:
        # Years without a new member keep their place on the axis but need no "0" label.
        labels = labels.transform_filter("datum.members > 0")
    return _fit(alt.layer(bars, labels), name, title)


def chart_spec(name: str, statistics: NetworkStatistics) -> dict:
    """Return the Vega-Lite spec of a chart, with titles in the active language."""
    return _spec(name, chart_data(name, statistics))


def _spec(name: str, data: tuple) -> dict:
    if name == "map":
        return _map_spec(data)
    if name == "regions":
        return _bar_spec(
            name,
            data,
            title=_("Member organisations by region"),
            category=_("Region"),
            horizontal=True,
        )
    if name == "tiers":
        return _bar_spec(
            name,
            data,
            title=_("Member organisations by tier"),
            category=_("Tier"),
            horizontal=True,
        )
    if name == "years":
        return _bar_spec(
            name,
            data,
            title=_("Member organisations by year joined"),
            category=_("Year joined"),
            horizontal=False,
        )
    raise KeyError(name)


def chart_svg(name: str, statistics: NetworkStatistics) -> str:
    """Return a chart of the statistics as SVG, from memory when these figures were drawn before.

    Raises KeyError for an unknown chart and WorldAtlasMissing when the map's shapes are missing.
    """
    if name not in CHART_NAMES:
        raise KeyError(name)
    data = chart_data(name, statistics)
    return cached_svg(name, data, lambda: _spec(name, data))
