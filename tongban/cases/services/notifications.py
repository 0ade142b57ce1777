"""The SMS the case engine writes to the outbox: to the handlers of a newly
active step (with the deadline risk) and to the applicant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import StaffAssignment
from tongban.core.clock import local_date
from tongban.notify.models import Channel as NotifyChannel
from tongban.notify.services import enqueue
from tongban.workcalendar.calendar import get_calendar

from ..models import Case, CaseStep


def _day(day: dt.date | None) -> str:
    """A date in a message (a case's deadline is set from acceptance on)."""
    return day.isoformat() if day is not None else "—"


def _risk_hint(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return ""
    calendar = get_calendar()
    if today > due:
        return _("overdue")
    left = calendar.wd(today, due)
    if left <= settings.TONGBAN_WARN_DAYS:
        return _("due in %(n)d working days") % {"n": left}
    return ""


def _candidates(step: CaseStep, limit: int = 10) -> list[User]:
    """Who may take ``step`` from the department queue."""
    query = User.objects.filter(is_active=True, roles__code=step.role).filter(
        Q(department__path__startswith=step.department.path)
        | Q(section__path__startswith=step.department.path)
    )
    if step.process_step_id is not None:
        # Where the item names staff for the step, only they (one query either way).
        named = StaffAssignment.objects.filter(step_id=step.process_step_id)
        query = query.filter(~Exists(named) | Exists(named.filter(user_id=OuterRef("pk"))))
    return list(query.distinct().order_by("pk")[:limit])


def _notify_step(case: Case, step: CaseStep, at: dt.datetime, *, to: Iterable[User]) -> None:
    """SMS to the handler of a newly active step: item, applicant, due date, risk."""
    today = local_date(at)
    due = step.due_on or case.deadline
    hint = _risk_hint(due, today)
    body = _(
        "New case %(number)s at “%(step)s”: %(item)s, applicant %(applicant)s, due %(due)s."
    ) % {
        "number": case.number,
        "step": step.name,
        "item": case.item_name,
        "applicant": case.applicant_name,
        "due": due.isoformat() if due else "—",
    }
    if hint:
        body += " " + _("Attention: %(hint)s.") % {"hint": hint}
    for user in to:
        enqueue(
            channel=NotifyChannel.SMS,
            template="case.step_assigned",
            body=body,
            at=at,
            recipient=user,
            case=case,
        )


def _notify_applicant(case: Case, template: str, body: str, at: dt.datetime) -> None:
    enqueue(
        channel=NotifyChannel.SMS,
        template=template,
        body=body,
        at=at,
        address=case.applicant_mobile,
        recipient_name=case.applicant_name,
        case=case,
    )
