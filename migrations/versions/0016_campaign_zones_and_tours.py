"""Campaigns sent at a local hour, and campaigns announcing a tour stop.

A campaign may be sent at one hour of each recipient's own day (`local_hour`): each recipient
is frozen with their time zone and the instant that hour comes for them (`send_at`). A campaign
composed for a tour stop carries the stop (`tour_stop`, as the tours page saved it, so a later
edit of the tour does not change what was announced); a reply to it can bring a waitlisted
lead back for that stop.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("segments", sa.Column("tour_stop", JSONB))
    op.add_column("campaigns", sa.Column("tour_stop", JSONB))
    op.add_column("campaigns", sa.Column("local_hour", sa.SmallInteger))
    op.add_column("campaign_recipients", sa.Column("zone", sa.Text))
    op.add_column("campaign_recipients", sa.Column("send_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("campaign_recipients", "send_at")
    op.drop_column("campaign_recipients", "zone")
    op.drop_column("campaigns", "local_hour")
    op.drop_column("campaigns", "tour_stop")
    op.drop_column("segments", "tour_stop")
