"""Workers register while they run, so the server's wait estimates count the sandboxes really grading
(see ``autograder.server.scale.records.GradingWorker``).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grading_workers',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('assignments', sa.Text(), nullable=False),
    sa.Column('sandboxes', sa.Integer(), nullable=False),
    sa.Column('first_slot', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('grading_workers')
