"""A NUL character in a query parameter is refused naming the parameter (422 in
the API's error shape, 400 on pages) instead of failing in the database."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_search_with_nul_is_refused_naming_the_parameter(client):
    response = client.get("/api/v1/items", {"q": "营业\x00执照"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == ["q"]


def test_portal_search_with_nul_is_a_clear_400(client):
    response = client.get("/portal/guide/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "q" in response.content.decode()


def test_ordinary_search_still_works(client):
    assert client.get("/api/v1/items", {"q": "营业执照"}).status_code == 200
