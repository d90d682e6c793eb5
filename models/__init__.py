"""SQLAlchemy models: what is queried across leads or guarded by constraints (DESIGN §7)."""

from models.base import Base
from models.calendar import CalendarBusy, CalendarEventRow, CalendarHold
from models.campaigns import (
    Campaign,
    CampaignRecipient,
    ConsentEvent,
    MarketingConsent,
    Segment,
)
from models.sealing import PayloadKey
from models.settings import ArtistSettingsVersion, CalendarFeed, CalendarRead
from models.studio import StudioSeen, StudioSession, StudioSignInAttempt, StudioSignInLink
from models.tables import (
    ActionToken,
    Attachment,
    CheckoutSessionRow,
    Contact,
    InboundMessage,
    LeadLogRow,
    LeadRecord,
    OutboundMessage,
    ProviderEvent,
    SystemEvent,
)

__all__ = [
    "ActionToken",
    "ArtistSettingsVersion",
    "Attachment",
    "Base",
    "CalendarBusy",
    "CalendarFeed",
    "CalendarRead",
    "CalendarEventRow",
    "CalendarHold",
    "Campaign",
    "CampaignRecipient",
    "CheckoutSessionRow",
    "ConsentEvent",
    "Contact",
    "InboundMessage",
    "LeadLogRow",
    "LeadRecord",
    "MarketingConsent",
    "OutboundMessage",
    "PayloadKey",
    "ProviderEvent",
    "StudioSeen",
    "Segment",
    "StudioSession",
    "StudioSignInAttempt",
    "StudioSignInLink",
    "SystemEvent",
]
