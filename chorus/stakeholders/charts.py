"""The power map: actors placed by stance and influence, drawn on the server as SVG."""

from __future__ import annotations

import zlib

from django.utils.translation import gettext as _

from chorus.core.charts import cached_svg
from chorus.stakeholders.models import Stance
from chorus.stakeholders.queries import PowerMap

SIZE = (640, 420)
LABELLED = 25
BAND_COLOURS = ["#a4161a", "#e07a5f", "#9a8c98", "#81b29a", "#1b6b3a"]


def _jitter(actor, spread: float) -> float:
    """A stable offset per actor, so points sharing a cell do not hide each other."""
    return ((zlib.crc32(repr(actor).encode()) % 1000) / 1000 - 0.5) * spread


def chart_data(power_map: PowerMap) -> tuple:
    ranked = sorted(power_map.actors, key=lambda a: (-(a.influence or 0), a.name))
    labelled = {actor.actor for actor in ranked[:LABELLED]}
    return tuple(
        (
            actor.name,
            actor.stance,
            actor.influence or 0,
            round(actor.stance + _jitter(actor.actor, 0.6), 3),
            round((actor.influence or 0) + _jitter((actor.actor, "y"), 0.5), 3),
            actor.actor in labelled,
        )
        for actor in power_map.actors
    )


def _spec(data: tuple) -> dict:
    import altair as alt

    rows = [
        {
            "name": name,
            "stance": stance,
            "influence": influence,
            "x": x,
            "y": y,
            "label": label,
            "band": str(Stance(stance).label),
        }
        for name, stance, influence, x, y, label in data
    ]
    width, height = SIZE
    x_scale = alt.Scale(domain=[-2.6, 2.6])
    y_scale = alt.Scale(domain=[-0.5, 5.6])
    middle = (
        alt.Chart(alt.Data(values=[{"x1": -1.5, "x2": 1.5}]))
        .mark_rect(color="#f6e7b0", opacity=0.6)
        .encode(x=alt.X("x1:Q", scale=x_scale), x2="x2:Q")
    )
    middle_label = (
        alt.Chart(alt.Data(values=[{"x": 0, "y": 5.45, "text": _("Movable middle")}]))
        .mark_text(fontWeight="bold", color="#6b5a00")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
    )
    labels = [str(label) for _value, label in Stance.choices]
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_circle(size=80, opacity=0.85, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "x:Q",
                scale=x_scale,
                title=_("Stance"),
                axis=alt.Axis(
                    values=[-2, -1, 0, 1, 2],
                    labelExpr=(
                        "datum.value == -2 ? '" + labels[0].replace("'", "’") + "' : "
                        "datum.value == -1 ? '" + labels[1].replace("'", "’") + "' : "
                        "datum.value == 0 ? '" + labels[2].replace("'", "’") + "' : "
                        "datum.value == 1 ? '"
                        + labels[3].replace("'", "’")
                        + "' : '"
                        + labels[4].replace("'", "’")
                        + "'"
                    ),
                    labelAngle=0,
                    labelLimit=110,
                ),
            ),
            y=alt.Y(
                "y:Q", scale=y_scale, title=_("Influence"), axis=alt.Axis(values=[0, 1, 2, 3, 4, 5])
            ),
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=labels, range=BAND_COLOURS),
                legend=None,
            ),
        )
    )
    names = (
        alt.Chart(alt.Data(values=[row for row in rows if row["label"]]))
        .mark_text(align="left", dx=6, fontSize=9, color="#1d1b20")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="name:N")
    )
    chart = alt.layer(middle, middle_label, points, names).properties(
        width=width, height=height, title=_("Allies and opponents by stance and influence")
    )
    spec = chart.to_dict()
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def power_map_svg(power_map: PowerMap) -> str:
    data = (power_map.issue, chart_data(power_map))
    return cached_svg("power_map", data, lambda: _spec(data[1]))
