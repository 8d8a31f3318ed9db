"""Real servers on loopback for delivery tests: an SMTP server (aiosmtpd) and a group-chat webhook (http.server)."""

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from crm.notifications import delivery


def free_port() -> int:
    """A loopback port nothing listens on (a dead server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from,
                              "subject": str(message["Subject"]), "body": message.get_content()})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; `.messages` holds what it received, `.port` where it listens."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.append({"content_type": self.headers.get("Content-Type"), "json": json.loads(body)})
        status, answer = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    """A group-chat robot on 127.0.0.1: `.received` holds the JSON posted, `.answer` is (status, body) to reply."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    server.answer = (200, {"errcode": 0, "errmsg": "ok"})
    server.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def channels(app, monkeypatch):
    """configure(smtp_port=..., webhook_url=...) turns email and the webhook on for this test only."""

    def configure(smtp_port=None, webhook_url=None, **settings):
        if smtp_port is not None:
            monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
            monkeypatch.setitem(app.config, "SMTP_PORT", smtp_port)
            monkeypatch.setitem(app.config, "SMTP_FROM", "parkleads@zone.example")
            monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 3)
        if webhook_url is not None:
            monkeypatch.setitem(app.config, "WEBHOOK_URL", webhook_url)
            monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 3)
        monkeypatch.setitem(app.config, "NOTIFY_BACKOFF", "0.05,0.05,3600")
        monkeypatch.setitem(app.config, "NOTIFY_THREAD_MAX_WAIT", 1)
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)

    yield configure
    assert delivery.wait_for_background(15), "a delivery thread is still running"
