"""The staff's saved opinion phrases (常用意见)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import ValidationFailed

from .. import forms, services
from ..models import OpinionTemplate
from ._access import cases_required
from ._shared import _add_errors, _now


def _template_or_404(user, pk: int) -> OpinionTemplate:
    template = OpinionTemplate.objects.filter(user=user, pk=pk).first()
    if template is None:
        raise Http404
    return template


@cases_required
def opinions(request):
    """常用意见: the user's own phrases; POST adds one."""
    form = forms.OpinionTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_opinion_template(
                actor=request.user, at=_now(), text=form.cleaned_data["text"]
            )
        except ValidationFailed as exc:
            _add_errors(form, exc.fields)
        else:
            messages.success(request, _("The phrase was saved."))
            return redirect("cases:opinions")
    templates = OpinionTemplate.objects.filter(user=request.user)
    return render(request, "cases/opinions.html", {"form": form, "templates": templates})


@require_POST
@cases_required
def opinion_edit(request, pk: int):
    template = _template_or_404(request.user, pk)
    form = forms.OpinionTemplateForm(request.POST)
    if form.is_valid():
        try:
            services.save_opinion_template(
                actor=request.user, at=_now(), text=form.cleaned_data["text"], template=template
            )
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The phrase was saved."))
    return redirect("cases:opinions")


@require_POST
@cases_required
def opinion_delete(request, pk: int):
    template = _template_or_404(request.user, pk)
    services.delete_opinion_template(actor=request.user, at=_now(), template=template)
    messages.success(request, _("The phrase was deleted."))
    return redirect("cases:opinions")
