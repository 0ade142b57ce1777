"""Staff login, second factor, password change and logout. Thin: the rules are in
``security.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.core.request_context import client_ip

from . import security
from .forms import LoginForm, PasswordChangeForm, SecondFactorForm


def _next_url(request) -> str:
    """The page to go to afterwards: only a URL on this site (no open redirect)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _ip(request) -> str | None:
    return getattr(request, "client_ip", None) or client_ip(request)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


@sensitive_post_parameters("password")
@never_cache
def login(request):
    """Username and password; then the second factor for those who need it."""
    next_url = _next_url(request)
    if request.user.is_authenticated and request.session.get(security.SESSION_VERIFIED):
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = security.authenticate_staff(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=_ip(request),
                at=timezone.now(),
            )
        except security.LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            security.start_session(request, user, at=timezone.now())
            if not request.session[security.SESSION_VERIFIED]:
                return redirect(_with_next(reverse("accounts:second_factor"), next_url))
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "threshold": settings.TONGBAN_LOCKOUT_THRESHOLD,
        "minutes": settings.TONGBAN_LOCKOUT_MINUTES,
    }
    return render(request, "accounts/login.html", context)


@never_cache
@login_required
def second_factor(request):
    """Enrolment (first time: QR code and secret, confirmed by a code) or the code."""
    user = request.user
    next_url = _next_url(request)
    if request.session.get(security.SESSION_VERIFIED) or not user.needs_second_factor:
        return redirect(next_url)
    device = security.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = security.begin_totp_enrolment(user=user, at=timezone.now())
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.verify_second_factor(
                user=user, code=form.cleaned_data["code"], ip=_ip(request), at=timezone.now()
            )
        except ActionNotAllowed as exc:  # the authenticator was reset meanwhile
            form.add_error(None, exc.message)
        except security.LoginRefused as exc:
            if exc.locked_until is None:
                form.add_error("code", exc.message)
            else:
                security.log_out(request, reason="locked", at=timezone.now())
                messages.error(request, exc.message)
                return redirect("accounts:login")
        else:
            security.mark_second_factor_verified(request, at=timezone.now())
            if enrolling:
                messages.success(request, _("Your authenticator is set up."))
            return redirect(next_url)
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        secret = device.secret
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        # Generated here from our own data (no user input): safe to inline.
        context["qr_svg"] = mark_safe(security.qr_code_svg(security.provisioning_uri(device)))
    return render(request, "accounts/second_factor.html", context)


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request):
    """个人设置 · 密码管理 (seed §1.6): change one's own password."""
    user = request.user
    now = clock.now()
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = security.change_password(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
                at=timezone.now(),
            )
        except ValidationFailed as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            security.keep_session_after_password_change(request, user, at=timezone.now())
            messages.success(request, _("Your password has been changed."))
            return redirect(_next_url(request))
    context = {
        "form": form,
        "next": request.GET.get("next", ""),
        "forced": user.must_change_password,
        "expired": security.password_expired(user, at=now),
        "max_age_days": settings.TONGBAN_PASSWORD_MAX_AGE_DAYS,
        "help_texts": password_validators_help_texts(),
    }
    return render(request, "accounts/password_change.html", context)


@require_POST
def logout(request):
    security.log_out(request, reason="logout", at=timezone.now())
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")
