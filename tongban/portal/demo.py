"""Demo data of the public side: a citizen account with applications of its own,
ratings of completed cases (some bad, with their follow-ups), and questions, most of
them answered and public. Everything goes through the real services, at past
instants, so the figures page, the Q&A list and the heads' follow-ups open full.

Idempotent: each part is skipped once it exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils.text import capfirst

from tongban.accounts.demo.people import DEMO_PASSWORD
from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.cases.models import ApplicantKind, Case, CaseStatus
from tongban.citizens.models import Citizen, index_mobile
from tongban.core.demo import DemoContext
from tongban.qa import services as qa
from tongban.qa.models import Question
from tongban.ratings.models import Rating, RatingLevel
from tongban.ratings.services import rate_case

DEMO_SEED = 2026
# The demo citizen's login (password: the demo password; the loader refuses production).
CITIZEN_MOBILE = "13993800001"
CITIZEN_NAME = "张明远"

COMMENTS = {
    RatingLevel.VERY_SATISFIED: ["窗口服务热情，一次办好。", "网上申报很方便，没跑腿。"],
    RatingLevel.SATISFIED: ["办理及时，材料要求清楚。", "比预计时间提前办结。"],
    RatingLevel.FAIRLY_SATISFIED: ["总体可以，排队时间稍长。"],
    RatingLevel.DISSATISFIED: ["补正要求前后不一致，多跑了一趟。"],
    RatingLevel.VERY_DISSATISFIED: ["超过承诺时限才办结，电话也打不通。"],
}
REASONS = {
    RatingLevel.DISSATISFIED: "一次性告知不到位",
    RatingLevel.VERY_DISSATISFIED: "办理超时，咨询无人应答",
}

QUESTIONS = [
    (
        "个体工商户营业执照能否网上办理？",
        "我想开一家小餐馆，个体户营业执照可以在网上申请吗？需要到窗口吗？",
        True,
    ),
    (
        "食品经营许可需要准备哪些材料？",
        "请问食品经营许可证新办需要提交哪些材料，场所平面图有格式要求吗？",
        True,
    ),
    ("办件查询码丢了怎么办？", "受理通知书找不到了，没有查询码还能查询办理进度吗？", True),
    ("企业名称变更后需要换证吗？", "公司名称变更登记后，其他许可证件是否需要同步变更？", True),
    ("周末可以到大厅办理业务吗？", "市政务服务中心周六是否有窗口上班？", True),
    ("建设工程规划许可办理时限", "建设工程规划许可证的承诺时限是多少个工作日？", False),
    ("医师执业注册变更", "医师变更执业地点需要原单位出具什么证明？", True),
    (
        "补正材料可以邮寄吗？",
        "收到补正告知书，外地工作不方便回来，补正材料能否邮寄或网上提交？",
        True,
    ),
]

ANSWER = (
    "您好！您咨询的事项可通过天水市政务服务网“办事指南”查看完整的申请材料和办理流程，"
    "支持网上申报的事项可登录后在线提交，补正材料也可在“我的办件”中在线上传。"
    "如仍有疑问，请拨打部门咨询电话。感谢您的关注！"
)


def load(context: DemoContext) -> None:
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not a secret
    citizen = _citizen(context)
    context.count(capfirst(Citizen._meta.verbose_name_plural), created=citizen, total=1)
    context.count(
        capfirst(Rating._meta.verbose_name_plural),
        created=_ratings(context, rng),
        total=Rating.objects.count(),
    )
    context.count(
        capfirst(Question._meta.verbose_name_plural),
        created=_questions(context, rng),
        total=Question.objects.count(),
    )


def _citizen(context: DemoContext) -> int:
    """The demo citizen, who applied online for their company: the completed cases of
    a few organisations become this account's, so "my applications" has cases to rate."""
    if Citizen.objects.filter(mobile_index=index_mobile(CITIZEN_MOBILE)).exists():
        return 0
    citizen = Citizen(name=CITIZEN_NAME, created_at=context.at, password_changed_at=context.at)
    citizen.set_mobile(CITIZEN_MOBILE)
    citizen.set_password(DEMO_PASSWORD)
    citizen.save()
    mine = (
        Case.objects.filter(applicant_kind=ApplicantKind.ORGANISATION, citizen=None)
        .filter(status__in=[CaseStatus.COMPLETED, CaseStatus.IN_PROGRESS])
        .order_by("-received_at")
        .values_list("pk", flat=True)[:4]
    )
    Case.objects.filter(pk__in=list(mine)).update(citizen=citizen)
    return 1


def _ratings(context: DemoContext, rng: random.Random) -> int:
    """About a third of the completed cases are rated, the day after completion;
    most are good, a few bad (each opens a follow-up for the department head). The
    demo citizen's own cases are left for the visitor to rate."""
    if Rating.objects.exists():
        return 0
    levels = list(RatingLevel)
    weights = [55, 28, 10, 5, 2]  # 非常满意 … 非常不满意
    created = 0
    completed = Case.objects.filter(status=CaseStatus.COMPLETED, citizen=None).order_by("pk")
    for case in completed.iterator():
        if rng.random() > 0.35:
            continue
        at = (case.closed_at or context.at) + dt.timedelta(hours=20)
        if at >= context.at:
            continue
        level = rng.choices(levels, weights)[0]
        rate_case(
            case=case,
            level=level,
            comment=rng.choice(COMMENTS[level]),
            reason=REASONS.get(level, ""),
            at=at,
            channel="portal",
        )
        created += 1
    return created


def _questions(context: DemoContext, rng: random.Random) -> int:
    """Questions to the departments that have a head; all but the last two answered
    by that head within a few days (the last two wait in the office's queue, one of
    them past its limit)."""
    if Question.objects.exists():
        return 0
    heads = list(
        User.objects.filter(is_active=True, roles__code=RoleCode.DEPARTMENT_HEAD)
        .exclude(department=None)
        .select_related("department")
        .order_by("username")
    )
    if not heads:
        return 0
    created = 0
    for n, (title, content, public) in enumerate(QUESTIONS):
        head = heads[n % len(heads)]
        asked = context.at - dt.timedelta(days=40 - 5 * n, hours=rng.randint(0, 8))
        question = qa.ask_question(
            title=title,
            content=content,
            contact_name=rng.choice(["王先生", "李女士", "赵先生", "陈女士"]),
            contact_mobile=f"1389380{1000 + n:04d}",
            allow_public=public,
            at=asked,
            department=head.department,
        )
        created += 1
        if n < len(QUESTIONS) - 2:
            qa.answer_question(
                actor=head,
                question=question,
                answer=ANSWER,
                at=asked + dt.timedelta(days=rng.randint(1, 3)),
            )
    return created
