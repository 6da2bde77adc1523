"""The resident's meter page: link a meter, see what the utility delivered for it, unlink it. Thin: the page
parses the form and calls connectors.services, as the API does."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.security import SIGNED_IN, serves
from connectors import errors, services
from connectors.forms import MeterLinkForm, UnlinkForm

bp = Blueprint("connectors", __name__, template_folder="templates")
SHOWN_DAYS = 14


@bp.route("/me/meter", methods=["GET", "POST"])
@serves(SIGNED_IN)
def meter():
    """Link (or change) the resident's meter; the page shows the link, the consent it needs and the days delivered."""
    link = services.meter_of(current_user)
    form = MeterLinkForm(data={} if link is None else {"meter_number": link.meter_number,
                                                       "customer_number": link.customer_number})  # fmt: skip
    if form.validate_on_submit():
        try:
            services.link_meter(current_user, form.meter_number.data, form.customer_number.data)
        except errors.InvalidMeterLink as error:
            for name, message in error.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            flash(_("Your meter is linked."), "success")
            return redirect(url_for("connectors.meter"))
    return render_template(
        "connectors/meter.html", form=form, link=link, unlink_form=UnlinkForm(formdata=None),
        consents=services.consents_to_delivery(current_user), days=services.delivered_days(current_user, SHOWN_DAYS),
    ), 422 if form.errors else 200  # fmt: skip


@bp.route("/me/meter/unlink", methods=["POST"])
@serves(SIGNED_IN)
def unlink():
    """Unlink the resident's meter: the utility's next delivery for it is refused."""
    if UnlinkForm().validate_on_submit() and services.unlink_meter(current_user):
        flash(_("Your meter is unlinked; the utility's readings for it are no longer taken."), "success")
    return redirect(url_for("connectors.meter"))
