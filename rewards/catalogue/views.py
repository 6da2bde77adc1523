"""Pages of the reward catalogue: browsing, redeeming, my vouchers, validation by partners, managing.

The routes belong to the `rewards` blueprint (rewards.blueprints), shared with a resident's points pages.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts import services as accounts
from accounts.forms import ConfirmForm
from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from app.pagination import requested_page
from app.security import PUBLIC, SIGNED_IN, serves
from app.security import viewer as current_viewer
from app.transactions import refuse
from rewards import display, errors, ledger
from rewards.blueprints import pages as bp
from rewards.catalogue import redemption, services, vouchers
from rewards.catalogue.forms import (
    CodeForm,
    MarkUsedForm,
    PartnerForm,
    PartnerMemberForm,
    RedeemForm,
    RewardForm,
)
from rewards.catalogue.qr import qr_svg
from rewards.models import Partner, Reward, VoucherStatus

manager_required = serves(Role.MANAGER)
validator_required = serves(Role.MANAGER, Role.PARTNER)
PER_PAGE = 24


def _reward(reward_id: int) -> Reward:
    return services.get_reward(reward_id)


# Catalogue and redemption -------------------------------------------------------------------


@bp.route("/rewards")
@serves(PUBLIC)
def catalogue():
    viewer = current_viewer()
    balance = ledger.balance(viewer.id) if viewer else None
    affordable = viewer is not None and request.args.get("affordable") == "1"
    partner_id = request.args.get("partner", type=int)
    query = services.catalogue_query(max_cost=balance if affordable else None, partner_id=partner_id)
    pagination = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    held = services.redeemed_by(viewer, [r.id for r in pagination.items]) if viewer else {}
    return render_template(
        "rewards/catalogue.html", pagination=pagination, balance=balance, held=held,
        partners=services.list_partners(), filters={"affordable": affordable, "partner": partner_id},
    )  # fmt: skip


@bp.route("/rewards/<int:reward_id>")
@serves(PUBLIC)
def detail(reward_id: int):
    return _render_detail(_reward(reward_id), RedeemForm(formdata=None))


def _render_detail(reward: Reward, form: RedeemForm, status: int = 200):
    viewer = current_viewer()
    balance = ledger.balance(viewer.id) if viewer else None
    held = services.redeemed_by(viewer, [reward.id]).get(reward.id, 0) if viewer else 0
    # The same rules redeeming applies decide whether the button is offered at all.
    refused = redemption.refusal(reward, held, balance, utcnow()) if viewer else None
    return render_template(
        "rewards/detail.html",
        reward=reward,
        form=form,
        available=services.is_available(reward),
        balance=balance,
        held=held,
        refused=refused,
    ), status


@bp.route("/rewards/<int:reward_id>/redeem", methods=["POST"])
@serves(Role.RESIDENT)
def redeem(reward_id: int):
    reward = _reward(reward_id)
    form = RedeemForm()
    if form.validate_on_submit():
        try:
            voucher, created = redemption.redeem(current_viewer(), reward, idempotency_key=form.key())
        except errors.RewardError as error:
            refuse()
            form.form_errors.append(error.message)
        else:
            if created:
                flash(_("Redeemed: “%(title)s”. Show this voucher to the partner.", title=reward.title), "success")
            else:
                flash(_("This was already redeemed; nothing was charged twice. Here is your voucher."), "success")
            return redirect(url_for("rewards.voucher", code=voucher.code))
    return _render_detail(_reward(reward_id), form, 422)


# My vouchers ----------------------------------------------------------------------------------


@bp.route("/me/vouchers")
@serves(SIGNED_IN)
def my_vouchers():
    pagination = db.paginate(
        vouchers.vouchers_of(current_viewer()), page=requested_page(), per_page=PER_PAGE, error_out=False
    )
    return render_template("rewards/vouchers.html", pagination=pagination)


def _own_voucher(code: str):
    return vouchers.own_voucher(current_viewer(), code)


@bp.route("/me/vouchers/<code>")
@serves(SIGNED_IN)
def voucher(code: str):
    voucher = _own_voucher(code)
    # Past its expiry but not yet refunded by the nightly job: no longer shown as usable.
    usable = voucher.status == VoucherStatus.ISSUED and voucher.expires_at > utcnow()
    link = url_for("rewards.validate", code=voucher.code, _external=True)
    label = _("QR code of voucher %(code)s for %(reward)s", code=voucher.code, reward=voucher.reward.title)
    return render_template(
        "rewards/voucher.html",
        voucher=voucher,
        qr=qr_svg(link, label) if usable else None,
        confirm_form=ConfirmForm(formdata=None),
        usable=usable,
        expired=voucher.status == VoucherStatus.ISSUED and not usable,
    )


@bp.route("/me/vouchers/<code>/cancel", methods=["POST"])
@serves(SIGNED_IN)
def cancel_voucher(code: str):
    voucher = _own_voucher(code)
    if ConfirmForm().validate_on_submit():
        try:
            redemption.cancel_voucher(voucher, current_viewer())
        except errors.RewardError as error:
            refuse(error)
        else:
            message = ngettext("Voucher cancelled. %(points)s point is back in your balance.",
                               "Voucher cancelled. %(points)s points are back in your balance.", voucher.cost,
                               points=display.points(voucher.cost))  # fmt: skip
            flash(message, "success")
    return redirect(url_for("rewards.voucher", code=voucher.code))


# Validation by partners -----------------------------------------------------------------------


@bp.route("/vouchers/validate", methods=["GET", "POST"])
@validator_required
def validate():
    """GET looks a code up (typed in, or from the QR code); POST marks it used."""
    if request.method == "POST":
        return _mark_used()
    form = CodeForm(formdata=request.args if request.args.get("code") else None)
    check = None
    if form.code.data and form.validate():
        try:
            check = vouchers.check_voucher(form.code.data, current_viewer())
        except errors.RewardError as error:
            refuse()
            form.code.errors = [*form.code.errors, error.message]
    return _render_validate(form, check)


def _render_validate(form: CodeForm, check=None):
    use_form = MarkUsedForm(formdata=None, data={"code": check.voucher.code}) if check else None
    return render_template("rewards/validate.html", form=form, check=check, use_form=use_form), (
        422 if form.errors else 200
    )


def _mark_used():
    use_form = MarkUsedForm()
    form = CodeForm(formdata=None, data={"code": use_form.code.data})
    if not use_form.validate_on_submit():
        if "csrf_token" in use_form.errors:
            form.form_errors.append(_("The form has expired. Please submit it again."))
        form.code.errors = [*form.code.errors, *use_form.code.errors]
        return _render_validate(form)
    try:
        voucher = vouchers.validate_voucher(use_form.code.data, current_viewer())
    except errors.RewardError as error:
        refuse()
        form.code.errors = [error.message]
        return _render_validate(form)
    flash(_("Voucher accepted: “%(reward)s” for %(name)s. It is now marked as used.",
            reward=voucher.reward.title, name=voucher.user.pseudonym), "success")  # fmt: skip
    return redirect(url_for("rewards.validate"))


# Managing the catalogue -----------------------------------------------------------------------


@bp.route("/manage/rewards")
@manager_required
def manage():
    query = services.catalogue_query(include_unavailable=True)
    pagination = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("rewards/manage.html", pagination=pagination, available=services.is_available)


def _render_edit(form: RewardForm, reward: Reward | None):
    return render_template("rewards/edit.html", form=form, reward=reward), 422 if form.errors else 200


def _save(form: RewardForm, reward: Reward | None) -> Reward | None:
    """Create or update from the form; None when the service refused, with its reasons on the form."""
    try:
        return services.update_reward(reward, **form.values()) if reward else services.create_reward(**form.values())
    except errors.InvalidFields as error:
        refuse()
        form.show_errors(error.errors)
        return None


@bp.route("/manage/rewards/new", methods=["GET", "POST"])
@manager_required
def new():
    form = RewardForm(services.list_partners())
    if form.validate_on_submit() and (reward := _save(form, None)):
        flash(_("“%(title)s” is in the catalogue.", title=reward.title), "success")
        return redirect(url_for("rewards.manage"))
    return _render_edit(form, None)


@bp.route("/manage/rewards/<int:reward_id>/edit", methods=["GET", "POST"])
@manager_required
def edit(reward_id: int):
    reward = _reward(reward_id)
    form = RewardForm(services.list_partners(), data=RewardForm.initial(reward))
    if form.validate_on_submit() and _save(form, reward):
        flash(_("Changes to “%(title)s” saved.", title=reward.title), "success")
        return redirect(url_for("rewards.manage"))
    return _render_edit(form, reward)


@bp.route("/manage/partners", methods=["GET", "POST"])
@manager_required
def partners():
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = services.create_partner(form.name.data, form.kind.data, form.name_de.data)
        except errors.InvalidFields as error:
            refuse()
            form.name.errors = [*form.name.errors, *error.errors.values()]
        else:
            flash(_("Partner “%(name)s” added.", name=partner.name), "success")
            return redirect(url_for("rewards.partners"))
    return _render_partners(form=form)


def _render_partners(form=None, member_form=None):
    all_partners = services.list_partners()
    form = form or PartnerForm(formdata=None)
    member_form = member_form or PartnerMemberForm(all_partners, formdata=None)
    status = 422 if form.errors or member_form.errors else 200
    return render_template("rewards/partners.html", partners=all_partners, form=form, member_form=member_form), status


@bp.route("/manage/partners/members", methods=["POST"])
@manager_required
def add_member():
    form = PartnerMemberForm(services.list_partners())
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        partner = db.session.get(Partner, form.partner_id.data)
        try:
            if user is None:
                raise errors.InvalidFields({"email": _("No account has this email address.")})
            services.add_partner_member(partner, user)
        except errors.InvalidFields as error:
            refuse()
            form.email.errors = [*form.email.errors, *error.errors.values()]
        else:
            flash(_("%(name)s can now validate the vouchers of %(partner)s.", name=user.pseudonym,
                    partner=partner.name), "success")  # fmt: skip
            return redirect(url_for("rewards.partners"))
    return _render_partners(member_form=form)
