"""Calendar: holds and bookings (an exclusion constraint makes two active ones for an artist
overlap never), and the PostgreSQL calendar's busy blocks and appointments.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NOW = sa.text("now()")

# Every stretch of time is a bounded, non-empty, half-open `[start, end)` range, so a session
# ending at 14:00 and the next starting at 14:00 touch without overlapping. (An empty range has
# NULL bounds, which a bare `lower < upper` check would let through.)
SPAN_VALID = (
    "lower(during) IS NOT NULL AND upper(during) IS NOT NULL AND lower(during) < upper(during)"
    " AND lower_inc(during) AND NOT upper_inc(during)"
)


def upgrade() -> None:
    # btree_gist lets one GiST index compare `artist_id` with `=` next to the ranges' `&&`.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    # A hold while the client pays, then the booking. One row per working day of a session, so
    # one `hold_id` may have several rows. Only 'held' and 'booked' rows take part in the
    # exclusion: a released or lapsed hold frees its time.
    op.create_table(
        "calendar_holds",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("hold_id", sa.Text, nullable=False, index=True),
        sa.Column("lead_id", sa.Text, nullable=False),
        sa.Column("artist_id", sa.Text, nullable=False, server_default="artist"),
        sa.Column("during", TSTZRANGE, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint(
            "state IN ('held', 'booked', 'released', 'lapsed')", name="calendar_holds_state_known"
        ),
        sa.CheckConstraint(SPAN_VALID, name="calendar_holds_span_valid"),
        ExcludeConstraint(
            ("artist_id", "="),
            ("during", "&&"),
            using="gist",
            where=sa.text("state IN ('held', 'booked')"),
            name="calendar_holds_no_overlap",
        ),
    )
    # The artist's own busy blocks, for the PostgreSQL calendar (Google has its own).
    op.create_table(
        "calendar_busy",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("artist_id", sa.Text, nullable=False, server_default="artist"),
        sa.Column("during", TSTZRANGE, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint(SPAN_VALID, name="calendar_busy_span_valid"),
    )
    op.create_index(
        "ix_calendar_busy_artist_during",
        "calendar_busy",
        ["artist_id", "during"],
        postgresql_using="gist",
    )
    # The PostgreSQL calendar's appointments. `event_id` is derived in the workflow, so a
    # retried insert finds its own row.
    op.create_table(
        "calendar_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("artist_id", sa.Text, nullable=False, server_default="artist"),
        sa.Column("during", TSTZRANGE, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("lead_id", sa.Text),
        sa.Column("workflow_id", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="confirmed"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint(SPAN_VALID, name="calendar_events_span_valid"),
        sa.CheckConstraint(
            "status IN ('confirmed', 'cancelled')", name="calendar_events_status_known"
        ),
    )
    op.create_index(
        "ix_calendar_events_artist_during",
        "calendar_events",
        ["artist_id", "during"],
        postgresql_using="gist",
    )


def downgrade() -> None:
    op.drop_table("calendar_events")
    op.drop_table("calendar_busy")
    op.drop_table("calendar_holds")
    # btree_gist stays: other objects may have come to depend on it.
