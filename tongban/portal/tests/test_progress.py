"""The public progress query (办件查询): masked answer with steps and dates, the same
answer for a wrong verifier and a missing case, the rate limit, one SQL query."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext

from tongban.cases import services as cases
from tongban.cases.models import Decision
from tongban.cases.testing import accepted, active_step, at, make_items, receive
from tongban.portal import progress

URL = "/portal/progress/"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the rate limit's counters
    yield
    cache.clear()


@pytest.fixture
def case(personas):
    """A food licence (申请人 张小三, 13912341234) accepted and past its first step."""
    items = make_items(personas)
    case = accepted(personas, items.promised, at("2026-03-02"))
    cases.advance_step(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        decision=Decision.AGREE,
        opinion="同意。",
        at=at("2026-03-04"),
    )
    case.refresh_from_db()
    return case


def _query(client, number, verifier):
    return client.post(URL, {"number": number, "verifier": verifier}, REMOTE_ADDR="10.1.1.1")


@pytest.mark.django_db
def test_it_shows_status_dates_and_steps_with_personal_data_masked(client, case):
    response = _query(client, case.number, "1234")

    assert response.status_code == 200
    text = response.text
    assert case.number in text and "食品经营许可" in text
    assert "张*三" in text and "139****1234" in text and "6205**********1235" in text
    for secret in ("张小三", "13912341234", "620502199001011235", case.query_code):
        assert secret not in text
    assert zh("In progress") in text  # the case's status
    assert "2026-03-02" in text  # received and accepted
    assert case.deadline.isoformat() in text
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>", text)
    assert rows[:3] == ["受理", "承办", "审核"]
    assert zh("Done") in text and zh("Being handled") in text
    assert "李承办" not in text and "同意。" not in text  # no handler, no opinion


@pytest.mark.django_db
def test_it_accepts_the_query_code_in_any_case_and_with_spaces(client, case):
    code = case.query_code.lower()
    response = _query(client, f" {case.number.lower()} ", f"{code[:4]} {code[4:]}")
    assert "张*三" in response.text


def _normalised(response) -> bytes:
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"CSRF", response.content)
    return body


@pytest.mark.django_db
def test_it_answers_a_wrong_verifier_exactly_like_a_missing_case(client, case, personas):
    # A missing number of the same shape; the number typed is shown back, so both
    # queries use numbers of the same length and the echo is blanked.
    missing = case.number[:-6] + "999999"
    wrong = _query(client, case.number, "0000")
    absent = _query(client, missing, "1234")
    wrong_code = _query(client, case.number, "ABCDEFGH")

    message = zh("No case matches this case number and verifier. Please check both and try again.")
    assert message in wrong.text
    bodies = [
        _normalised(wrong).replace(case.number.encode(), b"NUMBER"),
        _normalised(absent).replace(missing.encode(), b"NUMBER"),
        _normalised(wrong_code).replace(case.number.encode(), b"NUMBER"),
    ]
    assert bodies[0] == bodies[1] == bodies[2]
    assert wrong.status_code == absent.status_code == 200
    assert progress.lookup(case.number, "0000", at=at("2026-03-05")) is None
    assert progress.lookup(missing, "1234", at=at("2026-03-05")) is None


@pytest.mark.django_db
def test_it_limits_queries_per_address_with_a_429_page(client, case, settings):
    settings.TONGBAN_PROGRESS_RATE_LIMIT = 3
    for _i in range(3):
        assert _query(client, case.number, "0000").status_code == 200
    refused = _query(client, case.number, "1234")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert zh("Too many queries") in refused.text
    assert "张*三" not in refused.text
    # Another address is not affected.
    other = client.post(URL, {"number": case.number, "verifier": "1234"}, REMOTE_ADDR="10.1.1.2")
    assert other.status_code == 200 and "张*三" in other.text


@pytest.mark.django_db
def test_it_answers_in_one_query(client, case, django_assert_num_queries):
    # The issue allows 2; the case, its department and its steps come in one.
    with django_assert_num_queries(1):
        response = _query(client, case.number, "1234")
    assert "张*三" in response.text and "承办" in response.text
    with django_assert_num_queries(1):
        _query(client, case.number, "0000")


@pytest.mark.django_db
def test_it_names_the_empty_fields(client):
    response = client.post(URL, {"number": "", "verifier": ""})
    assert zh("Enter the case number.") in response.text
    assert zh("Enter the last 4 digits of the mobile number or the query code.") in response.text
    # The error is tied to its input for screen readers, the hint stays attached.
    number = re.search(r'<input[^>]*name="number"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in number and 'aria-describedby="id_number-error"' in number
    assert 'id="id_number-error"' in response.text
    verifier = re.search(r'<input[^>]*name="verifier"[^>]*>', response.text).group(0)
    assert 'aria-describedby="id_verifier-error id_verifier_helptext"' in verifier
    assert 'id="id_verifier_helptext"' in response.text


@pytest.mark.django_db
def test_it_shows_the_number_back_but_never_the_verifier(client, case):
    # Number missing: the form comes back with the error, without the verifier typed.
    response = client.post(URL, {"number": "", "verifier": "1234"})
    verifier = re.search(r'<input[^>]*name="verifier"[^>]*>', response.text).group(0)
    assert "value=" not in verifier and 'aria-invalid="true"' not in verifier
    # A link from a notice fills the number in.
    linked = client.get(URL, {"number": case.number.lower()})
    assert f'name="number" value="{case.number}"' in linked.text


@pytest.mark.django_db
def test_it_gives_the_partner_api_the_same_answer_as_json(case):
    answer = progress.progress_as_dict(progress.lookup(case.number, "1234", at=at("2026-03-05")))
    assert answer["number"] == case.number
    assert answer["status"] == "in_progress"
    assert answer["applicant"] == {
        "name": "张*三",
        "mobile": "139****1234",
        "id_number": "6205**********1235",
    }
    assert answer["received_on"] == "2026-03-02"
    assert answer["deadline"] == case.deadline.isoformat()
    assert answer["steps"][0] == {
        "name": "受理",
        "department": "天水市市场监督管理局",
        "status": "done",
        "status_label": answer["steps"][0]["status_label"],
        "started_on": "2026-03-02",
        "finished_on": "2026-03-02",
    }
    assert answer["steps"][1]["finished_on"] == "2026-03-04"


@pytest.mark.django_db
def test_it_shows_a_received_case_before_its_steps_start(client, personas):
    items = make_items(personas)
    case = receive(personas, items.promised, at("2026-03-02"))
    response = _query(client, case.number, "1234")
    assert zh("Awaiting review") in response.text
