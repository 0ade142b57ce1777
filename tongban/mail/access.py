"""Fetching mail by id for a user. Only the owner of a mailbox row sees it; anything
else (another person's row, a row emptied from the trash, a missing id) is the same
``NotFound``, so ids cannot be probed."""

from __future__ import annotations

import uuid

from tongban.core.errors import NotFound
from tongban.core.ids import parse_id

from .models import BoxKind, Folder, InlineImage, Mailbox, MessageAttachment
from .selectors import may_see_image


def _staff(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def get_box_for(user, box_id: int) -> Mailbox:
    if not _staff(user):
        raise NotFound()
    # Ids also come from query strings and forms (``?draft=…``): junk is "not found".
    box_id = parse_id(box_id)
    if box_id is None:
        raise NotFound()
    box = (
        Mailbox.objects.of(user)
        .select_related("message", "message__sender")
        .filter(pk=box_id)
        .first()
    )
    if box is None:
        raise NotFound()
    return box


def get_draft_for(user, box_id: int) -> Mailbox:
    box = get_box_for(user, box_id)
    if box.kind != BoxKind.SENDER or box.folder != Folder.DRAFTS or box.message.sent_at:
        raise NotFound()
    return box


def get_attachment_for(user, box_id: int, attachment_id: int) -> MessageAttachment:
    box = get_box_for(user, box_id)
    attachment = (
        MessageAttachment.objects.select_related("file")
        .filter(pk=attachment_id, message=box.message_id)
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def get_image_for(user, image_id: uuid.UUID) -> InlineImage:
    if not _staff(user) or not may_see_image(user, image_id):
        raise NotFound()
    return InlineImage.objects.select_related("file").get(pk=image_id)
