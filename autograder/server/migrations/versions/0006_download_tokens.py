"""A token remembers the assignment whose downloaded folder holds it, so downloading the folder
again revokes the earlier download's token instead of adding one more. Tokens made before this
count as made on the page.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('download_of', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('download_of')
