"""Input shapes of the Q&A pages; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import Item

from . import selectors, services


class StyledForm(forms.Form):
    """Bootstrap classes on the widgets (Django ties help text and errors to the
    inputs with aria-describedby / aria-invalid itself)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = (
                    "form-select" if isinstance(widget, forms.Select) else "form-control"
                )


class AskForm(StyledForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=selectors.public_departments(),
        required=False,
        empty_label=_("— choose —"),
    )
    item = forms.CharField(
        label=_("Item code (optional)"),
        required=False,
        max_length=40,
        help_text=_("If the question is about one service item, its code from the service guide."),
    )
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX)
    content = forms.CharField(
        label=_("Your question"),
        max_length=services.CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=services.NAME_MAX)
    contact_mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("We send you an SMS when the answer is ready. Never shown in full."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    allow_public = forms.BooleanField(
        label=_("The question and its answer may be published (your name and number masked)"),
        required=False,
        initial=True,
    )

    def clean_item(self):
        code = self.cleaned_data.get("item", "").strip()
        if not code:
            return None
        item = Item.objects.published().select_related("department").filter(code=code).first()
        if item is None:
            raise forms.ValidationError(_("No published item has this code."))
        return item


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=services.ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    publish = forms.BooleanField(
        label=_("Publish on the portal (only if the asker allowed it)"),
        required=False,
        initial=True,
    )


class AssignForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = services.assignable_staff(question)
        self.fields["assignee"].label_from_instance = lambda u: u.display_name


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=services.NOTE_MAX, required=False)
