"""事件受理, the first half: an application is checked (applicant, form,
materials), numbered and recorded for preliminary review. The material checks are
shared with the supplements.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.catalog import validators
from tongban.catalog.formschema import validate_submission
from tongban.catalog.models import Item, Material
from tongban.catalog.rules import extension_cap as statutory_extension_cap
from tongban.core import files
from tongban.core.clock import local_date
from tongban.core.crypto import provider
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.workcalendar.calendar import get_calendar

from .. import clock
from ..access import may_take_in
from ..models import (
    ApplicantKind,
    Case,
    CaseCounter,
    CaseMaterial,
    CaseStatus,
    Channel,
    IdType,
    MaterialSource,
)
from ._write import ApplicantData, Conflict, MaterialIn, _Checked, _record, _require_staff
from .notifications import _notify_applicant

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tongban.citizens.models import Citizen

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _check_applicant(applicant: ApplicantData, today: dt.date) -> ApplicantData:
    errors: dict[str, list[StrOrPromise]] = {}

    def check(key: str, fn: Callable[[], str]) -> str:
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            return ""

    name = (applicant.name or "").strip()
    if not name:
        errors["applicant.name"] = [_("Enter the applicant's name.")]
    elif len(name) > 100:
        errors["applicant.name"] = [_("The applicant's name is longer than 100 characters.")]
    if applicant.kind not in ApplicantKind.values:
        errors["applicant.kind"] = [
            _("Choose whether the applicant is a person or an organisation.")
        ]
    if applicant.id_type not in IdType.values:
        errors["applicant.id_type"] = [_("Choose the type of identity document.")]
    number = (applicant.id_number or "").strip().upper()
    if applicant.id_type == IdType.RESIDENT_ID:
        number = check(
            "applicant.id_number",
            lambda: validators.validate_resident_id(number, label=_("ID number"), today=today),
        )
    elif applicant.id_type == IdType.CREDIT_CODE:
        number = check(
            "applicant.id_number",
            lambda: validators.validate_credit_code(number, label=_("ID number")),
        )
    elif not number:
        errors["applicant.id_number"] = [_("Enter the ID number.")]
    elif len(number) > 40:
        errors["applicant.id_number"] = [_("The ID number is longer than 40 characters.")]
    if (
        applicant.kind == ApplicantKind.ORGANISATION
        and applicant.id_type == IdType.RESIDENT_ID
        and "applicant.id_type" not in errors
    ):
        errors["applicant.id_type"] = [
            _("An organisation is identified by its unified social credit code.")
        ]
    mobile = check(
        "applicant.mobile",
        lambda: validators.validate_mobile(applicant.mobile, label=_("mobile number")),
    )
    address = (applicant.address or "").strip()
    if len(address) > 300:
        errors["applicant.address"] = [_("The address is longer than 300 characters.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return ApplicantData(
        kind=applicant.kind,
        name=name,
        id_type=applicant.id_type,
        id_number=number,
        mobile=mobile,
        address=address,
        contact_name=(applicant.contact_name or "").strip()[:100],
    )


def _check_materials(
    item: Item, materials: Sequence[MaterialIn], *, prefix: str = "materials"
) -> list[_Checked]:
    """Check the handed-in materials against the item's list before anything is
    stored; return them with their stored files."""
    listed = {m.pk: m for m in item.materials.all()}
    errors: dict[str, Sequence[StrOrPromise]] = {}
    checked: list[_Checked] = []
    seen: set[int] = set()
    for index, given in enumerate(materials):
        key = f"{prefix}.{index}"
        material = None
        if given.material_id is not None:
            material = listed.get(given.material_id)
            if material is None:
                errors[key] = [_("This material is not on the item's list.")]
                continue
            if material.pk in seen:
                errors[key] = [_("“%(name)s” is listed twice.") % {"name": material.name}]
                continue
            seen.add(material.pk)
        name = material.name if material else (given.name or "").strip()[:200]
        if not name:
            errors[key] = [_("Name the material.")]
            continue
        kind: str | None = None
        data: bytes | None = None
        if given.upload is not None:
            try:
                kind, data = files.check_upload(given.upload, allowed=files.MATERIALS, field=key)
            except ValidationFailed as exc:
                errors.update(exc.fields)
                continue
        pages = given.pages
        if pages is not None and (pages < 1 or pages > 10000):
            errors[key] = [_("The number of pages must be between 1 and 10000.")]
            continue
        if kind is not None and data is not None:
            pages = files.count_pages(kind, data) or pages
        elif pages is None:
            errors[key] = [
                _("“%(name)s”: upload the file or enter the number of pages handed in.")
                % {"name": name}
            ]
            continue
        copies = given.copies if given.copies and given.copies > 0 else 1
        checked.append(
            _Checked(material, name, (kind, data, getattr(given.upload, "name", "")), pages, copies)
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return checked


def _store_materials(case: Case, checked: Sequence[_Checked], source: str, at: dt.datetime) -> None:
    rows = []
    for entry in checked:
        kind, data, original = entry.stored
        stored = (
            files.store_bytes(data, kind=kind, original_name=original or entry.name)
            if data is not None
            else None
        )
        rows.append(
            CaseMaterial(
                case=case,
                material=entry.material,
                name=entry.name,
                file=stored,
                pages=entry.pages,
                copies=entry.copies,
                source=source,
                received_at=at,
            )
        )
    CaseMaterial.objects.bulk_create(rows)


def missing_materials(case: Case) -> list[Material]:
    """Required materials of the item that the case does not have."""
    have = set(case.materials.exclude(material=None).values_list("material_id", flat=True))
    return [m for m in case.item.materials.all() if m.required and m.pk not in have]


def _store_form_files(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in cleaned.items():
        if value is not None and hasattr(value, "read"):
            stored = files.store_upload(value, allowed=files.MATERIALS, field=key)
            data[key] = {"file": stored.pk, "name": stored.original_name, "pages": stored.pages}
        else:
            data[key] = value
    return data


def _next_number(department: Department, year: int) -> str:
    """``TS-2026-SCJG-000123``: the serial comes from a locked per-year, per-department
    counter, so concurrent intakes never share a number."""
    code = department.code
    CaseCounter.objects.bulk_create(
        [CaseCounter(year=year, department_code=code, last=0)], ignore_conflicts=True
    )
    counter = CaseCounter.objects.select_for_update().get(year=year, department_code=code)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.TONGBAN_CASE_PREFIX}-{year}-{code}-{counter.last:06d}"


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))


def submit_application(
    *,
    actor: User | None,
    item: Item,
    applicant: ApplicantData,
    form_data: Mapping[str, Any] | None,
    at: dt.datetime,
    channel: str = Channel.COUNTER,
    form_files: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialIn] = (),
    idempotency_key: str | None = None,
    citizen: Citizen | None = None,
) -> Case:
    """事件受理, the first half: record an application for preliminary review.

    At the counter ``actor`` is the window clerk, who may take in the item's
    department (``intake_scope``); online, from the partner app or the hotline,
    ``actor`` is None and the item must allow online application. A repeated
    submission with the same ``idempotency_key`` returns the first case unchanged.
    ``citizen`` (an online application from a portal account) is stored on the case,
    so that the citizen sees it among their own."""
    _require_staff(actor)
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_submission(existing, item)
    try:
        with transaction.atomic():
            return _submit(
                actor=actor,
                item=item,
                applicant=applicant,
                form_data=form_data,
                form_files=form_files,
                materials=materials,
                at=at,
                channel=channel,
                idempotency_key=idempotency_key or None,
                citizen=citizen,
            )
    except IntegrityError:
        # The same key won a race with us: answer with the case it created.
        won = (
            Case.objects.filter(idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if won is not None:
            return _same_submission(won, item)
        raise


def _same_submission(existing: Case, item: Item) -> Case:
    if existing.item_id != item.pk:
        raise Conflict(
            _("This idempotency key was already used for another application (%(number)s).")
            % {"number": existing.number}
        )
    return existing


def _submit(
    *,
    actor: User | None,
    item: Item,
    applicant: ApplicantData,
    form_data: Mapping[str, Any] | None,
    form_files: Mapping[str, Any] | None,
    materials: Sequence[MaterialIn],
    at: dt.datetime,
    channel: str,
    idempotency_key: str | None,
    citizen: Citizen | None = None,
) -> Case:
    today = local_date(at)
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    fresh = Item.objects.select_related("department").filter(pk=item.pk).first()
    if fresh is None or not Item.objects.published(today).filter(pk=fresh.pk).exists():
        raise ActionNotAllowed(_("This item is not open for applications."))
    item = fresh
    if channel == Channel.COUNTER:
        if actor is None or not may_take_in(actor, item.department):
            raise PermissionDenied(
                _("You may not take in applications for %(dept)s.") % {"dept": item.department}
            )
    elif actor is not None:
        raise PermissionDenied(_("Staff take in applications at the counter."))
    elif not item.online_allowed:
        raise ActionNotAllowed(_("This item cannot be applied for online."))

    errors: dict[str, Sequence[StrOrPromise]] = {}
    try:
        applicant = _check_applicant(applicant, today)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    cleaned: dict[str, Any] = {}
    try:
        cleaned = validate_submission(item.form_fields.all(), form_data, form_files, at=at)
    except ValidationFailed as exc:
        errors.update({f"form.{k}": v for k, v in exc.fields.items()})
    checked: list[_Checked] = []
    try:
        checked = _check_materials(item, materials)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)

    index = provider().blind_index
    hall = actor.department if actor is not None else None
    case = Case(
        number=_next_number(item.department, today.year),
        item=item,
        item_name=item.name,
        handling_type=item.handling_type,
        department=item.department,
        channel=channel,
        hall=hall,
        received_by=actor,
        status=CaseStatus.RECEIVED,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_type=applicant.id_type,
        applicant_id_number=applicant.id_number,
        applicant_id_index=index(applicant.id_number),
        applicant_mobile=applicant.mobile,
        applicant_mobile_index=index(applicant.mobile),
        applicant_address=applicant.address,
        contact_name=applicant.contact_name,
        citizen=citizen,
        query_code=_query_code(),
        form_data=_store_form_files(cleaned),
        idempotency_key=idempotency_key,
        received_at=at,
        received_on=today,
        review_due_on=clock.review_due(today, get_calendar()),
        limit_days=item.promised_limit,
        extension_cap=min(item.max_extension, statutory_extension_cap(item.handling_type)),
    )
    case.next_check_on = clock.next_check_on(case, [], None, get_calendar())
    case.save()
    _store_materials(case, checked, MaterialSource.COUNTER if actor else MaterialSource.ONLINE, at)
    _record(
        case,
        actor=actor,
        action="receive",
        at=at,
        before={},
        channel=channel,
        materials=[c.name for c in checked],
    )
    _notify_applicant(
        case,
        "case.received",
        _(
            "Your application for %(item)s was received: number %(number)s, query code "
            "%(code)s. It will be reviewed by %(due)s."
        )
        % {
            "item": case.item_name,
            "number": case.number,
            "code": case.query_code,
            "due": case.review_due_on.isoformat(),
        },
        at,
    )
    return case
