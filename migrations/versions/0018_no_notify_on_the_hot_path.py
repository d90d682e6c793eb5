"""No NOTIFY where a webhook's ack or a turn commits: the relay is woken in its own process.

PostgreSQL serialises every committing transaction that has sent a NOTIFY (one lock held until
the commit, WAL flush included, has finished), so the triggers that woke the relays on every
stored message and every read stamp made the webhooks' commits queue behind one another and
behind the turns' projections: under load an ack waited on that lock rather than on its own
work (bench/RESULTS.md, issue 14). Now the intake wakes its own process's relay when it has
stored a message, and a full relay looks again every admission tick instead of waiting to be
told of a read. What still NOTIFYs is rare and off the hot path: messages given back to the
relay (released after a pause, replayed by an operator), which another process may do.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WAITING = "state IN ('pending', 'paused')"


def upgrade() -> None:
    op.execute("DROP TRIGGER contacts_read_notify ON contacts")
    op.execute("DROP TRIGGER inbound_messages_notify ON inbound_messages")
    op.execute(
        f"""
        CREATE TRIGGER inbound_messages_notify
        AFTER UPDATE OF state ON inbound_messages
        FOR EACH ROW WHEN (NEW.{WAITING} AND OLD.state IS DISTINCT FROM NEW.state)
        EXECUTE FUNCTION inbound_messages_notify()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER inbound_messages_notify ON inbound_messages")
    op.execute(
        f"""
        CREATE TRIGGER inbound_messages_notify
        AFTER INSERT OR UPDATE OF state ON inbound_messages
        FOR EACH ROW WHEN (NEW.{WAITING})
        EXECUTE FUNCTION inbound_messages_notify()
        """
    )
    op.execute(
        """
        CREATE TRIGGER contacts_read_notify
        AFTER UPDATE OF last_read_at ON contacts
        FOR EACH ROW EXECUTE FUNCTION inbound_messages_notify()
        """
    )
