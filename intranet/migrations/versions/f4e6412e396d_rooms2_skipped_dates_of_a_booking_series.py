"""rooms2: skipped dates of a booking series

Revision ID: f4e6412e396d
Revises: 4a13d6682b6d
Create Date: 2026-12-07 13:00:51.636200

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4e6412e396d"
down_revision = "4a13d6682b6d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("booking_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skipped", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("booking_series", schema=None) as batch_op:
        batch_op.drop_column("skipped")
