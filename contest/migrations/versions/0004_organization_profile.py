"""organization profile: employer, credit code, ownership, headcount and membership, closing

Revision ID: 4c0f6a1e2b7d
Revises: 8a31b2b7286b
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c0f6a1e2b7d'
down_revision = '8a31b2b7286b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('credit_code', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('ownership', sa.Enum('STATE', 'COLLECTIVE', 'NON_PUBLIC', 'PUBLIC_SECTOR', name='ownership', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('is_key_industry', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('headcount', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('member_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint('uq_organizations_credit_code', ['credit_code'])


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_organizations_credit_code', type_='unique')
        for column in ('closed_reason', 'closed_at', 'counted_on', 'member_count', 'headcount',
                       'is_key_industry', 'ownership', 'credit_code', 'employer'):
            batch_op.drop_column(column)
