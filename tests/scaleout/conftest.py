"""Shared Redis for the scale-out tests: a unique key prefix and queue name per run, everything removed after."""

import os
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip():
    """A client for the test Redis, or skip with the reason."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except RedisError as err:
        pytest.skip(f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL): {err}")
    return client


@pytest.fixture
def redis_space():
    """(client, prefix): keys made under the prefix, and the RQ keys of a queue named after it, are deleted
    after the test."""
    client = redis_or_skip()
    prefix = f"parkleads-test-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    cleanup(client, prefix)


def cleanup(client, prefix: str) -> None:
    """Delete every key of the prefix, and what RQ keeps about the queue named after it (its jobs, workers
    and its entry in the list of queues), which RQ stores under names of its own."""
    for pattern in ("rq:job:*", "rq:worker:*"):
        for key in client.scan_iter(match=pattern, count=1000):
            fields = client.hmget(key, "origin", "queues")
            if any(value and prefix.encode() in value for value in fields):
                client.delete(key, key.replace(b"rq:job:", b"rq:results:"))
                client.srem("rq:workers", key)
    client.srem("rq:queues", f"rq:queue:{prefix}")
    for pattern in (f"*{prefix}*",):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    client.close()
