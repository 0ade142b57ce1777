"""Readable names for audit action codes (``<thing>.<verb>``).

Codes stay as written in the log (they are part of the hashed content); these labels
are only for display. Unknown codes are named from their parts when both are known
(``item.create`` → "Create item", 新增事项) and shown as written otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Any] = {
    "login.success": _("Login succeeded"),
    "login.failure": _("Login failed"),
    "login.password": _("Password accepted, second factor pending"),
    "login.locked": _("Account locked"),
    "logout": _("Logout"),
    "password.change": _("Password changed"),
    "totp.enrol": _("Authenticator enrolled"),
    "totp.failure": _("Second factor failed"),
    "totp.reset": _("Authenticator reset"),
    "api_token.create": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
    "user.create": _("User created"),
    "user.update": _("User changed"),
    "user.enable": _("User enabled"),
    "user.disable": _("User disabled"),
    "user.password_reset": _("Password reset"),
    "user.sessions_ended": _("Sessions ended"),
    "user.roles": _("Roles changed"),
    "user.groups": _("Groups changed"),
    "group.create": _("Group created"),
    "group.update": _("Group changed"),
    "group.delete": _("Group deleted"),
    "group.members": _("Group members changed"),
    "permission.grant": _("Permission granted"),
    "permission.revoke": _("Permission revoked"),
    "department.create": _("Department created"),
    "department.update": _("Department changed"),
    "department.delete": _("Department deleted"),
    "dictionary.create": _("Dictionary entry created"),
    "dictionary.update": _("Dictionary entry changed"),
    "dictionary.delete": _("Dictionary entry deleted"),
    "holiday.create": _("Holiday created"),
    "holiday.update": _("Holiday changed"),
    "holiday.delete": _("Holiday deleted"),
    "adjusted_workday.create": _("Adjusted working day created"),
    "adjusted_workday.delete": _("Adjusted working day deleted"),
    "calendar.seed": _("Working-day calendar seeded"),
    "calendar.import": _("Working-day calendar imported"),
    "audit.verify": _("Audit log verified"),
    "audit.export": _("Audit log exported"),
    "audit.purge": _("Audit log purged"),
    "item.create": _("Item created"),
    "item.update": _("Item changed"),
    "item.process": _("Item process changed"),
    "item.materials": _("Item materials changed"),
    "item.form": _("Item application form changed"),
    "item.special_procedures": _("Item special procedures changed"),
    "item.links": _("Item basis and themes changed"),
    "item.publish": _("Item published"),
    "item.withdraw": _("Item withdrawn"),
    "item.delete": _("Item deleted"),
    "item.staff": _("Item staff assignment changed"),
    "item.export": _("Items exported"),
    "item.import": _("Items imported"),
    "basis.create": _("Policy basis created"),
    "basis.update": _("Policy basis changed"),
    "basis.delete": _("Policy basis deleted"),
    "theme.create": _("Theme created"),
    "theme.update": _("Theme changed"),
    "theme.delete": _("Theme deleted"),
}
# Electronic supervision.
ACTION_LABELS.update(
    {
        "card.yellow": _("Yellow card issued"),
        "card.red": _("Red card issued"),
        "card.rectify": _("Rectification note recorded"),
        "supervision.export": _("Supervision list exported"),
        "alert.special_overrun": _("Special procedure over its limit"),
        "alert.pledge_overdue": _("Pledged materials overdue"),
    }
)
# Not a timeline event: a reveal changes nothing on the case, it is only audited.
ACTION_LABELS["case.reveal"] = _("Personal data revealed")
# Citizen accounts of the portal (citizens app).
ACTION_LABELS["citizen.code"] = _("Citizen verification code sent")
ACTION_LABELS["citizen.register"] = _("Citizen registered")
ACTION_LABELS["citizen.login"] = _("Citizen login succeeded")
ACTION_LABELS["citizen.login_failure"] = _("Citizen login failed")
ACTION_LABELS["citizen.locked"] = _("Citizen login locked")
ACTION_LABELS["citizen.logout"] = _("Citizen logout")
ACTION_LABELS["citizen.password_change"] = _("Citizen password changed")
ACTION_LABELS["citizen.password_reset"] = _("Citizen password reset")

VERB_LABELS = {
    "create": _("Create"),
    "update": _("Change"),
    "delete": _("Delete"),
    "export": _("Export"),
    "import": _("Import"),
    "reveal": _("Reveal"),
}

THING_LABELS = {
    "user": _("user"),
    "department": _("department"),
    "dictionary": _("dictionary entry"),
    "holiday": _("holiday"),
    "item": _("item"),
    "case": _("case"),
    "setting": _("setting"),
}


def register_action_labels(labels: Mapping[str, Any]) -> None:
    """Add an app's labels (code -> lazy translated label), from its ``AppConfig.ready``:
    the audit log sits below every app, so the apps tell it their names."""
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    if label is not None:
        return str(label)
    thing, _dot, verb = code.partition(".")
    if thing in THING_LABELS and verb in VERB_LABELS:
        return gettext("%(verb)s %(thing)s") % {
            "verb": VERB_LABELS[verb],
            "thing": THING_LABELS[thing],
        }
    return code


# Public information (bulletin): announcements, categories, the phone directory.
ACTION_LABELS["announcement.publish"] = _("Announcement published")
ACTION_LABELS["announcement.update"] = _("Announcement changed")
ACTION_LABELS["announcement.withdraw"] = _("Announcement withdrawn")
ACTION_LABELS["announcement.read"] = _("Announcement read")
ACTION_LABELS["announcement_category.create"] = _("Announcement category created")
ACTION_LABELS["announcement_category.update"] = _("Announcement category changed")
ACTION_LABELS["announcement_category.delete"] = _("Announcement category deleted")
ACTION_LABELS["directory.create"] = _("Directory entry created")
ACTION_LABELS["directory.update"] = _("Directory entry changed")
ACTION_LABELS["directory.delete"] = _("Directory entry deleted")
ACTION_LABELS["directory.sync"] = _("Phone directory synchronised with accounts")
ACTION_LABELS["directory.export"] = _("Phone directory exported")
ACTION_LABELS["outbox.failed"] = _("Notification failed")
ACTION_LABELS["sms_template.create"] = _("SMS template registered")
ACTION_LABELS["sms_template.update"] = _("SMS template changed")
ACTION_LABELS["partner.create"] = _("Partner created")
ACTION_LABELS["partner.update"] = _("Partner changed")
ACTION_LABELS["partner_key.issue"] = _("Partner key issued")
ACTION_LABELS["partner_key.revoke"] = _("Partner key revoked")
# Internal mail.
ACTION_LABELS["mail.send"] = _("Mail sent")
ACTION_LABELS["mail.empty_trash"] = _("Mail trash emptied")
ACTION_LABELS["mail.quota"] = _("Mail quota changed")
# Online application: a citizen's drafts (the case itself is audited as case.receive).
ACTION_LABELS.update(
    {
        "draft.create": _("Online application started"),
        "draft.update": _("Online application draft saved"),
        "draft.attach": _("File attached to an online application"),
        "draft.detach": _("File removed from an online application"),
        "draft.delete": _("Online application draft discarded"),
    }
)
# Questions and answers (qa) and ratings (ratings).
ACTION_LABELS["question.ask"] = _("Question asked")
ACTION_LABELS["question.assign"] = _("Question assigned")
ACTION_LABELS["question.answer"] = _("Question answered")
ACTION_LABELS["question.publish"] = _("Answer published")
ACTION_LABELS["question.unpublish"] = _("Answer taken off the portal")
ACTION_LABELS["question.reject"] = _("Question rejected as spam")
ACTION_LABELS["question.close"] = _("Question closed without answer")
ACTION_LABELS["rating.create"] = _("Service rated")
ACTION_LABELS["rating.follow_up"] = _("Bad-rating follow-up opened")
ACTION_LABELS["rating.follow_up_close"] = _("Bad-rating follow-up closed")
ACTION_LABELS["rating.export"] = _("Ratings summary exported")
