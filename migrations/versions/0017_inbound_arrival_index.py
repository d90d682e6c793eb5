"""The relay's claim walks the waiting messages in arrival order and stops at the first heads.

Without it the claim read every waiting message, probed each for an older one of the same
contact, and sorted them all to take the first few: its cost grew with the backlog, on a flash
day exactly when it is deepest (bench/RESULTS.md, issue 14). Partial, like the queue's other
index: only waiting rows are in it.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inbound_messages_arrival",
        "inbound_messages",
        ["task_queue", "received_at"],
        postgresql_where=sa.text("state IN ('pending', 'paused')"),
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_arrival", "inbound_messages")
