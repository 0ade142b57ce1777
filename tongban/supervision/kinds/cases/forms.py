"""Input shapes of the case-only supervision pages: the filters of the real-time
lists and of the comprehensive query (over ``cases.selectors.CaseFilters``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.cases.forms import STATUS_CHOICES
from tongban.cases.selectors import SORTABLE, CaseFilters
from tongban.catalog.models import HandlingType
from tongban.core.forms import BootstrapForm

from ...forms import date_field
from .lists import WaitingFilters


class RealtimeForm(BootstrapForm):
    """The filters of the real-time lists: the supplement tab's own filters, the
    state of the processing tab, and a department (exactly: the per-department
    counts link to it)."""

    small = True

    applicant = forms.CharField(label=_("applicant"), required=False, max_length=100)
    number = forms.CharField(label=_("case number"), required=False, max_length=40)
    requested_from = date_field(_("supplement requested from"))
    requested_to = date_field(_("supplement requested to"))
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
    accepted_from = date_field(_("accepted from"))
    accepted_to = date_field(_("accepted to"))
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    completed_from = date_field(_("completed from"))
    completed_to = date_field(_("completed to"))
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
