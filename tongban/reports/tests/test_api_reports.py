"""``GET /api/v1/reports/{key}``: statistics.md's JSON, the files, the scope."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts import tokens
from tongban.accounts.models import Department
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in
from tongban.reports.definitions import build_report

from .outputs_history import (
    AS_OF,
    FROM,
    PARAMS,
    TO,
    busiest_head,
    make_history,
    supervisor,
    user_with,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports"


def _client(user) -> Client:
    return log_in(Client(), user)


@pytest.mark.parametrize("key", ["acceptance", "workload", "completion", "monthly"])
def test_it_answers_the_json_shape_of_statistics_md(key):
    make_history()
    head = busiest_head()

    response = _client(head).get(f"{BASE}/{key}", PARAMS)

    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["report", "params", "columns", "rows"]
    assert data["report"] == key
    assert data["params"] == {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "as_of": AS_OF.isoformat(),
        "department": None,
    }
    expected = build_report(key, date_from=FROM, date_to=TO, as_of=AS_OF, user=head).as_json()
    assert data == json.loads(json.dumps(expected))
    if key == "monthly":
        assert all(set(row) >= {"month", "accepted", "carried_over"} for row in data["rows"])
    else:
        assert data["rows"][-1]["department"] == "TOTAL"
        assert all({"department", "name"} <= set(row) for row in data["rows"])


def test_it_answers_files_by_path_and_by_format():
    make_history(n=10)
    client = _client(supervisor())

    xlsx = client.get(f"{BASE}/acceptance.xlsx", PARAMS)
    pdf = client.get(f"{BASE}/acceptance.pdf", PARAMS)
    by_param = client.get(f"{BASE}/monthly", {**PARAMS, "format": "xlsx"})

    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).active["C1"].value
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert by_param["Content-Type"].startswith("application/vnd.openxmlformats")


def test_it_works_with_a_bearer_token():
    make_history(n=5)
    _token, secret = tokens.create_api_token(
        actor=None, user=supervisor(), name="tests", at=timezone.now()
    )

    response = Client(headers={"Authorization": f"Bearer {secret}"}).get(
        f"{BASE}/completion", PARAMS
    )

    assert response.status_code == 200 and response.json()["report"] == "completion"


def test_it_scopes_the_report_to_the_callers_department():
    make_history()
    head = busiest_head()
    other = Department.objects.filter(kind="department").exclude(pk=head.department_id).first()
    client = _client(head)

    mine = client.get(f"{BASE}/acceptance", PARAMS).json()
    theirs = client.get(f"{BASE}/acceptance", {**PARAMS, "department": other.code})

    assert {row["department"] for row in mine["rows"]} == {head.department.code, "TOTAL"}
    assert theirs.status_code == 422 and "department" in theirs.json()["fields"]


@pytest.mark.parametrize(
    "role", [RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN, RoleCode.HANDLER]
)
def test_it_refuses_callers_without_the_statistics_module(role):
    make_history(n=5)
    client = _client(user_with(role))

    for path in ("/acceptance", "/acceptance.xlsx", "/acceptance.pdf"):
        response = client.get(BASE + path, PARAMS)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_it_refuses_anonymous_callers_unknown_reports_and_bad_parameters():
    make_history(n=5)
    client = _client(supervisor())

    assert Client().get(f"{BASE}/acceptance", PARAMS).status_code == 401
    assert client.get(f"{BASE}/nonsense", PARAMS).status_code == 404
    missing = client.get(f"{BASE}/acceptance", {"to": "2026-03-31"})
    assert missing.status_code == 422 and "from" in missing.json()["fields"]
    backwards = client.get(f"{BASE}/acceptance", {"from": "2026-03-31", "to": "2026-01-01"})
    assert backwards.status_code == 422


def test_it_answers_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    make_history()
    client = _client(supervisor())
    client.get(f"{BASE}/acceptance", PARAMS)  # warm the working-day index

    with django_assert_max_num_queries(12):
        response = client.get(f"{BASE}/acceptance", PARAMS)

    assert response.status_code == 200
