"""Preliminary review by the intake desk: acceptance (受理, also 容缺受理 with a
pledge, and 视为受理 by the sweep), refusal (不予受理), the supplement notice (补正)
and the supplement itself, and the pledged materials handed in later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import Material
from tongban.core.clock import local_date
from tongban.core.errors import ValidationFailed
from tongban.workcalendar.calendar import get_calendar

from .. import clock, policy
from ..models import (
    Case,
    CaseStatus,
    CaseStep,
    MaterialSource,
    StepStatus,
    SupplementRequest,
    Suspension,
    SuspensionKind,
)
from ..policy import Action
from ._supervision import _resolve_alerts
from ._write import (
    MaterialIn,
    _lock,
    _record,
    _relation,
    _required_text,
    _save,
    _snapshot,
)
from .clock_events import _end_suspension
from .intake import _check_materials, _store_materials, missing_materials
from .notifications import _day, _notify_applicant
from .steps import _instantiate_process, _start_next


@transaction.atomic
def accept_case(
    *,
    actor: User | None,
    case: Case,
    at: dt.datetime,
    opinion: str = "",
    pledge_due_on: dt.date | None = None,
) -> Case:
    """受理: the clock starts. With required materials missing, only 容缺受理 is
    possible: every missing material is non-essential and the applicant pledges in
    writing to supply them by ``pledge_due_on`` (tracked and supervised)."""
    case = _lock(case)
    policy.require(Action.ACCEPT, _relation(actor, case))
    today = local_date(at)
    missing = missing_materials(case)
    pledge = _check_pledge(missing, pledge_due_on, today)
    before = _snapshot(case)
    steps = _accept(case, actor, at, pledge)
    _save(
        case,
        ["status", "accepted_on", "pledge_due_on"],
        steps=[s for s in steps if s.status == StepStatus.ACTIVE],
    )
    _record(
        case,
        actor=actor,
        action="accept_pending" if pledge else "accept",
        at=at,
        before=before,
        opinion=opinion,
        deadline=case.deadline,
        pledge_due_on=pledge,
        pending=[m.name for m in missing] if pledge else [],
    )
    _notify_accepted(case, at)
    return case


@transaction.atomic
def deem_accepted(*, case: Case, at: dt.datetime) -> Case:
    """视为受理 (Art. 32): no acceptance, refusal or supplement notice within five
    working days of receipt — the application counts as accepted from the day it was
    received, and its deadline runs from then. Done by the supervision sweep."""
    case = _lock(case)
    policy.require(Action.ACCEPT, _relation(None, case))  # the system accepts
    before = _snapshot(case)
    # After a supplement before acceptance, the review limit ran from the day the
    # supplement arrived (``supplement_case``): that is when the materials were received.
    supplied_on: dt.date | None = (
        case.supplement_requests.filter(after_acceptance=False, fulfilled_on__isnull=False)
        .order_by("-fulfilled_on")
        .values_list("fulfilled_on", flat=True)
        .first()
    )
    steps = _accept(case, None, at, None, accepted_on=supplied_on or case.received_on)
    case.deemed_accepted = True
    _save(
        case,
        ["status", "accepted_on", "pledge_due_on", "deemed_accepted"],
        steps=[s for s in steps if s.status == StepStatus.ACTIVE],
    )
    _record(
        case,
        actor=None,
        action="deemed_accept",
        at=at,
        before=before,
        deadline=case.deadline,
        review_due_on=case.review_due_on,
    )
    _notify_accepted(case, at)
    return case


def _check_pledge(
    missing: list[Material], pledge_due_on: dt.date | None, today: dt.date
) -> dt.date | None:
    if not missing:
        if pledge_due_on is not None:
            raise ValidationFailed(
                _("Nothing is missing: no pledge is needed."),
                fields={"pledge_due_on": [_("Nothing is missing: no pledge is needed.")]},
            )
        return None
    names = "、".join(m.name for m in missing)
    essential = [m for m in missing if m.essential]
    if essential:
        message = _(
            "Essential materials are missing (%(names)s): ask for a supplement or refuse."
        ) % {"names": "、".join(m.name for m in essential)}
        raise ValidationFailed(message, fields={"materials": [message]})
    if pledge_due_on is None:
        message = _(
            "Materials are missing (%(names)s): accept with materials pending only on the "
            "applicant's written pledge and a date."
        ) % {"names": names}
        raise ValidationFailed(message, fields={"pledge_due_on": [message]})
    latest = get_calendar().add(today, settings.TONGBAN_PLEDGE_MAX_DAYS)
    if not today < pledge_due_on <= latest:
        message = _("The pledged date must be after today and no later than %(latest)s.") % {
            "latest": latest.isoformat()
        }
        raise ValidationFailed(message, fields={"pledge_due_on": [message]})
    return pledge_due_on


def _accept(
    case: Case,
    actor: User | None,
    at: dt.datetime,
    pledge: dt.date | None,
    *,
    accepted_on: dt.date | None = None,
) -> list[CaseStep]:
    case.status = CaseStatus.IN_PROGRESS
    case.accepted_on = accepted_on or local_date(at)
    case.pledge_due_on = pledge
    case.deadline = clock.deadline(case, get_calendar())
    steps = _instantiate_process(case, case.item, actor, at)
    _start_next(case, steps, at)
    return steps


def _notify_accepted(case: Case, at: dt.datetime) -> None:
    _notify_applicant(
        case,
        "case.accepted",
        _("Your application %(number)s (%(item)s) was accepted; it will be decided by %(due)s.")
        % {"number": case.number, "item": case.item_name, "due": _day(case.deadline)},
        at,
    )


@transaction.atomic
def reject_application(*, actor: User | None, case: Case, reasons: str, at: dt.datetime) -> Case:
    """不予受理: refuse at intake, with the reasons (printed on the notice)."""
    case = _lock(case)
    policy.require(Action.REJECT, _relation(actor, case))
    reasons = _required_text(reasons, "reasons", _("Give the reasons for not accepting."))
    before = _snapshot(case)
    case.status = CaseStatus.REJECTED
    case.closed_at = at
    case.result_note = reasons
    _save(case, ["status", "closed_at", "result_note"], steps=[])
    _record(case, actor=actor, action="reject", at=at, before=before, opinion=reasons)
    _notify_applicant(
        case,
        "case.rejected",
        _("Your application %(number)s (%(item)s) was not accepted: %(reasons)s")
        % {"number": case.number, "item": case.item_name, "reasons": reasons[:200]},
        at,
    )
    return case


@transaction.atomic
def request_supplement(
    *,
    actor: User | None,
    case: Case,
    items: Sequence[str],
    at: dt.datetime,
    note: str = "",
) -> Case:
    """补正告知, listing what is missing. Before acceptance (the intake desk) the case
    waits for the applicant; after acceptance (the handler of an active step) the
    clock is suspended until the supplement arrives (time-limits.md)."""
    case = _lock(case)
    policy.require(Action.REQUEST_SUPPLEMENT, _relation(actor, case))
    items = [i.strip()[:200] for i in items if i and i.strip()]
    if not items:
        message = _("List what the applicant must supply.")
        raise ValidationFailed(message, fields={"items": [message]})
    before = _snapshot(case)
    today = local_date(at)
    after_acceptance = case.status == CaseStatus.IN_PROGRESS
    if after_acceptance:
        case.status = CaseStatus.SUSPENDED
        suspension = Suspension.objects.create(
            case=case,
            kind=SuspensionKind.SUPPLEMENT,
            reason=note or "；".join(items),
            started_at=at,
            started_on=today,
            started_by=actor,
        )
        _save(case, ["status"], suspension=suspension)
    else:  # before acceptance (the table allows nothing else)
        case.status = CaseStatus.SUPPLEMENT_REQUESTED
        _save(case, ["status"], steps=[])
    SupplementRequest.objects.create(
        case=case,
        requested_at=at,
        requested_on=today,
        requested_by=actor,
        items=items,
        note=note.strip(),
        after_acceptance=after_acceptance,
    )
    _record(
        case,
        actor=actor,
        action="request_supplement",
        at=at,
        before=before,
        opinion=note,
        items=items,
    )
    _notify_applicant(
        case,
        "case.supplement_requested",
        _("Application %(number)s: please supply %(items)s.")
        % {"number": case.number, "items": "、".join(items)[:200]},
        at,
    )
    return case


@transaction.atomic
def supplement_case(
    *,
    actor: User | None,
    case: Case,
    at: dt.datetime,
    materials: Sequence[MaterialIn] = (),
    note: str = "",
) -> Case:
    """The applicant supplies what was asked (at the counter through the clerk, or
    online: ``actor`` None). Before acceptance the case returns to review with a new
    five-day review limit from the day the supplement arrived; after acceptance the
    suspension ends and its working days are added to the deadline."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require(Action.SUPPLEMENT, rel)
    checked = _check_materials(case.item, materials)
    if not checked and not note.strip():
        message = _("Add the supplied materials or describe what was supplied.")
        raise ValidationFailed(message, fields={"materials": [message]})
    before = _snapshot(case)
    today = local_date(at)
    _store_materials(case, checked, MaterialSource.SUPPLEMENT, at)
    case.supplement_requests.filter(fulfilled_at__isnull=True).update(
        fulfilled_at=at, fulfilled_on=today
    )
    if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
        case.status = CaseStatus.RECEIVED
        case.review_due_on = clock.review_due(today, get_calendar())
        _save(case, ["status", "review_due_on"], steps=[])
        days = 0
    else:
        suspension = rel.suspension
        assert suspension is not None  # the table allows a supplement only then
        days = _end_suspension(case, suspension, at)
        _save(case, ["status", "suspended_days"])
    _record(
        case,
        actor=actor,
        action="supplement",
        at=at,
        before=before,
        opinion=note,
        materials=[c.name for c in checked],
        suspended_days=days,
    )
    return case


@transaction.atomic
def supply_pledged_materials(
    *,
    actor: User | None,
    case: Case,
    materials: Sequence[MaterialIn],
    at: dt.datetime,
    note: str = "",
) -> Case:
    """容缺受理, the second half: the applicant hands in the materials they pledged
    (at the counter, or online: ``actor`` None). When nothing required is missing any
    more the pledge is fulfilled and no longer watched; the clock is not affected."""
    case = _lock(case)
    policy.require(Action.SUPPLY_PLEDGED, _relation(actor, case))
    checked = _check_materials(case.item, materials)
    if not checked:
        message = _("Add the materials handed in.")
        raise ValidationFailed(message, fields={"materials": [message]})
    before = _snapshot(case)
    _store_materials(case, checked, MaterialSource.SUPPLEMENT, at)
    still_missing = missing_materials(case)
    if not still_missing:
        case.pledge_due_on = None
        _resolve_alerts(case, "pledge_overdue", at)
    _save(case, ["pledge_due_on"])
    _record(
        case,
        actor=actor,
        action="supply_pledged",
        at=at,
        before=before,
        opinion=note,
        materials=[c.name for c in checked],
        still_missing=[m.name for m in still_missing],
    )
    return case
