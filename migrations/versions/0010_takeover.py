"""The artist answering clients in person: the leads they handle (`leads.taken_over`, and since
when the client has been waiting on them), the artist's own messages kept by their id once the
edge dealt with them (`inbound_messages.state = 'handled'`), and when each studio account last
looked at its inbox (the nav's badges count what came since).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATES = "state IN ('pending', 'paused', 'told', 'signalled', 'refused', 'handled')"
OLD_STATES = "state IN ('pending', 'paused', 'told', 'signalled', 'refused')"


def upgrade() -> None:
    op.add_column(
        "leads", sa.Column("taken_over", sa.Boolean(), nullable=False, server_default="false")
    )
    op.add_column("leads", sa.Column("waiting_since", sa.DateTime(timezone=True)))
    op.drop_constraint("inbound_messages_state_known", "inbound_messages")
    op.create_check_constraint("inbound_messages_state_known", "inbound_messages", STATES)
    op.create_table(
        "studio_seen",
        sa.Column("account", sa.String(16), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("studio_seen")
    op.execute("DELETE FROM inbound_messages WHERE state = 'handled'")
    op.drop_constraint("inbound_messages_state_known", "inbound_messages")
    op.create_check_constraint("inbound_messages_state_known", "inbound_messages", OLD_STATES)
    op.drop_column("leads", "waiting_since")
    op.drop_column("leads", "taken_over")
