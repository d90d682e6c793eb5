"""The conversation as pure functions: a lead and one message (or a timer) in, the new lead, the
replies and the events out. No I/O, no clock, no randomness: the workflow supplies `now`."""

from consultation.engine.conversation import (
    can_resume,
    finished,
    hand_back,
    handle,
    next_reminder_at,
    remind,
    resume,
    status_reply,
    window_open,
)
from consultation.engine.tour_reply import TourReply, Waitlisted, handle_tour_reply, wants_context

__all__ = [
    "TourReply",
    "Waitlisted",
    "handle_tour_reply",
    "wants_context",
    "can_resume",
    "finished",
    "hand_back",
    "handle",
    "status_reply",
    "next_reminder_at",
    "remind",
    "resume",
    "window_open",
]
