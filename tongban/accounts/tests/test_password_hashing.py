"""Passwords are stored with argon2 in production. The tests themselves hash with a
fast hasher, so this is checked against the settings module as production loads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import django
from django.conf import settings
django.setup()
from django.contrib.auth.hashers import make_password
print(settings.PASSWORD_HASHERS[0])
print(make_password("Qinzhou-Maiji-88"))
"""


def test_it_hashes_passwords_with_argon2_outside_the_tests(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGBAN_", "DJANGO_"))}
    env.update(
        TONGBAN_TESTING="0",
        TONGBAN_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="tongban.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    first, stored = result.stdout.split()
    assert first == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert stored.startswith("argon2$argon2id$")


def test_it_uses_a_fast_hasher_only_under_test():
    assert settings.TESTING
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS
