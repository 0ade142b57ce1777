"""Input shapes of the ratings pages; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.qa.forms import StyledForm

from . import services
from .models import RatingLevel


class RateForm(StyledForm):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason (required when dissatisfied)"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs.pop("class", None)


class CloseFollowUpForm(StyledForm):
    note = forms.CharField(
        label=_("What was done"),
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
