"""an account's person: judges created from a sheet are linked to the worker they are

Revision ID: 6e3c9a7d2b10
Revises: 5a1b2c3d4e5f
Create Date: 2026-12-05 10:00:00

``users.person_id`` points at the ``people`` row of the account's owner, when known. Bulk judge
accounts are created with a person in their unit, so the judge's phone is stored where every
phone is, encrypted on the person, and shown (masked, reveal audited) on the admin person page.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e3c9a7d2b10'
down_revision = '5a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_users_person_id_people'), 'people', ['person_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_person_id_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_person_id'))
        batch_op.drop_column('person_id')
