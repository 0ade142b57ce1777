"""Readable names of the timeline's action codes (the audit log uses ``case.<code>``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TIMELINE_LABELS = {
    "receive": _("Application received"),  # 收件
    "accept": _("Accepted"),  # 受理
    "accept_pending": _("Accepted with materials pending"),  # 容缺受理
    "deemed_accept": _("Deemed accepted"),  # 视为受理
    "reject": _("Not accepted"),  # 不予受理
    "request_supplement": _("Supplement requested"),  # 补正告知
    "supplement": _("Materials supplemented"),  # 补正
    "supply_pledged": _("Pledged materials handed in"),  # 容缺材料补交
    "claim": _("Step claimed"),  # 签收
    "assign": _("Step assigned"),  # 派件
    "advance": _("Step finished"),  # 办理
    "return": _("Returned to an earlier step"),  # 退回
    "complete": _("Completed"),  # 办结
    "handle_immediately": _("Handled on the spot"),  # 即办
    "suspend": _("Special procedure started"),  # 特别程序
    "resume": _("Special procedure ended"),  # 恢复计时
    "request_extension": _("Extension requested"),  # 申请延期
    "approve_extension": _("Extension approved"),  # 同意延期
    "refuse_extension": _("Extension refused"),  # 不同意延期
    "withdraw": _("Withdrawn"),  # 撤回
    "terminate": _("Terminated"),  # 终止
    "urge": _("Urged"),  # 催办
    "deadline_recomputed": _("Deadline recomputed"),  # 时限重算
}


def timeline_label(code: str) -> str:
    return str(TIMELINE_LABELS.get(code, code))
