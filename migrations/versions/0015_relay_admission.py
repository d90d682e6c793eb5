"""Admission: the relay hands over only so many messages that their workflows have not read yet.

A turn's projection stamps `contacts.last_read_at`; a message handed over (`signalled_at`)
before that has been read. The relay counts those handed over and not yet read to decide how
many more to hand over, so on a flash day the backlog waits in PostgreSQL in arrival order
instead of in Temporal's task queues, where a running conversation's next message can overtake
a new conversation's first. A trigger wakes the relays when a read frees room.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("last_read_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_inbound_messages_signalled", "inbound_messages", ["task_queue", "signalled_at"]
    )
    op.execute(
        """
        CREATE TRIGGER contacts_read_notify
        AFTER UPDATE OF last_read_at ON contacts
        FOR EACH ROW EXECUTE FUNCTION inbound_messages_notify()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER contacts_read_notify ON contacts")
    op.drop_index("ix_inbound_messages_signalled", "inbound_messages")
    op.drop_column("contacts", "last_read_at")
