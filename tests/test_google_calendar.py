"""The Google Calendar adapter, with the real google-api-python-client, against a fake Calendar
v3 API on loopback: free/busy, idempotent inserts, and which failures are worth retrying."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.auth.credentials import AnonymousCredentials

from activities.errors import ProviderError
from activities.google_calendar import GoogleCalendar
from stores.calendar import CalendarEvent
from stores.spans import Span
from tests.fakes.google_calendar import FakeGoogleCalendar

CALENDAR_ID = "artist@example.com"
DAY = datetime(2026, 11, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogleCalendar]:
    with FakeGoogleCalendar(CALENDAR_ID) as server:
        yield server


@pytest.fixture
def google(fake: FakeGoogleCalendar) -> GoogleCalendar:
    fake.clear()
    return GoogleCalendar(CALENDAR_ID, AnonymousCredentials(), endpoint=fake.endpoint)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def appointment(event_id: str = "b00king0001", lead_id: str = "lead-1") -> CalendarEvent:
    return CalendarEvent(
        event_id=event_id,
        start=at(11),
        end=at(15),
        title="Tattoo: swallow on forearm",
        description="Fine line, 10 x 15 cm. Deposit £75.50 paid.",
        lead_id=lead_id,
        workflow_id=f"booking-{lead_id}",
    )


# -- free/busy ----------------------------------------------------------------------------------


async def test_busy_returns_every_block_in_the_window_as_utc(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.add_busy(at(9), at(10))
    fake.add_busy(at(13), at(14, 30))
    fake.add_busy(at(20), at(22))  # outside the window
    await google.create_event(appointment())  # 11:00–15:00, merges with 13:00–14:30
    busy = await google.busy(at(8), at(18))
    assert busy == [Span(at(9), at(10)), Span(at(11), at(15))]
    assert all(span.start.utcoffset() == timedelta(0) for span in busy)
    query = fake.requests[-1]
    assert query.path == "/calendar/v3/freeBusy"
    assert query.body["timeMin"] == "2026-11-03T08:00:00Z"
    assert query.body["timeMax"] == "2026-11-03T18:00:00Z"
    assert query.body["items"] == [{"id": CALENDAR_ID}]


async def test_busy_takes_a_window_in_any_timezone(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.add_busy(at(9), at(10))
    paris = timezone(timedelta(hours=1))
    busy = await google.busy(at(8).astimezone(paris), at(12).astimezone(paris))
    assert busy == [Span(at(9), at(10))]
    assert fake.requests[-1].body["timeMin"] == "2026-11-03T08:00:00Z"


async def test_a_free_window_has_no_busy_blocks(google: GoogleCalendar) -> None:
    assert await google.busy(at(8), at(18)) == []


async def test_a_cancelled_event_is_not_busy(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    fake.cancel("b00king0001")
    assert await google.busy(at(8), at(18)) == []


async def test_an_unreadable_calendar_is_never_free(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.unreadable = True
    with pytest.raises(ProviderError) as failed:
        await google.busy(at(8), at(18))
    assert not failed.value.retryable  # no access: waiting will not help
    assert "notFound" in str(failed.value)


async def test_a_backend_error_for_the_calendar_is_retried(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.unreadable, fake.unreadable_reason = True, "backendError"
    with pytest.raises(ProviderError) as failed:
        await google.busy(at(8), at(18))
    assert failed.value.retryable


async def test_a_calendar_the_answer_leaves_out_is_an_error(fake: FakeGoogleCalendar) -> None:
    fake.clear()
    # The fake answers for ids it does not hold with `errors`, as Google does.
    other = GoogleCalendar("someone@example.com", AnonymousCredentials(), endpoint=fake.endpoint)
    with pytest.raises(ProviderError):
        await other.busy(at(8), at(18))


# -- events -------------------------------------------------------------------------------------


async def test_an_event_is_written_with_its_times_and_lead(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    event = fake.events["b00king0001"]
    assert event["summary"] == "Tattoo: swallow on forearm"
    assert event["description"] == "Fine line, 10 x 15 cm. Deposit £75.50 paid."
    assert event["start"] == {"dateTime": "2026-11-03T11:00:00Z"}
    assert event["end"] == {"dateTime": "2026-11-03T15:00:00Z"}
    assert event["extendedProperties"] == {
        "private": {"lead_id": "lead-1", "workflow_id": "booking-lead-1"}
    }
    insert = fake.requests[-1]
    assert insert.method == "POST"
    assert insert.path == f"/calendar/v3/calendars/{CALENDAR_ID}/events"
    assert insert.query.get("sendUpdates") == "none"


async def test_an_insert_retried_after_its_answer_was_lost_makes_one_event(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.fail_next(500, on="insert", applied=True)
    with pytest.raises(ProviderError) as failed:
        await google.create_event(appointment())
    assert failed.value.retryable
    await google.create_event(appointment())  # 409, then the event is found to be ours
    assert list(fake.events) == ["b00king0001"]
    operations = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests]
    assert operations == [("POST", "events"), ("POST", "events"), ("GET", "b00king0001")]


async def test_an_id_taken_by_another_leads_event_is_refused(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment(lead_id="lead-2"))
    with pytest.raises(ProviderError) as failed:
        await google.create_event(appointment(lead_id="lead-1"))
    assert not failed.value.retryable
    assert "taken by another event" in str(failed.value)
    assert fake.events["b00king0001"]["extendedProperties"]["private"]["lead_id"] == "lead-2"


async def test_an_id_of_a_deleted_event_is_refused(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    fake.cancel("b00king0001")
    with pytest.raises(ProviderError) as failed:
        await google.create_event(appointment())
    assert not failed.value.retryable
    assert "deleted" in str(failed.value)


async def test_an_id_that_is_not_base32hex_is_refused(google: GoogleCalendar) -> None:
    with pytest.raises(ProviderError) as failed:
        await google.create_event(appointment(event_id="Booking-1"))
    assert not failed.value.retryable


async def test_event_exists_only_for_a_live_event(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    await google.create_event(appointment(event_id="b00king0002"))
    fake.cancel("b00king0002")
    assert await google.event_exists("b00king0001")
    assert not await google.event_exists("b00king0002")  # cancelled
    assert not await google.event_exists("b00king0003")  # never made


async def test_an_event_gone_for_good_does_not_exist(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    fake.fail_next(410, on="get")
    assert not await google.event_exists("b00king0001")


async def test_a_cancelled_event_stays_cancelled_and_cancelling_again_is_fine(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    await google.cancel_event("b00king0001")
    assert fake.events["b00king0001"]["status"] == "cancelled"  # Google keeps it, cancelled
    assert not await google.event_exists("b00king0001")
    assert await google.busy(at(8), at(18)) == []  # its time is free
    await google.cancel_event("b00king0001")  # 410 Gone: already done
    await google.cancel_event("b00king9999")  # 404: never there
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert len(deletes) == 3 and deletes[0].query == {"sendUpdates": "none"}


async def test_a_cancel_google_refuses_is_an_error(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    await google.create_event(appointment())
    fake.fail_next(403, on="delete", reason="forbidden")
    with pytest.raises(ProviderError) as failed:
        await google.cancel_event("b00king0001")
    assert not failed.value.retryable
    assert fake.events["b00king0001"]["status"] == "confirmed"


# -- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "retryable"),
    [
        (429, None, True),
        (403, "rateLimitExceeded", True),
        (403, "userRateLimitExceeded", True),
        (403, "quotaExceeded", True),
        (500, None, True),
        (503, None, True),
        (400, None, False),
        (403, "forbidden", False),
        (404, None, False),
    ],
)
async def test_quota_and_outages_are_retried_but_refusals_are_not(
    google: GoogleCalendar,
    fake: FakeGoogleCalendar,
    status: int,
    reason: str | None,
    retryable: bool,
) -> None:
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: google.busy(at(8), at(18)),
        lambda: google.create_event(appointment()),
    ]
    if status != 404:  # for events.get, 404 is the answer "no such event"
        calls.append(lambda: google.event_exists("b00king0001"))
    for call in calls:
        fake.fail_next(status, reason=reason)
        with pytest.raises(ProviderError) as failed:
            await call()
        assert failed.value.retryable is retryable, (status, reason)
        assert str(status) in str(failed.value)
    assert fake.events == {}


async def test_credentials_google_refuses_are_not_retried(
    google: GoogleCalendar, fake: FakeGoogleCalendar
) -> None:
    # On 401 the client fetches a new token once; anonymous credentials cannot, which stands
    # in for a revoked key.
    fake.fail_next(401)
    with pytest.raises(ProviderError) as failed:
        await google.busy(at(8), at(18))
    assert not failed.value.retryable
    assert "credentials" in str(failed.value)


async def test_an_unreachable_calendar_is_retried(fake: FakeGoogleCalendar) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused.
    gone = GoogleCalendar(CALENDAR_ID, AnonymousCredentials(), endpoint="http://127.0.0.1:9/")
    with pytest.raises(ProviderError) as failed:
        await gone.busy(at(8), at(18))
    assert failed.value.retryable
