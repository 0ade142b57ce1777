"""Simultaneous retries of one write with the same Idempotency-Key, against a real
server and PostgreSQL: one question is asked, every retry gets the same answer."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from tongban.accounts.testing import ensure_builtin_roles, make_org
from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import Scope
from tongban.partners.signing import sign_request
from tongban.qa.models import Question

pytestmark = pytest.mark.postgres

BODY = json.dumps(
    {
        "title": "同时重试的问题",
        "content": "网络不好，客户端重复提交了。",
        "contact_name": "张小三",
        "contact_mobile": "13800001234",
        "department": "SCJG",
    },
    ensure_ascii=False,
).encode()
PATH = "/api/v1/partner/questions"


def test_it_asks_once_when_retries_arrive_together(live_server, transactional_db):
    ensure_builtin_roles()
    make_org()
    partner = services.create_partner(
        actor=None, code="wireless-city", name="无线城市", at=clock.now()
    )
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.QA_WRITE], at=clock.now()
    )
    start = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def retry(n: int) -> None:
        headers = sign_request(
            "POST",
            PATH,
            "",
            BODY,
            key.key_id,
            secret,
            int(clock.now().timestamp()),
            f"nonce-{n:013d}",
        )
        request = urllib.request.Request(  # noqa: S310 - the test server
            live_server.url + PATH,
            data=BODY,
            method="POST",
            headers={
                **headers,
                "Content-Type": "application/json",
                "Idempotency-Key": "same-retry-0001",
            },
        )
        start.wait()
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310 - the test server
                answers.append((response.status, json.load(response)))
        except urllib.error.HTTPError as exc:
            answers.append((exc.code, json.load(exc)))

    threads = [threading.Thread(target=retry, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Question.objects.count() == 1
    question = Question.objects.get()
    assert answers == [(201, answers[0][1])] * 4
    assert answers[0][1]["id"] == question.pk
