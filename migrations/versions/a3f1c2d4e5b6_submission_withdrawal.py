"""submission withdrawal: when a resident withdrew their own submission, and why

A resident may withdraw a submission held for review, or one sent the same day; its status becomes
`withdrawn` (the status column is a plain string, so the new value needs no change to it) and the
moment and the resident's reason are kept.

Revision ID: a3f1c2d4e5b6
Revises: 5b7e1f0c9a21
Create Date: 2026-12-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f1c2d4e5b6'
down_revision = '5b7e1f0c9a21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))


def downgrade():
    # A withdrawn submission counts for nothing, like a rejected one: that is what it becomes without the status.
    submission = sa.table('submission', sa.column('status', sa.String), sa.column('review_reason', sa.Text),
                          sa.column('withdrawal_reason', sa.Text))
    op.execute(
        submission.update().where(submission.c.status == 'withdrawn')
        .values(status='rejected', review_reason=submission.c.withdrawal_reason)
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_at')
