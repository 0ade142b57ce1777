"""Citizen registration, login, logout and passwords on the portal. Thin: the rules
are in ``services.py`` and the session in ``sessions.py``.

The registration and reset pages are one form each with two buttons: "Get code"
posts the form with ``action=send`` (the page comes back with what was typed, minus
passwords, and a note that the code was sent), the other submits. No JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tongban.accounts.security import LoginRefused
from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.core.request_context import client_ip

from . import services, sessions
from .access import citizen_required
from .forms import LoginForm, PasswordChangeForm, PasswordResetForm, RegisterForm, SendCodeForm
from .models import CodePurpose


def _next_url(request) -> str:
    """Where to go afterwards: only a URL on this site (no open redirect)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("citizens:account")


def _ip(request) -> str | None:
    return getattr(request, "client_ip", None) or client_ip(request)


def _help_texts() -> list[str]:
    return password_validators_help_texts()


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request):
    if request.citizen is not None:
        return redirect("citizens:account")
    next_url = _next_url(request)
    notice = ""
    if request.method == "POST" and request.POST.get("action") == "send":
        form = RegisterForm(request.POST)
        form.full_clean()
        form.reset_errors()
        form, notice = _send_code_into(request, form, CodePurpose.REGISTER)
    else:
        form = RegisterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            now = clock.now()
            try:
                citizen = services.register_citizen(
                    mobile=data["mobile"],
                    name=data["name"],
                    password=data["password1"],
                    code=data["code"],
                    ip=_ip(request),
                    at=now,
                )
            except ValidationFailed as exc:
                form.apply_error(exc)
            else:
                sessions.start_session(request, citizen, at=now)
                return redirect(next_url)
    return render(
        request,
        "citizens/register.html",
        {"form": form, "notice": notice, "next": next_url, "help_texts": _help_texts()},
    )


def _send_code_into(request, form, purpose: str):
    sender = SendCodeForm(request.POST)
    notice = ""
    if not sender.is_valid():
        for message in sender.errors.get("mobile", []):
            form.add_error("mobile", message)
        return form, notice
    try:
        services.send_code(
            mobile=sender.cleaned_data["mobile"], purpose=purpose, ip=_ip(request), at=clock.now()
        )
    except ValidationFailed as exc:
        form.apply_error(exc)
    except ActionNotAllowed as exc:
        form.add_error("mobile", exc.message)
    else:
        notice = _(
            "A verification code was sent by SMS to the number you entered. "
            "It is valid for %(minutes)d minutes."
        ) % {"minutes": settings.TONGBAN_CITIZEN_CODE_MINUTES}
    return form, notice


@sensitive_post_parameters("password")
@never_cache
def login(request):
    next_url = _next_url(request)
    if request.citizen is not None:
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = clock.now()
        try:
            citizen = services.authenticate_citizen(
                mobile=form.cleaned_data["mobile"],
                password=form.cleaned_data["password"],
                ip=_ip(request),
                at=now,
            )
        except LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            sessions.start_session(request, citizen, at=now)
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "threshold": settings.TONGBAN_LOCKOUT_THRESHOLD,
        "minutes": settings.TONGBAN_LOCKOUT_MINUTES,
    }
    return render(request, "citizens/login.html", context)


@require_POST
def logout(request):
    sessions.end_session(request, at=clock.now())
    return redirect("portal:home")


@never_cache
@citizen_required
def account(request):
    return render(request, "citizens/account.html", {"citizen": request.citizen})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@citizen_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            citizen = services.change_citizen_password(
                citizen=request.citizen,
                old_password=data["old_password"],
                new_password=data["new_password1"],
                ip=_ip(request),
                at=clock.now(),
            )
        except ValidationFailed as exc:
            form.apply_error(exc)
        else:
            sessions.keep_session_after_password_change(request, citizen)
            return render(request, "citizens/password_changed.html")
    return render(
        request, "citizens/password_change.html", {"form": form, "help_texts": _help_texts()}
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def password_reset(request):
    notice = ""
    if request.method == "POST" and request.POST.get("action") == "send":
        form = PasswordResetForm(request.POST)
        form.full_clean()
        form.reset_errors()
        form, notice = _send_code_into(request, form, CodePurpose.RESET)
        if notice:
            # The same answer whether or not the number has an account.
            notice = _("If an account uses this number, a verification code was sent to it by SMS.")
    else:
        form = PasswordResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.reset_citizen_password(
                    mobile=data["mobile"],
                    code=data["code"],
                    new_password=data["new_password1"],
                    ip=_ip(request),
                    at=clock.now(),
                )
            except ValidationFailed as exc:
                form.apply_error(exc)
            else:
                return render(request, "citizens/password_changed.html", {"reset": True})
    return render(
        request,
        "citizens/password_reset.html",
        {"form": form, "notice": notice, "help_texts": _help_texts()},
    )
