"""With REDIS_URL set, every app instance counts in one Redis: limits and lockouts hold across workers."""

import os
import uuid

import pytest

from crm.core.limits import limiter_for
from tests.factories import make_user
from tests.security.helpers import build_app, valid_enquiry

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL to test shared rate limits)")
    return client


@pytest.fixture
def two_workers(app, database_url, db):
    """Two app instances, as two gunicorn workers would be, sharing one Redis under a prefix of this run."""
    redis = _redis()
    prefix = f"parkleads-test-{uuid.uuid4().hex[:12]}"
    settings = dict(REDIS_URL=REDIS_URL, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix,
                    RATELIMIT_ENQUIRY="3/minute", RATELIMIT_LOGIN_ACCOUNT="50/minute",
                    RATELIMIT_LOGIN_ADDRESS="50/minute")
    workers = build_app(database_url, **settings), build_app(database_url, **settings)
    yield workers
    for worker in workers:
        limiter_for(worker).storage.reset()
    assert not list(redis.scan_iter(match=f"*{prefix}*")), "the test left keys in Redis"


def test_redis_url_selects_redis_storage(two_workers):
    from limits.storage import RedisStorage

    for worker in two_workers:
        assert worker.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        assert isinstance(limiter_for(worker).storage, RedisStorage)


def test_two_instances_share_one_enquiry_limit(two_workers):
    first, second = (worker.test_client() for worker in two_workers)
    address = {"environ_base": {"REMOTE_ADDR": "198.51.100.20"}}
    assert first.post("/enquiry", data=valid_enquiry(), **address).status_code == 303
    assert second.post("/enquiry", data=valid_enquiry(), **address).status_code == 303
    assert first.post("/enquiry", data=valid_enquiry(), **address).status_code == 303
    assert second.post("/enquiry", data=valid_enquiry(), **address).status_code == 429
    assert first.post("/enquiry", data=valid_enquiry(), **address).status_code == 429


def test_failures_on_two_instances_lock_the_account_on_both(two_workers):
    user = make_user("officer")
    first, second = (worker.test_client() for worker in two_workers)
    statuses = []
    for n in range(5):
        client = first if n % 2 else second
        statuses.append(client.post("/login", data={"email": user.email, "password": "wrong"}).status_code)
    assert statuses == [401] * 4 + [429]
    assert first.post("/login", data={"email": user.email, "password": "pass-1234"}).status_code == 429


def test_memory_storage_without_redis_url(database_url, app):
    worker = build_app(database_url, REDIS_URL=None, RATELIMIT_ENABLED=True)
    assert worker.config["RATELIMIT_STORAGE_URI"] in ("memory://", "parkleads-memory://")  # the latter: no timer thread


def test_an_unreachable_redis_never_breaks_a_request(database_url, app, db, caplog):
    """Limits fall back to per-instance memory, the lockout fails open: a 429 at worst, never a 500."""
    worker = build_app(database_url, REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=True,
                       RATELIMIT_ENQUIRY="2/minute")
    client = worker.test_client()
    statuses = [client.post("/enquiry", data=valid_enquiry()).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    user = make_user("officer")
    assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": "pass-1234"}).status_code == 302
