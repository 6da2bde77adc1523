"""submission flag rule and values instead of a sentence

A held submission kept its reason as a sentence in the sender's language, with numbers formatted the
English way; it now keeps the rule and the numbers, worded for each reader (challenges/flags.py).
Existing reasons are read back: the rule from the submission's kind, the numbers from the sentence
(the measured value first, then the limit, in both languages).

Revision ID: 5b7e1f0c9a21
Revises: d41b800eda03
Create Date: 2026-12-06 08:55:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e1f0c9a21'
down_revision = 'd41b800eda03'
branch_labels = None
depends_on = None

RULES = {"reading": "kwh_per_day", "trip": "km_per_day"}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
ENGLISH = {
    "kwh_per_day": "{value:.1f} kWh per day is more than the {limit:.0f} kWh this challenge expects; a manager will "
                   "check it.",
    "km_per_day": "{value:.0f} km in one day is more than the {limit:.0f} km this challenge expects; a manager will "
                  "check it.",
}


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_rule', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('flag_values', sa.JSON(), nullable=True))
    connection = op.get_bind()
    submission = sa.table(
        'submission', sa.column('id', sa.Integer), sa.column('kind', sa.String), sa.column('flag_reason', sa.Text),
        sa.column('flag_rule', sa.String), sa.column('flag_values', sa.JSON),
    )
    held = connection.execute(
        sa.select(submission.c.id, submission.c.kind, submission.c.flag_reason)
        .where(submission.c.flag_reason.is_not(None))
    ).all()
    for row in held:
        numbers = [float(number) for number in NUMBER.findall(row.flag_reason)] + [0.0, 0.0]
        connection.execute(
            submission.update().where(submission.c.id == row.id).values(
                flag_rule=RULES.get(str(row.kind), "km_per_day"), flag_values={"value": numbers[0], "limit": numbers[1]}
            )
        )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('flag_reason')


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_reason', sa.Text(), nullable=True))
    connection = op.get_bind()
    submission = sa.table(
        'submission', sa.column('id', sa.Integer), sa.column('flag_reason', sa.Text),
        sa.column('flag_rule', sa.String), sa.column('flag_values', sa.JSON),
    )
    held = connection.execute(
        sa.select(submission.c.id, submission.c.flag_rule, submission.c.flag_values)
        .where(submission.c.flag_rule.is_not(None))
    ).all()
    for row in held:
        values = row.flag_values or {}
        reason = ENGLISH[row.flag_rule].format(value=values.get("value", 0), limit=values.get("limit", 0))
        connection.execute(submission.update().where(submission.c.id == row.id).values(flag_reason=reason))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('flag_values')
        batch_op.drop_column('flag_rule')
