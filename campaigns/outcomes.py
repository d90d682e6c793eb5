"""What one failed campaign send means, by Graph error code (platform_facts §B4, §B7, §B8)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """Stored in `campaign_recipients.reason` and carried in histories: only ever add values."""

    SLOW_DOWN = "slow_down"  # 130429: over the number's throughput; the recipient waits
    RETRY_LATER = "retry_later"  # 131049: Meta's per-user marketing cap; once more after 24 h
    CONSENT_WITHDRAWN = "consent_withdrawn"  # 131050: the user stopped marketing messages
    UNDELIVERABLE = "undeliverable"  # 131026: not on WhatsApp, old client, terms not accepted
    TRANSIENT = "transient"  # an outage: the recipient stays pending for the next batch
    FAILED = "failed"  # any other refusal: recorded with its code, never retried


SLOW_DOWN = 130429
ECOSYSTEM_CAP = 131049
MARKETING_STOPPED = 131050
UNDELIVERABLE = 131026


def classify(code: int | None, *, retryable: bool) -> Outcome:
    """The outcome of a send Graph refused with `code`; `retryable` is the adapter's own verdict
    (HTTP 5xx, 429, a lost connection) for codes not named here."""
    if code == SLOW_DOWN:
        return Outcome.SLOW_DOWN
    if code == ECOSYSTEM_CAP:
        return Outcome.RETRY_LATER
    if code == MARKETING_STOPPED:
        return Outcome.CONSENT_WITHDRAWN
    if code == UNDELIVERABLE:
        return Outcome.UNDELIVERABLE
    return Outcome.TRANSIENT if retryable else Outcome.FAILED
