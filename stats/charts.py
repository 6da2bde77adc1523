"""The dashboard's charts, drawn on the server as SVG from a protected release, in the style of the leaderboards'.

Each is one image (`role="img"`) named by its <title> and described by its <desc> (the one-sentence
summary); the page shows the same numbers as a table. Only published values are drawn: a suppressed
value leaves a gap, never an estimate.
"""

import math
from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup

from app import charts as kit
from app.charts import scale, short_name
from challenges.display import short_date
from leaderboards.display import formatter
from sharing.models import Level
from stats.periods import Granularity
from stats.release import MEASURE_LABELS, Release, Status, Value

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 28, 48
BAR_LEFT, BAR_RIGHT, BAR_TOP, ROW_HEIGHT, NAME_CHARS = 190, 88, 32, 34, 22
MAX_X_LABELS = 12


def period_label(start: date, granularity: Granularity) -> str:
    if granularity == Granularity.MONTH:
        return format_skeleton("yMMM", start, locale=get_locale() or "en")
    return short_date(start)


def place_label(release: Release, place: str) -> str:
    """A row's name for people: the city-level row is named in the reader's language."""
    return gettext("Whole city") if release.filters.get("level") == Level.CITY.value else place


def shown(value: Value) -> float | None:
    return value.value if value.status != Status.SUPPRESSED else None


def _measure(release: Release, name: str):
    return next(table for table in release.measures if table.name == name)


def _periods(count: int, granularity: Granularity) -> str:
    if granularity == Granularity.DAY:
        return ngettext("%(num)d day", "%(num)d days", count)
    if granularity == Granularity.WEEK:
        return ngettext("%(num)d week", "%(num)d weeks", count)
    return ngettext("%(num)d month", "%(num)d months", count)


# Participation over time ----------------------------------------------------------------------


def participation_chart(release: Release, granularity: Granularity) -> dict:
    """Submissions per period (column totals) as bars, with active participants in the table."""
    submissions = _measure(release, "submissions").column_totals
    participants = _measure(release, "active_participants").column_totals
    labels = [period_label(start, granularity) for start in release.buckets]
    rows = list(zip(labels, participants, submissions, strict=True))
    points = [(label, shown(value)) for label, value in zip(labels, submissions, strict=True)]
    summary = participation_summary([value for _label, value in points], granularity)
    svg = None
    if any(value is not None for _label, value in points):
        desc = summary + " " + gettext("The table below lists every period.")
        svg = kit.svg("participation-chart", HEIGHT, gettext("Submissions per period"), desc, _columns(points))
    return {"svg": svg, "summary": summary, "rows": rows}


def participation_summary(values: list[float | None], granularity: Granularity) -> str:
    """One sentence: how submissions moved from the first to the last period that can be shown."""
    known = [value for value in values if value is not None]
    if not known:
        return gettext("No submission total can be shown for this period: each rests on too few residents.")
    number, span = formatter(), _periods(len(values), granularity)
    first, last = number(known[0]), number(known[-1])
    if known[-1] > known[0]:
        return gettext("Submissions rose from %(first)s to %(last)s over %(span)s.", first=first, last=last, span=span)
    if known[-1] < known[0]:
        return gettext("Submissions fell from %(first)s to %(last)s over %(span)s.", first=first, last=last, span=span)
    return gettext("Submissions stayed at %(first)s over %(span)s.", first=first, span=span)


def _y(value: float, top: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top), 1)


def _columns(points: list[tuple[str, float | None]]) -> Markup:
    step, top = scale([value for _label, value in points if value is not None])
    number = formatter()
    parts = [
        Markup('<text class="chart-unit" x="8" y="{y}">{unit}</text>').format(y=TOP - 12, unit=gettext("Submissions"))
    ]
    for index in range(round(top / step) + 1):
        y = _y(index * step, top)
        parts.append(
            Markup(
                '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
                '<text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end">{label}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, tx=LEFT - 8, ty=y + 4, label=number(index * step))
        )
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    width, every = min(slot * 0.7, 48), math.ceil(len(points) / MAX_X_LABELS)
    for index, (label, value) in enumerate(points):
        centre = LEFT + index * slot + slot / 2
        if value is not None:
            y = _y(max(value, 0.0), top)
            parts.append(
                Markup(
                    '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{t}</title></rect>'
                ).format(
                    x=round(centre - width / 2, 1),
                    y=y,
                    w=round(width, 1),
                    h=round(HEIGHT - BOTTOM - y, 1),
                    t=f"{label}: {number(value)}",
                )
            )
        if index % every == 0:
            parts.append(
                Markup('<text class="chart-tick" x="{x}" y="{y}" text-anchor="middle">{label}</text>').format(
                    x=round(centre, 1), y=HEIGHT - BOTTOM + 20, label=label
                )
            )
    parts.append(
        Markup('<line class="chart-axis" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x1=LEFT, x2=WIDTH - RIGHT, y=HEIGHT - BOTTOM
        )
    )
    return Markup("").join(parts)


# Neighbourhood comparison ---------------------------------------------------------------------


def comparison_chart(release: Release, measure: str) -> dict:
    """Each place's total of one measure as horizontal bars, largest first; suppressed totals only in the table."""
    table = _measure(release, measure)
    rows = [(place_label(release, place), value) for place, value in table.row_totals.items()]
    bars = sorted(((place, shown(value)) for place, value in rows if shown(value) is not None), key=lambda b: -b[1])
    label = str(MEASURE_LABELS[measure])
    summary = comparison_summary(bars, len(rows), label)
    svg = None
    if bars:
        desc = summary + " " + gettext("The table below lists every place.")
        title = gettext("%(measure)s per place", measure=label)
        svg = kit.svg("comparison-chart", _bar_height(bars), title, desc, _bars(bars, label, digits=0))
    return {"svg": svg, "summary": summary, "rows": rows, "label": label}


def comparison_summary(bars: list[tuple[str, float]], places: int, label: str) -> str:
    number = formatter()
    if not bars:
        return gettext("No place's total of %(measure)s can be shown: each rests on too few residents.", measure=label)
    summary = gettext("Highest total of %(measure)s: %(place)s, with %(value)s.", place=bars[0][0], measure=label,
                      value=number(bars[0][1], 1))  # fmt: skip
    withheld = places - len(bars)
    if withheld:
        summary += " " + ngettext(
            "%(num)d more place is suppressed to protect its residents.",
            "%(num)d more places are suppressed to protect their residents.",
            withheld,
        )
    return summary


def _bar_height(bars) -> int:
    return BAR_TOP + ROW_HEIGHT * len(bars) + 8


def _bars(bars: list[tuple[str, float]], unit: str, digits: int) -> Markup:
    _step, top = scale([value for _name, value in bars])
    plot, number = WIDTH - BAR_LEFT - BAR_RIGHT, formatter()
    parts = [
        Markup('<text class="chart-unit" x="{x}" y="{y}">{unit}</text>').format(x=BAR_LEFT, y=BAR_TOP - 12, unit=unit)
    ]
    for index, (name, value) in enumerate(bars):
        y, width = BAR_TOP + index * ROW_HEIGHT, round(max(value, 0.0) / top * plot, 1)
        text_y = y + ROW_HEIGHT / 2 + 5
        parts.append(
            Markup(
                '<text class="chart-tick" x="{lx}" y="{ty}" text-anchor="end">{name}</text>'
                '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{label}</title></rect>'
                '<text class="chart-tick" x="{vx}" y="{ty}">{value}</text>'
            ).format(
                lx=BAR_LEFT - 8,
                ty=text_y,
                name=short_name(name, NAME_CHARS),
                x=BAR_LEFT,
                y=y + 5,
                w=width,
                h=ROW_HEIGHT - 10,
                label=f"{name}: {number(value, digits)}",
                vx=BAR_LEFT + width + 6,
                value=number(value, digits),
            )
        )
    parts.append(
        Markup('<line class="chart-axis" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"/>').format(
            x=BAR_LEFT, y1=BAR_TOP, y2=_bar_height(bars) - 8
        )
    )
    return Markup("").join(parts)


# Savings per household ------------------------------------------------------------------------


def _per_participant(values: list[Value], participants: list[Value]) -> float | None:
    """Sum of a place's shown values over the sum of its shown active participants, in periods showing both."""
    pairs = [(shown(v), shown(p)) for v, p in zip(values, participants, strict=True)]
    pairs = [(v, p) for v, p in pairs if v is not None and p]
    if not pairs:
        return None
    return sum(v for v, _p in pairs) / sum(p for _v, p in pairs)


def savings_chart(release: Release, granularity: Granularity) -> dict:
    """kWh saved and CO₂ avoided per active participant and period, per place; places without shown figures skipped."""
    participants = _measure(release, "active_participants").rows
    kwh, co2 = _measure(release, "kwh_saved").rows, _measure(release, "co2_kg_avoided").rows
    rows = [(place_label(release, place), _per_participant(kwh[place], participants[place]),
             _per_participant(co2[place], participants[place])) for place in participants]  # fmt: skip
    per = _per_label(granularity)
    kwh_bars = sorted(((p, k) for p, k, _c in rows if k is not None), key=lambda b: -b[1])
    co2_bars = sorted(((p, c) for p, _k, c in rows if c is not None), key=lambda b: -b[1])
    summary = savings_summary(co2_bars, len(rows), per)
    charts = []
    panels = (
        (
            "savings-co2-chart",
            co2_bars,
            gettext("CO₂ avoided per active participant"),
            gettext("kg CO₂ %(per)s", per=per),
        ),
        (
            "savings-kwh-chart",
            kwh_bars,
            gettext("Electricity saved per active participant"),
            gettext("kWh %(per)s", per=per),
        ),
    )
    for chart_id, bars, title, unit in panels:
        if bars:
            desc = summary + " " + gettext("The table below lists every place.")
            charts.append(kit.svg(chart_id, _bar_height(bars), title, desc, _bars(bars, unit, digits=1)))
    return {"svgs": charts, "summary": summary, "rows": rows, "per": per}


def _per_label(granularity: Granularity) -> str:
    return {
        Granularity.DAY: gettext("per active participant and day"),
        Granularity.WEEK: gettext("per active participant and week"),
        Granularity.MONTH: gettext("per active participant and month"),
    }[granularity]


def savings_summary(bars: list[tuple[str, float]], places: int, per: str) -> str:
    if not bars:
        return gettext("No place's savings can be shown: each rests on too few residents.")
    return ngettext(
        "%(place)s avoided the most CO₂ %(per)s: %(value)s kg; %(num)d place of %(all)d can be shown.",
        "%(place)s avoided the most CO₂ %(per)s: %(value)s kg; %(num)d places of %(all)d can be shown.",
        len(bars),
        place=bars[0][0], per=per, value=formatter()(bars[0][1], 1), all=places,
    )  # fmt: skip
