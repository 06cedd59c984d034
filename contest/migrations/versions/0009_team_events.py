"""team events: members per entry, team size bounds per event, the team on published rows

Revision ID: 9d2e3f4a5b61
Revises: 8c1d2e3f4a50
Create Date: 2026-12-04 21:00:00

A team event (团体项目, DOMAIN §1.9) is an event with ``team_min``/``team_max`` set; its entry is
scored as one and keeps ``entries.person_id`` as the captain, with a ``team_name`` and the other
members in ``entry_members`` (a person once per contest among members). Published rows gain
``team``: a team's rows are one per member, so each member gets a certificate.

Existing events and entries stay individual: the new columns are NULL and no member rows are
written.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2e3f4a5b61'
down_revision = '8c1d2e3f4a50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('team_max', sa.Integer(), nullable=True))

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_name', sa.String(length=60), nullable=True))

    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=60), nullable=True))

    op.create_table('entry_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_entry_members_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_members_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_entry_members_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_members')),
    sa.UniqueConstraint('contest_id', 'person_id', name='uq_entry_members_contest_person')
    )
    with op.batch_alter_table('entry_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_members_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_members_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('entry_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_entry_members_entry_id'))

    op.drop_table('entry_members')

    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.drop_column('team')

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('team_name')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('team_max')
        batch_op.drop_column('team_min')
