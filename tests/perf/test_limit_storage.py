"""The in-process rate-limit storage counts like limits' own, without starting a thread per request."""

import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from crm.core.limits import IN_PROCESS_STORAGE, _SweptMemoryStorage


def test_the_swept_storage_is_the_one_used_without_redis():
    assert IN_PROCESS_STORAGE == "parkleads-memory://"
    assert isinstance(storage_from_string(IN_PROCESS_STORAGE), _SweptMemoryStorage)


def test_it_limits_and_starts_no_timer_per_hit():
    storage = storage_from_string(IN_PROCESS_STORAGE)
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("3/minute")
    storage.timer.join()  # the one timer the parent starts when it is made
    before = threading.active_count()
    hits = [limiter.hit(limit, "enquiry", "127.0.0.1") for _ in range(5)]
    assert hits == [True, True, True, False, False]
    assert threading.active_count() == before
    assert not storage.timer.is_alive()
