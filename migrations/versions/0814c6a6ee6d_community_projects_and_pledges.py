"""community projects: a manager's project with a points target and deadline, and the residents' pledges to it

Revision ID: 0814c6a6ee6d
Revises: e7c1a9d3f5b8
Create Date: 2026-12-07 21:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0814c6a6ee6d'
down_revision = 'e7c1a9d3f5b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=120), nullable=False),
    sa.Column('title_de', sa.String(length=120), server_default='', nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_de', sa.Text(), server_default='', nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('pledged', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'funded', 'failed', 'cancelled', name='project_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('backers_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('pledged >= 0 AND pledged <= target', name=op.f('ck_community_project_pledged_within_target')),
    sa.CheckConstraint('target > 0', name=op.f('ck_community_project_target_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_community_project_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_community_project_neighbourhood_id_neighbourhood')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_project'))
    )
    with op.batch_alter_table('community_project', schema=None) as batch_op:
        batch_op.create_index('ix_community_project_status_deadline', ['status', 'deadline'], unique=False)

    op.create_table('pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledge_amount_positive')),
    sa.CheckConstraint('offered >= amount', name=op.f('ck_pledge_offered_covers_amount')),
    sa.ForeignKeyConstraint(['project_id'], ['community_project.id'], name=op.f('fk_pledge_project_id_community_project')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pledge_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge')),
    sa.UniqueConstraint('user_id', 'idempotency_key', name='uq_pledge_user_idempotency_key')
    )
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index('ix_pledge_project_refunded', ['project_id', 'refunded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_user_id'))
        batch_op.drop_index('ix_pledge_project_refunded')

    op.drop_table('pledge')
    with op.batch_alter_table('community_project', schema=None) as batch_op:
        batch_op.drop_index('ix_community_project_status_deadline')

    op.drop_table('community_project')
