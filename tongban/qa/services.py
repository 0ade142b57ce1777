"""Every change to a question: asked (portal, partner app, hotline), assigned, answered,
published or withdrawn from the public list, rejected as spam, closed.

Who does what: staff of the question's department who handle cases (the ``cases``
module) answer it — its assignee, or anyone there while it is unassigned; the
department head (or a section head for a question of the section) assigns it,
publishes or unpublishes the answer, rejects spam and closes questions that need no
answer. Supervisors read every queue but do not answer for a department.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.scoping import department_scope
from tongban.accounts.selectors import user_modules
from tongban.audit.services import record_event
from tongban.catalog.models import Item
from tongban.catalog.validators import validate_mobile
from tongban.core.clock import local_date, start_of_local_day
from tongban.core.crypto import provider
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.models import Channel
from tongban.notify.services import enqueue, notify_staff
from tongban.workcalendar.calendar import get_calendar

from .models import WAITING, Question, QuestionSource, QuestionStatus

if TYPE_CHECKING:
    from tongban.citizens.models import Citizen

TITLE_MAX = 100
CONTENT_MAX = 2000
NAME_MAX = 50
ANSWER_MAX = 4000
NOTE_MAX = 200


def limit_days() -> int:
    """Working days the department has to answer (TONGBAN_QA_LIMIT_DAYS)."""
    return settings.TONGBAN_QA_LIMIT_DAYS


def daily_limit() -> int:
    """Questions one citizen account, or one mobile number, may ask per local day
    (TONGBAN_QA_DAILY_LIMIT; security.md: per-citizen limits on questions)."""
    return settings.TONGBAN_QA_DAILY_LIMIT


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _required_text(value: object, field: str, label: str, maximum: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise _fail(field, _("Enter the %(label)s.") % {"label": label})
    if len(text) > maximum:
        raise _fail(
            field, _("The %(label)s has at most %(n)d characters.") % {"label": label, "n": maximum}
        )
    return text


def mobile_index(mobile: str) -> str:
    return provider().blind_index(mobile.strip())


# --- permissions ----------------------------------------------------------------------


def in_scope(user: User, question: Question) -> bool:
    """Whether ``question``'s department lies in the subtree ``user`` may see."""
    scope = department_scope(user)
    if scope.everything:
        return True
    if scope.nothing:
        return False
    # A scope that is neither everything nor nothing has a Department for its root
    # (``DepartmentScope.root`` is typed ``object`` in accounts.scoping).
    root = cast(Department, scope.root)
    return question.department.path.startswith(root.path)


def is_head_for(user: User, question: Question) -> bool:
    """The head who runs this question's queue: a department head (or a section head
    of the question's section) whose scope covers it."""
    return user.has_role(RoleCode.DEPARTMENT_HEAD, RoleCode.SECTION_HEAD) and (
        not department_scope(user).everything and in_scope(user, question)
    )


def can_answer(user: User, question: Question) -> bool:
    if Module.CASES not in user_modules(user) or not in_scope(user, question):
        return False
    if department_scope(user).everything:
        return False  # a supervisor watches the queues, the department answers
    return (
        question.assigned_to_id is None
        or question.assigned_to_id == user.pk
        or is_head_for(user, question)
    )


def assignable_staff(question: Question) -> QuerySet[User]:
    """Who a question may be given to: active case staff of its department subtree."""
    from django.db.models import Q

    path = question.department.path
    staff: QuerySet[User] = (
        User.objects.filter(
            is_active=True,
            roles__code__in=[RoleCode.HANDLER, RoleCode.SECTION_HEAD, RoleCode.DEPARTMENT_HEAD],
        )
        .filter(Q(department__path__startswith=path) | Q(section__path__startswith=path))
        .distinct()
        .order_by("full_name", "username")
    )
    return staff


def _locked(question: Question) -> Question:
    locked = (
        Question.objects.select_for_update(of=("self",))
        .select_related("department", "item")
        .filter(pk=question.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


# --- asking ---------------------------------------------------------------------------


def _lock_daily_counter(key: str) -> None:
    """Serialise concurrent askers with the same mobile number, so two requests at
    once cannot both pass the daily limit. A transaction-scoped advisory lock on
    PostgreSQL; SQLite's IMMEDIATE transactions already serialise every writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One bigint key: this module's tag in the high half, the number's CRC below.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [(7431 << 32) | zlib.crc32(key.encode())]
            )


def ask_question(
    *,
    title: str,
    content: str,
    contact_name: str,
    contact_mobile: str,
    allow_public: bool,
    at: dt.datetime,
    item: Item | None = None,
    department: Department | None = None,
    citizen: Citizen | None = None,
    source: str = "portal",
) -> Question:
    """A citizen's question to a department, or about an item (its department then
    answers). The answer is due ``limit_days()`` working days after the day asked.
    Refused with the field named: missing or over-long text, a bad mobile number,
    neither item nor department, an item of another department, or the asker's
    daily limit reached (per citizen account and per mobile number)."""
    with transaction.atomic():
        title = _required_text(title, "title", _("title"), TITLE_MAX)
        content = _required_text(content, "content", _("question"), CONTENT_MAX)
        contact_name = _required_text(contact_name, "contact_name", _("name"), NAME_MAX)
        if not (contact_mobile.strip() if isinstance(contact_mobile, str) else ""):
            raise _fail("contact_mobile", _("Enter the mobile number."))
        try:
            contact_mobile = validate_mobile(contact_mobile)
        except ValidationError as exc:
            raise _fail("contact_mobile", exc.messages[0]) from exc
        if source not in QuestionSource.values:
            raise _fail("source", _("Unknown source."))
        if item is not None:
            item = Item.objects.select_related("department").filter(pk=item.pk).first()
            if item is None or not Item.objects.published(local_date(at)).filter(pk=item.pk):
                raise _fail("item", _("Choose a published item."))
            if department is not None and department.pk != item.department_id:
                raise _fail("department", _("The item belongs to another department."))
            department = item.department
        if department is None:
            raise _fail("department", _("Choose the department or the item you ask about."))
        if not Department.objects.filter(pk=department.pk, is_active=True).exists():
            raise _fail("department", _("Choose an existing department."))

        index = mobile_index(contact_mobile)
        day_start = start_of_local_day(local_date(at))
        same_day = Question.objects.filter(
            asked_at__gte=day_start, asked_at__lt=day_start + dt.timedelta(days=1)
        )
        _lock_daily_counter(index)
        if citizen is not None:
            # Lock the account row: one citizen's concurrent questions queue up here.
            type(citizen).objects.select_for_update().filter(pk=citizen.pk).first()
        limit = daily_limit()
        too_many = same_day.filter(contact_mobile_index=index).count() >= limit or (
            citizen is not None and same_day.filter(citizen=citizen).count() >= limit
        )
        if too_many:
            raise _fail(
                "contact_mobile",
                _("You have asked %(n)d questions today, the most allowed; please ask tomorrow.")
                % {"n": limit},
            )

        question = Question(
            title=title,
            content=content,
            item=item,
            department=department,
            contact_name=contact_name,
            contact_mobile=contact_mobile,
            contact_mobile_index=index,
            citizen=citizen,
            allow_public=bool(allow_public),
            source=source,
            status=QuestionStatus.NEW,
            asked_at=at,
            due_on=get_calendar().add(local_date(at), limit_days()),
        )
        question.save()
        record_event(
            actor=None,
            actor_name=f"citizen:{citizen.pk}" if citizen is not None else source,
            action="question.ask",
            obj=question,
            after={
                "department": department.code,
                "item": item.code if item else None,
                "source": source,
                "allow_public": question.allow_public,
                "due_on": question.due_on,
            },
            at=at,
        )
        return question


# --- the office -----------------------------------------------------------------------


def assign_question(
    *, actor: User, question: Question, assignee: User, at: dt.datetime
) -> Question:
    """The head gives a waiting question to one of the department's case staff, who
    is told by internal message and SMS."""
    with transaction.atomic():
        question = _locked(question)
        if not is_head_for(actor, question):
            raise PermissionDenied(_("Only the head of the department assigns its questions."))
        if question.status not in WAITING:
            raise ActionNotAllowed(_("Only a question still waiting for its answer is assigned."))
        if assignee is None or not assignable_staff(question).filter(pk=assignee.pk).exists():
            raise _fail("assignee", _("Choose a member of the department's staff."))
        before = {"assigned_to": question.assigned_to_id, "status": question.status}
        question.assigned_to = assignee
        question.assigned_at = at
        question.status = QuestionStatus.ASSIGNED
        question.save(update_fields=["assigned_to", "assigned_at", "status"])
        record_event(
            actor=actor,
            action="question.assign",
            obj=question,
            before=before,
            after={"assigned_to": assignee.pk, "status": question.status},
            at=at,
        )
        notify_staff(
            [assignee],
            template="qa.assigned",
            subject=_("A question to answer"),
            body=_("Question “%(title)s” is yours to answer by %(due)s.")
            % {"title": question.title, "due": question.due_on.isoformat()},
            at=at,
        )
        return question


def answer_question(
    *, actor: User, question: Question, answer: str, at: dt.datetime, publish: bool = True
) -> Question:
    """The answer (plain text). Published at once when the asker allowed it and
    ``publish`` is left on; the asker is told by SMS."""
    with transaction.atomic():
        question = _locked(question)
        if not can_answer(actor, question):
            raise PermissionDenied(_("You may not answer this question."))
        if question.status not in WAITING:
            raise ActionNotAllowed(_("This question is no longer waiting for an answer."))
        answer = _required_text(answer, "answer", _("answer"), ANSWER_MAX)
        question.answer = answer
        question.answered_at = at
        question.answered_by = actor
        question.status = QuestionStatus.ANSWERED
        question.published = bool(publish) and question.allow_public
        question.save(update_fields=["answer", "answered_at", "answered_by", "status", "published"])
        record_event(
            actor=actor,
            action="question.answer",
            obj=question,
            before={"status": "waiting"},
            after={"status": question.status, "published": question.published},
            at=at,
        )
        enqueue(
            channel=Channel.SMS,
            template="qa.answered",
            address=question.contact_mobile,
            recipient_name=question.contact_name,
            body=_("Your question “%(title)s” to %(department)s has been answered.")
            % {"title": question.title[:30], "department": question.department.name},
            at=at,
        )
        return question


def set_published(*, actor: User, question: Question, published: bool, at: dt.datetime) -> Question:
    """Put an answered question on the public list, or take it off. Only with the
    asker's consent."""
    with transaction.atomic():
        question = _locked(question)
        if not is_head_for(actor, question):
            raise PermissionDenied(_("Only the head of the department publishes its answers."))
        if question.status != QuestionStatus.ANSWERED:
            raise ActionNotAllowed(_("Only an answered question is published."))
        if published and not question.allow_public:
            raise ActionNotAllowed(_("The asker did not allow publishing this question."))
        if question.published == bool(published):
            return question
        question.published = bool(published)
        question.save(update_fields=["published"])
        record_event(
            actor=actor,
            action="question.publish" if published else "question.unpublish",
            obj=question,
            before={"published": not question.published},
            after={"published": question.published},
            at=at,
        )
        return question


def _end_unanswered(
    *, actor: User, question: Question, status: str, note: str, at: dt.datetime, action: str
) -> Question:
    with transaction.atomic():
        question = _locked(question)
        if not is_head_for(actor, question):
            raise PermissionDenied(_("Only the head of the department does this."))
        if question.status not in WAITING:
            raise ActionNotAllowed(_("This question is no longer waiting for an answer."))
        note = (note or "").strip()
        if len(note) > NOTE_MAX:
            raise _fail("note", _("The note has at most %(n)d characters.") % {"n": NOTE_MAX})
        if status == QuestionStatus.CLOSED and not note:
            raise _fail("note", _("Say why the question is closed without an answer."))
        before = {"status": question.status}
        question.status = status
        question.closing_note = note
        question.published = False
        question.save(update_fields=["status", "closing_note", "published"])
        record_event(
            actor=actor,
            action=action,
            obj=question,
            before=before,
            after={"status": status, "note": note},
            at=at,
        )
        return question


def reject_as_spam(*, actor: User, question: Question, at: dt.datetime, note: str = "") -> Question:
    """Spam, abuse or advertising: out of the queue, never public, no SMS."""
    return _end_unanswered(
        actor=actor,
        question=question,
        status=QuestionStatus.REJECTED,
        note=note,
        at=at,
        action="question.reject",
    )


def close_question(*, actor: User, question: Question, note: str, at: dt.datetime) -> Question:
    """Closed without an answer (a duplicate, withdrawn by phone…), with the reason."""
    return _end_unanswered(
        actor=actor,
        question=question,
        status=QuestionStatus.CLOSED,
        note=note,
        at=at,
        action="question.close",
    )
