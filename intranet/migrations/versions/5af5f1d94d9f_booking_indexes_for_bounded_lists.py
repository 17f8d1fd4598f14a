"""Bounded calendar queries: the booking's local day; my bookings by start, decisions by time, last change

Revision ID: 5af5f1d94d9f
Revises: 8c94efb1e574
Create Date: 2026-11-23 18:37:15.850913

"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = '5af5f1d94d9f'
down_revision = '8c94efb1e574'
branch_labels = None
depends_on = None


def _office_zone() -> ZoneInfo:
    name = current_app.config["OFFICE_TIMEZONE"] if has_app_context() else "Asia/Jakarta"
    return ZoneInfo(name)


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_booked_by_id'))
        batch_op.create_index('ix_booking_booked_by_decided', ['booked_by_id', 'decided_at'], unique=False)
        batch_op.create_index('ix_booking_booked_by_start', ['booked_by_id', 'start_at'], unique=False)
        batch_op.add_column(sa.Column('day', sa.Date(), nullable=True))

    # Every existing booking gets its office-local date.
    booking = sa.table(
        'booking', sa.column('id', sa.Integer), sa.column('start_at', sa.DateTime), sa.column('day', sa.Date)
    )
    bind = op.get_bind()
    zone = _office_zone()
    rows = bind.execute(sa.select(booking.c.id, booking.c.start_at)).all()
    update = booking.update().where(booking.c.id == sa.bindparam('b_id')).values(day=sa.bindparam('b_day'))
    values = [
        {'b_id': row.id, 'b_day': row.start_at.replace(tzinfo=UTC).astimezone(zone).date()} for row in rows
    ]
    for start in range(0, len(values), 5000):
        bind.execute(update, values[start:start + 5000])

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.alter_column('day', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_booking_status_day', ['status', 'day', 'start_at'], unique=False)
        batch_op.create_index('ix_booking_updated', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_updated')
        batch_op.drop_index('ix_booking_status_day')
        batch_op.drop_column('day')
        batch_op.drop_index('ix_booking_booked_by_start')
        batch_op.drop_index('ix_booking_booked_by_decided')
        batch_op.create_index(batch_op.f('ix_booking_booked_by_id'), ['booked_by_id'], unique=False)
