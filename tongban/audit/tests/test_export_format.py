"""Formula neutralisation and readable action names in exports."""

from __future__ import annotations

import pytest

from tongban.audit.actions import action_label
from tongban.audit.export import neutralise


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_it_neutralises_every_formula_prefix(prefix):
    assert neutralise(f"{prefix}1+1") == f"'{prefix}1+1"


@pytest.mark.parametrize("value", ["", "张三", "10.0.0.7", "a=b", "'quoted"])
def test_it_leaves_ordinary_values_alone(value):
    assert neutralise(value) == value


def test_it_names_actions_in_chinese(db):
    assert action_label("login.success") == "登录成功"
    assert action_label("item.create") == "新增事项"
    assert action_label("unknown.thing") == "unknown.thing"
