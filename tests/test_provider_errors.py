"""One provider error shape, converted to Temporal's `ApplicationError` in one place: refusals
fail the activity at once, outages are retried, and the type names the workflow and tests match
stay stable."""

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.errors import ProviderError, provider_errors


class Flaky:
    def __init__(self, error: Exception) -> None:
        self.error = error

    @activity.defn(name="flaky")
    @provider_errors
    async def flaky(self, what: str) -> str:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ProviderError("Media", "Graph answered 503", retryable=True), ("MediaRetry", False)),
        (ProviderError("Media", "too large", retryable=False), ("MediaRejected", True)),
        (
            ProviderError("Payment", "key reused", retryable=False, error_type="PaymentKeyReused"),
            ("PaymentKeyReused", True),
        ),
    ],
)
async def test_a_provider_error_leaves_the_activity_as_its_application_error(
    error: ProviderError, expected: tuple[str, bool]
) -> None:
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(Flaky(error).flaky, "x")
    assert (failed.value.type, failed.value.non_retryable) == expected
    assert failed.value.message == error.message


async def test_what_the_provider_said_stays_the_cause() -> None:
    said = ValueError("(#131056) pair rate limit hit")
    try:
        raise ProviderError("WhatsApp", "send failed: retrying", retryable=True) from said
    except ProviderError as error:
        wrapped = error
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(Flaky(wrapped).flaky, "x")
    assert failed.value.__cause__ is said


async def test_other_failures_pass_through_untouched() -> None:
    with pytest.raises(KeyError):
        await ActivityEnvironment().run(Flaky(KeyError("bug")).flaky, "x")


def test_the_decorated_activity_keeps_its_name_and_signature() -> None:
    definition = activity._Definition.must_from_callable(Flaky.flaky)
    assert definition.name == "flaky"
    assert definition.arg_types == [str]
    assert definition.ret_type is str
