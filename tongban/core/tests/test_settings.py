"""The settings module: production refuses missing secrets and passes check --deploy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TONGBAN = str(Path(sys.executable).with_name("tongban"))


def _production_env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TONGBAN_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        TONGBAN_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="zwfw.tianshui.gov.cn",
        TONGBAN_DATA_KEY=secrets.token_hex(16),
        TONGBAN_INDEX_KEY=secrets.token_urlsafe(32),
        TONGBAN_AUDIT_KEY=secrets.token_urlsafe(32),
        TONGBAN_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def test_it_passes_the_deployment_checks_in_production_mode(tmp_path):
    result = subprocess.run(
        [TONGBAN, "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "TONGBAN_DATA_KEY", "TONGBAN_AUDIT_KEY"])
def test_it_refuses_to_start_in_production_without_a_secret(tmp_path, missing):
    env = _production_env(tmp_path)
    env.pop(missing)
    result = subprocess.run(
        [TONGBAN, "check"], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_it_sends_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_it_answers_the_health_check_in_the_api_error_shape(client, db):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
