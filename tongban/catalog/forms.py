"""Input shapes of the catalogue's office pages (no rules here: the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Department, User
from tongban.dictionaries.models import ItemCategory, ItemType

from .models import HandlingType
from .selectors import SORTS, ItemFilters

YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class ItemQueryForm(forms.Form):
    """The staff query (seed §1.11 查询): every criterion optional."""

    code = forms.CharField(label=_("item code"), required=False, max_length=40)
    name = forms.CharField(label=_("name or short name"), required=False, max_length=100)
    item_type = forms.ModelChoiceField(
        label=_("item type"), queryset=ItemType.objects.all(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("item category"), queryset=ItemCategory.objects.all(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("department (with its sub-departments)"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
    )
    handling_type = forms.ChoiceField(
        label=_("handling type"),
        choices=[("", _("Any")), *HandlingType.choices],
        required=False,
    )
    limit_min = forms.IntegerField(
        label=_("promised limit from"), required=False, min_value=0, max_value=999
    )
    limit_max = forms.IntegerField(
        label=_("promised limit to"), required=False, min_value=0, max_value=999
    )
    online = forms.ChoiceField(label=_("online application"), choices=YES_NO, required=False)
    published = forms.ChoiceField(label=_("published"), choices=YES_NO, required=False)
    sort = forms.ChoiceField(label=_("sort by"), choices=[(k, k) for k in SORTS], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_type"].empty_label = _("Any")
        self.fields["category"].empty_label = _("Any")
        self.fields["department"].empty_label = _("Any")
        for field in self.fields.values():
            small = isinstance(field.widget, forms.Select)
            css = "form-select form-select-sm" if small else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("limit_min"), cleaned.get("limit_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "limit_max", _("The upper end of the limit range is below its lower end.")
            )
        return cleaned

    def filters(self) -> ItemFilters:
        data = self.cleaned_data
        return ItemFilters(
            code=data.get("code") or "",
            name=data.get("name") or "",
            item_type=data.get("item_type"),
            category=data.get("category"),
            department=data.get("department"),
            handling_type=data.get("handling_type") or "",
            limit_min=data.get("limit_min"),
            limit_max=data.get("limit_max"),
            online=_yes_no(data.get("online") or ""),
            published=_yes_no(data.get("published") or ""),
            sort=data.get("sort") or "code",
        )


class StaffForm(forms.Form):
    """Who may handle one step: the ids of the chosen people. Whether they qualify
    (active, in the step's department, holding its role) is the service's rule."""

    users = forms.ModelMultipleChoiceField(
        label=_("staff"), queryset=User.objects.filter(is_active=True), required=False
    )
