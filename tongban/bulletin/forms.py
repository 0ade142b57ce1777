"""Input shapes of the bulletin pages. No rules here: the services decide, and their
``ValidationFailed.fields`` are mapped back onto these forms by the views."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Department, Role
from tongban.accounts.roles import ADMIN_ROLES
from tongban.core.forms import BootstrapForm

from .models import AnnouncementCategory, AudienceKind

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (the services check each one)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AnnouncementForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=AnnouncementCategory.objects.filter(is_active=True)
    )
    audience = forms.ChoiceField(
        label=_("audience"),
        choices=AudienceKind.choices,
        initial=AudienceKind.ALL,
        widget=forms.RadioSelect,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("audience departments"),
        queryset=Department.objects.active(),
        required=False,
        help_text=_("Each department includes its sections and sub-units."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("audience roles"),
        queryset=Role.objects.exclude(code__in=ADMIN_ROLES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.CharField(
        label=_("body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "HTML is allowed: paragraphs, bold, italic, lists, headings, tables, quotations "
            "and links. Scripts, styles and event handlers are removed."
        ),
    )
    pinned = forms.BooleanField(label=_("pin to top"), required=False)
    publish_from = forms.DateTimeField(
        label=_("published from"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        required=False,
        help_text=_("Leave empty to publish now."),
    )
    publish_until = forms.DateTimeField(
        label=_("published until"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        required=False,
        help_text=_("Leave empty to keep it published."),
    )
    attachments = MultipleFileField(
        label=_("attachments"),
        required=False,
        help_text=_("PDF, Word, OFD, Excel, JPEG or PNG; several files may be chosen."),
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("remove attachments"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_attachments"].choices = [(a.pk, a.name) for a in attachments]
        if not attachments:
            del self.fields["remove_attachments"]


class CategoryForm(BootstrapForm):
    code = forms.CharField(
        label=_("code"),
        max_length=32,
        help_text=_("Lower-case letters, digits and hyphens."),
    )
    name = forms.CharField(label=_("name"), max_length=60)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    is_public = forms.BooleanField(label=_("for public use"), required=False)


class DirectorySearchForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    unit = forms.ModelChoiceField(
        label=_("unit"),
        queryset=Department.objects.active(),
        required=False,
        empty_label=_("All units"),
    )


class DirectoryEntryForm(BootstrapForm):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Department.objects.active())
    office = forms.CharField(label=_("office"), max_length=100, required=False)
    name = forms.CharField(label=_("name"), max_length=60)
    position = forms.CharField(label=_("position"), max_length=60, required=False)
    number = forms.CharField(label=_("number"), max_length=40, required=False)
    mobile = forms.CharField(label=_("mobile number"), max_length=11, required=False)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, initial=0)
