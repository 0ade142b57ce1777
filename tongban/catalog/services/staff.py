"""Staff assignment (项目与人员的关联): who may handle each process step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.scoping import works_in
from tongban.audit.services import record_event
from tongban.core.errors import ActionNotAllowed, ValidationFailed

from ..access import require_item_manager
from ..models import ProcessStep, StaffAssignment
from .base import _lock

# --- staff assignment (项目与人员的关联) -------------------------------------------------


@transaction.atomic
def assign_staff(
    *, actor: User | None, step: ProcessStep, users: Iterable[User], at: dt.datetime
) -> ProcessStep:
    """Set who may handle ``step`` (seed §1.10; the case engine enforces it). Each
    person must be active, work in the step's department (or, when it names none, the
    item's) — its subtree, sections included — and hold the step's role."""
    item = _lock(step.item)
    require_item_manager(actor, item.department)
    current = ProcessStep.objects.select_related("department").filter(pk=step.pk, item=item).first()
    if current is None:
        raise ActionNotAllowed(_("The process has changed in the meantime; reload the page."))
    step = current
    home = step.department or item.department
    users = list({u.pk: u for u in users}.values())
    problems = []
    for user in users:
        if not user.is_active:
            problems.append(_("%(name)s's account is disabled") % {"name": user.display_name})
        elif not works_in(user, home):
            problems.append(
                _("%(name)s does not work in %(dept)s") % {"name": user.display_name, "dept": home}
            )
        elif not user.has_role(step.role):
            problems.append(
                _("%(name)s does not hold the role %(role)s")
                % {"name": user.display_name, "role": step.get_role_display()}
            )
    if problems:
        message = _("Cannot assign staff to “%(step)s”: %(problems)s.") % {
            "step": step.name,
            "problems": _("; ").join(problems),
        }
        raise ValidationFailed(message, fields={"users": [message]})
    before = sorted(step.staff.values_list("user__username", flat=True))
    after = sorted(u.username for u in users)
    if before == after:
        return step
    step.staff.exclude(user__in=users).delete()
    kept = set(step.staff.values_list("user_id", flat=True))
    StaffAssignment.objects.bulk_create(
        [StaffAssignment(step=step, user=u) for u in users if u.pk not in kept]
    )
    record_event(
        actor=actor,
        action="item.staff",
        obj=item,
        at=at,
        before={"step": step.name, "staff": before},
        after={"step": step.name, "staff": after},
    )
    return step
