"""The domain error hierarchy.

Services raise these; one handler per surface turns them into a form error (pages),
a structured ``{"code", "message", "fields"}`` body (API) or an exit status (CLI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainErrorBody(TypedDict):
    """The structured error every surface answers with (the API's JSON body)."""

    code: str
    message: str
    fields: dict[str, list[str]]


class DomainError(Exception):
    """A business rule refused the request. ``fields`` maps field names to messages."""

    code = "domain_error"
    status = 400
    default_message = _("The request was refused.")

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        fields: Mapping[str, Sequence[StrOrPromise]] | None = None,
        code: str | None = None,
    ):
        self.message: StrOrPromise = message if message is not None else self.default_message
        self.fields: dict[str, Sequence[StrOrPromise]] = dict(fields or {})
        if code:
            self.code = code
        super().__init__(str(self.message))

    def as_dict(self) -> DomainErrorBody:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422
    default_message = _("Some fields are not valid.")

    @classmethod
    def from_django(cls, exc: ValidationError) -> ValidationFailed:
        """Build from a django ``ValidationError``, keeping per-field messages."""
        if hasattr(exc, "message_dict"):
            fields = {k: list(v) for k, v in exc.message_dict.items()}
            first = next(iter(fields.values()), [None])[0]
            return cls(first or cls.default_message, fields=fields)
        messages = list(exc.messages)
        return cls(messages[0] if messages else cls.default_message, fields={"__all__": messages})


class ActionNotAllowed(DomainError):
    code = "action_not_allowed"
    status = 409
    default_message = _("This action is not allowed in the current state.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    """Also used for objects outside the caller's scope: same answer as missing."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")
