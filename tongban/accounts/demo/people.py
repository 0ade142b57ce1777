"""The demo accounts: one or more for every role, all sharing one published password.

Security contract (security.md, "demo accounts only in demo mode"): every account made
here is marked ``is_demo``; the login refuses such accounts unless ``TONGBAN_DEMO=1``.
The TOTP secrets below are published in ``docs/demo.md`` so that anyone trying the
demo can produce a code; they protect nothing and must never be used elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tongban.accounts import services as accounts
from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.accounts.security import enrol_totp
from tongban.core.demo import DemoContext

# Passes the password rules: 13 characters, four character classes, contains no demo
# username, not a common password.
DEMO_PASSWORD = "Tianshui@2026"  # noqa: S105 - published demo credential


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    department: str
    section: str | None
    position: str
    mobile: str
    totp_secret: str = ""


def _staff(
    prefix: str,
    department: str,
    section: str,
    *,
    head: tuple[str, str],
    section_head: tuple[str, str],
    handlers: tuple[str, str],
    clerk: str,
    clerk_position: str = "窗口受理员",
    mobile_block: int,
) -> list[DemoUser]:
    """A department's demo team: its head, a section head with two handlers, and the
    clerk at its window. ``head`` and ``section_head`` are (name, position)."""

    def mobile(n: int) -> str:
        return f"1390938{mobile_block:02d}{n:02d}"

    return [
        DemoUser(
            f"{prefix}.head",
            head[0],
            RoleCode.DEPARTMENT_HEAD,
            department,
            None,
            head[1],
            mobile(1),
        ),
        DemoUser(
            f"{prefix}.sectionhead",
            section_head[0],
            RoleCode.SECTION_HEAD,
            department,
            section,
            section_head[1],
            mobile(2),
        ),
        DemoUser(
            f"{prefix}.handler1",
            handlers[0],
            RoleCode.HANDLER,
            department,
            section,
            "科员",
            mobile(3),
        ),
        DemoUser(
            f"{prefix}.handler2",
            handlers[1],
            RoleCode.HANDLER,
            department,
            section,
            "科员",
            mobile(4),
        ),
        DemoUser(
            f"{prefix}.clerk",
            clerk,
            RoleCode.WINDOW_CLERK,
            department,
            None,
            clerk_position,
            mobile(5),
        ),
    ]


USERS: list[DemoUser] = [
    # 三员: the platform is run from the city service hall's IT section.
    DemoUser(
        "sysadmin",
        "马志远",
        RoleCode.SYSTEM_ADMIN,
        "ZWFW",
        "ZWFW-XXK",
        "系统管理员",
        "13909380001",
        "HE33UMHJWJGFXBBESWGEOXPZ7ECPOEBK",
    ),
    DemoUser(
        "secadmin",
        "杨雪梅",
        RoleCode.SECURITY_ADMIN,
        "ZWFW",
        "ZWFW-XXK",
        "安全管理员",
        "13909380002",
        "PZW4ZO3YKWZHDA37QUV75SDSRWNSWV2I",
    ),
    DemoUser(
        "auditor",
        "赵文博",
        RoleCode.AUDIT_ADMIN,
        "ZWFW",
        "ZWFW-XXK",
        "审计管理员",
        "13909380003",
        "HRKO54SFBAUJ3WPF5F4CSYOIRHYGH46L",
    ),
    DemoUser(
        "jiancha",
        "陈建国",
        RoleCode.SUPERVISOR,
        "ZWFW",
        "ZWFW-DZJC",
        "电子监察室主任",
        "13909380004",
        "XM6F7OGX7IONLRM7QWDEKH2O7HWVIEG3",
    ),
    *_staff(
        "scjg",
        "SCJG",
        "SCJG-DJK",
        head=("张国华", "局长"),
        section_head=("刘晓燕", "登记注册科科长"),
        handlers=("王建军", "李娟"),
        clerk="周敏",
        mobile_block=1,
    ),
    *_staff(
        "zrzy",
        "ZRZY",
        "ZRZY-BDC",
        head=("孙海涛", "局长"),
        section_head=("何静", "不动产登记科科长"),
        handlers=("郭伟", "罗艳"),
        clerk="冯涛",
        mobile_block=2,
    ),
    *_staff(
        "zjj",
        "ZJJ",
        "ZJJ-SPK",
        head=("蒲瑞林", "局长"),
        section_head=("韩磊", "行政审批科科长"),
        handlers=("曹雪", "彭亮"),
        clerk="田芳",
        mobile_block=3,
    ),
    *_staff(
        "wjw",
        "WJW",
        "WJW-YZK",
        head=("雷振华", "主任"),
        section_head=("汪洋", "医政医管科科长"),
        handlers=("薛婷", "苏勇"),
        clerk="贾丽娟",
        mobile_block=4,
    ),
    *_staff(
        "qzq",
        "QZQ-ZWFW",
        "QZQ-ZWFW-SLK",
        head=("侯斌", "主任"),
        section_head=("魏霞", "综合受理科科长"),
        handlers=("牛小军", "安宁"),
        clerk="尹红",
        clerk_position="综合窗口受理员",
        mobile_block=5,
    ),
    # Further window clerks: the city hall's general window and a second county hall.
    DemoUser(
        "zwfw.clerk",
        "姚明轩",
        RoleCode.WINDOW_CLERK,
        "ZWFW",
        "ZWFW-ZHK",
        "综合窗口受理员",
        "13909380601",
    ),
    DemoUser(
        "mjq.clerk",
        "马秀兰",
        RoleCode.WINDOW_CLERK,
        "MJQ-ZWFW",
        "MJQ-ZWFW-SLK",
        "综合窗口受理员",
        "13909380701",
    ),
    # The city management bureau's handler gives its opinion on joint items (辅办), so
    # that the demo has a joint item every one of whose departments has staff.
    DemoUser("cgj.handler", "吕文斌", RoleCode.HANDLER, "CGJ", None, "科员", "13909380801"),
]


def load(context: DemoContext) -> None:
    """Create the demo accounts that do not exist yet (matched by username, whatever
    the case), with their role and, for the second-factor roles, TOTP enrolled."""
    existing = {
        u.username.lower(): u
        for u in User.objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=[d.username.lower() for d in USERS])
        .select_related("department", "section")
    }
    created = 0
    for demo in USERS:
        user = existing.get(demo.username.lower())
        if user is None:
            user = _create(demo, context)
            created += 1
        context.users[demo.username] = user
    context.count(
        _("Demo accounts"),
        created=created,
        total=User.objects.filter(is_demo=True).count(),
    )


@transaction.atomic
def _create(demo: DemoUser, context: DemoContext) -> User:
    # One transaction per account: an account never exists without its role or,
    # for the administrators and the supervisor, without its second factor.
    user = accounts.create_user(
        actor=None,
        username=demo.username,
        password=DEMO_PASSWORD,
        full_name=demo.full_name,
        department=context.departments[demo.department],
        section=context.departments[demo.section] if demo.section else None,
        position=demo.position,
        mobile=demo.mobile,
        must_change_password=False,
        is_demo=True,
        at=context.at,
    )
    accounts.assign_roles(actor=None, user=user, roles=[demo.role], at=context.at)
    if demo.totp_secret:
        enrol_totp(user=user, secret=demo.totp_secret, confirm=True, at=context.at)
    user.refresh_from_db()
    return user
