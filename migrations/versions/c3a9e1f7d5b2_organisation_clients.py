"""organisation clients: partner systems with OAuth 2.0 client credentials, their access tokens, and the client
that validated a voucher

Revision ID: c3a9e1f7d5b2
Revises: b8d4f6a2c0e3
Create Date: 2026-12-07 17:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9e1f7d5b2'
down_revision = 'b8d4f6a2c0e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=48), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_organisation_client_partner_id_partner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_organisation_client_client_id'))
    )
    op.create_table('client_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_in', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_pk'], ['organisation_client.id'], name=op.f('fk_client_token_client_pk_organisation_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_client_token_token_hash'))
    )
    with op.batch_alter_table('client_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_token_client_pk'), ['client_pk'], unique=False)
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validated_by_client_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_voucher_validated_by_client_id_organisation_client'), 'organisation_client', ['validated_by_client_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_voucher_validated_by_client_id_organisation_client'), type_='foreignkey')
        batch_op.drop_column('validated_by_client_id')
    with op.batch_alter_table('client_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_token_client_pk'))
    op.drop_table('client_token')
    op.drop_table('organisation_client')
