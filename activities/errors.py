"""One shape for every provider failure (WhatsApp, Stripe, Google, storage, our own database
as a calendar), and the one place it becomes the `ApplicationError` Temporal acts on."""

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError

P = ParamSpec("P")
R = TypeVar("R")


class ProviderError(Exception):
    """A provider call that did not do what was asked.

    `retryable`: an outage, a rate limit or the network; otherwise the provider refused and
    trying again will not help. `benign`: a refusal that means the work is already done (an id
    that exists, an event already gone); the adapter that raised it may treat it as success.
    `code`: the provider's own code or the HTTP status, when it answered. `error_type`: the
    stable name the failure goes by in histories (`ApplicationError.type`); by default the
    provider's name and "Retry" or "Rejected"."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        retryable: bool,
        code: int | None = None,
        benign: bool = False,
        error_type: str = "",
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.retryable = retryable
        self.code = code
        self.benign = benign
        self.error_type = error_type

    @property
    def type(self) -> str:
        return self.error_type or f"{self.provider}{'Retry' if self.retryable else 'Rejected'}"

    def application_error(self) -> ApplicationError:
        return ApplicationError(str(self), type=self.type, non_retryable=not self.retryable)


def provider_errors(
    function: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R]]:
    """Under `@activity.defn`: a `ProviderError` leaves the activity as its `ApplicationError`
    (outages retried by Temporal, refusals failing at once, with a type the workflow and tests
    can match)."""

    @functools.wraps(function)
    async def activity(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await function(*args, **kwargs)
        except ProviderError as error:
            # The ApplicationError stands in for the provider error (same message), so its
            # cause is the provider error's own: what the provider said reaches the workflow.
            raise error.application_error() from error.__cause__

    return activity
