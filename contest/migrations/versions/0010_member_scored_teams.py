"""member-scored team events: a member's own total on published rows

Revision ID: a0b1c2d3e4f5
Revises: 9d2e3f4a5b61
Create Date: 2026-12-04 22:00:00

A team event whose policy sums or averages its members' totals (``team_total``) publishes one
row per member with the team's rank and total and, in ``member_total``, the member's own total.
Rows of every other event keep it NULL, so earlier snapshots hash as they did.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0b1c2d3e4f5'
down_revision = '9d2e3f4a5b61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_total', sa.Numeric(precision=9, scale=3), nullable=True))


def downgrade():
    with op.batch_alter_table('result_rows', schema=None) as batch_op:
        batch_op.drop_column('member_total')
