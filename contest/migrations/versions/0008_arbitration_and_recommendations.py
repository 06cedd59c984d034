"""the contest's arbitration panel; recommended titles and the 700 scale on result rows

Revision ID: 8c1d2e3f4a50
Revises: 7b2d4f6a8c01
Create Date: 2026-12-07 10:00:00

``arbitrators`` names the users on a contest's arbitration panel (仲裁组, DOMAIN §1.8): they,
not the chief judge whose panel's marks are appealed, decide appeals.

``result_rows`` gains ``recommended`` (titles the entrant is put forward for, e.g. 五一劳动奖章:
a recommendation that nomination campaigns read, never an honor on the wall) and
``standard_score`` (the standardised 700 scale, DOMAIN §1.13, when the policy shows it).
Rows published before this revision recommend nothing and carry no standardised score.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c1d2e3f4a50'
down_revision = '7b2d4f6a8c01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('arbitrators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_arbitrators_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_arbitrators_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arbitrators')),
    sa.UniqueConstraint('contest_id', 'user_id', name='uq_arbitrators_contest_user')
    )
    with op.batch_alter_table('arbitrators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arbitrators_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arbitrators_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommended', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('standard_score', sa.Numeric(precision=6, scale=1),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.drop_column('standard_score')
        batch_op.drop_column('recommended')

    with op.batch_alter_table('arbitrators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arbitrators_user_id'))
        batch_op.drop_index(batch_op.f('ix_arbitrators_contest_id'))

    op.drop_table('arbitrators')
