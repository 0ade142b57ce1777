"""Input shapes for the citizen pages. The rules (codes, lockout, password rules)
are in ``services.py``; a ``ValidationFailed`` from there lands on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.forms import BootstrapForm
from tongban.core.errors import ValidationFailed

PASSWORD_MAX = 1024  # any real password; short enough not to be a hashing DoS


def _password(label, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _mobile() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "13800000000"}
        ),
    )


def _code() -> forms.CharField:
    return forms.CharField(
        label=_("SMS verification code"),
        max_length=12,
        required=False,  # checked by the service, so "send code" can post the same form
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CitizenForm(BootstrapForm):
    """Bootstrap classes, plus the error tied to its field for screen readers."""

    def _mark_invalid(self) -> None:
        super()._mark_invalid()
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def reset_errors(self) -> None:
        """Forget the errors found so far (a form re-displayed after "Get code" shows
        only the errors about the number, not "required" on fields not reached yet)."""
        self._errors = {}
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
            field.widget.attrs.pop("aria-invalid", None)
            field.widget.attrs.pop("aria-describedby", None)

    def apply_error(self, exc: ValidationFailed) -> None:
        """Show a service refusal on the fields it names (or above the form)."""
        placed = False
        for field, messages in exc.fields.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class _NewPasswords(CitizenForm):
    """The new password typed twice: ``<prefix>1`` and ``<prefix>2`` must match."""

    new_prefix = "password"

    def clean(self):
        data = super().clean()
        first = data.get(f"{self.new_prefix}1")
        second = data.get(f"{self.new_prefix}2")
        if first and second and first != second:
            self.add_error(f"{self.new_prefix}2", _("The two passwords do not match."))
        return data


class RegisterForm(_NewPasswords):
    mobile = _mobile()
    name = forms.CharField(
        label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    code = _code()
    password1 = _password(_("Password"), "new-password")
    password2 = _password(_("Password again"), "new-password")


class SendCodeForm(CitizenForm):
    """Only the number, from the same page's form: the other fields may be empty."""

    mobile = _mobile()


class LoginForm(CitizenForm):
    mobile = _mobile()
    password = _password(_("Password"), "current-password")


class PasswordChangeForm(_NewPasswords):
    new_prefix = "new_password"
    old_password = _password(_("Current password"), "current-password")
    new_password1 = _password(_("New password"), "new-password")
    new_password2 = _password(_("New password again"), "new-password")


class PasswordResetForm(_NewPasswords):
    new_prefix = "new_password"
    mobile = _mobile()
    code = _code()
    new_password1 = _password(_("New password"), "new-password")
    new_password2 = _password(_("New password again"), "new-password")
