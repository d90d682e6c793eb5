"""How the workflows call their activities: one config per kind of call, its timeout and retry
policy declared together. Every `execute_activity_method` takes one of these (`**SEND`)."""

from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.workflow import ActivityConfig, LocalActivityConfig

# WhatsApp and Stripe: a provider outage is ridden out for about two hours, then given up on
# the record (a refusal the provider calls final is never retried: `non_retryable`).
PROVIDER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=30,
)
# Our own PostgreSQL: retried without limit, never given up on.
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
# The calendar (Google or ours): about half an hour, then the artist is asked to step in.
CALENDAR_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=20,
)
# A reference image: five tries, five minutes apart; a lost image never holds a lead up.
MEDIA_RETRY = RetryPolicy(
    initial_interval=timedelta(minutes=5), backoff_coefficient=1.0, maximum_attempts=5
)
# The Google Sheets lead log: without limit, backing off to a minute (a refusal is kept and
# written again later by the workflow).
SHEETS_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)

SEND = ActivityConfig(start_to_close_timeout=timedelta(seconds=30), retry_policy=PROVIDER_RETRY)
CHECKOUT = ActivityConfig(start_to_close_timeout=timedelta(seconds=30), retry_policy=PROVIDER_RETRY)
DB = ActivityConfig(start_to_close_timeout=timedelta(seconds=10), retry_policy=DB_RETRY)
# A read across leads (the digest), and a hold's release, which waits its turn behind the
# artist's other hold writers (an advisory lock).
DB_LONG = ActivityConfig(start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY)
CALENDAR = ActivityConfig(start_to_close_timeout=timedelta(seconds=30), retry_policy=CALENDAR_RETRY)
# Booking re-checks the calendar and writes one event per session.
BOOK = ActivityConfig(start_to_close_timeout=timedelta(minutes=1), retry_policy=CALENDAR_RETRY)
MEDIA = ActivityConfig(start_to_close_timeout=timedelta(minutes=2), retry_policy=MEDIA_RETRY)
SHEETS = ActivityConfig(start_to_close_timeout=timedelta(minutes=2), retry_policy=SHEETS_RETRY)

# A turn's projection and replies (`deliver_turn`, a local activity). Retries back off on
# durable timers past the first second: an outage shows in the history as waits, not as one
# workflow task held open for a minute at a time.
DELIVER = LocalActivityConfig(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=PROVIDER_RETRY,
    local_retry_threshold=timedelta(seconds=1),
)
# The same with no replies to send: only our own database, retried without limit. Also a
# lead's first read of the artist's settings: local, so a new lead costs the server no activity
# task (bench/RESULTS.md, issue 14).
PROJECT = LocalActivityConfig(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=DB_RETRY,
    local_retry_threshold=timedelta(seconds=1),
)

# Erasing a contact: our database, storage and the sheet, retried until done (an erasure
# request must not be dropped), backing off to five minutes.
ERASE = ActivityConfig(
    start_to_close_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=5),
    ),
)
# A campaign batch: minutes of paced sending, heartbeating every send. A worker lost mid-batch
# is noticed within the heartbeat timeout and the batch is retried elsewhere; recipients
# already sent are not found again (activities/campaigns.py). Retried without limit: the
# campaign stands still rather than losing recipients.
CAMPAIGN_BATCH = ActivityConfig(
    start_to_close_timeout=timedelta(minutes=30),
    heartbeat_timeout=timedelta(seconds=20),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=1),
    ),
)
# Freezing a campaign's audience: one INSERT … SELECT over the segment, a minute or so for a
# million contacts. Retried without limit; a retry after the insert committed changes nothing.
CAMPAIGN_FREEZE = ActivityConfig(
    start_to_close_timeout=timedelta(minutes=10), retry_policy=DB_RETRY
)
