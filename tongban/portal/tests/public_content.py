"""Announcements and questions for the home page and site search tests, made through
the bulletin and Q&A services: public ones the portal must show, and an internal
announcement, an expired one and questions not (or not yet) public that it must not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tongban.bulletin import services as bulletin
from tongban.bulletin.models import Announcement, AnnouncementCategory, AudienceKind
from tongban.core.clock import now
from tongban.qa import services as qa
from tongban.qa.models import Question

from .catalogue import Catalogue


@dataclass
class PublicContent:
    disclosure: AnnouncementCategory  # 政府信息公开
    notices: AnnouncementCategory  # 通知公告
    internal: AnnouncementCategory  # not for the public
    fee_notice: Announcement  # public, in "notices"
    budget: Announcement  # public, in "disclosure"
    staff_meeting: Announcement  # internal, mentions 食品 too
    expired: Announcement  # public but its window has passed
    answered: Question  # answered and published
    private: Question  # answered, but the asker did not allow publishing
    waiting: Question  # not answered yet


def category(code: str, name: str, *, is_public: bool, sort_order: int) -> AnnouncementCategory:
    return AnnouncementCategory.objects.filter(code=code).first() or bulletin.save_category(
        actor=None,
        code=code,
        name=name,
        is_public=is_public,
        sort_order=sort_order,
        at=timezone.now(),
    )


def announce(title: str, cat: AnnouncementCategory, *, audience=AudienceKind.PUBLIC, **kwargs):
    at = kwargs.pop("at", None) or now()
    return bulletin.publish_announcement(
        actor=None,
        title=title,
        category=cat,
        body=kwargs.pop("body", f"<p>{title}的正文。</p>"),
        audience=audience,
        publish_from=kwargs.pop("publish_from", at - dt.timedelta(hours=1)),
        at=at,
        **kwargs,
    )


def ask(
    catalogue: Catalogue, title: str, *, allow_public: bool = True, mobile: str = "13912345678"
) -> Question:
    return qa.ask_question(
        title=title,
        content=f"{title}？请问具体怎么办理。",
        contact_name="刘群众",
        contact_mobile=mobile,
        allow_public=allow_public,
        item=catalogue.food,
        at=now() - dt.timedelta(days=1),
    )


def build_public_content(catalogue: Catalogue, personas) -> PublicContent:
    disclosure = category("gkxx", "政府信息公开", is_public=True, sort_order=1)
    notices = category("tzgg", "通知公告", is_public=True, sort_order=2)
    internal = category("nbtz", "内部通知", is_public=False, sort_order=3)
    at = now()
    fee_notice = announce("关于食品经营许可收费标准的公告", notices)
    budget = announce("2025年市场监管局部门预算公开", disclosure)
    staff_meeting = announce("食品经营许可科室内部会议通知", internal, audience=AudienceKind.ALL)
    expired = announce(
        "已过期的食品安全抽检公告",
        notices,
        publish_from=at - dt.timedelta(days=30),
        publish_until=at - dt.timedelta(days=1),
    )
    answered = ask(catalogue, "食品经营许可证多久能办好")
    qa.answer_question(
        actor=personas.handler, question=answered, answer="承诺20个工作日内办结。", at=at
    )
    private = ask(catalogue, "食品经营许可证能否加急", allow_public=False)
    qa.answer_question(actor=personas.handler, question=private, answer="不能加急。", at=at)
    waiting = ask(catalogue, "食品经营许可证需要体检证明吗")
    return PublicContent(
        disclosure=disclosure,
        notices=notices,
        internal=internal,
        fee_notice=fee_notice,
        budget=budget,
        staff_meeting=staff_meeting,
        expired=expired,
        answered=answered,
        private=private,
        waiting=waiting,
    )
