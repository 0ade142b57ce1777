"""Input shapes of the supervision pages: the filters of each list and the
rectification note. Every rule is in the services and selectors."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.cases.forms import STATUS_CHOICES, BootstrapForm
from tongban.cases.selectors import SORTABLE, CaseFilters
from tongban.catalog.models import HandlingType

from .models import AlertKind, CardColour
from .selectors import CardFilters, WaitingFilters


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CardFilterForm(BootstrapForm):
    """发牌记录: department (code: its subtree, or only itself with ``exact``), period,
    colour, cured or not, case number."""

    small = True

    department = forms.CharField(label=_("department code"), required=False, max_length=32)
    issued_from = _date(_("issued from"))
    issued_to = _date(_("issued to"))
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


class RealtimeForm(BootstrapForm):
    """The filters of the real-time lists: the supplement tab's own filters, the
    state of the processing tab, and a department (exactly: the per-department
    counts link to it)."""

    small = True

    applicant = forms.CharField(label=_("applicant"), required=False, max_length=100)
    number = forms.CharField(label=_("case number"), required=False, max_length=40)
    requested_from = _date(_("supplement requested from"))
    requested_to = _date(_("supplement requested to"))
    state = forms.ChoiceField(
        label=_("state"),
        choices=[
            ("", _("Overdue or due soon")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
        ],
        required=False,
    )
    department = forms.CharField(label=_("department code"), required=False, max_length=32)

    def waiting(self) -> WaitingFilters:
        data = self.cleaned_data
        return WaitingFilters(
            applicant=data["applicant"],
            number=data["number"],
            requested_from=data["requested_from"],
            requested_to=data["requested_to"],
        )


class SupervisionQueryForm(BootstrapForm):
    """综合监察: the combined query over ``cases.selectors.CaseFilters``, plus the
    completion period the dashboard's trend links to."""

    small = True

    hall = forms.CharField(label=_("hall code"), required=False, max_length=32)
    number = forms.CharField(label=_("case number"), required=False, max_length=40)
    handling_type = forms.ChoiceField(
        label=_("handling type"), choices=[("", _("Any")), *HandlingType.choices], required=False
    )
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    department = forms.CharField(label=_("department code"), required=False, max_length=32)
    applicant = forms.CharField(label=_("applicant"), required=False, max_length=100)
    received_by = forms.CharField(label=_("acceptor (user name)"), required=False, max_length=150)
    item = forms.CharField(label=_("item code or name"), required=False, max_length=100)
    accepted_from = _date(_("accepted from"))
    accepted_to = _date(_("accepted to"))
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    completed_from = _date(_("completed from"))
    completed_to = _date(_("completed to"))
    on_time = forms.ChoiceField(
        choices=[("", ""), ("yes", "yes"), ("no", "no")],
        required=False,
        widget=forms.HiddenInput(),
    )
    order = forms.ChoiceField(
        choices=[(o, o) for o in sorted(SORTABLE)], required=False, widget=forms.HiddenInput()
    )

    def filters(self, today: dt.date) -> CaseFilters:
        data = self.cleaned_data
        return CaseFilters(
            number=data["number"],
            applicant=data["applicant"],
            item=data["item"],
            department=data["department"],
            hall=data["hall"],
            status=data["status"],
            handling_type=data["handling_type"],
            received_by=data["received_by"],
            accepted_from=data["accepted_from"],
            accepted_to=data["accepted_to"],
            overdue=data["overdue"],
            today=today,
            order=data["order"] or "-received_at",
        )

    def completed_on_time(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["on_time"])
