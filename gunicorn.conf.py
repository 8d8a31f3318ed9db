"""Gunicorn settings for ParkLeads in production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each setting can be changed from the environment (names below) without editing this file; command-line flags
override both. See docs/deployment.md for the whole picture (nginx in front, PostgreSQL, Redis, RQ worker).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


# Where to listen. Behind nginx on the same host: loopback only (nginx is the one public listener).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: every request is short, blocking database work (SQLAlchemy over psycopg or sqlite3), which
# processes run best one at a time; slow clients are nginx's problem (it buffers requests and responses).
# 2 × CPUs + 1 is gunicorn's rule of thumb; on a 2-core machine that is 5. Long work (the pipeline report
# for every leader, exports, digests) goes to the RQ worker, never into a request.
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = 1

# A request that takes longer than this is killed and its worker replaced: a lead brief PDF takes ~0.3 s
# and the weekly pipeline report at 100,000 leads under 3 s, so 60 s only catches real hangs.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (systemd stop, deploy) workers finish the request in hand for up to this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to us open between requests (see deploy/nginx.conf: keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Replace each worker after about this many requests (the jitter keeps them from restarting together):
# whatever a long-lived Python process slowly accumulates (caches, fragmentation) is handed back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# preload_app stays off:
# - each worker builds its own app and database engine after the fork, so no connection (a SQLite handle or a
#   PostgreSQL socket) is ever shared between processes, and nothing needs disposing in post_fork;
# - `systemctl reload` (SIGHUP) then starts new workers on the new code, a deploy without dropped requests;
# - what preloading would save (copy-on-write of ~40 MB of imports per worker) matters less than both.
preload_app = False

# Request headers of at most 8 KiB and 100 fields, as nginx passes them; bodies are limited by the app
# (MAX_CONTENT_LENGTH) and by nginx (client_max_body_size).
limit_request_line = 4094
limit_request_fields = 100

# Logs go to stderr (journald under systemd). The app writes its own JSON line per request on the
# crm.requests logger, with the same request id; the access log adds what only gunicorn sees (the whole
# response time including the write, the response size). GUNICORN_ACCESS_LOG=- (default) or a path, or
# "off" to leave only the app's lines.
_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access.lower() in ("off", "none", "") else _access
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %({x-request-id}o)s is the X-Request-Id the app answers with: nginx's $request_id when nginx sent one.
access_log_format = ('%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s '
                     'user_agent="%(a)s"')

# Which peers may tell gunicorn the original scheme (X-Forwarded-Proto). The app itself decides whose
# X-Forwarded-For it believes with CRM_TRUSTED_PROXIES (crm/core/security.py); keep both to the proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Temporary files of the worker heartbeat in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
