"""Online application (外网受理): services and selectors for a citizen's drafts and
applications, and the one online submission path that the portal and the partner API
share (``submit_online``).

A draft is saved as typed, unchecked: it may be half filled in. Uploads are checked
(type from content and name, size) and stored when attached, one transaction each, so
a refused file changes nothing and the rest of the draft stays. Everything else is
checked by the case engine when the draft is submitted, with one message per field.

Per-citizen limits (security.md "per-citizen limits on applications"): at most
``TONGBAN_CITIZEN_MAX_DRAFTS`` open drafts and ``TONGBAN_CITIZEN_MAX_APPLICATIONS_PER_DAY``
submissions a day, counted under a lock on the citizen's row.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.audit.services import record_event
from tongban.cases import services as cases
from tongban.cases.models import Case, CaseStatus, Channel, SupplementRequest
from tongban.cases.services import ApplicantData, MaterialIn
from tongban.catalog.formschema import UPLOAD_LIMIT_MB
from tongban.catalog.models import FieldType, Item, Material
from tongban.citizens.models import Citizen
from tongban.core import files
from tongban.core.clock import local_date
from tongban.core.errors import ActionNotAllowed, NotFound, ValidationFailed
from tongban.core.models import StoredFile
from tongban.core.services import refuse_nul
from tongban.notify.services import notify_staff

from .models import ApplicationDraft, DraftMaterial

MAX_UPLOAD = UPLOAD_LIMIT_MB * files.MB
MAX_TEXT = 2000  # one value of the item's form as typed into a draft
ONLINE_CHANNELS = (Channel.ONLINE, Channel.PARTNER)


def max_open_drafts() -> int:
    return settings.TONGBAN_CITIZEN_MAX_DRAFTS


def max_applications_per_day() -> int:
    return settings.TONGBAN_CITIZEN_MAX_APPLICATIONS_PER_DAY


# --- helpers ---------------------------------------------------------------------------


def _refuse(field: str, message: str) -> None:
    raise ValidationFailed(message, fields={field: [message]})


def _citizen_label(citizen: Citizen) -> str:
    # The audit log names the account, not the person (no personal data in the log).
    return f"citizen #{citizen.pk}"


def _audit(draft: ApplicationDraft, action: str, at: dt.datetime, message: str = "") -> None:
    record_event(
        actor=None,
        actor_name=_citizen_label(draft.citizen),
        action=f"draft.{action}",
        obj=draft,
        object_repr=f"{draft.item.code} #{draft.pk}",
        at=at,
        message=message[:500],
    )


def _lock_draft(draft: ApplicationDraft) -> ApplicationDraft:
    # Only the draft's row is locked (``of=("self",)``); its case is a nullable join.
    return (
        ApplicationDraft.objects.select_for_update(of=("self",))
        .select_related("item", "citizen", "case")
        .get(pk=draft.pk)
    )


def _require_open(draft: ApplicationDraft) -> None:
    if draft.case_id is not None:
        raise ActionNotAllowed(_("This application was already submitted and cannot change."))


def _require_online_item(item: Item, today: dt.date) -> None:
    if not (item.online_allowed and Item.objects.published(today).filter(pk=item.pk).exists()):
        raise ActionNotAllowed(_("This item cannot be applied for online."))


def _stored_upload(stored: StoredFile, name: str) -> ContentFile:
    """A stored file as an upload again: the engine checks it once more and stores
    it under the same digest (no second copy)."""
    return ContentFile(files.read_stored(stored), name=name or stored.original_name)


# --- drafts ----------------------------------------------------------------------------


@transaction.atomic
def start_draft(*, citizen: Citizen, item: Item, at: dt.datetime) -> ApplicationDraft:
    """A new draft for ``item``, with the account's name and mobile number filled in."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if not citizen.is_active:
        raise ActionNotAllowed(_("This account is disabled."))
    _require_online_item(item, local_date(at))
    limit = max_open_drafts()
    if ApplicationDraft.objects.of(citizen).open().count() >= limit:
        raise ActionNotAllowed(
            _(
                "You already have %(n)d unfinished applications, the most allowed: submit or "
                "discard one first."
            )
            % {"n": limit}
        )
    draft = ApplicationDraft.objects.create(
        citizen=citizen,
        item=item,
        applicant_name=citizen.name,
        applicant_mobile=citizen.mobile,
        idempotency_key=f"draft-{secrets.token_hex(24)}",
        created_at=at,
        updated_at=at,
    )
    _audit(draft, "create", at)
    return draft


def _bounded(value: str, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        _refuse(field, message)
    return value


def _typed_form_data(item: Item, form_data: Mapping[str, Any]) -> dict[str, Any]:
    """The item's form as typed: its own keys only, text (or a list of texts for a
    multiple choice), bounded; file fields come as uploads, not here."""
    kept: dict[str, Any] = {}
    too_long = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    for field in item.form_fields.all():
        if field.field_type == FieldType.FILE or field.key not in form_data:
            continue
        if field.field_type == FieldType.MULTI_CHOICE and hasattr(form_data, "getlist"):
            value: Any = [str(v)[:MAX_TEXT] for v in form_data.getlist(field.key)][:200]
        else:
            value = form_data.get(field.key)
            if isinstance(value, list):
                value = [str(v)[:MAX_TEXT] for v in value][:200]
            else:
                value = "" if value is None else str(value)
                if len(value) > MAX_TEXT:
                    _refuse(f"form.{field.key}", too_long)
        for text in value if isinstance(value, list) else [value]:
            refuse_nul(text, f"form.{field.key}")
        kept[field.key] = value
    return kept


@transaction.atomic
def save_draft(
    *,
    draft: ApplicationDraft,
    applicant: ApplicantData,
    form_data: Mapping[str, Any],
    declaration_accepted: bool,
    at: dt.datetime,
    form_files: Mapping[str, Any] | None = None,
) -> ApplicationDraft:
    """Keep what the citizen typed (unchecked but bounded) and the uploads of the
    form's file fields (checked). A refusal changes nothing."""
    draft = _lock_draft(draft)
    _require_open(draft)
    too_long = _("The text is too long.")
    draft.applicant_kind = applicant.kind or draft.applicant_kind
    draft.applicant_name = _bounded(applicant.name, "applicant.name", 100, too_long)
    draft.applicant_id_type = applicant.id_type or draft.applicant_id_type
    draft.applicant_id_number = _bounded(applicant.id_number, "applicant.id_number", 40, too_long)
    draft.applicant_mobile = _bounded(applicant.mobile, "applicant.mobile", 20, too_long)
    draft.applicant_address = _bounded(applicant.address, "applicant.address", 300, too_long)
    draft.contact_name = _bounded(applicant.contact_name, "applicant.contact_name", 100, too_long)
    draft.form_data = _typed_form_data(draft.item, form_data)
    stored_files = dict(draft.form_files or {})
    file_fields = {f.key: f for f in draft.item.form_fields.all() if f.field_type == FieldType.FILE}
    for key, upload in (form_files or {}).items():
        field = file_fields.get(key)
        if field is None or upload is None:
            continue
        try:
            stored = files.store_upload(
                upload, allowed=files.MATERIALS, max_size=MAX_UPLOAD, field=f"form.{key}"
            )
        except ValidationFailed as exc:
            message = _("“%(label)s”: %(problem)s") % {"label": field.label, "problem": exc.message}
            _refuse(f"form.{key}", message)
        stored_files[key] = {
            "file": str(stored.pk),
            "name": files.safe_filename(getattr(upload, "name", "") or stored.original_name),
        }
    draft.form_files = stored_files
    draft.declaration_accepted = bool(declaration_accepted)
    draft.updated_at = at
    draft.save(
        update_fields=[
            "applicant_kind",
            "applicant_name",
            "applicant_id_type",
            "applicant_id_number",
            "applicant_mobile",
            "applicant_address",
            "contact_name",
            "form_data",
            "form_files",
            "declaration_accepted",
            "updated_at",
        ]
    )
    _audit(draft, "update", at)
    return draft


@transaction.atomic
def attach_material(
    *, draft: ApplicationDraft, material: Material, upload, at: dt.datetime
) -> DraftMaterial:
    """Upload the file of one material (replacing an earlier one). A refused file
    raises ``ValidationFailed`` naming ``material.<id>`` and the draft is unchanged."""
    draft = _lock_draft(draft)
    _require_open(draft)
    if material.item_id != draft.item_id:
        raise NotFound(_("This material is not on the item's list."))
    field = f"material.{material.pk}"
    try:
        kind, data = files.check_upload(
            upload, allowed=files.MATERIALS, max_size=MAX_UPLOAD, field=field
        )
    except ValidationFailed as exc:
        _refuse(
            field,
            _("“%(name)s” was not accepted: %(problem)s")
            % {"name": material.name, "problem": exc.message},
        )
    name = files.safe_filename(getattr(upload, "name", "") or material.name)
    stored = files.store_bytes(data, kind=kind, original_name=name)
    attached, _created = DraftMaterial.objects.update_or_create(
        draft=draft,
        material=material,
        defaults={
            "file": stored,
            "original_name": name,
            "pages": files.count_pages(kind, data),
            "uploaded_at": at,
        },
    )
    draft.updated_at = at
    draft.save(update_fields=["updated_at"])
    _audit(draft, "attach", at, message=material.name)
    return attached


@transaction.atomic
def remove_material(*, draft: ApplicationDraft, material_id: int, at: dt.datetime) -> None:
    """Take a material's file off the draft (the stored file itself stays: others
    may point at the same content)."""
    draft = _lock_draft(draft)
    _require_open(draft)
    attached = draft.materials.select_related("material").filter(material_id=material_id).first()
    if attached is None:
        raise NotFound(_("No file is attached for this material."))
    name = attached.material.name
    attached.delete()
    draft.updated_at = at
    draft.save(update_fields=["updated_at"])
    _audit(draft, "detach", at, message=name)


@transaction.atomic
def discard_draft(*, draft: ApplicationDraft, at: dt.datetime) -> None:
    """Delete an unsubmitted draft (a submitted one is the record of its case)."""
    draft = _lock_draft(draft)
    _require_open(draft)
    _audit(draft, "delete", at)
    draft.delete()


# --- submission ------------------------------------------------------------------------


def _missing_uploads(item: Item, materials: Sequence[MaterialIn]) -> dict[str, list[str]]:
    """Online, a required material must come as a file: nobody counts paper pages."""
    given = {m.material_id for m in materials if m.material_id is not None and m.upload}
    return {
        f"material.{m.pk}": [_("Please upload “%(name)s”.") % {"name": m.name}]
        for m in item.materials.order_by("order", "id")
        if m.required and m.pk not in given
    }


def submit_online(
    *,
    item: Item,
    applicant: ApplicantData,
    form_data: Mapping[str, Any] | None,
    materials: Sequence[MaterialIn],
    at: dt.datetime,
    idempotency_key: str,
    citizen: Citizen | None = None,
    channel: str = Channel.ONLINE,
    form_files: Mapping[str, Any] | None = None,
) -> Case:
    """An application from outside (the portal or the partner app): the case engine's
    intake with no staff actor, every required material uploaded, the citizen's
    daily limit, and the idempotency key (the same key again returns the first case;
    a key already used by someone else is refused).

    Errors name ``applicant.<field>``, ``form.<key>``, ``materials.<index>`` (the
    engine's, by position in ``materials``) and ``material.<id>`` (a required
    material not uploaded)."""
    if channel not in ONLINE_CHANNELS:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        _refuse("idempotency_key", _("An idempotency key of 1 to 64 characters is required."))
    with transaction.atomic():
        if citizen is not None:
            # Serialises one citizen's submissions: the daily count cannot be raced.
            citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        existing = Case.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.citizen_id != (citizen.pk if citizen else None):
                raise cases.Conflict(_("This idempotency key was already used."))
            return cases.submit_application(
                actor=None, item=item, applicant=applicant, form_data=form_data, at=at,
                channel=channel, idempotency_key=key, citizen=citizen,
            )  # fmt: skip
        if citizen is not None:
            if not citizen.is_active:
                raise ActionNotAllowed(_("This account is disabled."))
            today = local_date(at)
            limit = max_applications_per_day()
            if Case.objects.filter(citizen=citizen, received_on=today).count() >= limit:
                raise ActionNotAllowed(
                    _(
                        "You have submitted %(n)d applications today, the most allowed in one "
                        "day; please submit this one tomorrow (it stays saved)."
                    )
                    % {"n": limit}
                )
        missing = _missing_uploads(item, materials)
        try:
            case = cases.submit_application(
                actor=None,
                item=item,
                applicant=applicant,
                form_data=form_data,
                form_files=form_files,
                materials=materials,
                at=at,
                channel=channel,
                idempotency_key=key,
                citizen=citizen,
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={**exc.fields, **missing}) from None
        if missing:
            # Raised inside the transaction: the case just written is rolled back, so
            # the citizen gets every problem at once and no half-complete case exists.
            raise ValidationFailed(next(iter(missing.values()))[0], fields=missing)
        return case


@transaction.atomic
def submit_draft(*, draft: ApplicationDraft, at: dt.datetime, idempotency_key: str) -> Case:
    """Submit a draft: its case is created and the draft marked submitted in one
    transaction. Submitting it again (a double click, a reload) returns the same case.

    Errors name ``applicant.<field>``, ``form.<key>``, ``material.<id>`` and
    ``declaration``; the draft stays as it was."""
    draft = _lock_draft(draft)
    if draft.case_id is not None:
        return draft.case
    # Compared as bytes: ``compare_digest`` refuses a str with non-ASCII characters.
    if not secrets.compare_digest((idempotency_key or "").encode(), draft.idempotency_key.encode()):
        raise ActionNotAllowed(_("This page is out of date: open the application again."))
    # Checked with everything else, so that the page names every problem at once.
    unconfirmed: dict[str, list[str]] = {}
    if not draft.declaration_accepted:
        unconfirmed["declaration"] = [
            _("Please confirm the declaration that the information given is true.")
        ]
    attached = list(draft.materials.select_related("material", "file"))
    materials = [
        MaterialIn(material_id=a.material_id, upload=_stored_upload(a.file, a.original_name))
        for a in attached
    ]
    stored = {
        str(f.pk): f
        for f in StoredFile.objects.filter(
            pk__in=[v["file"] for v in (draft.form_files or {}).values()]
        )
    }
    form_files = {
        key: _stored_upload(stored[value["file"]], value.get("name", ""))
        for key, value in (draft.form_files or {}).items()
        if value.get("file") in stored
    }
    try:
        with transaction.atomic():
            case = _submit_draft_online(draft, materials, form_files, at)
            if unconfirmed:
                # Raised inside the savepoint: the case just written is rolled back.
                raise ValidationFailed(unconfirmed["declaration"][0], fields=unconfirmed)
    except ValidationFailed as exc:
        # The engine names a material by its position in the list it was given; the
        # page names it by the material.
        fields: dict[str, list[str]] = {}
        for key, messages in {**exc.fields, **unconfirmed}.items():
            prefix, _dot, rest = key.partition(".")
            if prefix == "materials" and rest.isdigit() and int(rest) < len(attached):
                key = f"material.{attached[int(rest)].material_id}"
            fields.setdefault(key, []).extend(messages)
        raise ValidationFailed(exc.message, fields=fields) from None
    draft.case = case
    draft.submitted_at = at
    draft.updated_at = at
    draft.save(update_fields=["case", "submitted_at", "updated_at"])
    return case


def _submit_draft_online(draft, materials, form_files, at) -> Case:
    return submit_online(
        item=draft.item,
        applicant=ApplicantData(
            kind=draft.applicant_kind,
            name=draft.applicant_name,
            id_type=draft.applicant_id_type,
            id_number=draft.applicant_id_number or "",
            mobile=draft.applicant_mobile or "",
            address=draft.applicant_address or "",
            contact_name=draft.contact_name,
        ),
        form_data=draft.form_data,
        form_files=form_files,
        materials=materials,
        at=at,
        idempotency_key=draft.idempotency_key,
        citizen=draft.citizen,
    )


# --- supplement ------------------------------------------------------------------------


def open_supplement_request(case: Case) -> SupplementRequest | None:
    """The supplement the case waits for, if any."""
    if case.status not in (CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.SUSPENDED):
        return None
    return case.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-id").first()


@transaction.atomic
def supplement_online(
    *,
    citizen: Citizen,
    case: Case,
    materials: Sequence[MaterialIn],
    note: str,
    at: dt.datetime,
) -> Case:
    """补正 online: the case's own citizen supplies what was asked. The case engine
    records it (``actor`` None: the applicant); whoever asked is told."""
    if case.citizen_id is None or case.citizen_id != citizen.pk:
        raise NotFound(_("No such application."))
    note = (note or "").strip()
    if len(note) > 2000:
        _refuse("note", _("At most %(n)d characters.") % {"n": 2000})
    refuse_nul(note, "note")
    requesters = [
        r.requested_by
        for r in case.supplement_requests.filter(fulfilled_at__isnull=True).select_related(
            "requested_by"
        )
    ]
    case = cases.supplement_case(actor=None, case=case, at=at, materials=materials, note=note)
    notify_staff(
        requesters,
        template="case.supplemented",
        body=_("Application %(number)s: the applicant supplied the requested materials online.")
        % {"number": case.number},
        at=at,
        case=case,
    )
    return case


# --- selectors -------------------------------------------------------------------------


def open_drafts(citizen: Citizen) -> QuerySet[ApplicationDraft]:
    return ApplicationDraft.objects.of(citizen).open().select_related("item")


def my_cases(citizen: Citizen) -> QuerySet[Case]:
    """The citizen's cases, newest first (only those linked to the account), each
    with its rating if it has one (the list offers to rate the others)."""
    return Case.objects.filter(citizen=citizen).select_related("item", "department", "rating")


def open_draft_for_item(citizen: Citizen, item: Item) -> ApplicationDraft | None:
    return ApplicationDraft.objects.of(citizen).open().filter(item=item).first()
