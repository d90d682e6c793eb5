"""SQLAlchemy models: what is queried across leads or guarded by constraints (DESIGN §7)."""

from models.base import Base
from models.tables import Contact, InboundMessage, LeadRecord, OutboundMessage, SystemEvent

__all__ = ["Base", "Contact", "InboundMessage", "LeadRecord", "OutboundMessage", "SystemEvent"]
