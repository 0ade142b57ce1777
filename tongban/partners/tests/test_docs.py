"""docs/partner-api.md tells the truth: its worked example is what the server
computes, its Python and openssl snippets sign the same, and its curl request is
accepted by a running server."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from django.conf import settings

from tongban.accounts.testing import ensure_builtin_roles, make_org
from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import Scope
from tongban.partners.signing import canonical_string, sign_request
from tongban.qa.models import Question

DOC = (Path(settings.BASE_DIR) / "docs" / "partner-api.md").read_text(encoding="utf-8")


def example(label: str) -> str:
    match = re.search(rf"^\| {re.escape(label)} \| `([^`]*)`", DOC, re.MULTILINE)
    assert match, label
    return match.group(1)


def block(language: str, marker: str = "") -> str:
    for code in re.findall(rf"```{language}\n(.*?)```", DOC, re.DOTALL):
        if code.startswith(marker):
            return code
    raise AssertionError(f"no {language} block {marker!r}")


KEY_ID = example("key id")
SECRET = example("secret")
TIMESTAMP = example("timestamp")
NONCE = example("nonce")
METHOD, PATH = example("request").split()
BODY = example("body (UTF-8, exactly these bytes)").encode()
SIGNATURE = re.search(r"^X-Tongban-Signature: ([0-9a-f]{64})$", DOC, re.MULTILINE).group(1)


def test_it_documents_the_signature_the_server_computes():
    headers = sign_request(METHOD, PATH, "", BODY, KEY_ID, SECRET, TIMESTAMP, NONCE)

    assert headers["X-Tongban-Signature"] == SIGNATURE
    canonical = canonical_string(METHOD, PATH, "", BODY, TIMESTAMP, NONCE)
    assert f"```\n{canonical}\n```" in DOC


def test_it_documents_the_sorted_query_line():
    canonical = canonical_string(
        "GET", "/api/v1/partner/progress", "verifier=1234&number=TS-2026-000123", b"", 1, "n" * 16
    )

    assert canonical.split("\n")[2] == "number=TS-2026-000123&verifier=1234"
    assert "signs the line `number=TS-2026-000123&verifier=1234`" in DOC


def test_its_python_snippet_signs_like_the_server():
    namespace: dict = {}
    exec(block("python"), namespace)  # noqa: S102 - our own documentation

    headers = namespace["sign"](METHOD, PATH, "", BODY, KEY_ID, SECRET, TIMESTAMP, NONCE)
    with_query = namespace["sign"](
        "GET", "/api/v1/partner/questions", "q=营业 执照&page=2", b"", KEY_ID, SECRET, 1, "n" * 16
    )

    assert headers["X-Tongban-Signature"] == SIGNATURE
    assert with_query == sign_request(
        "GET", "/api/v1/partner/questions", "q=营业 执照&page=2", b"", KEY_ID, SECRET, 1, "n" * 16
    )


def test_its_openssl_snippet_signs_like_the_server(tmp_path):
    result = subprocess.run(
        ["bash", "-euc", block("sh", "# partner-sign")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TS": TIMESTAMP, "NONCE": NONCE, "LC_ALL": "C.UTF-8"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == SIGNATURE
    assert (tmp_path / "body.json").read_bytes() == BODY


def test_its_curl_request_is_accepted_by_a_running_server(live_server, transactional_db, tmp_path):
    ensure_builtin_roles()
    make_org()
    partner = services.create_partner(actor=None, code="docs", name="文档示例", at=clock.now())
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.QA_WRITE], at=clock.now()
    )
    script = block("sh", "# partner-sign") + block("sh", "# partner-send")

    result = subprocess.run(
        ["bash", "-euc", script],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "LC_ALL": "C.UTF-8",
            "KEY_ID": key.key_id,
            "SECRET": secret,
            "BASE": live_server.url,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    answer = json.loads(result.stdout.splitlines()[-1])
    question = Question.objects.get()
    assert answer["id"] == question.pk
    assert question.title == "营业执照办理时间"
