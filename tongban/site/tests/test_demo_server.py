"""End to end: the real ``tongban demo`` console script, run as a subprocess.

SUBPROCESS TEST — it starts the demo (migrate, load, gunicorn and the Huey worker)
against a scratch SQLite ``var/`` directory, talks HTTP to it, then stops it. It
needs no test database; it always kills what it started, even when it fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

START_TIMEOUT_SECONDS = 240  # migrate + argon2 hashing of the demo accounts on 2 cores
STOP_TIMEOUT_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    """GET ``url`` following redirects: (status, final URL, body)."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback
            return response.status, response.url, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url, exc.read().decode("utf-8", "replace")


def _demo_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The demo's own embedded defaults: no external database or queue, real hashers.
        if key not in {"DATABASE_URL", "REDIS_URL", "PORT", "TONGBAN_PRODUCTION"}
        and not key.startswith("TONGBAN_TEST")
    }
    env.update(TONGBAN_VAR_DIR=str(var_dir), TONGBAN_DEMO="1")
    return env


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_serves_the_demo_from_a_fresh_var_dir_through_the_console_script(tmp_path):
    program = Path(sys.executable).parent / "tongban"
    assert program.exists(), f"console script not installed at {program} (run `make setup`)"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(program), "demo", "--port", str(port)],
            env=_demo_env(tmp_path / "var"),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the demo and its children
        )
    pgid = process.pid

    def output() -> str:
        return log_path.read_text("utf-8", "replace")

    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"tongban demo exited with {process.returncode}:\n{output()}")
            try:
                status, _url, body = _get(base + "/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"tongban demo did not answer on port {port} within "
                    f"{START_TIMEOUT_SECONDS} s:\n{output()}"
                )
            time.sleep(0.5)

        assert "通办" in body

        status, url, _body = _get(base + "/admin/login/")
        assert status == 200, url
        assert "/login/" in url

        for path in ("/static/core/tongban.css", "/static/vendor/bootstrap/css/bootstrap.min.css"):
            status, _url, css = _get(base + path)
            assert status == 200, path
            assert css.strip(), path

        printed = output()
        assert "sysadmin" in printed
        assert "Tianshui@2026" in printed
        assert f"{base}/admin/" in printed

        os.killpg(pgid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tongban demo did not stop on SIGTERM:\n{output()}")
        assert process.returncode == 0, output()
        assert not _group_alive(pgid), "a child of tongban demo outlived it"
    finally:
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
