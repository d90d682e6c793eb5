"""A recipient's time zone and the instant their local hour comes (campaigns at a local hour)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.zones import Group, groups, local_send_at, zone_of

ARTIST = "Europe/London"


@pytest.mark.parametrize(
    ("city", "country", "wa_id", "zone"),
    [
        ("Sydney", "Australia", "447912345678", "Australia/Sydney"),  # where they live first
        ("Leeds", None, "12125551234", "Europe/London"),
        (None, "Spain", "447912345678", "Europe/Madrid"),  # then their country
        (None, None, "4915112345678", "Europe/Berlin"),  # then their number
        (None, None, "12125551234", "America/New_York"),  # a prefix names the zone
        (None, None, "61412345678", "Australia/Sydney"),  # a country of several: its largest city
        ("Nowhereville", None, None, ARTIST),  # nothing known: the artist's zone
        (None, None, "999", ARTIST),
    ],
)
def test_the_zone_comes_from_where_they_live_then_their_number_then_the_artist(
    city, country, wa_id, zone
):
    assert zone_of(city, country, wa_id, ARTIST) == zone


@pytest.mark.parametrize(
    ("earliest", "hour", "zone", "expected"),
    [
        # 16:00 UTC in December: 10:00 has passed in London and Berlin today, not in New York.
        (datetime(2026, 12, 2, 16, tzinfo=UTC), 10, "Europe/London", datetime(2026, 12, 3, 10)),
        (datetime(2026, 12, 2, 16, tzinfo=UTC), 10, "Europe/Berlin", datetime(2026, 12, 3, 9)),
        (datetime(2026, 12, 2, 14, tzinfo=UTC), 10, "America/New_York", datetime(2026, 12, 2, 15)),
        # Summer time: London's 10:00 is 09:00 UTC.
        (datetime(2026, 7, 1, 8, tzinfo=UTC), 10, "Europe/London", datetime(2026, 7, 1, 9)),
        # The hour itself counts as come.
        (datetime(2026, 12, 2, 10, tzinfo=UTC), 10, "Europe/London", datetime(2026, 12, 2, 10)),
        # 01:00 on the night the clocks skip it: sent as they jump (01:00 UTC).
        (datetime(2026, 3, 29, 0, tzinfo=UTC), 1, "Europe/London", datetime(2026, 3, 29, 1)),
    ],
)
def test_the_send_time_is_the_next_local_hour(earliest, hour, zone, expected):
    at = local_send_at(earliest, hour, zone)
    assert at == expected.replace(tzinfo=UTC) and at >= earliest


def test_recipients_group_by_instant_earliest_first():
    nine, ten = datetime(2026, 12, 3, 9, tzinfo=UTC), datetime(2026, 12, 3, 10, tzinfo=UTC)
    sends = [("Europe/London", ten), ("Europe/Berlin", nine), ("Africa/Lagos", nine)]
    assert groups(sends) == [
        Group(nine, 2, ("Africa/Lagos", "Europe/Berlin")),
        Group(ten, 1, ("Europe/London",)),
    ]
