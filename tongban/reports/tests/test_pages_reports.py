"""The report pages: the table with every figure a link to the cases behind it (same
count), the charts' data, the print view, and the scope of the user."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.conf import settings
from django.test import Client

from tongban.accounts.models import Department
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases.models import Case
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

LINK = re.compile(r'<a href="([^"]+)" data-column="([a-z_]+)" data-value="([^"]*)">')
COUNT = re.compile(r'id="result-count" data-count="(\d+)"')
RATES = {"early_rate", "normal_rate", "completion_rate"}


def _client(user) -> Client:
    return log_in(Client(), user)


def _links(content: str) -> list[tuple[str, str, str]]:
    return [(html.unescape(url), column, value) for url, column, value in LINK.findall(content)]


def _cases_count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(COUNT.search(response.content.decode()).group(1))


@pytest.mark.parametrize("key", ["acceptance", "workload", "completion", "monthly"])
def test_it_links_every_figure_to_a_list_of_as_many_cases(key):
    make_history()
    head = busiest_head()
    client = _client(head)

    response = client.get(f"/office/reports/{key}/", PARAMS)

    assert response.status_code == 200
    content = response.content.decode()
    report = build_report(key, date_from=FROM, date_to=TO, as_of=AS_OF, user=head)
    cells = {c.key for c in report.columns}
    links = _links(content)
    # One link per figure of every row (the total row included).
    assert len(links) == len(report.rows) * len(cells)
    assert {column for _url, column, _value in links} == cells
    checked = 0
    for url, column, value in links:
        if column in RATES or value in ("0", "—") or column == "workdays_saved":
            continue  # a rate or a sum lists the cases of its numerator, not its value
        assert _cases_count(client, url) == int(value), (column, url)
        checked += 1
    assert checked


def test_it_shows_the_department_rows_and_the_total():
    make_history()
    head = busiest_head()

    content = _client(head).get("/office/reports/acceptance/", PARAMS).content.decode()

    report = build_report("acceptance", date_from=FROM, date_to=TO, as_of=AS_OF, user=head)
    for row in report.rows:
        assert f'data-row="{row["department"]}"' in content
    total = report.rows[-1]
    assert total["department"] == "TOTAL" and f'data-value="{total["accepted"]}"' in content
    for column in report.columns:
        assert column.label in content  # the Chinese headings of statistics.md
    assert "受理办理情况统计表" in content


def test_it_lists_the_cases_behind_a_figure_linked_to_their_pages():
    make_history()
    head = busiest_head()
    client = _client(head)
    content = client.get("/office/reports/acceptance/", PARAMS).content.decode()
    (url,) = [u for u, column, _v in _links(content) if column == "accepted" and "row=TOTAL" in u]

    response = client.get(url)

    listed = set(re.findall(r'data-case="([^"]+)"', response.content.decode()))
    expected = set(
        Case.objects.filter(
            department__path__startswith=head.department.path,
            accepted_on__range=(FROM, TO),
        ).values_list("number", flat=True)
    )
    # Cases accepted by as_of; the history ends before it, so all of them (≤ one page).
    assert listed == expected and len(listed) <= 25
    for number in listed:
        assert f'href="/office/cases/{number}/"' in response.content.decode()


def test_it_draws_charts_from_a_json_blob_and_a_static_script():
    make_history()
    client = _client(supervisor())

    completion = client.get("/office/reports/completion/", PARAMS).content.decode()
    monthly = client.get("/office/reports/monthly/", PARAMS).content.decode()

    blob = re.search(
        r'<script id="report-chart-data" type="application/json">(.*?)</script>', completion, re.S
    )
    chart = json.loads(blob.group(1))
    report = build_report("completion", date_from=FROM, date_to=TO, as_of=AS_OF)
    departments = [row for row in report.rows if row["department"] != "TOTAL"]
    assert chart["kind"] == "bar"
    assert chart["categories"] == [row["name"] for row in departments]
    (series,) = chart["series"]
    assert series["data"] == [
        None if row["completion_rate"] is None else float(row["completion_rate"])
        for row in departments
    ]
    assert len(series["links"]) == len(departments)
    trend = json.loads(
        re.search(
            r'<script id="report-chart-data" type="application/json">(.*?)</script>', monthly
        ).group(1)
    )
    assert trend["kind"] == "line" and trend["categories"] == ["2026-01", "2026-02", "2026-03"]
    for content in (completion, monthly):
        assert "reports/report.js" in content and "vendor/echarts/echarts.min.js" in content
        # No inline script but the JSON blob (CSP).
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", content)
        assert scripts == [' id="report-chart-data" type="application/json"']
    # A report without a chart has no blob and no ECharts.
    acceptance = client.get("/office/reports/acceptance/", PARAMS).content.decode()
    assert "report-chart-data" not in acceptance and "echarts" not in acceptance


def test_it_prints_the_report_on_a_clean_page_and_audits_it():
    make_history()
    head = busiest_head()

    response = _client(head).get("/office/reports/workload/", {**PARAMS, "format": "html"})

    assert response.status_code == 200
    content = response.content.decode()
    assert settings.CITY_NAME in content and "工作量统计" in content
    assert head.department.name in content and "2026-01-01" in content
    assert "<script" not in content and "navbar" not in content
    record = AuditRecord.objects.get(action="report.export")
    assert record.actor_id == head.pk and "format=html" in record.message


def test_it_offers_json_excel_and_pdf_with_the_same_parameters():
    make_history()
    client = _client(supervisor())

    content = client.get("/office/reports/acceptance/", PARAMS).content.decode()
    data = client.get("/office/reports/acceptance/", {**PARAMS, "format": "json"})

    for fmt in ("html", "json", "xlsx", "pdf"):
        assert re.search(rf'id="export-{fmt}" href="\?[^"]*format={fmt}', content)
    assert data["Content-Type"] == "application/json"
    assert data.json() == json.loads(
        json.dumps(build_report("acceptance", date_from=FROM, date_to=TO, as_of=AS_OF).as_json())
    )


def test_it_scopes_the_figures_to_the_users_department():
    make_history()
    head = busiest_head()
    other = Department.objects.filter(kind="department").exclude(pk=head.department_id).first()
    client = _client(head)

    mine = client.get("/office/reports/acceptance/", PARAMS).content.decode()
    theirs = client.get("/office/reports/acceptance/", {**PARAMS, "department": other.code})
    everything = _client(supervisor()).get("/office/reports/acceptance/", PARAMS)

    rows = set(re.findall(r'<tr data-row="([^"]+)"', mine))
    assert rows == {head.department.code, "TOTAL"}
    assert theirs.status_code == 400 and 'data-row="' not in theirs.content.decode()
    all_rows = set(re.findall(r'<tr data-row="([^"]+)"', everything.content.decode()))
    assert rows < all_rows


def test_it_keeps_a_behind_list_in_the_users_scope():
    make_history()
    head = busiest_head()
    other = (
        Case.objects.exclude(department__path__startswith=head.department.path)
        .exclude(accepted_on=None)
        .values_list("department__code", flat=True)
        .first()
    )

    response = _client(head).get(
        "/office/reports/acceptance/cases/", {**PARAMS, "column": "accepted", "row": other}
    )

    # The other department's row is simply empty for this user: never its cases.
    assert response.status_code == 200
    assert COUNT.search(response.content.decode()).group(1) == "0"


@pytest.mark.parametrize(
    "role", [RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN, RoleCode.HANDLER]
)
def test_it_refuses_users_without_the_statistics_module(role):
    make_history(n=5)
    client = _client(user_with(role))

    for url in (
        "/office/reports/",
        "/office/reports/acceptance/",
        "/office/reports/acceptance/cases/?column=accepted&row=TOTAL",
    ):
        assert client.get(url, PARAMS).status_code == 403


def test_it_sends_anonymous_users_to_the_login_page_and_unknown_reports_to_404():
    make_history(n=5)

    assert Client().get("/office/reports/acceptance/").status_code == 302
    assert _client(supervisor()).get("/office/reports/nonsense/").status_code == 404


def test_it_renders_the_page_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    make_history()
    client = _client(supervisor())
    client.get("/office/reports/acceptance/", PARAMS)  # warm the working-day index

    with django_assert_max_num_queries(12):
        response = client.get("/office/reports/acceptance/", PARAMS)

    assert response.status_code == 200


def test_it_defaults_to_this_month_as_of_now_and_shows_the_nav_link():
    make_history(n=5)
    client = _client(supervisor())

    page = client.get("/office/reports/acceptance/")
    index = client.get("/office/reports/")

    assert page.status_code == 200 and 'id="report-params"' in page.content.decode()
    assert 'id="nav-reports"' in index.content.decode()
    for key in ("acceptance", "workload", "completion", "monthly"):
        assert f'data-report="{key}"' in index.content.decode()
