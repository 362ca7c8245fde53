"""The times people type: one reader for --at, --since and --until."""

from __future__ import annotations

import time
import uuid

import pytest

from archiver.timestamps import new_record_id, parse_time, warc_time


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


def test_record_ids_are_unique_version_7_uuids_that_sort_by_time() -> None:
    first = [new_record_id() for _ in range(5000)]
    time.sleep(0.002)
    later = [new_record_id() for _ in range(5000)]
    assert len(set(first + later)) == 10_000
    assert max(first) < min(later), "ids of a later millisecond sort after (indexes grow at their end)"
    for record_id in (first[0], later[-1]):
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        value = uuid.UUID(record_id[len("<urn:uuid:") : -1])
        assert value.version == 7 and value.variant == uuid.RFC_4122
        assert abs(int(value.hex[:12], 16) / 1000 - time.time()) < 60  # its first 48 bits: Unix ms
