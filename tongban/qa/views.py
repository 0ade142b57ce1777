"""Q&A pages. Office: the queue (new / mine / overdue / answered / closed), one
question with its actions. Portal: the public list with search, one answered question,
and the form to ask (works without JavaScript; CSRF; a per-IP rate limit in the
cache on top of the per-mobile daily limit of the service). Thin: access, parse, call
the service or selector, respond."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.access import module_required
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound
from tongban.core.request_context import client_ip

from . import forms, selectors, services
from .access import QUEUE_MODULES, get_public_question, get_question_for

PAGE_SIZE = 20
TAB_LABELS = {
    "new": gettext_lazy("Awaiting answer"),
    "mine": gettext_lazy("Assigned to me"),
    "overdue": gettext_lazy("Overdue"),
    "answered": gettext_lazy("Answered"),
    "closed": gettext_lazy("Closed"),
}


# The office queue: case staff and supervisors (``access.QUEUE_MODULES``).
queue_required = module_required(*QUEUE_MODULES)


def _question_or_404(user, pk):
    try:
        return get_question_for(user, pk)
    except NotFound as exc:
        raise Http404 from exc


# --- office ---------------------------------------------------------------------------


@queue_required
@require_safe
def queue(request):
    user = request.user
    view = request.GET.get("view", "new")
    if view not in selectors.QUEUE_VIEWS:
        view = "new"
    at = clock.now()
    page = Paginator(selectors.office_queue(user, view, at=at), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_colours(page.object_list, at=at)
    counts = selectors.queue_counts(user, at=at)
    tabs = [(key, label, counts.get(key)) for key, label in TAB_LABELS.items()]
    return render(
        request,
        "qa/queue.html",
        {"page": page, "view": view, "tabs": tabs, "today": clock.local_date(at)},
    )


def _detail_context(request, question, **forms_in) -> dict:
    user = request.user
    head = services.is_head_for(user, question)
    return {
        "question": question,
        "colour": selectors.time_colour(question, clock.local_date(clock.now())),
        "can_answer": question.is_waiting and services.can_answer(user, question),
        "is_head": head,
        "answer_form": forms_in.get("answer_form") or forms.AnswerForm(),
        "assign_form": forms_in.get("assign_form")
        or (forms.AssignForm(question=question) if head and question.is_waiting else None),
        "note_form": forms_in.get("note_form") or forms.NoteForm(),
        "error": forms_in.get("error"),
    }


@queue_required
@require_safe
def detail(request, pk: int):
    question = _question_or_404(request.user, pk)
    return render(request, "qa/detail.html", _detail_context(request, question))


def _refused(request, question, exc: DomainError, **forms_in):
    """Re-render the question with the refusal on the form field it names."""
    placed = False
    for form in forms_in.values():
        for field, problems in exc.fields.items():
            if field in form.fields:
                for problem in problems:
                    form.add_error(field, problem)
                placed = True
    error = None if placed else exc.message
    context = _detail_context(request, question, error=error, **forms_in)
    return render(request, "qa/detail.html", context, status=exc.status)


@queue_required
@require_POST
def answer(request, pk: int):
    question = _question_or_404(request.user, pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "qa/detail.html",
            _detail_context(request, question, answer_form=form),
            status=422,
        )
    try:
        services.answer_question(
            actor=request.user,
            question=question,
            answer=form.cleaned_data["answer"],
            publish=form.cleaned_data["publish"],
            at=clock.now(),
        )
    except DomainError as exc:
        return _refused(request, question, exc, answer_form=form)
    messages.success(request, _("The answer was saved and the asker will be told by SMS."))
    return redirect("qa:detail", pk=question.pk)


@queue_required
@require_POST
def assign(request, pk: int):
    question = _question_or_404(request.user, pk)
    form = forms.AssignForm(request.POST, question=question)
    if not form.is_valid():
        return render(
            request,
            "qa/detail.html",
            _detail_context(request, question, assign_form=form),
            status=422,
        )
    try:
        services.assign_question(
            actor=request.user,
            question=question,
            assignee=form.cleaned_data["assignee"],
            at=clock.now(),
        )
    except DomainError as exc:
        return _refused(request, question, exc, assign_form=form)
    messages.success(request, _("The question was assigned."))
    return redirect("qa:detail", pk=question.pk)


@queue_required
@require_POST
def publish(request, pk: int, state: str):
    question = _question_or_404(request.user, pk)
    if state not in ("on", "off"):
        raise Http404
    try:
        services.set_published(
            actor=request.user, question=question, published=state == "on", at=clock.now()
        )
    except DomainError as exc:
        return _refused(request, question, exc)
    if state == "on":
        messages.success(request, _("The answer is on the portal."))
    else:
        messages.success(request, _("The answer was taken off the portal."))
    return redirect("qa:detail", pk=question.pk)


@queue_required
@require_POST
def end(request, pk: int, outcome: str):
    """Reject as spam, or close without an answer."""
    question = _question_or_404(request.user, pk)
    if outcome not in ("spam", "close"):
        raise Http404
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        # Too long, or a NUL character (which PostgreSQL refuses): said on the field.
        return render(
            request,
            "qa/detail.html",
            _detail_context(request, question, note_form=form),
            status=422,
        )
    note = form.cleaned_data["note"]
    service = services.reject_as_spam if outcome == "spam" else services.close_question
    try:
        service(actor=request.user, question=question, note=note, at=clock.now())
    except DomainError as exc:
        return _refused(request, question, exc, note_form=form)
    messages.success(request, _("The question was taken out of the queue."))
    return redirect(reverse("qa:queue") + "?view=closed")


# --- portal ---------------------------------------------------------------------------


@require_safe
def public_list(request):
    q = request.GET.get("q", "")[: selectors.MAX_QUERY]
    department = request.GET.get("department", "")
    rows = selectors.public_questions(q, department or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "qa/public_list.html",
        {
            "page": page,
            "q": q,
            "department": department,
            "departments": selectors.public_departments(),
        },
    )


@require_safe
def public_detail(request, pk: int):
    try:
        question = get_public_question(pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "qa/public_detail.html", {"question": question})


def ip_hourly_limit() -> int:
    return settings.TONGBAN_QA_IP_HOURLY_LIMIT


def _over_ip_limit(request) -> bool:
    """A coarse brake on one address flooding the form (the service's per-mobile
    limit is the real one): a counter per IP that expires an hour after it starts."""
    key = f"qa:ask:ip:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        return False
    return count > ip_hourly_limit()


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    citizen = request.citizen
    if request.method != "POST":
        initial = {}
        if citizen is not None:
            initial = {"contact_name": citizen.name, "contact_mobile": citizen.mobile}
        if request.GET.get("item"):
            initial["item"] = request.GET["item"][:40]
        form = forms.AskForm(initial=initial)
        return render(request, "qa/ask.html", {"form": form})
    form = forms.AskForm(request.POST)
    if _over_ip_limit(request):
        form.is_valid()
        form.add_error(None, _("Too many questions from your network; please try again later."))
        return render(request, "qa/ask.html", {"form": form}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        try:
            question = services.ask_question(
                title=data["title"],
                content=data["content"],
                contact_name=data["contact_name"],
                contact_mobile=data["contact_mobile"],
                allow_public=data["allow_public"],
                item=data["item"],
                department=data["department"],
                citizen=citizen,
                source="portal",
                at=clock.now(),
            )
        except DomainError as exc:
            for field, problems in exc.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            request.session["qa_asked"] = {
                "title": question.title,
                "department": question.department.name,
                "due_on": question.due_on.isoformat(),
            }
            return redirect("qa_public:asked")
    return render(request, "qa/ask.html", {"form": form}, status=422)


@require_safe
def asked(request):
    receipt = request.session.get("qa_asked")
    if not receipt:
        return redirect("qa_public:ask")
    return render(request, "qa/asked.html", {"receipt": receipt})
