"""Email (SMTP) and group-webhook (WeCom/DingTalk style) delivery through an outbox.

A message is written to the `notification_delivery` table in the same transaction as the change it reports
(the new lead, the assignment), so it cannot be lost and is never sent for a change that was rolled back.
After the commit a background thread sends it, retrying a few times with backoff; whatever is still pending
later goes out through `flask --app wsgi crm deliver-notifications` (cron, or an RQ worker calling
`deliver_pending()`). Sending never runs inside the request that caused it, so a dead mail server or chat
webhook can neither slow nor break that request.

Configuration (app config, or the environment as CRM_<NAME>): SMTP_HOST (email is off without it),
SMTP_PORT, SMTP_FROM, SMTP_USER, SMTP_PASSWORD, SMTP_SECURITY ("starttls", "ssl" or none), WEBHOOK_URL
(the group webhook is off without it), BASE_URL (for links in messages sent from cron), NOTIFY_ASYNC,
NOTIFY_BACKOFF (seconds to wait after the 1st, 2nd... failure), NOTIFY_MAX_ATTEMPTS.
"""

import json
import logging
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from crm.core.database import utcnow
from crm.core.values import from_env
from crm.extensions import db
from crm.notifications.models import Delivery

log = logging.getLogger("crm.notifications")

_DEFAULTS = {
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_FROM": "",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_SECURITY": "",  # "starttls", "ssl", or "" for a plain relay on the intranet
    "SMTP_TIMEOUT": 10,
    "WEBHOOK_URL": "",
    "WEBHOOK_TIMEOUT": 10,
    "BASE_URL": "",
    "NOTIFY_ASYNC": True,
    # 1 min, 2 min, 5 min, 15 min, 1 h, 3 h, 6 h, then every 12 h until NOTIFY_MAX_ATTEMPTS.
    "NOTIFY_BACKOFF": "60,120,300,900,3600,10800,21600,43200",
    "NOTIFY_MAX_ATTEMPTS": 12,
    # The background thread waits out backoffs up to this long itself; longer ones are left to cron.
    "NOTIFY_THREAD_MAX_WAIT": 150,
}
LEASE = timedelta(minutes=5)  # an attempt that crashed mid-send is tried again after this
_OUTBOX_KEY = "crm_outbox"
_INLINE_KEY = "crm_outbox_inline"
_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Settings from the environment unless the config class set them; the after-commit hook, once."""
    for name, default in _DEFAULTS.items():
        app.config.setdefault(name, from_env(name, default))
    if not event.contains(Session, "before_commit", _collect_ids):
        event.listen(Session, "before_commit", _collect_ids)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _forget)


def email_enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def webhook_enabled() -> bool:
    return bool(current_app.config.get("WEBHOOK_URL"))


# ---------------------------------------------------------------------------------------------------------
# Queueing, in the caller's transaction
# ---------------------------------------------------------------------------------------------------------

def queue_email(recipient: str, subject: str, body: str, *, kind: str, user_id: int | None = None,
                lead_id: int | None = None, dedupe_key: str | None = None) -> Delivery | None:
    """Put an email in the outbox (nothing when SMTP is not configured or there is no address)."""
    if not email_enabled() or not recipient:
        return None
    return _queue(Delivery(channel="email", kind=kind, recipient=recipient[:254], subject=subject[:200], body=body,
                           user_id=user_id, lead_id=lead_id, dedupe_key=dedupe_key))


def queue_webhook(text: str, *, kind: str, lead_id: int | None = None,
                  dedupe_key: str | None = None) -> Delivery | None:
    """Put a group-chat message in the outbox (nothing when no webhook is configured)."""
    if not webhook_enabled():
        return None
    return _queue(Delivery(channel="webhook", kind=kind, subject="", body=text, lead_id=lead_id,
                           dedupe_key=dedupe_key))


def _queue(delivery: Delivery) -> Delivery:
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = delivery.created_at = utcnow()
    db.session.add(delivery)
    db.session.info.setdefault(_OUTBOX_KEY, []).append(delivery)
    return delivery


def _collect_ids(session: Session) -> None:
    """Before the commit: flush, and note the ids of the messages it will make durable."""
    queued = session.info.pop(_OUTBOX_KEY, None)
    if not queued:
        return
    session.flush()
    ids = [delivery.id for delivery in queued if delivery.id is not None]
    session.info.setdefault(_OUTBOX_KEY + "_ids", []).extend(ids)


def _after_commit(session: Session) -> None:
    """After the commit: hand the new messages to a background thread (no SQL may run here)."""
    ids = session.info.pop(_OUTBOX_KEY + "_ids", None)
    if not ids or not has_app_context() or session.info.get(_INLINE_KEY):
        return
    app = current_app._get_current_object()
    if not app.config.get("NOTIFY_ASYNC", True):
        return  # left for `crm deliver-notifications`
    thread = threading.Thread(target=_deliver_in_background, args=(app, ids), name="crm-notify", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()


@contextmanager
def sending_inline():
    """Within this block commits start no delivery thread: the caller (a CLI command) sends itself."""
    db.session.info[_INLINE_KEY] = True
    try:
        yield
    finally:
        db.session.info.pop(_INLINE_KEY, None)


def _forget(session: Session) -> None:
    session.info.pop(_OUTBOX_KEY, None)
    session.info.pop(_OUTBOX_KEY + "_ids", None)


def _deliver_in_background(app: Flask, ids: list[int]) -> None:
    """Send these messages now, waiting out short backoffs; longer ones are cron's."""
    import time

    try:
        with app.app_context():
            try:
                remaining = ids
                while remaining:
                    deliver_pending(ids=remaining)
                    rows = db.session.execute(select(Delivery.id, Delivery.next_attempt_at).where(
                        Delivery.id.in_(remaining), Delivery.status == "pending")).all()
                    db.session.rollback()
                    if not rows:
                        break
                    wait = max((due - utcnow()).total_seconds() for _id, due in rows)
                    if wait > app.config["NOTIFY_THREAD_MAX_WAIT"]:
                        break
                    time.sleep(max(wait, 0) + 0.01)
                    remaining = [row_id for row_id, _due in rows]
            finally:
                db.session.remove()
    except Exception:  # a background thread has nobody to report to but the log
        log.exception("background notification delivery failed ids=%s", ids)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def wait_for_background(timeout: float = 10) -> bool:
    """Wait for the delivery threads started so far (tests, and a clean shutdown). True if all finished."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            running = [t for t in _threads if t.is_alive()]
        if not running:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        running[0].join(remaining)


# ---------------------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------------------

class DeliveryFailed(Exception):
    """The mail server or the webhook did not take the message."""


def _backoff(attempts: int) -> timedelta:
    steps = [float(s) for s in str(current_app.config["NOTIFY_BACKOFF"]).split(",") if s.strip()] or [60.0]
    return timedelta(seconds=steps[min(attempts, len(steps)) - 1])


def retry_all_now() -> int:
    """Make every pending message due now (an operator's "retry now"); returns how many."""
    result = db.session.execute(update(Delivery).where(Delivery.status == "pending")
                                .values(next_attempt_at=utcnow()))
    db.session.commit()
    return result.rowcount


def prune_sent(older_than: timedelta = timedelta(days=30)) -> int:
    """Delete messages sent long ago: the outbox is a queue, not an archive of who was told what."""
    result = db.session.execute(Delivery.__table__.delete().where(Delivery.status == "sent",
                                                                  Delivery.sent_at < utcnow() - older_than))
    db.session.commit()
    return result.rowcount


def deliver_pending(*, ids: list[int] | None = None, limit: int = 500, now: datetime | None = None) -> dict:
    """Send the messages that are due (or just `ids`, if due); returns counts {"sent", "retry", "failed"}.

    Safe to run from several places at once (the request's thread, cron, a worker): each attempt first
    moves the message's `next_attempt_at` forward with a conditional UPDATE, and only the one writer whose
    UPDATE matched sends it.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = now or utcnow()
    query = select(Delivery.id).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
    if ids is not None:
        query = query.where(Delivery.id.in_(ids))
    due = list(db.session.scalars(query.order_by(Delivery.id).limit(limit)))
    db.session.rollback()
    for delivery_id in due:
        outcome = _attempt(delivery_id)
        if outcome:
            counts[outcome] += 1
    return counts


def _attempt(delivery_id: int) -> str | None:
    now = utcnow()
    claimed = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "pending",
                               Delivery.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE, attempts=Delivery.attempts + 1))
    db.session.commit()
    if claimed.rowcount != 1:
        return None  # someone else is on it, or it went out meanwhile
    delivery = db.session.get(Delivery, delivery_id)
    try:
        if delivery.channel == "email":
            send_email(delivery.recipient, delivery.subject, delivery.body)
        else:
            post_webhook(delivery.body)
    except Exception as err:  # any failure of the far side: keep the message and try again later
        delivery.last_error = f"{type(err).__name__}: {err}"[:1000]
        if delivery.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
            delivery.status = "failed"
            log.error("notification %s given up after %s attempts: %s", delivery.id, delivery.attempts,
                      delivery.last_error)
        else:
            delivery.next_attempt_at = utcnow() + _backoff(delivery.attempts)
            log.warning("notification %s attempt %s failed: %s", delivery.id, delivery.attempts,
                        delivery.last_error)
        db.session.commit()
        return "failed" if delivery.status == "failed" else "retry"
    delivery.status = "sent"
    delivery.sent_at = utcnow()
    delivery.last_error = None
    db.session.commit()
    return "sent"


def send_email(recipient: str, subject: str, body: str) -> None:
    """One plain-text UTF-8 email through the configured SMTP server."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"] or config["SMTP_USER"] or f"parkleads@{config['SMTP_HOST']}"
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="parkleads")
    message.set_content(body)
    security = (config.get("SMTP_SECURITY") or "").lower()
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT"])
    if security == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        server.send_message(message)


def post_webhook(text: str) -> None:
    """POST {"msgtype": "text", "text": {"content": ...}} to the group webhook (WeCom and DingTalk robots
    take this shape); a non-2xx answer, or a JSON answer with a non-zero errcode, is a failure."""
    url = current_app.config["WEBHOOK_URL"]
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryFailed("WEBHOOK_URL must be an http(s) URL")
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=float(current_app.config["WEBHOOK_TIMEOUT"])) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as err:
        raise DeliveryFailed(f"webhook answered {err.code}") from err
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return  # a plain "ok" is fine
    if isinstance(data, dict) and data.get("errcode", 0) not in (0, "0"):
        raise DeliveryFailed(f"webhook refused: errcode {data.get('errcode')} {data.get('errmsg', '')}"[:300])
