"""bookings: an index by pillar and status (the list filtered by pillar)

Revision ID: 5b0f3c2a9d41
Revises: ca6d10c388d6
Create Date: 2026-12-07 17:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b0f3c2a9d41'
down_revision = 'ca6d10c388d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(
            'ix_booking_pillar_status_start', ['pillar_id', 'status', 'start_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_pillar_status_start')
