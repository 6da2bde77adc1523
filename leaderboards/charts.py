"""The leaderboards' charts, drawn on the server as SVG with the chart kit (`app.charts`).

Each is one image (`role="img"`) named by its <title> and described by its <desc>, with a table of
the same numbers on the page; colours come from the stylesheet, so high contrast applies.
"""

import math
from datetime import date

from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup

from app import charts as kit
from app.charts import nice_step, short_name
from challenges.display import short_date
from challenges.results import MIN_PARTICIPANTS, NeighbourhoodStanding
from leaderboards.display import formatter

WIDTH = 720
# Horizontal bars: one row per neighbourhood, the name left of its bar.
BAR_LEFT, BAR_RIGHT, BAR_TOP, ROW_HEIGHT, NAME_CHARS = 190, 88, 32, 34, 22
# Line: rank over days, rank 1 at the top.
LINE_HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 64, 24, 28, 48
MAX_X_LABELS = 10


# Neighbourhoods -------------------------------------------------------------------------------


def neighbourhood_summary(standings: list[NeighbourhoodStanding], unit: str) -> str:
    """One sentence: who leads, with what, and how many neighbourhoods are ranked or too small to show."""
    ranked = [standing for standing in standings if standing.ranked]
    too_few, number = len(standings) - len(ranked), formatter()
    if not ranked:
        summary = gettext("No neighbourhood has %(num)d participants yet, so none is ranked.", num=MIN_PARTICIPANTS)
    else:
        leaders = [standing.name for standing in ranked if standing.rank == 1]
        summary = ngettext(
            "%(leaders)s leads with %(score)s %(unit)s per participating household; %(num)d neighbourhood is ranked.",
            "%(leaders)s leads with %(score)s %(unit)s per participating household; %(num)d neighbourhoods are ranked.",
            len(ranked),
            leaders=" & ".join(leaders),
            score=number(ranked[0].score, 1),
            unit=unit,
        )
    if too_few:
        summary += " " + ngettext(
            "%(num)d more has fewer than %(min)d participants and is not ranked.",
            "%(num)d more have fewer than %(min)d participants and are not ranked.",
            too_few,
            min=MIN_PARTICIPANTS,
        )
    return summary


_CHARTS_KEPT = 256
_charts: dict[tuple, dict] = {}


def neighbourhood_chart(standings: list[NeighbourhoodStanding], unit: str) -> dict:
    """The neighbourhood ranking's one-sentence summary and its SVG (None while nothing is ranked).

    Drawn once per locale and standings and then reused: the standings change only when a score does,
    and drawing a dozen bars cost a leaderboard page more than reading them.
    """
    key = (str(get_locale()), str(unit), tuple(standings))
    chart = _charts.get(key)
    if chart is None:
        if len(_charts) >= _CHARTS_KEPT:
            _charts.clear()
        chart = _charts[key] = _draw_neighbourhood_chart(standings, unit)
    return chart


def _draw_neighbourhood_chart(standings: list[NeighbourhoodStanding], unit: str) -> dict:
    summary = neighbourhood_summary(standings, unit)
    ranked = [standing for standing in standings if standing.ranked]
    return {"summary": summary, "svg": _neighbourhood_bars(ranked, unit, summary) if ranked else None}


def _neighbourhood_bars(ranked: list[NeighbourhoodStanding], unit: str, summary: str) -> Markup:
    """Horizontal bars of the ranked neighbourhoods' scores per participating household, best first."""
    top = max(standing.score for standing in ranked)
    step = nice_step(top)
    top = step * max(1, math.ceil(top / step - 1e-9))
    plot = WIDTH - BAR_LEFT - BAR_RIGHT
    height = BAR_TOP + ROW_HEIGHT * len(ranked) + 8
    parts = [
        Markup('<text class="chart-unit" x="{x}" y="{y}">{unit}</text>').format(
            x=BAR_LEFT, y=BAR_TOP - 12, unit=gettext("%(unit)s per participating household", unit=unit)
        )
    ]
    number = formatter()
    parts += [_bar_row(index, standing, top, plot, unit, number) for index, standing in enumerate(ranked)]
    parts.append(
        Markup('<line class="chart-axis" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"/>').format(
            x=BAR_LEFT, y1=BAR_TOP, y2=height - 8
        )
    )
    desc = summary + " " + gettext("The table below lists every neighbourhood.")
    title = gettext("Neighbourhoods by score per participating household")
    return kit.svg("neighbourhood-chart", height, title, desc, Markup("").join(parts))


def _bar_row(index: int, standing: NeighbourhoodStanding, top: float, plot: float, unit: str, number) -> Markup:
    """One neighbourhood: its place and name left of the axis, its bar, and its score at the bar's end."""
    y = BAR_TOP + index * ROW_HEIGHT
    width = round(max(standing.score, 0.0) / top * plot, 1)
    text_y = y + ROW_HEIGHT / 2 + 5
    return Markup(
        '<text class="chart-tick" x="{lx}" y="{ty}" text-anchor="end">{name}</text>'
        '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{label}</title></rect>'
        '<text class="chart-tick" x="{vx}" y="{ty}">{value}</text>'
    ).format(
        lx=BAR_LEFT - 8, ty=text_y, name=f"{standing.rank}. {short_name(standing.name, NAME_CHARS)}",
        x=BAR_LEFT, y=y + 5, w=width,
        h=ROW_HEIGHT - 10, label=f"{standing.rank}. {standing.name}: {number(standing.score, 1)} {unit}",
        vx=BAR_LEFT + width + 6, value=number(standing.score, 1),
    )  # fmt: skip


# My rank over time ----------------------------------------------------------------------------


def rank_chart(history: list[tuple[date, int, float]]) -> dict:
    """A line of the viewer's daily rank (1 at the top): the SVG, a one-sentence summary, the table rows."""
    if not history:
        summary = gettext("Your place is recorded every evening; it shows here from the first record on.")
        return {"svg": None, "summary": summary, "rows": []}
    first, last, number = history[0], history[-1], formatter()
    summary = ngettext(
        "Over %(num)d day your rank went from %(first)s to %(last)s (best: %(best)s).",
        "Over %(num)d days your rank went from %(first)s to %(last)s (best: %(best)s).",
        len(history),
        first=number(first[1]),
        last=number(last[1]),
        best=number(min(rank for _day, rank, _score in history)),
    )
    worst = max(rank for _day, rank, _score in history)
    step = max(1, int(nice_step(worst - 1)))
    bottom = 1 + step * max(1, math.ceil((worst - 1) / step))
    body = Markup("").join([_rank_grid(step, bottom, number), _rank_line(history, bottom, number)])
    desc = summary + " " + gettext("The table below lists every day.")
    svg = kit.svg("rank-chart", LINE_HEIGHT, gettext("Your rank day by day"), desc, body)
    return {"svg": svg, "summary": summary, "rows": history}


def _rank_y(rank: int, bottom: int) -> float:
    plot = LINE_HEIGHT - TOP - BOTTOM
    return round(TOP + (rank - 1) / (bottom - 1) * plot, 1)


def _rank_x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    return round(LEFT + (plot / 2 if count == 1 else index * plot / (count - 1)), 1)


def _rank_grid(step: int, bottom: int, number) -> Markup:
    lines = [Markup('<text class="chart-unit" x="8" y="{y}">{label}</text>').format(y=TOP - 12, label=gettext("Rank"))]
    for rank in [1, *range(1 + step, bottom + 1, step)]:
        y = _rank_y(rank, bottom)
        lines.append(
            Markup(
                '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
                '<text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end">{rank}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, tx=LEFT - 8, ty=y + 4, rank=number(rank))
        )
    return Markup("").join(lines)


def _rank_line(history: list[tuple[date, int, float]], bottom: int, number) -> Markup:
    count = len(history)
    points = [(_rank_x(index, count), _rank_y(rank, bottom)) for index, (_day, rank, _score) in enumerate(history)]
    every = math.ceil(count / MAX_X_LABELS)
    parts = [Markup('<polyline class="chart-line" points="{p}"/>').format(p=" ".join(f"{x},{y}" for x, y in points))]
    for index, ((day, rank, _score), (x, y)) in enumerate(zip(history, points, strict=True)):
        parts.append(
            Markup('<circle class="chart-dot" cx="{x}" cy="{y}" r="5"><title>{label}</title></circle>').format(
                x=x, y=y, label=f"{short_date(day)}: {number(rank)}"
            )
        )
        if index % every == 0:
            parts.append(
                Markup('<text class="chart-tick" x="{x}" y="{y}" text-anchor="middle">{label}</text>').format(
                    x=x, y=LINE_HEIGHT - BOTTOM + 24, label=short_date(day)
                )
            )
    return Markup("").join(parts)
