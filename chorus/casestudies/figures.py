"""Figures computed from the data at render time, so a case study's numbers never go stale.

Each figure returns Markdown: inline text, or a table set off as its own block. Figures are
aggregates; they read other apps only through their `queries` and statistics functions, as the
reader of the document may see them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.evidence.models import SourceKind


@dataclass(frozen=True)
class Figure:
    markdown: str
    block: bool = False


class FigureError(Exception):
    """A figure's name or options are wrong; the message says how."""


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def interviews(context, options) -> Figure:
    """Count the study's interviews and the distinct people in them."""
    sources = context.case_study.study.sources.filter(kind=SourceKind.INTERVIEW)
    count = sources.count()
    people = sources.exclude(participants=None).values("participants").distinct().count()
    interviews_text = ngettext("%(count)s interview", "%(count)s interviews", count) % {
        "count": count
    }
    people_text = ngettext("%(count)s individual", "%(count)s individuals", people) % {
        "count": people
    }
    return Figure(
        _("%(interviews)s with %(people)s") % {"interviews": interviews_text, "people": people_text}
    )


def sources(context, options) -> Figure:
    count = context.case_study.study.sources.count()
    return Figure(ngettext("%(count)s source", "%(count)s sources", count) % {"count": count})


def participants(context, options) -> Figure:
    count = context.case_study.study.participants.count()
    return Figure(
        ngettext("%(count)s participant", "%(count)s participants", count) % {"count": count}
    )


def _network(context):
    from chorus.network.statistics import network_statistics_for

    return network_statistics_for(context.figures_user)


def members(context, options) -> Figure:
    figures = _network(context)
    organisations = ngettext(
        "%(count)s organisation", "%(count)s organisations", figures.member_count
    ) % {"count": figures.member_count}
    countries = ngettext("%(count)s country", "%(count)s countries", figures.country_count) % {
        "count": figures.country_count
    }
    return Figure(
        _("%(organisations)s in %(countries)s")
        % {"organisations": organisations, "countries": countries}
    )


def members_by_region(context, options) -> Figure:
    figures = _network(context)
    rows = [[region.label, region.count] for region in figures.regions]
    return Figure(_table([_("Region"), _("Member organisations")], rows), block=True)


def engagements_by_platform(context, options) -> Figure:
    from chorus.engagement.queries import engagements_for

    engagements = engagements_for(context.figures_user)
    year = options.get("year", "")
    if year:
        if not year.isdigit():
            raise FigureError(_("The year must be a number, for example year=2020."))
        engagements = engagements.filter(start__year=int(year))
    counts = (
        engagements.values("event__platform__name")
        .annotate(count=Count("pk", distinct=True))
        .order_by("-count", "event__platform__name")
    )
    rows = [[row["event__platform__name"] or _("No platform"), row["count"]] for row in counts]
    return Figure(_table([_("Platform"), _("Engagements")], rows), block=True)


def power_map(context, options) -> Figure:
    from chorus.stakeholders.queries import power_map_for

    chart = power_map_for(context.figures_user)
    bands = Counter()
    for actor in chart.actors:
        if actor.stance > 0:
            bands[_("Allies")] += 1
        elif actor.stance < 0:
            bands[_("Opponents")] += 1
        else:
            bands[_("Neutral")] += 1
    rows = [[label, bands[label]] for label in (_("Allies"), _("Neutral"), _("Opponents"))]
    rows.append([_("Movable middle"), len(chart.movable_middle_all)])
    return Figure(_table([_("Stance"), _("Actors")], rows), block=True)


def recommendation_trends(context, options) -> Figure:
    from chorus.outcomes.models import Label
    from chorus.outcomes.queries import trends_for

    trends = trends_for(context.figures_user)
    labels = dict(Label.choices)
    by_year: dict[int, Counter] = {}
    for row in trends["by_year"]:
        by_year.setdefault(row["year"], Counter())[row["effective"]] += row["count"]
    columns = [value for value in labels if any(value in c for c in by_year.values())]
    rows = [[year, *[by_year[year][value] for value in columns]] for year in sorted(by_year)]
    return Figure(_table([_("Year"), *[str(labels[value]) for value in columns]], rows), block=True)


FIGURES: dict[str, Callable] = {
    "interviews": interviews,
    "sources": sources,
    "participants": participants,
    "members": members,
    "members_by_region": members_by_region,
    "engagements_by_platform": engagements_by_platform,
    "power_map": power_map,
    "recommendation_trends": recommendation_trends,
}
