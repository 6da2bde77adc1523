"""legal pages: imprint, privacy notice and accessibility statement in English and German

Revision ID: b8d4f6a2c0e3
Revises: a7c3e5f1b9d2
Create Date: 2026-12-07 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f6a2c0e3'
down_revision = 'a7c3e5f1b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('legal_page',
    sa.Column('kind', sa.Enum('imprint', 'privacy', 'accessibility', name='legal_page_kind', native_enum=False, length=20), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('body_de', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_legal_page'))
    )


def downgrade():
    op.drop_table('legal_page')
