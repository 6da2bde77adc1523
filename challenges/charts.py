"""The personal page's charts: daily energy use against the baseline, and trips per week (SVG with the kit)."""

from datetime import date

from flask_babel import gettext, ngettext

from app.charts import bar_chart
from challenges.display import amount, short_date

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
