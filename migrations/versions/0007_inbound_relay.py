"""Inbound messages become a queue the API's relay hands to the workflows: the webhook only
stores and answers, so nothing depends on Meta redelivering.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATES = "state IN ('pending', 'paused', 'told', 'signalled', 'refused')"
WAITING = "state IN ('pending', 'paused')"


def upgrade() -> None:
    # pending: to hand to its workflow; paused: stored while paused, the workflow is to be told
    # (a pause notice) but not given it; told: told, waiting for /admin/paused/release;
    # signalled: the workflow has it; refused: it can never be handed over (an event says why).
    op.add_column(
        "inbound_messages",
        sa.Column("state", sa.Text, nullable=False, server_default="pending"),
    )
    # The provider's timestamp: the relay hands a contact's messages over in this order.
    op.add_column(
        "inbound_messages",
        sa.Column("sent_at", sa.BigInteger, nullable=False, server_default="0"),
    )
    # Which task queue the storing API serves: its relay starts the workflow there.
    op.add_column(
        "inbound_messages",
        sa.Column("task_queue", sa.Text, nullable=False, server_default="leads"),
    )
    # Rows stored before the relay existed: unsignalled ones waited for a release, and still do.
    op.execute(
        """
        UPDATE inbound_messages SET
            state = CASE WHEN signalled_at IS NULL THEN 'told' ELSE 'signalled' END,
            sent_at = COALESCE((payload->>'sent_at')::bigint, 0)
        """
    )
    op.create_check_constraint("inbound_messages_state_known", "inbound_messages", STATES)
    op.create_index(
        "ix_inbound_messages_waiting",
        "inbound_messages",
        ["task_queue", "contact_key", "sent_at", "received_at", "message_id"],
        postgresql_where=sa.text(WAITING),
    )
    # Wake the relays (LISTEN inbound_messages) when a row becomes due: stored, or released.
    # NOTIFY is sent at commit and folds duplicates within a transaction.
    op.execute(
        """
        CREATE FUNCTION inbound_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('inbound_messages', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER inbound_messages_notify
        AFTER INSERT OR UPDATE OF state ON inbound_messages
        FOR EACH ROW WHEN (NEW.{WAITING})
        EXECUTE FUNCTION inbound_messages_notify()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER inbound_messages_notify ON inbound_messages")
    op.execute("DROP FUNCTION inbound_messages_notify()")
    op.drop_index("ix_inbound_messages_waiting", "inbound_messages")
    op.drop_constraint("inbound_messages_state_known", "inbound_messages")
    for column in ("task_queue", "sent_at", "state"):
        op.drop_column("inbound_messages", column)
