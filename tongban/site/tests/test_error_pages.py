"""The error pages (site/errors.py): each in its part's layout and the visitor's
language, saying what happened and offering the way back; the API keeps its JSON."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from tongban.accounts.testing import log_in

from .pages import foreign_cjk, layout, local_links, visible_text

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_english(response, *names: str) -> None:
    text = visible_text(response)
    assert foreign_cjk(text, *names) == [], text


# --- 404 --------------------------------------------------------------------------------


def test_an_office_404_is_the_office_page_in_chinese_with_the_login(client):
    response = client.get("/office/no-such-page/")
    assert response.status_code == 404
    assert layout(response) == "office"
    text = visible_text(response)
    assert "找不到页面" in text
    assert "Not Found" not in text
    assert "/accounts/login/" in local_links(response)


def test_a_404_for_staff_offers_the_workbench(client, personas):
    log_in(client, personas.handler)
    response = client.get("/office/cases/no/such/page/")
    assert response.status_code == 404
    assert "返回工作台" in visible_text(response)
    assert "/office/" in local_links(response)


def test_a_portal_404_is_the_portal_page_with_its_home(client):
    response = client.get("/portal/no-such-page/")
    assert response.status_code == 404
    assert layout(response) == "portal"
    assert "返回门户首页" in visible_text(response)
    assert "/portal/" in local_links(response)


def test_a_missing_object_is_the_styled_404_too(client):
    response = client.get("/portal/qa/999999/")
    assert response.status_code == 404
    assert layout(response) == "portal"


@pytest.mark.parametrize("path", ["/office/no-such-page/", "/portal/no-such-page/", "/nope/"])
def test_a_404_in_english_mode_has_no_chinese(client, path):
    response = english(client).get(path)
    assert response.status_code == 404
    assert "Page not found" in visible_text(response)
    assert_english(response)


def test_a_nul_in_the_address_is_the_styled_404(client):
    # Refused before the session and the language middleware have run.
    response = client.get("/portal/guide/a\x00b/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert layout(response) == "portal"
    assert "Page not found" in visible_text(response)


# --- 403 --------------------------------------------------------------------------------


def test_a_page_outside_ones_modules_is_the_styled_403(client, personas):
    log_in(client, personas.handler)
    response = client.get("/office/reports/")
    assert response.status_code == 403
    assert layout(response) == "office"
    text = visible_text(response)
    assert "无权访问此页面" in text
    assert "安全管理员" in text  # who to ask
    assert "/office/" in local_links(response)


def test_the_403_in_english_mode(client, personas):
    log_in(english(client), personas.handler)
    response = client.get("/office/supervision/")
    assert response.status_code == 403
    assert "You may not open this page" in visible_text(response)
    assert_english(response, personas.handler.full_name, personas.handler.display_name)


def test_the_admin_refusal_is_the_styled_403(client, personas):
    log_in(client, personas.handler)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert layout(response) == "office"
    assert "无权访问此页面" in visible_text(response)


def test_a_refusal_with_a_reason_says_it(rf, personas):
    from django.core.exceptions import PermissionDenied

    from tongban.site.errors import permission_denied

    request = rf.get("/office/cases/X/")
    request.user = personas.handler
    response = permission_denied(request, PermissionDenied("只有本件承办人可以查看申请人信息。"))
    assert response.status_code == 403
    assert "只有本件承办人可以查看申请人信息。" in response.content.decode()


def test_anonymous_visitors_of_a_gated_page_go_to_the_login(client):
    response = client.get("/office/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/office/reports/")


# --- CSRF -------------------------------------------------------------------------------


def test_a_refused_portal_form_is_the_portal_page_without_debug(client):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/portal/qa/ask/", {"title": "x"}, HTTP_REFERER="http://testserver/portal/qa/ask/"
    )
    assert response.status_code == 403
    assert layout(response) == "portal"
    body = response.content.decode()
    assert "DEBUG" not in body
    text = visible_text(response)
    assert "表单未能提交" in text
    assert "http://testserver/portal/qa/ask/" in body  # open the form again
    assert "/portal/" in local_links(response)


def test_a_refused_form_in_english_mode(client):
    strict = english(Client(enforce_csrf_checks=True))
    response = strict.post("/portal/qa/ask/", {"title": "x"})
    assert response.status_code == 403
    assert "The form could not be accepted" in visible_text(response)
    assert "DEBUG" not in response.content.decode()
    assert_english(response)


def test_a_refused_form_from_another_site_offers_no_link_back_to_it(client):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/portal/qa/ask/", {}, HTTP_REFERER="https://evil.example/form")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


def test_a_refused_staff_login_is_the_office_page(client):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert layout(response) == "office"
    assert "表单未能提交" in visible_text(response)


# --- 400 --------------------------------------------------------------------------------


def test_a_nul_in_a_parameter_is_the_styled_400_naming_it(client):
    response = client.get("/portal/guide/", {"q": "\x00"})
    assert response.status_code == 400
    assert layout(response) == "portal"
    text = visible_text(response)
    assert "无法处理此请求" in text
    assert "“q”" in text


def test_the_400_in_english_mode(client, personas):
    log_in(english(client), personas.handler)
    response = client.get("/office/catalog/items/", {"q": "a\x00"})
    assert response.status_code == 400
    assert layout(response) == "office"
    text = visible_text(response)
    assert "The request could not be understood" in text
    assert "“q”" in text
    assert_english(response, personas.handler.full_name, personas.handler.display_name)


# --- 500 --------------------------------------------------------------------------------


def _without_session(request):
    """The request as it is when the session store is down: touching the user fails."""
    from django.core.handlers.wsgi import WSGIRequest

    class SessionDown(WSGIRequest):
        @property
        def user(self):
            raise RuntimeError("the session store is down")

    request.__class__ = SessionDown
    return request


@pytest.mark.parametrize(
    ("path", "language", "title", "way_back"),
    [
        ("/office/cases/", "zh-hans", "系统出错了", "返回工作台"),
        ("/office/cases/", "en", "Something went wrong", "Back to the workbench"),
        ("/portal/guide/", "zh-hans", "系统出错了", "返回门户首页"),
        ("/portal/guide/", "en", "Something went wrong", "Go to the portal home page"),
    ],
)
def test_the_500_page_needs_no_database_and_no_session(
    django_assert_num_queries, path, language, title, way_back
):
    from tongban.site.errors import server_error

    request = _without_session(RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=language))
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    text = visible_text(response)
    assert title in text
    assert way_back in text
    if language == "en":
        assert_english(response)


@pytest.mark.urls("tongban.site.tests.failing_urls")
def test_a_failing_page_answers_the_styled_500():
    client = Client(raise_request_exception=False)
    response = client.get("/portal/fails/")
    assert response.status_code == 500
    assert "系统出错了" in visible_text(response)
    assert "/portal/" in local_links(response)


# --- the API keeps its own errors ---------------------------------------------------------


def test_the_api_keeps_its_json_errors(client):
    response = client.get("/api/v1/items/NO-SUCH-ITEM")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) >= {"code", "message"}


def test_a_nul_in_an_api_address_stays_json(client):
    response = client.get("/api/v1/items/a\x00b")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
