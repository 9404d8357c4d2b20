"""``crawler.error_kinds``: stored kinds are English ids, people read French labels."""

from __future__ import annotations

import re

from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from crawler import error_kinds
from crawler.spiders.sites import classify_failure

ID = re.compile(r"[a-z][a-z0-9_]*")


def test_every_id_is_a_plain_english_token_with_a_french_label():
    for kind, label in error_kinds.LABELS.items():
        assert ID.fullmatch(kind), kind
        assert label and label != kind
    assert error_kinds.http(503) == "http_503"
    assert error_kinds.label("http_503") == "HTTP 503"
    assert error_kinds.label("timeout") == "délai dépassé"


def test_failures_are_classified_by_id_never_by_french_words():
    cases = {
        DNSLookupError("x"): error_kinds.DNS,
        ConnectionRefusedError("x"): error_kinds.CONNECTION_REFUSED,
        TimeoutError("x"): error_kinds.TIMEOUT,
        ValueError("odd"): error_kinds.DOWNLOAD_FAILED,
    }
    for exc, kind in cases.items():
        got, reason = classify_failure(Failure(exc))
        assert got == kind and ID.fullmatch(got)
        assert reason  # the French reason stays beside it
    _, reason = classify_failure(Failure(ValueError("odd")))
    assert "ValueError" in reason  # the exception's class is not lost with its kind
