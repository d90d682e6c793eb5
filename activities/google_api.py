"""What the Google adapters (Calendar, Sheets) share: service-account credentials, building a
client from the bundled discovery document, and running one request with Google's failures
sorted into "retry later" and "refused" (platform_facts D2–D4)."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import asyncio
import json
from collections.abc import Collection
from typing import Any

import httplib2
from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError, TransportError
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from activities.errors import ProviderError

# Over quota, Google answers 403 or 429 with one of these (domain usageLimits); other 403s
# (no access, API not enabled) stay refused however long we wait.
RATE_LIMITED = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


def service_account_credentials(info_json: str, scope: str) -> Credentials:
    """Credentials from a service account's JSON key (the text, not a path)."""
    return service_account.Credentials.from_service_account_info(
        json.loads(info_json), scopes=[scope]
    )


def client(api: str, version: str, credentials: Credentials, endpoint: str) -> Any:
    """A client built from the bundled discovery document (no request is made). The endpoint
    replaces rootUrl + servicePath (platform_facts D4)."""
    return build(
        api,
        version,
        credentials=credentials,
        client_options={"api_endpoint": endpoint.rstrip("/") + "/"},
        static_discovery=True,
        cache_discovery=False,
    )


async def execute(
    request: Any,
    lock: asyncio.Lock,
    name: str,
    provider: str,
    benign: Collection[int] = (),
) -> dict[str, Any]:
    """Run one request off the event loop. `lock`: the client's httplib2 connection is not
    thread-safe, so one call at a time per client. num_retries=0: retries belong to Temporal,
    which backs off durably and counts them. Failures are `ProviderError`s of `provider`, with
    the HTTP status as `code` when Google answered; a status in `benign` means the work is
    already done (an event already gone)."""
    async with lock:
        try:
            result: dict[str, Any] = await asyncio.to_thread(request.execute, num_retries=0)
        except HttpError as error:
            # Status and Google's message only: the error's URI and body stay out of logs.
            status = error.resp.status
            raise ProviderError(
                provider,
                f"{name} answered {status}: {error.reason}",
                retryable=retryable_status(status, error_reasons(error.content)),
                code=status,
                benign=status in benign,
            ) from error
        except (TransportError, httplib2.HttpLib2Error, OSError) as error:
            raise ProviderError(
                provider, f"{name} unreachable: {error!r}", retryable=True
            ) from error
        except GoogleAuthError as error:
            # Getting a token failed. The first argument is Google's text ("invalid_grant: …"),
            # never the key; google-auth knows whether the token endpoint may recover.
            detail = error.args[0] if error.args else type(error).__name__
            raise ProviderError(
                provider,
                f"Google credentials refused: {detail}",
                retryable=bool(getattr(error, "retryable", False)),
            ) from error
    return result


def retryable_status(status: int, reasons: list[str]) -> bool:
    """Quota, a timeout, an outage: yes. Any other refusal: no."""
    if status in (408, 429) or status >= 500:
        return True
    return status == 403 and any(reason in RATE_LIMITED for reason in reasons)


def error_reasons(content: bytes) -> list[str]:
    """The `reason`s of a Google error body: {"error": {"errors": [{"reason": …}, …]}}."""
    try:
        errors = json.loads(content)["error"]["errors"]
        return [str(error.get("reason", "")) for error in errors]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
