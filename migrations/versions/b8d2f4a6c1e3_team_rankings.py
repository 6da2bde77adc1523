"""team rankings: sub-teams, the members' "show my contribution", a challenge's "ranks teams", team totals

Revision ID: b8d2f4a6c1e3
Revises: f2b4d6a8c0e1
Create Date: 2026-12-07 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2f4a6c1e3'
down_revision = 'f2b4d6a8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_team_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_team_parent_id_team'), 'team', ['parent_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('team_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows_contribution', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranks_teams', sa.Boolean(), server_default='0', nullable=False))
    op.create_table('team_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('total_units', sa.Float(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('per_member', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_team_score_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_score_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_score')),
    sa.UniqueConstraint('challenge_id', 'team_id', name='uq_team_score_challenge_team')
    )
    with op.batch_alter_table('team_score', schema=None) as batch_op:
        batch_op.create_index('ix_team_score_per_member', ['challenge_id', 'per_member', 'id'], unique=False)
        batch_op.create_index('ix_team_score_total', ['challenge_id', 'total_units', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_score_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('team_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_score_team_id'))
        batch_op.drop_index('ix_team_score_total')
        batch_op.drop_index('ix_team_score_per_member')
    op.drop_table('team_score')
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_column('ranks_teams')
    with op.batch_alter_table('team_member', schema=None) as batch_op:
        batch_op.drop_column('shows_contribution')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_team_parent_id_team'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_team_parent_id'))
        batch_op.drop_column('parent_id')
