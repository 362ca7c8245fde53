"""The times people type: one reader for --at, --since and --until."""

from __future__ import annotations

import pytest

from archiver.timestamps import parse_time, warc_time


@pytest.mark.parametrize(
    "value, expected",
    [
        ("20240603120000", "2024-06-03T12:00:00.000000Z"),
        ("202406", "2024-06-01T00:00:00.000000Z"),
        ("2024-06-03", "2024-06-03T00:00:00.000000Z"),
        ("2024-06-03T12:00:00+01:00", "2024-06-03T11:00:00.000000Z"),
        ("2024-06-03T12:00:00Z", "2024-06-03T12:00:00.000000Z"),
        ("2024-06-03T12:00:00", "2024-06-03T12:00:00.000000Z"),
    ],
)
def test_forms_read_as_utc(value, expected):
    assert warc_time(parse_time(value)) == expected


def test_end_of_day_covers_the_whole_date():
    assert warc_time(parse_time("2024-06-03", end_of_day=True)) == "2024-06-03T23:59:59.999999Z"


@pytest.mark.parametrize("value", ["June 3rd", "2024-13-01", "12345", ""])
def test_unreadable_times_raise_value_error(value):
    with pytest.raises(ValueError):
        parse_time(value)
