"""Bootstrap's classes on the widgets of a Django form, written once for every page:
forms stay free of markup otherwise, and ``small`` is the size of the filter bars."""

from __future__ import annotations

from typing import Any

from django import forms

CHECKS = (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)


def dress(form: forms.BaseForm, *, small: bool = False) -> None:
    """Give every widget its Bootstrap class, unless the form set one itself."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, CHECKS):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + (" form-select-sm" if small else "")
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)


class BootstrapForm(forms.Form):
    small = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dress(self, small=self.small)
