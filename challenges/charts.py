"""Small bar charts drawn on the server as SVG: no scripts, no styles inline, readable by screen readers.

Each chart is one image (`role="img"`) named by its <title> and described by its <desc>; pages
show the same numbers as a table next to it. Colours come from the stylesheet, so the
high-contrast setting applies to charts too.
"""

import math
from datetime import date

from flask_babel import format_decimal, gettext, ngettext
from markupsafe import Markup, escape

from challenges.display import amount, short_date

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 48
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 12


def nice_step(span: float, steps: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that divides `span` into about `steps` parts."""
    if span <= 0:
        return 1.0
    raw = span / steps
    power = 10 ** math.floor(math.log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def _number(value: float) -> str:
    return format_decimal(round(value, 2), format="#,##0.##")


def bar_chart(
    bars: list[tuple[str, float]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str,
    reference: float | None = None,
    reference_label: str | None = None,
) -> Markup:
    """An SVG bar chart of (label, value) pairs, with an optional dashed reference line (a baseline)."""
    values = [value for _label, value in bars]
    step = nice_step(max([*values, reference or 0.0, 0.0]))
    top = step * max(1, math.ceil(max([*values, reference or 0.0, 0.0]) / step - 1e-9))
    parts = [_grid(step, top, unit), _bars(bars, top)]
    if reference is not None:
        parts.append(_reference(reference, top, reference_label or ""))
    return Markup(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>'
    ).format(id=chart_id, w=WIDTH, h=HEIGHT, title=title, desc=desc, body=Markup("").join(parts))


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_HEIGHT - value / top * PLOT_HEIGHT, 1)


def _grid(step: float, top: float, unit: str) -> Markup:
    lines = [Markup('<text class="chart-unit" x="{x}" y="{y}">{unit}</text>').format(x=8, y=TOP - 12, unit=unit)]
    for index in range(round(top / step) + 1):
        value = index * step
        y = _y(value, top)
        lines.append(
            Markup(
                '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
                '<text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end">{label}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, tx=LEFT - 8, ty=y + 4, label=_number(value))
        )
    lines.append(
        Markup('<line class="chart-axis" x1="{x}" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x=LEFT, x2=WIDTH - RIGHT, y=TOP + PLOT_HEIGHT
        )
    )
    return Markup("").join(lines)


def _bars(bars: list[tuple[str, float]], top: float) -> Markup:
    if not bars:
        return Markup("")
    slot = PLOT_WIDTH / len(bars)
    width = min(slot * 0.7, 48)
    every = math.ceil(len(bars) / MAX_X_LABELS)
    shapes = []
    for index, (label, value) in enumerate(bars):
        x = LEFT + index * slot + (slot - width) / 2
        y = _y(max(value, 0.0), top)
        shapes.append(
            Markup('<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{t}</title></rect>').format(
                x=round(x, 1), y=y, w=round(width, 1), h=round(TOP + PLOT_HEIGHT - y, 1), t=f"{label}: {_number(value)}"
            )
        )
        if index % every == 0:
            shapes.append(
                Markup('<text class="chart-tick" x="{x}" y="{y}" text-anchor="middle">{label}</text>').format(
                    x=round(LEFT + index * slot + slot / 2, 1), y=TOP + PLOT_HEIGHT + 20, label=escape(label)
                )
            )
    return Markup("").join(shapes)


def _reference(value: float, top: float, label: str) -> Markup:
    """The reference line across the plot, and its key above the plot, clear of the bars."""
    y, key_x = _y(value, top), LEFT + PLOT_WIDTH // 2
    return Markup(
        '<line class="chart-reference" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
        '<line class="chart-reference" x1="{kx}" x2="{kx2}" y1="{ky}" y2="{ky}"/>'
        '<text class="chart-reference-label" x="{tx}" y="{ty}">{label}</text>'
    ).format(
        x1=LEFT, x2=WIDTH - RIGHT, y=y, kx=key_x, kx2=key_x + 32, ky=TOP - 16, tx=key_x + 40, ty=TOP - 12, label=label
    )


# The personal page's charts ------------------------------------------------------------------


def energy_chart(days: list[tuple[date, float]], baseline: float) -> dict:
    """Daily use against the baseline: the SVG, a one-sentence summary and the rows of its table."""
    if not days:
        summary = gettext("Nothing to show yet: your use appears once two meter readings cover a day of the challenge.")
        return {"rows": [], "summary": summary, "svg": None}
    average = sum(kwh for _day, kwh in days) / len(days)
    values = {"average": amount(average), "difference": amount(abs(baseline - average)), "baseline": amount(baseline)}
    if average <= baseline:
        summary = ngettext(
            "On %(num)d day you used %(average)s kWh, %(difference)s kWh less than your daily baseline of "
            "%(baseline)s kWh.",
            "On %(num)d days you used %(average)s kWh a day on average, %(difference)s kWh a day less than your "
            "baseline of %(baseline)s kWh.",
            len(days),
            **values,
        )
    else:
        summary = ngettext(
            "On %(num)d day you used %(average)s kWh, %(difference)s kWh more than your daily baseline of "
            "%(baseline)s kWh.",
            "On %(num)d days you used %(average)s kWh a day on average, %(difference)s kWh a day more than your "
            "baseline of %(baseline)s kWh.",
            len(days),
            **values,
        )
    svg = bar_chart(
        [(short_date(day), kwh) for day, kwh in days],
        chart_id="consumption-chart",
        title=gettext("Your daily electricity use against your baseline"),
        desc=summary + " " + gettext("The table below lists every day."),
        unit=gettext("kWh per day"),
        reference=baseline,
        reference_label=gettext("Baseline %(kwh)s kWh", kwh=amount(baseline)),
    )
    return {"rows": [(day, kwh, kwh - baseline) for day, kwh in days], "summary": summary, "svg": svg}


def trips_chart(weeks: list[tuple[date, int, int]]) -> dict:
    """Counted trips per week: the SVG, a one-sentence summary and the rows of its table."""
    trips = sum(count for _monday, count, _sustainable in weeks)
    summary = ngettext(
        "You logged %(num)d counted trip in %(weeks)d weeks, %(sustainable)d of them without driving alone.",
        "You logged %(num)d counted trips in %(weeks)d weeks, %(sustainable)d of them without driving alone.",
        trips,
        weeks=len(weeks),
        sustainable=sum(sustainable for _monday, _count, sustainable in weeks),
    )
    svg = bar_chart(
        [(short_date(monday), count) for monday, count, _sustainable in weeks],
        chart_id="trips-chart",
        title=gettext("Your trips per week"),
        desc=summary + " " + gettext("The table below lists every week."),
        unit=gettext("trips"),
    )
    return {"rows": weeks, "summary": summary, "svg": svg if weeks else None}
