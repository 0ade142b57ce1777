"""The partner endpoints are in the OpenAPI document, behind the signature scheme,
each telling its scope."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/partner/catalog/items"): "catalog:read",
    ("get", "/api/v1/partner/catalog/items/{code}"): "catalog:read",
    ("get", "/api/v1/partner/progress"): "progress:read",
    ("get", "/api/v1/partner/questions"): "qa:read",
    ("get", "/api/v1/partner/questions/{question_id}"): "qa:read",
    ("post", "/api/v1/partner/questions"): "qa:write",
    ("post", "/api/v1/partner/applications"): "applications:write",
}


def test_it_documents_every_partner_endpoint_behind_the_signature(client):
    document = client.get("/api/v1/openapi.json").json()

    scheme = document["components"]["securitySchemes"]["PartnerSignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Tongban-Key")
    assert "X-Tongban-Signature" in scheme["description"]
    partner_paths = {
        (method, path)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/partner/")
        for method in operations
    }
    assert partner_paths == set(OPERATIONS)
    for (method, path), scope in OPERATIONS.items():
        operation = document["paths"][path][method]
        assert operation["security"] == [{"PartnerSignature": []}]
        assert f"`{scope}`" in operation["description"]
        assert "401" in operation["responses"]


def test_it_documents_the_idempotency_key_on_writes(client):
    document = client.get("/api/v1/openapi.json").json()

    for path in ("/api/v1/partner/questions", "/api/v1/partner/applications"):
        parameters = document["paths"][path]["post"]["parameters"]
        assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
