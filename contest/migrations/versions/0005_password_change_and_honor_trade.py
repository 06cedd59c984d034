"""accounts that must change their password; the 工种 of an honor

Revision ID: 5a1b2c3d4e5f
Revises: 4c0f6a1e2b7d
Create Date: 2026-12-04 17:30:00

``users.must_change_password`` marks accounts created with a one-time password (bulk judge
accounts, admin resets): they must choose their own before doing anything else.
``honors.trade`` is the 工种 a contest title was won in, so the wall reads
"江州市技术能手(数控车工)" rather than a bare title.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1b2c3d4e5f'
down_revision = '4c0f6a1e2b7d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('honors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trade', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('honors', schema=None) as batch_op:
        batch_op.drop_column('trade')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
