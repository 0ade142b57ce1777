"""Rating a completed case, and closing the follow-up a bad rating opens."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import works_in
from tongban.audit.services import record_event
from tongban.cases.models import Case, CaseStatus
from tongban.core.clock import local_date, start_of_local_day
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.services import notify_staff
from tongban.workcalendar.calendar import get_calendar

from .models import BAD_LEVELS, FollowUp, FollowUpStatus, Rating, RatingChannel, RatingLevel

if TYPE_CHECKING:
    from tongban.citizens.models import Citizen

TEXT_MAX = 500
NOTE_MAX = 2000


def follow_up_days() -> int:
    """Working days the head has to follow a bad rating up (TONGBAN_RATING_FOLLOW_UP_DAYS)."""
    return settings.TONGBAN_RATING_FOLLOW_UP_DAYS


def daily_limit() -> int:
    """Ratings one citizen account may give per local day (security.md: per-citizen
    limits on ratings; TONGBAN_RATING_DAILY_LIMIT)."""
    return settings.TONGBAN_RATING_DAILY_LIMIT


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _text(value: object, field: str, maximum: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > maximum:
        raise _fail(field, _("At most %(n)d characters.") % {"n": maximum})
    return text


def accountable_department(department: Department) -> Department:
    """Ratings, like cards, count for a department, not for one of its sections."""
    if (
        department.kind == DepartmentKind.SECTION
        and department.parent_id
        and department.parent is not None
    ):
        return department.parent
    return department


def department_heads(department: Department) -> QuerySet[User]:
    heads: QuerySet[User] = User.objects.filter(
        is_active=True, roles__code=RoleCode.DEPARTMENT_HEAD, department=department
    ).order_by("id")
    return heads


def rate_case(
    *,
    case: Case,
    level: int | str,
    comment: str,
    reason: str,
    at: dt.datetime,
    citizen: Citizen | None = None,
    channel: str | None = None,
) -> Rating:
    """The applicant's rating of a completed case, once.

    ``citizen`` given: only the citizen the case belongs to (anyone else gets the
    same NotFound as for a missing case). ``citizen`` None: the caller (a partner
    system that authenticated its user) is trusted. A bad rating (不满意, 非常不满意)
    needs a reason and opens a follow-up for the department head, who is told by
    internal message and SMS."""
    with transaction.atomic():
        # Lock the case: two ratings at once cannot both find "not rated yet".
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("department", "item")
            .filter(pk=case.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        case = locked
        if citizen is not None and case.citizen_id != citizen.pk:
            raise NotFound()
        if case.status != CaseStatus.COMPLETED:
            raise ActionNotAllowed(_("Only a completed case can be rated."))
        if Rating.objects.filter(case=case).exists():
            raise ActionNotAllowed(_("This case has already been rated."))
        try:
            level = int(level)
        except (TypeError, ValueError):
            level = 0
        if level not in RatingLevel.values:
            raise _fail("level", _("Choose one of the five ratings."))
        comment = _text(comment, "comment", TEXT_MAX)
        reason = _text(reason, "reason", TEXT_MAX)
        if level in BAD_LEVELS and not reason:
            raise _fail("reason", _("Tell us what went wrong: a bad rating needs a reason."))
        if channel is None:
            channel = RatingChannel.PORTAL if citizen is not None else RatingChannel.PARTNER
        if channel not in RatingChannel.values:
            raise _fail("channel", _("Unknown channel."))
        if citizen is not None:
            day_start = start_of_local_day(local_date(at))
            given = Rating.objects.filter(
                citizen=citizen,
                rated_at__gte=day_start,
                rated_at__lt=day_start + dt.timedelta(days=1),
            ).count()
            if given >= daily_limit():
                raise _fail("level", _("You have given the most ratings allowed today."))

        department = accountable_department(case.department)
        rating = Rating.objects.create(
            case=case,
            citizen=citizen,
            level=level,
            comment=comment,
            reason=reason,
            department=department,
            item=case.item,
            item_name=case.item_name,
            channel=channel,
            rated_at=at,
            rated_on=local_date(at),
        )
        record_event(
            actor=None,
            actor_name=f"citizen:{citizen.pk}" if citizen is not None else channel,
            action="rating.create",
            obj=rating,
            object_repr=case.number,
            after={"case": case.number, "level": level, "channel": channel},
            at=at,
        )
        if level in BAD_LEVELS:
            _open_follow_up(rating, case, at)
        return rating


def _open_follow_up(rating: Rating, case: Case, at: dt.datetime) -> FollowUp:
    heads = list(department_heads(rating.department))
    follow_up = FollowUp.objects.create(
        rating=rating,
        department=rating.department,
        assigned_head=heads[0] if heads else None,
        opened_at=at,
        due_on=get_calendar().add(local_date(at), follow_up_days()),
    )
    record_event(
        actor=None,
        action="rating.follow_up",
        obj=follow_up,
        object_repr=case.number,
        after={"case": case.number, "due_on": follow_up.due_on},
        at=at,
    )
    notify_staff(
        heads,
        template="rating.bad",
        subject=_("Bad rating to follow up"),
        body=_("Case %(number)s (%(item)s) was rated “%(level)s”; follow it up by %(due)s.")
        % {
            "number": case.number,
            "item": case.item_name,
            "level": rating.get_level_display(),
            "due": follow_up.due_on.isoformat(),
        },
        at=at,
        case=case,
    )
    return follow_up


def close_follow_up(*, actor: User, follow_up: FollowUp, note: str, at: dt.datetime) -> FollowUp:
    """The head of the rated department says what was done, and closes it."""
    with transaction.atomic():
        locked = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("department", "rating__case")
            .filter(pk=follow_up.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        follow_up = locked
        if not (actor.has_role(RoleCode.DEPARTMENT_HEAD) and works_in(actor, follow_up.department)):
            raise PermissionDenied(_("Only the head of the rated department closes it."))
        if follow_up.status != FollowUpStatus.OPEN:
            raise ActionNotAllowed(_("This follow-up is already closed."))
        note = _text(note, "note", NOTE_MAX)
        if not note:
            raise _fail("note", _("Write what the department has done about it."))
        follow_up.status = FollowUpStatus.CLOSED
        follow_up.note = note
        follow_up.closed_at = at
        follow_up.closed_by = actor
        follow_up.save(update_fields=["status", "note", "closed_at", "closed_by"])
        record_event(
            actor=actor,
            action="rating.follow_up_close",
            obj=follow_up,
            object_repr=follow_up.rating.case.number,
            before={"status": FollowUpStatus.OPEN},
            after={"status": FollowUpStatus.CLOSED, "note": note},
            at=at,
        )
        return follow_up
