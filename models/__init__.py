"""SQLAlchemy models: what is queried across leads or guarded by constraints (DESIGN §7)."""

from models.base import Base
from models.studio import StudioSession, StudioSignInAttempt, StudioSignInLink
from models.tables import (
    ActionToken,
    CalendarBusy,
    CalendarEventRow,
    CalendarHold,
    CheckoutSessionRow,
    Contact,
    InboundMessage,
    LeadRecord,
    OutboundMessage,
    ProviderEvent,
    SystemEvent,
)

__all__ = [
    "ActionToken",
    "Base",
    "CalendarBusy",
    "CalendarEventRow",
    "CalendarHold",
    "CheckoutSessionRow",
    "Contact",
    "InboundMessage",
    "LeadRecord",
    "OutboundMessage",
    "ProviderEvent",
    "StudioSession",
    "StudioSignInAttempt",
    "StudioSignInLink",
    "SystemEvent",
]
