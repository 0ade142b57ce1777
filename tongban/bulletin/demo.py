"""Demo data of public information: four categories, about eight announcements (some
public, one pinned, one with an attachment) and the phone directory synced from the
accounts. Idempotent: categories are matched by code, announcements by title."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode

from . import services
from .models import Announcement, AnnouncementCategory, AudienceKind

CATEGORIES = [
    # code, name, order, public use
    ("news", "新闻动态", 10, False),
    ("meeting", "会议通知", 20, False),
    ("document", "文件公告", 30, False),
    ("disclosure", "政务公开", 40, True),
]

# A one-page PDF, enough for the attachment to download and open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _announcements(departments: list[Department]) -> list[dict]:
    return [
        {
            "title": "关于开展2026年度政务服务“好差评”专项工作的通知",
            "category": "document",
            "pinned": True,
            "days_ago": 1,
            "body": "<p>各部门、各窗口：</p>"
            "<p>为进一步提升政务服务水平，现就“好差评”专项工作通知如下：</p>"
            "<ol><li>各窗口应主动邀请办事群众评价；</li><li>差评件须在3个工作日内回访整改；</li>"
            "<li>每月5日前报送上月整改情况。</li></ol><p>附件为工作方案，请认真组织落实。</p>",
            "attachment": True,
        },
        {
            "title": "市政务服务中心召开第二季度工作推进会",
            "category": "news",
            "days_ago": 3,
            "body": "<p>近日，市政务服务中心召开第二季度工作推进会，"
            "总结上季度<strong>“一网通办”</strong>"
            "推进情况，部署下一阶段重点任务。</p>",
        },
        {
            "title": "关于召开窗口业务培训会的通知",
            "category": "meeting",
            "days_ago": 2,
            "audience": AudienceKind.ROLES,
            "roles": [RoleCode.WINDOW_CLERK, RoleCode.HANDLER],
            "body": "<p><strong>时间：</strong>本周五下午3:00</p><p><strong>地点：</strong>"
            "市政务服务中心三楼会议室</p><p>请各窗口人员准时参加。</p>",
        },
        {
            "title": "部门内部：办件质量抽查安排",
            "category": "meeting",
            "days_ago": 5,
            "audience": AudienceKind.DEPARTMENTS,
            "departments": departments[:1],
            "body": "<p>本月将对已办结事项进行抽查，请各科室提前自查材料归档情况。</p>",
        },
        {
            "title": "关于调整市民服务热线受理时间的公告",
            "category": "disclosure",
            "audience": AudienceKind.PUBLIC,
            "days_ago": 4,
            "body": "<p>自下月1日起，12345市民服务热线人工受理时间调整为每日8:00至22:00，"
            "其余时间可通过网站留言。</p>",
        },
        {
            "title": "市政务服务中心端午节期间办公安排",
            "category": "disclosure",
            "audience": AudienceKind.PUBLIC,
            "days_ago": 6,
            "body": "<p>端午节放假期间，市政务服务中心暂停窗口服务，网上办事大厅正常受理申请，"
            "节后第一个工作日起依序办理。</p>",
        },
        {
            "title": "企业开办“一日办结”改革实施情况公开",
            "category": "disclosure",
            "audience": AudienceKind.PUBLIC,
            "days_ago": 9,
            "body": "<p>今年以来，全市新设企业平均开办时间压缩至1个工作日以内。</p>"
            "<table><thead><tr><th>季度</th><th>新设企业</th><th>平均用时</th></tr></thead>"
            "<tbody><tr><td>第一季度</td><td>1,204户</td><td>0.8天</td></tr></tbody></table>",
        },
        {
            "title": "信息化系统例行维护通知",
            "category": "news",
            "days_ago": 12,
            "until_days": 30,
            "body": "<p>本周六凌晨0:00至4:00进行系统例行维护，期间系统暂停使用。</p>",
        },
    ]


def load_demo(at: dt.datetime) -> dict[str, int]:
    """Create what is missing; return how many categories and announcements were new."""
    created = {"categories": 0, "announcements": 0}
    categories = {c.code: c for c in AnnouncementCategory.objects.all()}
    for code, name, order, public in CATEGORIES:
        if code not in categories:
            categories[code] = services.save_category(
                actor=None, code=code, name=name, sort_order=order, is_public=public, at=at
            )
            created["categories"] += 1
    author = (
        User.objects.filter(is_active=True, roles__code=RoleCode.DEPARTMENT_HEAD)
        .exclude(department=None)
        .order_by("username")
        .first()
    )
    departments = [author.department] if author else list(Department.objects.active()[:1])
    existing = set(Announcement.objects.values_list("title", flat=True))
    from tongban.accounts.models import Role

    for spec in _announcements(departments):
        if spec["title"] in existing:
            continue
        audience = spec.get("audience", AudienceKind.ALL)
        if audience == AudienceKind.DEPARTMENTS and not spec.get("departments"):
            continue
        publish_from = at - dt.timedelta(days=spec["days_ago"])
        until = spec.get("until_days")
        attachments = []
        if spec.get("attachment"):
            attachments = [
                SimpleUploadedFile("好差评工作方案.pdf", DEMO_PDF, content_type="application/pdf")
            ]
        services.publish_announcement(
            actor=None,
            author=author,
            title=spec["title"],
            category=categories[spec["category"]],
            body=spec["body"],
            audience=audience,
            departments=spec.get("departments", []),
            roles=list(Role.objects.filter(code__in=spec.get("roles", []))),
            pinned=spec.get("pinned", False),
            publish_from=publish_from,
            publish_until=publish_from + dt.timedelta(days=until) if until else None,
            attachments=attachments,
            at=publish_from,
        )
        created["announcements"] += 1
    if created["categories"]:
        # The first load only: later accounts are kept in step by the signal, and a
        # re-sync on every start would add an audit record each time.
        services.sync_directory_from_users(actor=None, at=at)
    return created


def load(context) -> None:
    """The demo loader's step (``tongban.site.demo.STEPS``)."""
    created = load_demo(context.at)
    context.count(
        _("announcement categories"),
        created=created["categories"],
        total=AnnouncementCategory.objects.count(),
    )
    context.count(
        _("announcements"), created=created["announcements"], total=Announcement.objects.count()
    )
