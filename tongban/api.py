"""The REST API root: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from tongban.accounts.tokens import BearerTokenAuth
from tongban.core.errors import DomainError, ValidationFailed

# Staff authenticate with a bearer token (scripts, other systems) or the browser
# session (with django-ninja's CSRF check). The token is tried first: a request that
# carries one is judged by it alone, and needs no CSRF token (a browser never adds
# an Authorization header to a cross-site request by itself).
api = NinjaAPI(
    title="Tongban API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=[BearerTokenAuth(), SessionAuth()],
)


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    err = ValidationFailed.from_django(exc)
    return api.create_response(request, err.as_dict(), status=err.status)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(p)
            for p in error.get("loc", [])
            if p not in ("body", "query", "path", "header", "payload")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "invalid"))
    first = next(iter(fields), "__all__")
    return api.create_response(
        request,
        _body("validation_failed", f"{first}: {fields[first][0]}", fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, _body("not_authenticated", "Authentication required."), status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, _body("http_error", str(exc)), status=exc.status_code)


def _nul_field(value, name: str) -> str | None:
    """The dotted name of the first text containing a NUL character, if any."""
    if isinstance(value, Schema):
        value = value.model_dump()
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list | tuple):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _nul_field(child, f"{name}.{key}" if name else str(key))
        if found:
            return found
    return None


def refuse_nul_characters(view):
    """PostgreSQL text cannot hold NUL: refuse it as bad input naming the field,
    before any query, instead of failing with a 500 deep in the ORM."""

    @wraps(view)
    def wrapper(request, **values):
        for name, value in values.items():
            # Query and body schemas are named after their parameter, not a field.
            found = _nul_field(value, "" if isinstance(value, Schema) else name)
            if found:
                message = _("Control characters are not allowed.")
                raise ValidationFailed(message, fields={found: [message]})
        return view(request, **values)

    return wrapper


# Every operation of every router: a text parameter or body field with a NUL.
api.add_decorator(refuse_nul_characters, mode="operation")

api.add_router("/items", "tongban.catalog.api.router")
api.add_router("/cases", "tongban.cases.api.router")
api.add_router("/supervision", "tongban.supervision.api.router")
api.add_router("/reports", "tongban.reports.api.router")
api.add_router("/documents", "tongban.documents.api.router")
api.add_router("/partner", "tongban.partners.api.router")


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}
