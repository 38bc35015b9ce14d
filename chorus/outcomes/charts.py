"""The trend of recommendations on sex work by year and label, drawn on the server."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.core.charts import cached_svg
from chorus.outcomes.models import Label

COLOURS = {
    Label.RIGHTS_AFFIRMING: "#1b6b3a",
    Label.MIXED: "#e0a458",
    Label.NEUTRAL: "#9a8c98",
    Label.REGRESSIVE: "#a4161a",
    Label.UNKNOWN: "#d8d3dc",
}


def year_table(rows: list[dict]) -> list[tuple[int, list[int], int]]:
    """Rows of (year, counts in label order, total) for the page's table."""
    labels = [value for value, _label in Label.choices]
    years: dict[int, dict[str, int]] = {}
    for row in rows:
        years.setdefault(row["year"], {})[row["effective"] or Label.UNKNOWN] = row["count"]
    return [
        (year, [counts.get(label, 0) for label in labels], sum(counts.values()))
        for year, counts in sorted(years.items())
    ]


def _spec(data: tuple) -> dict:
    import altair as alt

    labels = [str(label) for _value, label in Label.choices]
    names = dict((value, str(label)) for value, label in Label.choices)
    values = [
        {"year": str(year), "label": names.get(label, label), "count": count}
        for year, label, count in data
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=_("Year")),
            y=alt.Y("count:Q", title=_("Recommendations on sex work")),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(
                    domain=labels, range=[COLOURS[value] for value, _l in Label.choices]
                ),
                title=_("Label"),
            ),
        )
        .properties(width=640, height=300, title=_("Recommendations on sex work by year and label"))
    )
    spec = chart.to_dict()
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def trend_svg(rows: list[dict]) -> str:
    data = tuple((row["year"], row["effective"] or Label.UNKNOWN, row["count"]) for row in rows)
    return cached_svg("recommendation_trend", data, lambda: _spec(data))
