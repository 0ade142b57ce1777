"""The module gate (accounts.access): who it opens for."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tongban.accounts import services
from tongban.accounts.access import holds_role, module_required
from tongban.accounts.models import User
from tongban.accounts.roles import Module, RoleCode

pytestmark = pytest.mark.django_db


def test_it_opens_for_a_module_of_the_role(personas):
    gate = module_required(Module.REPORTS)
    assert gate.allows(personas.section_head)
    assert not gate.allows(personas.handler)
    assert not gate.allows(AnonymousUser())


def test_it_opens_for_a_granted_module(personas):
    gate = module_required(Module.REPORTS)
    services.grant_module(
        actor=None, module=Module.REPORTS, user=personas.handler, at=timezone.now()
    )
    assert gate.allows(User.objects.get(pk=personas.handler.pk))


def test_the_extra_predicate_opens_it_too(personas):
    gate = module_required(Module.SUPERVISION, also=holds_role(RoleCode.DEPARTMENT_HEAD))
    assert gate.allows(personas.supervisor)
    assert gate.allows(personas.department_head)
    assert not gate.allows(personas.section_head)
    assert not gate.allows(AnonymousUser())


def test_it_never_opens_for_an_inactive_user(personas):
    personas.supervisor.is_active = False
    assert not module_required(Module.SUPERVISION).allows(personas.supervisor)


def test_a_gate_must_say_who_it_opens_for():
    with pytest.raises(TypeError):
        module_required()
