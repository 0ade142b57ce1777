"""Revealing an applicant's personal data (security.md, Access control: "personal
data masked unless the role needs it, and revealing it is audited").

Every page, list, export and API answer shows the ID number, mobile number and
address masked. A handler of the case who needs them (to call the applicant, to
check an ID against a document) asks for them explicitly; each such reveal is one
audit record, written in the same transaction as the read it records, so there is no
way to see the values without leaving a trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.services import record_event
from tongban.catalog.models import FieldType
from tongban.core.crypto import mask_id_number, mask_mobile
from tongban.core.errors import PermissionDenied

from .access import is_handler_of
from .models import Case

REVEALED_FIELDS = "applicant id_number, mobile, address, personal form fields"
ADDRESS_MASK = "******"

# Form fields that hold personal data are masked like the applicant's own: an ID
# number or a mobile number typed into the item's form is the same data.
PERSONAL_FIELD_MASKS = {
    FieldType.ID_NUMBER: mask_id_number,
    FieldType.MOBILE: mask_mobile,
    FieldType.ADDRESS: lambda _value: ADDRESS_MASK,
}


@dataclass(frozen=True)
class RevealedApplicant:
    id_number: str
    mobile: str
    address: str
    form: dict[str, str]  # the personal form fields in full, by key


def _personal_fields(case: Case) -> dict[str, str]:
    """Keys of the item's form fields holding personal data, with their types."""
    return {
        f.key: f.field_type
        for f in case.item.form_fields.all()
        if f.field_type in PERSONAL_FIELD_MASKS
    }


def masked_form_data(case: Case) -> dict:
    """The case's form data with personal values (ID, mobile, address) masked."""
    personal = _personal_fields(case)
    data = dict(case.form_data or {})
    for key, field_type in personal.items():
        value = data.get(key)
        if isinstance(value, str) and value:
            data[key] = PERSONAL_FIELD_MASKS[field_type](value)
    return data


@transaction.atomic
def reveal_applicant(*, actor, case: Case, at: dt.datetime) -> RevealedApplicant:
    """The applicant's ID number, mobile number and address in full, for a handler of
    the case (``access.is_handler_of``), with an audit record ``case.reveal``.

    The caller fetched ``case`` through ``access.get_case_for`` (out of scope is a
    404 before this). Anybody else who may see the case — a supervisor — is refused
    and nothing is recorded: a refused reveal discloses nothing."""
    if actor is None or not is_handler_of(actor, case):
        raise PermissionDenied(_("Only the handlers of the case may see the applicant's data."))
    # If the audit record cannot be written, the values are not returned.
    record_event(actor=actor, action="case.reveal", obj=case, at=at, message=REVEALED_FIELDS)
    data = case.form_data or {}
    return RevealedApplicant(
        id_number=case.applicant_id_number or "",
        mobile=case.applicant_mobile or "",
        address=case.applicant_address or "",
        form={key: str(data[key]) for key in _personal_fields(case) if data.get(key)},
    )
