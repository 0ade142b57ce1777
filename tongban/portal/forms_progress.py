"""The progress query's input shape."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.citizens.forms import CitizenForm

from .progress import NUMBER_MAX, VERIFIER_MAX, normalise_number, normalise_verifier


class ProgressForm(CitizenForm):
    number = forms.CharField(
        label=_("Case number"),
        max_length=NUMBER_MAX + 20,
        error_messages={"required": _("Enter the case number.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "TS-2026-SCJG-000123",
                "spellcheck": "false",
            }
        ),
    )
    verifier = forms.CharField(
        label=_("Last 4 digits of the applicant's mobile number, or the query code"),
        max_length=VERIFIER_MAX + 20,
        error_messages={
            "required": _("Enter the last 4 digits of the mobile number or the query code.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The query code is printed on the acceptance notice."),
    )

    def clean_number(self) -> str:
        return normalise_number(self.cleaned_data["number"])

    def clean_verifier(self) -> str:
        return normalise_verifier(self.cleaned_data["verifier"])
