"""statistics: privacy budget per resident and year instead of per dataset

Revision ID: b2d4f6a8c0e1
Revises: a15c0e1f2b3d
Create Date: 2026-12-07 14:50:00.000000

The per-dataset budget renewed itself with every new range or period length; it is dropped.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e1'
down_revision = 'a15c0e1f2b3d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_spend',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('spent_epsilon', sa.Float(), nullable=False),
    sa.Column('releases', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_privacy_spend_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'year', name=op.f('pk_privacy_spend'))
    )
    op.drop_table('privacy_budget')


def downgrade():
    op.create_table('privacy_budget',
    sa.Column('dataset', sa.String(length=120), nullable=False),
    sa.Column('total_epsilon', sa.Float(), nullable=False),
    sa.Column('spent_epsilon', sa.Float(), nullable=False),
    sa.Column('releases', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('spent_epsilon <= total_epsilon + 1e-9', name=op.f('ck_privacy_budget_budget_not_overspent')),
    sa.PrimaryKeyConstraint('dataset', name=op.f('pk_privacy_budget'))
    )
    op.drop_table('privacy_spend')
