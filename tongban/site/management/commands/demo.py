"""``tongban demo``: the whole platform on one machine, for trying it out.

Migrates the database (SQLite in ``var/`` unless ``DATABASE_URL`` says otherwise),
loads the demo data, then runs two children with ``TONGBAN_DEMO=1``: the Huey
consumer (background work) and gunicorn (the web server). It prints the URLs and the
demo logins, forwards Ctrl-C/SIGTERM to the children, and if one child dies it stops
the other and exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.core.errors import DomainError
from tongban.site.demo import (
    citizen_login_line,
    display_width,
    load_demo_data,
    logins_lines,
    pad,
    summary_lines,
    totp_hint_lines,
)

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20
PAGES = [
    (gettext_noop("Landing page"), "/"),
    (gettext_noop("Office"), "/office/"),
    (gettext_noop("System management"), "/admin/"),
    (gettext_noop("Public portal"), "/portal/"),
    (gettext_noop("API documentation"), "/api/v1/docs"),
]


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value!r}")
    return port


class Child:
    """A supervised child process and the signal that stops it gracefully."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], stop_signal: int):
        self.name = name
        self.stop_signal = stop_signal
        self.process = subprocess.Popen(argv, env=env)

    @property
    def exit_code(self) -> int | None:
        return self.process.poll()


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, load the demo data, start the web server and the "
        "background worker, print the URLs and demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=port_number,
            default=os.environ.get("PORT") or "8000",
            help="TCP port of the web server (default: $PORT or 8000).",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the background worker."
        )

    def handle(self, *args, port: int, host: str, no_worker: bool, **options):
        if settings.PRODUCTION:
            raise CommandError(_("The demo cannot run in production mode."))
        self._require_free_port(host, port)

        self.stdout.write(_("Preparing the database (%(database)s)…") % {"database": _database()})
        try:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(_("Loading the demo data…"))
            context = load_demo_data()
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            # Each migration and each demo object is its own transaction: nothing is
            # left half-done, and the next start carries on.
            raise CommandError(_("Interrupted."), returncode=130) from None
        for line in summary_lines(context):
            self.stdout.write("  " + line)
        # The children open their own connections; the parent needs none while it waits.
        connections.close_all()

        self._stop_requested = False
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        env = {**os.environ, "TONGBAN_DEMO": "1", "PYTHONUNBUFFERED": "1"}
        children: list[Child] = []
        failed: Child | None = None
        try:
            if not no_worker:
                self.stdout.write(_("Starting the background worker…"))
                children.append(
                    Child(
                        _("background worker"),
                        [sys.executable, "-m", "tongban.cli", "run_huey"],
                        env,
                        signal.SIGINT,  # Huey's graceful shutdown: finish running tasks
                    )
                )
            self.stdout.write(_("Starting the web server…"))
            children.append(
                Child(
                    _("web server"),
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "tongban.wsgi:application",
                        "--bind",
                        _bind(host, port),
                        "--workers",
                        "2",
                        "--threads",
                        "4",
                        "--graceful-timeout",
                        "10",
                        # Its default socket path is per user, so two demos would clash.
                        "--no-control-socket",
                    ],
                    env,
                    signal.SIGTERM,  # gunicorn's graceful shutdown
                )
            )
            if self._wait_until_ready(children, host, port):
                self._print_banner(context, host, port)
                failed = self._supervise(children)
        finally:
            self._stop(children)
        if failed is not None:
            raise CommandError(
                _("The %(name)s stopped unexpectedly (exit code %(code)s); the demo is stopped.")
                % {"name": failed.name, "code": failed.exit_code},
                returncode=1,
            )
        self.stdout.write(_("The demo has stopped."))

    # --- supervision -------------------------------------------------------------------

    def _request_stop(self, signum, frame) -> None:
        self._stop_requested = True

    def _first_dead(self, children: list[Child]) -> Child | None:
        return next((c for c in children if c.exit_code is not None), None)

    def _wait_until_ready(self, children: list[Child], host: str, port: int) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self._stop_requested:
            dead = self._first_dead(children)
            if dead is not None:
                raise CommandError(
                    _("The %(name)s could not start (exit code %(code)s).")
                    % {"name": dead.name, "code": dead.exit_code},
                    returncode=1,
                )
            if _answers(host, port):
                return True
            if time.monotonic() > deadline:
                raise CommandError(
                    _("The web server did not answer within %(seconds)d seconds.")
                    % {"seconds": READY_TIMEOUT_SECONDS},
                    returncode=1,
                )
            time.sleep(0.2)
        return False

    def _supervise(self, children: list[Child]) -> Child | None:
        """Wait until a stop is requested (returns None) or a child dies (returns it)."""
        while not self._stop_requested:
            dead = self._first_dead(children)
            if dead is not None:
                return dead
            time.sleep(0.25)
        return None

    def _stop(self, children: list[Child]) -> None:
        live = [c for c in children if c.exit_code is None]
        if live:
            self.stdout.write(_("Stopping…"))
        for child in live:
            child.process.send_signal(child.stop_signal)  # a no-op if it has just exited
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in live:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()

    # --- output ------------------------------------------------------------------------

    def _print_banner(self, context, host: str, port: int) -> None:
        base = f"http://{_bind(_client_host(host), port)}"
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(_("Tongban is running:")))
        labels = [_(label) for label, _path in PAGES]
        width = max(display_width(label) for label in labels)
        for label, (_label, path) in zip(labels, PAGES, strict=True):
            write(f"  {pad(label, width)}  {base}{path}")
        write("")
        for line in logins_lines(context):
            write(line)
        write("")
        write(citizen_login_line())
        write("")
        for line in totp_hint_lines(_program()):
            write(line)
        write("")
        write(_("Press Ctrl-C to stop."))

    def _require_free_port(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            # As gunicorn does: a port left in TIME_WAIT by a previous run is free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    _("Cannot listen on %(address)s (%(error)s); choose another port with --port.")
                    % {"address": _bind(host, port), "error": exc.strerror or exc}
                ) from exc


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _client_host(host: str) -> str:
    """Where to reach a server listening on ``host`` from this machine."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((_client_host(host), port), timeout=1):
            return True
    except OSError:
        return False


def _database() -> str:
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return str(db["NAME"])
    return f"PostgreSQL {db.get('HOST') or 'localhost'}/{db['NAME']}"


def _program() -> str:
    """How to call the console script again in another terminal, with the variables
    that make it find the same database."""
    program = sys.argv[0] if Path(sys.argv[0]).name == "tongban" else "tongban"
    if "TONGBAN_VAR_DIR" in os.environ:
        program = f"TONGBAN_VAR_DIR={os.environ['TONGBAN_VAR_DIR']} {program}"
    return program
