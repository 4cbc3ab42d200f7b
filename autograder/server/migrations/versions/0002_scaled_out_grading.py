"""Grading past one machine: the release each assignment is graded with, submissions' bytes, and
the outputs workers elsewhere leave for the server (see ``autograder.server.scale.records``).

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grading_releases',
    sa.Column('assignment', sa.String(length=200), nullable=False),
    sa.Column('release_digest', sa.String(length=64), nullable=False),
    sa.Column('timeout', sa.Float(), nullable=False),
    sa.Column('memory_mb', sa.Integer(), nullable=False),
    sa.Column('lease_seconds', sa.Float(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('assignment')
    )
    op.create_table('submission_contents',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id')
    )
    op.create_table('graded_outputs',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('collected', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id')
    )
    with op.batch_alter_table('graded_outputs', schema=None) as batch_op:
        batch_op.create_index('ix_graded_outputs_collected', ['collected'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('graded_outputs', schema=None) as batch_op:
        batch_op.drop_index('ix_graded_outputs_collected')

    op.drop_table('graded_outputs')
    op.drop_table('submission_contents')
    op.drop_table('grading_releases')
