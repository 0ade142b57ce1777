"""Every write of internal mail: drafts, sending, read state, trash and quotas.

Each function is one transaction that locks what it changes, checks, changes and
(for sending, emptying the trash and quota changes) writes the audit record. A
refused send writes nothing: not the message, not a mailbox row, not a file row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import IO, NoReturn

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, ForeignObjectRel, OuterRef, Q, QuerySet, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, Role, User
from tongban.accounts.roles import RoleCode
from tongban.audit.services import record_event
from tongban.core import files
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.ids import parse_id
from tongban.core.models import StoredFile
from tongban.core.services import refuse_nul, require_role

from .body import IMAGE_KINDS, MAX_IMAGE_SIZE, clean_body, store_data_images
from .models import (
    AddressKind,
    BoxKind,
    Folder,
    InlineImage,
    Mailbox,
    MailQuota,
    Message,
    MessageAddress,
    MessageAttachment,
)
from .selectors import default_quota_bytes, may_see_image

ATTACHMENT_KINDS = frozenset(files.KINDS)
MAX_ATTACHMENT_SIZE = 20 * files.MB
MAX_ATTACHMENTS = 20
MAX_QUOTA_MB = 100_000


def _refuse(field: str, message: str) -> NoReturn:
    raise ValidationFailed(message, fields={field: [message]})


def _require_staff(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()


# --- addresses ---------------------------------------------------------------------------


def parse_addresses(tokens: Iterable[str], *, field: str) -> list[tuple[str, int]]:
    """``["u:12", "d:3", "r:2"]`` → ``[("u", 12), …]``, each target existing and
    active; anything else is refused naming ``field``."""
    parsed: list[tuple[str, int]] = []
    for token in tokens:
        kind, _sep, raw = str(token).partition(":")
        pk = parse_id(raw)
        if kind not in {"u", "d", "r"} or pk is None:
            _refuse(field, _("Choose recipients from the list."))
        if (kind, pk) not in parsed:
            parsed.append((kind, pk))
    wanted = {k: {pk for kk, pk in parsed if kk == k} for k in ("u", "d", "r")}
    found = {
        "u": set(
            User.objects.filter(pk__in=wanted["u"], is_active=True).values_list("pk", flat=True)
        ),
        "d": set(
            Department.objects.filter(pk__in=wanted["d"], is_active=True).values_list(
                "pk", flat=True
            )
        ),
        "r": set(Role.objects.filter(pk__in=wanted["r"]).values_list("pk", flat=True)),
    }
    if any(wanted[k] - found[k] for k in wanted):
        _refuse(field, _("A chosen recipient no longer exists or is disabled."))
    return parsed


def _save_addresses(message: Message, to: list[tuple[str, int]], cc: list[tuple[str, int]]) -> None:
    message.addresses.all().delete()
    rows = []
    for kind, entries in ((AddressKind.TO, to), (AddressKind.CC, cc)):
        for target, pk in entries:
            rows.append(
                MessageAddress(
                    message=message,
                    kind=kind,
                    user_id=pk if target == "u" else None,
                    department_id=pk if target == "d" else None,
                    role_id=pk if target == "r" else None,
                )
            )
    MessageAddress.objects.bulk_create(rows)


def expand_recipients(message: Message) -> dict[int, str]:
    """The people a mail reaches: user id → ``to`` or ``cc``. A department means its
    active staff including its sections and sub-departments; a role its active
    holders. Each person once; being in To wins over Cc."""
    result: dict[int, str] = {}
    addresses = list(message.addresses.select_related("department"))
    for kind in (AddressKind.TO, AddressKind.CC):
        entries = [a for a in addresses if a.kind == kind]
        users = Q(pk__in=[a.user_id for a in entries if a.user_id])
        for address in entries:
            if address.department is not None:
                path = address.department.path
                users |= Q(department__path__startswith=path) | Q(section__path__startswith=path)
        role_ids = [a.role_id for a in entries if a.role_id]
        if role_ids:
            users |= Q(roles__in=role_ids)
        if not entries:
            continue
        for pk in User.objects.filter(users, is_active=True).values_list("pk", flat=True):
            result.setdefault(pk, kind)
    return result


# --- composing ---------------------------------------------------------------------------


def _checked_uploads(
    uploads: Sequence[UploadedFile[bytes]],
) -> list[tuple[UploadedFile[bytes], str, bytes]]:
    checked = []
    for upload in uploads:
        kind, data = files.check_upload(
            upload, allowed=ATTACHMENT_KINDS, max_size=MAX_ATTACHMENT_SIZE, field="attachments"
        )
        checked.append((upload, kind, data))
    return checked


def _write(
    *,
    actor: User,
    at: dt.datetime,
    draft: Message | None,
    subject: str,
    body_html: str,
    to: Sequence[str],
    cc: Sequence[str],
    uploads: Sequence[UploadedFile[bytes]],
    remove_attachments: Iterable[int],
    attachments_from: Message | None,
) -> Message:
    """Create or update the actor's message (not yet sent) from the compose form."""
    _require_staff(actor)
    subject = (subject or "").strip()
    if not subject:
        _refuse("subject", _("Enter a subject."))
    if len(subject) > 200:
        _refuse("subject", _("The subject may have at most 200 characters."))
    refuse_nul(subject, "subject")
    to_list = parse_addresses(to, field="to")
    cc_list = parse_addresses(cc, field="cc")
    checked = _checked_uploads(uploads)

    if draft is not None:
        draft = Message.objects.select_for_update().get(pk=draft.pk)
        if draft.sender_id != actor.pk or draft.sent_at is not None:
            raise PermissionDenied()
        message = draft
    else:
        message = Message(sender=actor, created_at=at)

    def allowed_image(image_id: uuid.UUID) -> bool:
        return may_see_image(actor, image_id) or (
            draft is not None and draft.images.filter(pk=image_id).exists()
        )

    body = clean_body(
        store_data_images(body_html or "", actor=actor, at=at), allowed_image=allowed_image
    )
    message.subject = subject
    message.body_html = body.html
    message.body_text = body.text
    message.updated_at = at
    message.save()
    # The images' keys are UUIDs; django-stubs takes every key passed to set() for an int.
    message.images.set(body.image_ids)  # type: ignore[arg-type]
    _save_addresses(message, to_list, cc_list)

    if remove_attachments:
        message.attachments.filter(pk__in=list(remove_attachments)).delete()
    if attachments_from is not None:
        MessageAttachment.objects.bulk_create(
            MessageAttachment(message=message, file=a.file, name=a.name, size=a.size)
            for a in attachments_from.attachments.all()
        )
    for upload, kind, data in checked:
        name = files.safe_filename(getattr(upload, "name", "") or "file")
        stored = files.store_bytes(data, kind=kind, original_name=name)
        MessageAttachment.objects.create(message=message, file=stored, name=name, size=len(data))
    if message.attachments.count() > MAX_ATTACHMENTS:
        _refuse(
            "attachments",
            _("A mail may have at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS},
        )

    message.size_bytes = message_size(message)
    message.save(update_fields=["size_bytes"])
    return message


def message_size(message: Message) -> int:
    """What a mail weighs against a quota: its body, its attachments and the inline
    images it shows."""
    attachments = message.attachments.aggregate(total=Sum("size"))["total"] or 0
    images = message.images.aggregate(total=Sum("file__size"))["total"] or 0
    return len(message.body_html.encode()) + attachments + images


def _usage(user_ids: Iterable[int], *, excluding: Message) -> dict[int, int]:
    rows = (
        Mailbox.objects.live()
        .filter(user__in=list(user_ids))
        .exclude(message=excluding)
        .values("user")
        .annotate(total=Sum("message__size_bytes"))
    )
    return {row["user"]: row["total"] or 0 for row in rows}


def _limits(user_ids: Iterable[int]) -> dict[int, int]:
    ids = list(user_ids)
    limits = dict.fromkeys(ids, default_quota_bytes())
    limits.update(MailQuota.objects.filter(user__in=ids).values_list("user", "limit_bytes"))
    return limits


def _check_sender_quota(actor: User, message: Message, *, copies: int) -> None:
    used = _usage([actor.pk], excluding=message).get(actor.pk, 0)
    limit = _limits([actor.pk])[actor.pk]
    if used + copies * message.size_bytes > limit:
        text = _(
            "Your mailbox is full: %(used)s of %(limit)s used and this mail needs %(size)s. "
            "Empty the trash or delete mail first."
        ) % {
            "used": filesizeformat(used),
            "limit": filesizeformat(limit),
            "size": filesizeformat(message.size_bytes),
        }
        raise ValidationFailed(text, fields={"__all__": [text]}, code="quota_exceeded")


def save_draft(
    *,
    actor: User,
    at: dt.datetime,
    subject: str,
    body_html: str = "",
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    uploads: Sequence[UploadedFile[bytes]] = (),
    draft: Message | None = None,
    remove_attachments: Iterable[int] = (),
    attachments_from: Message | None = None,
) -> Message:
    """Save the compose form as a draft in the actor's drafts folder."""
    with transaction.atomic():
        message = _write(
            actor=actor,
            at=at,
            draft=draft,
            subject=subject,
            body_html=body_html,
            to=to,
            cc=cc,
            uploads=uploads,
            remove_attachments=remove_attachments,
            attachments_from=attachments_from,
        )
        User.objects.select_for_update().filter(pk=actor.pk).first()
        _check_sender_quota(actor, message, copies=1)
        Mailbox.objects.update_or_create(
            user=actor,
            message=message,
            kind=BoxKind.SENDER,
            defaults={"folder": Folder.DRAFTS, "previous_folder": "", "filed_at": at},
        )
        return message


def send_message(
    *,
    actor: User,
    at: dt.datetime,
    subject: str,
    body_html: str = "",
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    uploads: Sequence[UploadedFile[bytes]] = (),
    draft: Message | None = None,
    remove_attachments: Iterable[int] = (),
    attachments_from: Message | None = None,
) -> Message:
    """Send a mail: expand the addresses to people (each person once), check every
    quota involved, deliver one inbox row per person and file the sender's copy in
    Sent. Refused as a whole when the sender's or any recipient's quota would be
    exceeded."""
    with transaction.atomic():
        message = _write(
            actor=actor,
            at=at,
            draft=draft,
            subject=subject,
            body_html=body_html,
            to=to,
            cc=cc,
            uploads=uploads,
            remove_attachments=remove_attachments,
            attachments_from=attachments_from,
        )
        if not any(a.kind == AddressKind.TO for a in message.addresses.all()):
            _refuse("to", _("Choose at least one recipient."))
        recipients = expand_recipients(message)
        if not recipients:
            _refuse("to", _("Nobody is reached by these addresses (no active staff)."))

        # Lock the people whose quota we check, in id order (no deadlock between two
        # concurrent sends), so two mails cannot both fit into the same free space.
        everyone = sorted({actor.pk, *recipients})
        list(User.objects.select_for_update().filter(pk__in=everyone).order_by("pk").values("pk"))
        _check_sender_quota(actor, message, copies=2 if actor.pk in recipients else 1)
        usage = _usage(recipients, excluding=message)
        limits = _limits(recipients)
        full = [
            pk
            for pk in recipients
            if pk != actor.pk and usage.get(pk, 0) + message.size_bytes > limits[pk]
        ]
        if full:
            names = User.objects.filter(pk__in=full[:5]).order_by("pk")
            who = "、".join(u.display_name for u in names)
            if len(full) > 5:
                who = _("%(names)s and %(count)d others") % {"names": who, "count": len(full) - 5}
            field = "to" if any(recipients[pk] == AddressKind.TO for pk in full) else "cc"
            text = _("The mailbox of recipient %(names)s is full; the mail was not sent.") % {
                "names": who
            }
            raise ValidationFailed(text, fields={field: [text]}, code="quota_exceeded")

        message.sent_at = at
        message.save(update_fields=["sent_at"])
        Mailbox.objects.update_or_create(
            user=actor,
            message=message,
            kind=BoxKind.SENDER,
            defaults={"folder": Folder.SENT, "previous_folder": "", "filed_at": at},
        )
        Mailbox.objects.bulk_create(
            Mailbox(
                user_id=pk,
                message=message,
                kind=kind,
                folder=Folder.INBOX,
                filed_at=at,
            )
            for pk, kind in sorted(recipients.items())
        )
        record_event(
            actor=actor,
            action="mail.send",
            obj=message,
            at=at,
            after={
                "recipients": len(recipients),
                "size_bytes": message.size_bytes,
                "attachments": message.attachments.count(),
            },
        )
        return message


def upload_image(*, actor: User, at: dt.datetime, upload: IO[bytes]) -> InlineImage:
    """Store an image uploaded from the editor (PNG or JPEG, at most 5 MB)."""
    _require_staff(actor)
    with transaction.atomic():
        stored = files.store_upload(
            upload, allowed=IMAGE_KINDS, max_size=MAX_IMAGE_SIZE, field="image"
        )
        return InlineImage.objects.create(file=stored, uploaded_by=actor, created_at=at)


# --- read state and folders --------------------------------------------------------------


def _my_rows(actor: User, box_ids: Iterable[int]) -> QuerySet[Mailbox]:
    _require_staff(actor)
    return Mailbox.objects.of(actor).filter(pk__in=list(box_ids)).select_for_update()


def mark_read(*, actor: User, at: dt.datetime, box_ids: Iterable[int], read: bool = True) -> int:
    with transaction.atomic():
        rows = _my_rows(actor, box_ids).exclude(kind=BoxKind.SENDER)
        if read:
            return rows.filter(read_at__isnull=True).update(read_at=at)
        return rows.update(read_at=None)


def move_to_trash(*, actor: User, at: dt.datetime, box_ids: Iterable[int]) -> int:
    with transaction.atomic():
        moved = 0
        for row in _my_rows(actor, box_ids).exclude(folder=Folder.TRASH):
            row.previous_folder, row.folder = row.folder, Folder.TRASH
            row.save(update_fields=["folder", "previous_folder"])
            moved += 1
        return moved


def restore(*, actor: User, at: dt.datetime, box_ids: Iterable[int]) -> int:
    """Put mail from the trash back where it was."""
    with transaction.atomic():
        restored = 0
        for row in _my_rows(actor, box_ids).filter(folder=Folder.TRASH):
            row.folder = row.previous_folder or (
                Folder.INBOX if row.kind != BoxKind.SENDER else Folder.SENT
            )
            row.previous_folder = ""
            row.save(update_fields=["folder", "previous_folder"])
            restored += 1
        return restored


def empty_trash(*, actor: User, at: dt.datetime, box_ids: Iterable[int] | None = None) -> int:
    """Delete mail in the actor's trash for good (all of it, or ``box_ids``). A mail
    nobody holds any more is removed with its attachments; a stored file stays while
    anything else (another mail, a case, an item) still points at it."""
    _require_staff(actor)
    with transaction.atomic():
        rows = Mailbox.objects.of(actor).filter(folder=Folder.TRASH).select_for_update()
        if box_ids is not None:
            rows = rows.filter(pk__in=list(box_ids))
        message_ids = set(rows.values_list("message_id", flat=True))
        count = rows.update(deleted_at=at)
        if count:
            _purge(message_ids)
            record_event(
                actor=actor,
                action="mail.empty_trash",
                object_type="mail.mailbox",
                object_id=actor.pk,
                object_repr=str(actor),
                at=at,
                after={"deleted": count},
            )
        return count


def _purge(message_ids: set[int]) -> None:
    # Lock the mails first, then look: of two people emptying the last two copies at
    # once, the second one waits here and then sees the first one's deletion.
    list(Message.objects.filter(pk__in=message_ids).select_for_update().values_list("pk"))
    gone = list(
        Message.objects.filter(pk__in=message_ids)
        .filter(~Exists(Mailbox.objects.filter(message=OuterRef("pk"), deleted_at__isnull=True)))
        .values_list("pk", flat=True)
    )
    if not gone:
        return
    file_ids = set(
        MessageAttachment.objects.filter(message__in=gone).values_list("file_id", flat=True)
    )
    image_ids = set(
        Message.images.through.objects.filter(message__in=gone).values_list(
            "inlineimage_id", flat=True
        )
    )
    Message.objects.filter(pk__in=gone).delete()
    orphans = InlineImage.objects.filter(pk__in=image_ids, messages__isnull=True)
    file_ids |= set(orphans.values_list("file_id", flat=True))
    orphans.delete()
    _delete_unreferenced_files(file_ids)


def _delete_unreferenced_files(file_ids: set[uuid.UUID]) -> None:
    """Stored files that nothing points at any more: the row now, the content once
    the transaction has committed."""
    for stored in StoredFile.objects.filter(pk__in=file_ids):
        if not _referenced(stored):
            path = Path(settings.MEDIA_ROOT) / stored.storage_name
            stored.delete()
            transaction.on_commit(partial(path.unlink, missing_ok=True))


def _referenced(stored: StoredFile) -> bool:
    """Whether any model of any app still points at ``stored``."""
    # include_hidden: owners usually point at files with related_name="+".
    relations = [
        f
        for f in StoredFile._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for relation in relations:
        # An auto-created reverse relation: a ForeignObjectRel with a model and a field.
        assert isinstance(relation, ForeignObjectRel) and relation.related_model is not None
        model = relation.related_model
        if model._default_manager.filter(**{relation.field.name: stored}).exists():
            return True
    return False


UNUSED_IMAGE_AGE = dt.timedelta(days=1)


def purge_unused_images(*, at: dt.datetime) -> int:
    """Images uploaded from the editor that no mail or draft shows a day later (the
    writer removed them, or never sent the mail): their rows, and their files when
    nothing else points at them. Returns how many were removed."""
    with transaction.atomic():
        unused = InlineImage.objects.select_for_update(of=("self",)).filter(
            created_at__lt=at - UNUSED_IMAGE_AGE, messages__isnull=True
        )
        rows = {image.pk: image.file_id for image in unused}
        if not rows:
            return 0
        InlineImage.objects.filter(pk__in=rows).delete()
        _delete_unreferenced_files(set(rows.values()))
        return len(rows)


# --- quotas --------------------------------------------------------------------------------


def set_quota(
    *, actor: User | None, at: dt.datetime, user: User, limit_mb: int | None
) -> MailQuota | None:
    """Set ``user``'s quota in MB, or go back to the default (``None``). System
    administrator only."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    if limit_mb is not None and not (1 <= limit_mb <= MAX_QUOTA_MB):
        _refuse(
            "limit_mb",
            _("Enter a quota between 1 and %(max)d MB.") % {"max": MAX_QUOTA_MB},
        )
    with transaction.atomic():
        current = MailQuota.objects.select_for_update().filter(user=user).first()
        before = {"limit_bytes": current.limit_bytes if current else None}
        if limit_mb is None:
            if current is not None:
                current.delete()
            quota = None
        else:
            quota = current or MailQuota(user=user)
            quota.limit_bytes = limit_mb * files.MB
            quota.updated_at = at
            quota.updated_by = actor
            quota.save()
        record_event(
            actor=actor,
            action="mail.quota",
            obj=user,
            at=at,
            before=before,
            after={"limit_bytes": quota.limit_bytes if quota else None},
        )
        return quota
