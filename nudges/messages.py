"""The notifications nudges send (digest, reminders, rewards news, energy advice), in words.

Registered with the notifications hub; `weekly_digest` and `energy_advice` are kept so that
notifications sent by earlier versions still read well.
"""

from flask_babel import lazy_gettext as _l

from notifications.display import Message, register_messages
from nudges import display as nudges

register_messages(
    {
        # Weekly digest (kind digest): params points, challenges (how many are active for you).
        "weekly_digest": Message(
            _l("Your week on Civiquest"),
            _l(
                "You earned %(points)s points this week in %(challenges)s active challenges. See how you and your "
                "neighbourhood are doing."
            ),
        ),
        # Challenge reminders (kind challenge_reminders): params challenge (its title), starts_at / ends_at, days.
        "challenge_starting": Message(
            _l("New challenge: %(challenge)s"),
            _l("“%(challenge)s” starts on %(starts_at)s. Have a look whether it is something for you."),
        ),
        "challenge_ending": Message(
            _l("“%(challenge)s” ends on %(ends_at)s"),
            _l("The challenge “%(challenge)s” you joined ends on %(ends_at)s. There is still time to take part."),
        ),
        "challenge_inactive": Message(
            _l("We miss you in “%(challenge)s”"),
            _l("You have not submitted anything to “%(challenge)s” for %(days)s days. Every contribution counts."),
        ),
        # Rewards (kind rewards): params badge, weeks, reward, points, expires_at.
        "badge_awarded": Message(_l("New badge: %(badge)s"), _l("You earned the badge “%(badge)s”. Well done!")),
        "streak": Message(
            _l("%(weeks)s weeks in a row"), _l("You have been active %(weeks)s weeks in a row. Keep it up!")
        ),
        "reward_affordable": Message(
            _l("You can now afford “%(reward)s”"),
            _l("You have enough points for “%(reward)s” (%(points)s points)."),
        ),
        "voucher_expiring": Message(
            _l("Your voucher for “%(reward)s” expires on %(expires_at)s"),
            _l("Your voucher for “%(reward)s” expires on %(expires_at)s. Use it before then."),
        ),
        # Energy advice (kind advice): params percent (forecast above baseline).
        "energy_advice": Message(
            _l("Your energy use is rising"),
            _l(
                "Your use over the next four weeks is forecast to be %(percent)s %% above your usual level. We have "
                "put together tips and funding programmes for you."
            ),
        ),
        # Nudges (nudges): the digest with each challenge and a tip, the advice with tips and funding.
        # digest_summary (kind digest): params points, challenges (list of {challenge, score, rank, participants,
        # change, neighbourhood: {rank, count, gap, other} or null}), tip (a tip code).
        "digest_summary": Message(
            _l("Your week on Civiquest"),
            _l("You earned %(points)s points last week. %(challenges)s Tip: %(tip)s"),
            formats={"points": nudges.number, "challenges": nudges.challenge_lines, "tip": nudges.tip},
        ),
        # energy_advice_detail (kind advice): params percent, forecast, baseline (kWh a week), household (size),
        # tips (tip codes), programmes (funding programme ids).
        "energy_advice_detail": Message(
            _l("Your energy use is rising"),
            _l(
                "Over the next four weeks your use is forecast at %(forecast)s kWh a week, %(percent)s %% above your "
                "usual %(baseline)s kWh. Tips for %(household)s: %(tips)s %(programmes)s"
            ),
            formats={
                "percent": nudges.number,
                "forecast": nudges.number,
                "baseline": nudges.number,
                "household": nudges.household,
                "tips": nudges.tips,
                "programmes": nudges.programmes,
            },
        ),
    }
)
