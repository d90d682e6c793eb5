"""The studio's SQL: sessions, sign-in links and attempts (`signin`), the pipeline's filtered
and cursor-paged lead lists (`pipeline`), and what the lead page shows about one lead
(`lead_page`)."""

from stores.studio.lead_page import Image, LeadView, Moment, lead_view, record_event
from stores.studio.pipeline import (
    Cursor,
    Filters,
    PipelinePage,
    all_matching,
    page,
    status_counts,
    tour_cities,
)
from stores.studio.signin import (
    add_session,
    attempts_since,
    claim_link,
    count_attempt,
    end_session,
    live_session,
    touch_session,
)

__all__ = [
    "Cursor",
    "Filters",
    "Image",
    "LeadView",
    "Moment",
    "PipelinePage",
    "add_session",
    "all_matching",
    "attempts_since",
    "claim_link",
    "count_attempt",
    "end_session",
    "lead_view",
    "live_session",
    "page",
    "record_event",
    "status_counts",
    "touch_session",
    "tour_cities",
]
