"""Where a campaign stands. Shown as the `CampaignStatus` search attribute and in the studio;
carried in histories, so values are only ever added."""

from __future__ import annotations

from enum import StrEnum


class CampaignStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    PAUSED = "PAUSED"
    WAITING_LIMIT = "WAITING_LIMIT"  # the 24 h messaging limit is used up: resumes as it frees
    WAITING_RETRY = "WAITING_RETRY"  # only 131049 recipients left, waiting out their 24 h
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
