"""Jobs take turns by student: each is given its round when it is queued (see ``autograder.server.jobs``).
Jobs queued before this are all in round 0, so they keep their order by age.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('turn', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_jobs_turn', 'jobs', ['assignment', 'turn'])


def downgrade() -> None:
    op.drop_index('ix_jobs_turn', table_name='jobs')
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('turn')
