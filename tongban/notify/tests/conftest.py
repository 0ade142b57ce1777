"""Real peers for the channel tests: an SMSC process (tests/smsc.js on node-smpp), an
SMTP server (aiosmtpd) and an HTTP SMS gateway (http.server), each on a free port,
each able to go down and come back. The clock is simulated: dispatch runs take
``at=`` and nothing sleeps."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tongban.accounts.testing import ensure_builtin_roles, make_personas
from tongban.core.clock import LOCAL_TZ

from .support import ensure_registered_templates

HERE = Path(__file__).resolve().parent
# A Monday morning, local time: outside the quiet hours.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Smsc:
    """The SMSC process: ``received()`` is every submit_sm it accepted."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.log = tmp / "smsc.jsonl"
        self.log.touch()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        node = shutil.which("node")
        assert node, "node is needed for the SMSC (npm package smpp)"
        self.process = subprocess.Popen(
            [node, str(HERE / "smsc.js"), str(self.port), str(self.log)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.strip() == "READY", line

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process.stdout.close()
            self.process = None

    def received(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


@pytest.fixture
def smsc(tmp_path, settings, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_registered_templates()
    server = Smsc(tmp_path)
    server.start()
    settings.TONGBAN_NOTIFY_BACKENDS = {
        "sms": "tongban.notify.backends.smpp.SmppBackend",
        "*": "tongban.notify.backends.console.ConsoleBackend",
    }
    settings.TONGBAN_SMPP_HOST = "127.0.0.1"
    settings.TONGBAN_SMPP_PORT = server.port
    settings.TONGBAN_SMPP_SYSTEM_ID = "tongban"
    settings.TONGBAN_SMPP_PASSWORD = "secret"
    settings.TONGBAN_SMPP_SOURCE_ADDR = "10690001"
    settings.TONGBAN_SMPP_TIMEOUT = 5
    yield server
    server.stop()


class _Mailbox:
    def __init__(self):
        self.messages: list[dict] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {"to": list(envelope.rcpt_tos), "data": envelope.content.decode("utf-8", "replace")}
        )
        return "250 Message accepted"


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.mailbox = _Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    server = MailServer()
    server.start()
    settings.TONGBAN_NOTIFY_BACKENDS = {
        "email": "tongban.notify.backends.email.SmtpBackend",
        "*": "tongban.notify.backends.console.ConsoleBackend",
    }
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "tongban@tianshui.example"
    yield server
    server.stop()


class HttpGateway:
    """An SMS gateway speaking our JSON: answers by mobile number (13900000000
    invalid, 13911111111 throttled, 13933333333 template unknown)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                with gateway.lock:
                    gateway.requests.append(
                        {
                            "payload": payload,
                            "body": body,
                            "signature": self.headers.get("X-Tongban-Signature"),
                        }
                    )
                    number = len(gateway.requests)
                mobile = payload["mobile"]
                if mobile == "13900000000":
                    self._answer(400, {"code": "invalid_mobile", "message": "bad number"})
                elif mobile == "13911111111":
                    self._answer(429, {"code": "throttled", "message": "slow down"})
                elif mobile == "13933333333":
                    self._answer(400, {"code": "template_not_registered", "message": "?"})
                else:
                    self._answer(200, {"message_id": f"gw-{number}"})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_gateway(settings, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_registered_templates()
    gateway = HttpGateway()
    gateway.start()
    settings.TONGBAN_NOTIFY_BACKENDS = {
        "sms": "tongban.notify.backends.http.HttpGatewayBackend",
        "*": "tongban.notify.backends.console.ConsoleBackend",
    }
    settings.TONGBAN_SMS_HTTP_URL = gateway.url
    settings.TONGBAN_SMS_HTTP_SECRET = "shared-secret"
    yield gateway
    gateway.stop()


@pytest.fixture(autouse=True)
def simulated_clock(settings):
    # The tests drive the dispatcher with their own clock; nothing dispatches on commit.
    settings.TONGBAN_OUTBOX_EAGER = False
    settings.TONGBAN_NOTIFY_GIVE_UP_HOURS = 4
    settings.TONGBAN_NOTIFY_BACKOFF_CAP_MINUTES = 30
    settings.TONGBAN_NOTIFY_MAX_ATTEMPTS = 20
    settings.TONGBAN_SMS_DAILY_CAP = 20
    settings.TONGBAN_SMS_QUIET_HOURS = "21:00-08:00"


@pytest.fixture
def people(db):
    ensure_builtin_roles()
    return make_personas()
