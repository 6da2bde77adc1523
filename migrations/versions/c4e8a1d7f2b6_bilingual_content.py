"""bilingual content: challenges, rewards, partners and badges get English and German twins

Each one-language prose column `x` is renamed to `x_en` (its rows keep their text, which was
written in English) and a `x_de` twin is added, empty: an empty German text means "fall back
to English" (app.bilingual).

Revision ID: c4e8a1d7f2b6
Revises: c3e7a9d1f5b2
Create Date: 2026-12-07 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1d7f2b6'
down_revision = 'c3e7a9d1f5b2'
branch_labels = None
depends_on = None

# table -> (column, type) of every prose column that gets a German twin
TWINS = {
    'challenge': (('title', sa.String(length=120)), ('description', sa.Text())),
    'reward': (('title', sa.String(length=120)), ('description', sa.Text())),
    'partner': (('name', sa.String(length=120)),),
    'badge_class': (('name', sa.String(length=80)), ('description', sa.Text()), ('criteria', sa.Text())),
    'purpose': (('organisation', sa.String(length=160)),),
    'data_use': (('organisation', sa.String(length=160)),),
}
# The German names of the organisations the default catalogue ships with, for cities that kept them.
DEFAULT_ORGANISATIONS_DE = {
    'City statistics office': 'Statistikamt der Stadt',
    'Stadtwerke (local utility)': 'Stadtwerke',
    'City traffic planning department': 'Verkehrsplanung der Stadt',
    'University research partner': 'Forschungspartner der Universität',
}


def upgrade():
    # Plain ALTER statements, no batch copy: SQLite renames a column and adds one with a constant default in
    # place, so tables that other rows point to (challenge, partner, reward, …) are never dropped and rebuilt,
    # which foreign keys would refuse once they hold rows. Constraints follow the renamed column by themselves
    # (partner keeps its unique constraint, still named uq_partner_name).
    for table, columns in TWINS.items():
        for name, type_ in columns:
            op.alter_column(table, name, new_column_name=f'{name}_en', existing_type=type_, existing_nullable=False)
            op.add_column(table, sa.Column(f'{name}_de', type_, nullable=False, server_default=''))
    for table in ('purpose', 'data_use'):
        for english, german in DEFAULT_ORGANISATIONS_DE.items():
            op.execute(
                sa.text(f"UPDATE {table} SET organisation_de = :german WHERE organisation_en = :english")
                .bindparams(german=german, english=english)
            )


def downgrade():
    # German texts are dropped; the English ones become the one-language columns again.
    for table, columns in TWINS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _type in columns:
                batch_op.drop_column(f'{name}_de')
        for name, type_ in columns:
            op.alter_column(table, f'{name}_en', new_column_name=name, existing_type=type_, existing_nullable=False)
