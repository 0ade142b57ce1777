"""Input shapes of the case pages. No rules here: the services decide, and their
``ValidationFailed.fields`` are mapped back onto these forms by the views."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import HandlingType, SpecialProcedureKind
from tongban.core.forms import BootstrapForm

from .models import ApplicantKind, CaseStatus, Channel, Decision, IdType, Outcome
from .selectors import SORTABLE, CaseFilters

TEXTAREA = {"rows": 3, "class": "form-control"}


# --- intake --------------------------------------------------------------------------


class ItemSearchForm(BootstrapForm):
    q = forms.CharField(label=_("Item code or name"), required=False, max_length=100)


class ApplicantForm(BootstrapForm):
    """The applicant at the counter. Everything is checked by the intake service
    (ID number checksum, mobile, …), so the fields here only shape the input."""

    prefix = "applicant"

    kind = forms.ChoiceField(
        label=_("applicant type"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    name = forms.CharField(label=_("applicant"), max_length=100, required=False)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("ID number"), max_length=40, required=False)
    mobile = forms.CharField(label=_("mobile number"), max_length=20, required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A shared counter computer must not offer one applicant's data to the next.
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"


# --- actions on the case page ----------------------------------------------------------


class OpinionForm(BootstrapForm):
    opinion = forms.CharField(
        label=_("opinion"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class AcceptForm(OpinionForm):
    pledge_due_on = forms.DateField(
        label=_("Materials pledged by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when non-essential materials are missing (容缺受理)."),
    )


class ReasonsForm(BootstrapForm):
    reasons = forms.CharField(
        label=_("reasons"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("reason"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class SupplementRequestForm(BootstrapForm):
    items = forms.CharField(
        label=_("What the applicant must supply (one per line)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class SupplementForm(BootstrapForm):
    """A supplement handed in: for each listed material, the pages counted or a file."""

    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class OutcomeForm(OpinionForm):
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=Outcome.choices, initial=Outcome.APPROVED
    )
    certificate_number = forms.CharField(
        label=_("certificate number"), required=False, max_length=80
    )


class StepForm(BootstrapForm):
    """Acting on one step: which one (a user may hold a lead and an assisting step)."""

    step_id = forms.TypedChoiceField(label=_("step"), coerce=int, choices=())

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_id"].choices = [(s.pk, f"{s.name} · {s.department}") for s in steps]
        if len(self.fields["step_id"].choices) == 1:
            self.fields["step_id"].widget = forms.HiddenInput()
            self.fields["step_id"].initial = self.fields["step_id"].choices[0][0]


class AdvanceForm(StepForm, OpinionForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=Decision.choices, initial=Decision.AGREE
    )
    return_to = forms.TypedChoiceField(
        label=_("Return to"), coerce=int, required=False, empty_value=None, choices=()
    )

    field_order = ["step_id", "decision", "return_to", "opinion"]

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["data-decision"] = "1"
        self.fields["return_to"].choices = [("", "—")] + [(s.pk, s.name) for s in targets]


class CompleteForm(StepForm, OutcomeForm):
    field_order = ["step_id", "outcome", "certificate_number", "opinion"]


class SuspendForm(BootstrapForm):
    procedure = forms.ChoiceField(label=_("procedure"), choices=())
    reason = forms.CharField(
        label=_("reason"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SpecialProcedureKind.choices)
        self.fields["procedure"].choices = [
            (p.kind, f"{labels.get(p.kind, p.kind)} ({p.limit_days})") for p in procedures
        ]


class ExtensionRequestForm(BootstrapForm):
    days = forms.IntegerField(label=_("working days"), min_value=1, max_value=60)
    reason = forms.CharField(
        label=_("reason"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ExtensionDecisionForm(BootstrapForm):
    extension_id = forms.IntegerField(widget=forms.HiddenInput())
    approve = forms.TypedChoiceField(
        label=_("decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class AssignForm(StepForm):
    assignee = forms.TypedChoiceField(label=_("handler"), coerce=int, choices=())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, u.display_name) for u in people]


class UrgeForm(BootstrapForm):
    message = forms.CharField(
        label=_("message"), required=False, max_length=300, widget=forms.Textarea(attrs=TEXTAREA)
    )


class OpinionTemplateForm(BootstrapForm):
    text = forms.CharField(label=_("phrase"), max_length=300, required=False)


# --- queries -------------------------------------------------------------------------

STATUS_CHOICES = [("", _("Any")), ("open", _("Open (not closed)")), *CaseStatus.choices]


class CaseQueryForm(BootstrapForm):
    """The combined query (审批结果查询) over ``selectors.CaseFilters``."""

    small = True

    number = forms.CharField(label=_("case number"), required=False, max_length=40)
    applicant = forms.CharField(label=_("applicant"), required=False, max_length=100)
    id_number = forms.CharField(label=_("ID number (exact)"), required=False, max_length=40)
    mobile = forms.CharField(label=_("mobile number (exact)"), required=False, max_length=20)
    item = forms.CharField(label=_("item code or name"), required=False, max_length=100)
    department = forms.CharField(label=_("department code"), required=False, max_length=32)
    hall = forms.CharField(label=_("hall code"), required=False, max_length=32)
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    handling_type = forms.ChoiceField(
        label=_("handling type"), choices=[("", _("Any")), *HandlingType.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=[("", _("Any")), *Channel.choices], required=False
    )
    received_by = forms.CharField(label=_("acceptor (user name)"), required=False, max_length=150)
    accepted_from = forms.DateField(
        label=_("accepted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    accepted_to = forms.DateField(
        label=_("accepted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    handled_by_me = forms.BooleanField(label=_("handled by me"), required=False)
    order = forms.ChoiceField(
        choices=[(o, o) for o in sorted(SORTABLE)], required=False, widget=forms.HiddenInput()
    )

    def filters(self, today: dt.date) -> CaseFilters:
        data = self.cleaned_data
        return CaseFilters(
            number=data["number"],
            applicant=data["applicant"],
            id_number=data["id_number"],
            mobile=data["mobile"],
            item=data["item"],
            department=data["department"],
            hall=data["hall"],
            status=data["status"],
            handling_type=data["handling_type"],
            channel=data["channel"],
            received_by=data["received_by"],
            accepted_from=data["accepted_from"],
            accepted_to=data["accepted_to"],
            overdue=data["overdue"],
            handled_by_me=data["handled_by_me"],
            today=today,
            order=data["order"] or "-received_at",
        )
