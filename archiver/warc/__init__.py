"""WARC/1.1 writing and reading: the archive's source of truth.

Framework-free (stdlib only; warcio is used by the tests as the independent
check). ``WarcWriter`` stores HTTP exchanges byte for byte; ``iter_records``
reads them back, locating damage; ``capture_from_record`` rebuilds the
``captures`` row a crawl stored; ``verify_file`` recomputes digests.
"""

from ._http import HttpMessage, HttpParseError, decode_body, parse_message
from .exchange import HttpExchange
from .reader import (
    Record,
    WarcError,
    capture_from_record,
    iter_records,
    read_record_at,
    verify_file,
    verify_record,
)
from .writer import (
    PAYLOAD_SHA256_HEADER,
    RECONSTRUCTED_HEADER,
    REVISIT_PROFILE,
    RecordLocation,
    WarcWriteError,
    WarcWriter,
    sha1_digest,
    warc_date,
)

__all__ = [
    "HttpExchange",
    "HttpMessage",
    "HttpParseError",
    "PAYLOAD_SHA256_HEADER",
    "RECONSTRUCTED_HEADER",
    "REVISIT_PROFILE",
    "Record",
    "RecordLocation",
    "WarcError",
    "WarcWriteError",
    "WarcWriter",
    "capture_from_record",
    "decode_body",
    "iter_records",
    "parse_message",
    "read_record_at",
    "sha1_digest",
    "verify_file",
    "verify_record",
    "warc_date",
]
