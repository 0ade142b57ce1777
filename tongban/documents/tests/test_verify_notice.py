"""The QR code's token opens a public portal page that confirms the notice."""

from __future__ import annotations

import datetime as dt
import re

from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from tongban.accounts.testing import log_in
from tongban.documents import notices


def _token_from(html: str) -> str:
    found = re.search(r"notices/verify/\?t=([^\"<\s]+)", html)
    assert found, "the notice carries the verification address"
    from urllib.parse import unquote

    return unquote(found.group(1))


def _verify(client, token: str):
    return client.get(reverse("portal:notice_verify") + "?" + urlencode({"t": token}))


def test_it_confirms_a_genuine_notice_with_masked_progress(client, personas, notice_cases):
    case = notice_cases["acceptance"]
    log_in(client, personas.handler)
    notice = client.get(reverse("documents:notice", args=[case.number, "acceptance", "xlsx"]))
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(notice.content)).active
    address = next(
        v for row in sheet.iter_rows(values_only=True) for v in row if "verify" in str(v)
    )
    token = _token_from(address)
    client.logout()  # the page is public

    page = _verify(client, token)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-genuine="true"' in html
    assert case.number in html and case.item_name in html
    assert case.accepted_on.isoformat() in html and case.deadline.isoformat() in html
    assert 'data-status="in_progress"' in html
    # No personal data beyond the masked name.
    assert case.masked_applicant_name in html
    assert case.applicant_name not in html
    assert "13912341234" not in html and "620502199001011235" not in html


def test_it_shows_the_steps_done_on_the_verification_page(client, notice_cases):
    case = notice_cases["completion"]
    token = notices.make_token(case.number, "completion", dt.date(2026, 3, 5))
    html = _verify(client, token).content.decode()
    assert 'data-genuine="true"' in html
    assert 'data-status="completed"' in html
    assert 'data-step="受理"' in html


def test_it_reports_an_altered_token_as_not_genuine(client, notice_cases):
    case = notice_cases["acceptance"]
    token = notices.make_token(case.number, "acceptance", dt.date(2026, 3, 2))
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    page = _verify(client, altered)
    assert page.status_code == 200
    assert 'data-genuine="false"' in page.content.decode()
    assert case.number not in page.content.decode()


def test_it_reports_a_forged_token_as_not_genuine(client, notice_cases):
    case = notice_cases["acceptance"]
    payload = {"n": case.number, "k": "acceptance", "d": "2026-03-02"}
    forged = signing.dumps(payload, key="not-our-key", salt=notices.TOKEN_SALT, compress=True)
    other_salt = signing.dumps(payload, salt="another.purpose", compress=True)
    for token in (forged, other_salt, "", "garbage"):
        page = _verify(client, token)
        assert page.status_code == 200
        assert 'data-genuine="false"' in page.content.decode()


def test_it_reports_a_genuine_token_for_no_case_as_not_genuine(client, db):
    token = notices.make_token("TS-2026-XXXX-999999", "acceptance", dt.date(2026, 3, 2))
    assert 'data-genuine="false"' in _verify(client, token).content.decode()
