"""Input shapes of the supervision pages: the filters of each list and the
rectification note. Every rule is in the services and selectors. The filters of the
case-only lists are the case kind's (``kinds.cases.forms``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.forms import BootstrapForm

from .models import AlertKind, CardColour
from .selectors import CardFilters


def date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CardFilterForm(BootstrapForm):
    """发牌记录: department (code: its subtree, or only itself with ``exact``), period,
    colour, cured or not, case number."""

    small = True

    department = forms.CharField(label=_("department code"), required=False, max_length=32)
    issued_from = date_field(_("issued from"))
    issued_to = date_field(_("issued to"))
    colour = forms.ChoiceField(
        label=_("colour"), choices=[("", _("Any")), *CardColour.choices], required=False
    )
    cured = forms.ChoiceField(
        label=_("cured"),
        choices=[("", _("Any")), ("yes", _("Cured")), ("no", _("Not cured"))],
        required=False,
    )
    number = forms.CharField(label=_("case number"), required=False, max_length=40)
    # Set by the dashboard's links: the department itself (not its subtree) and the
    # cards cured in a period, as the dashboard counts them.
    exact = forms.BooleanField(required=False, widget=forms.HiddenInput())
    cured_from = forms.DateField(required=False, widget=forms.HiddenInput())
    cured_to = forms.DateField(required=False, widget=forms.HiddenInput())
    order = forms.CharField(required=False, widget=forms.HiddenInput())

    def filters(self) -> CardFilters:
        data = self.cleaned_data
        return CardFilters(
            department="" if data["exact"] else data["department"],
            colour=data["colour"],
            cured={"yes": True, "no": False}.get(data["cured"]),
            issued_from=data["issued_from"],
            issued_to=data["issued_to"],
            case_number=data["number"],
        )


class RectificationForm(BootstrapForm):
    note = forms.CharField(
        label=_("Rectification note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,  # the service says what is missing
    )


class UrgingFilterForm(BootstrapForm):
    small = True

    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[("", _("Any")), ("automatic", _("Automatic")), ("manual", _("Manual"))],
        required=False,
    )

    def automatic(self) -> bool | None:
        return {"automatic": True, "manual": False}.get(self.cleaned_data["kind"])


class AlertFilterForm(BootstrapForm):
    small = True

    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("Any")), *AlertKind.choices], required=False
    )
    resolved = forms.BooleanField(label=_("include resolved"), required=False)
