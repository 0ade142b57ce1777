"""Every change to the organisation, accounts, roles and permissions.

三员分立 (separation of the three administrators) is enforced here, not in views:
- the system administrator manages departments and users (not roles, permissions or
  the audit log);
- the security administrator assigns roles and module permissions, nothing else;
- the audit administrator changes nothing here.
``actor=None`` means the system itself (set-up commands, the demo loader).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict, Unpack

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import ActionNotAllowed, NotFound, ValidationFailed
from tongban.core.services import full_clean_or_raise, require_role

from .models import Department, ModuleGrant, Role, User, UserSession
from .roles import ADMIN_ROLES, Module, RoleCode

ROLE_ONLY_MODULES = frozenset({Module.SYSTEM, Module.SECURITY, Module.AUDIT})

USER_FIELDS = ("full_name", "department", "section", "position", "email", "mobile")


class UserChanges(TypedDict, total=False):
    """The profile fields ``update_user`` may change (``USER_FIELDS``)."""

    full_name: str
    department: Department | None
    section: Department | None
    position: str
    email: str
    mobile: str


class DepartmentChanges(TypedDict, total=False):
    """The fields ``update_department`` may change (``DEPARTMENT_FIELDS``)."""

    code: str
    name: str
    short_name: str
    kind: str
    parent: Department | None
    phone: str
    address: str
    sort_order: int
    is_active: bool


DEPARTMENT_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "parent",
    "phone",
    "address",
    "sort_order",
    "is_active",
)


# --- departments -----------------------------------------------------------------


@transaction.atomic
def create_department(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    parent: Department | None = None,
    short_name: str = "",
    phone: str = "",
    address: str = "",
    sort_order: int = 0,
    at: dt.datetime,
) -> Department:
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    department = Department(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        phone=phone,
        address=address,
        sort_order=sort_order,
    )
    department.path = _path_for(department)
    full_clean_or_raise(department)
    department.save(force_insert=True)
    record_event(
        actor=actor,
        action="department.create",
        obj=department,
        at=at,
        after=model_snapshot(department),
    )
    return department


@transaction.atomic
def update_department(
    *,
    actor: User | None,
    department: Department,
    at: dt.datetime,
    **changes: Unpack[DepartmentChanges],
) -> Department:
    """Change a department; moving it re-roots the paths of its whole subtree."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    unknown = set(changes) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise ValueError(f"not department fields: {sorted(unknown)}")
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = model_snapshot(department)
    old_path = department.path
    for name, value in changes.items():
        setattr(department, name, value)
    parent = department.parent if department.parent_id else None
    if parent is not None and parent.path.startswith(old_path):
        raise ValidationFailed(
            _("A department cannot be placed under itself or its own sections."),
            fields={
                "parent": [_("A department cannot be placed under itself or its own sections.")]
            },
        )
    department.path = _path_for(department)
    full_clean_or_raise(department)
    department.save(update_fields=[*changes, "path"])
    if department.path != old_path:
        Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk).update(
            path=Concat(Value(department.path), Substr(F("path"), len(old_path) + 1))
        )
    b, a = diff(before, model_snapshot(department))
    record_event(actor=actor, action="department.update", obj=department, at=at, before=b, after=a)
    return department


@transaction.atomic
def delete_department(*, actor: User | None, department: Department, at: dt.datetime) -> None:
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    department = Department.objects.select_for_update().get(pk=department.pk)
    if (
        department.children.exists()
        or department.staff.exists()
        or department.section_staff.exists()
    ):
        raise ActionNotAllowed(
            _(
                "A department with sub-departments or staff cannot be deleted; "
                "deactivate it instead."
            )
        )
    record_event(
        actor=actor,
        action="department.delete",
        obj=department,
        at=at,
        before=model_snapshot(department),
    )
    department.delete()


def _path_for(department: Department) -> str:
    parent = department.parent if department.parent_id else None
    prefix = parent.path if parent is not None else "/"
    return f"{prefix}{department.code}/"


# --- users -------------------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    department: Department | None = None,
    section: Department | None = None,
    position: str = "",
    email: str = "",
    mobile: str = "",
    must_change_password: bool = True,
    is_demo: bool = False,
    at: dt.datetime,
) -> User:
    """Create a staff account. The password must pass the password rules; a new
    account created by an administrator must change it at first login."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    user = User(
        username=username.strip(),
        full_name=full_name,
        department=department,
        section=section,
        position=position,
        email=email,
        is_demo=is_demo,
        must_change_password=must_change_password,
        password_changed_at=at,
    )
    user.set_mobile(mobile)
    _validate_password_or_raise(password, user)
    user.set_password(password)
    full_clean_or_raise(user, exclude=["password"])
    user.save(force_insert=True)
    record_event(actor=actor, action="user.create", obj=user, at=at, after=model_snapshot(user))
    return user


@transaction.atomic
def update_user(
    *, actor: User | None, user: User, at: dt.datetime, **changes: Unpack[UserChanges]
) -> User:
    """Change a user's profile. Roles and permissions are not profile: they belong to
    the security administrator (``assign_roles``, ``grant_module``)."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"not user profile fields: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = model_snapshot(user)
    mobile_changed = "mobile" in changes and changes["mobile"] != user.mobile
    for name, value in changes.items():
        if name == "mobile":
            user.set_mobile(changes["mobile"])
        else:
            setattr(user, name, value)
    full_clean_or_raise(user, exclude=["password"])
    fields = [f for f in changes if f != "mobile"]
    if "mobile" in changes:
        fields += ["mobile", "mobile_index"]
    user.save(update_fields=fields)
    b, a = diff(before, model_snapshot(user))
    if mobile_changed:
        a["mobile"] = "(changed)"
    record_event(actor=actor, action="user.update", obj=user, at=at, before=b, after=a)
    return user


@transaction.atomic
def set_user_active(
    *, actor: User | None, user: User, active: bool, reason: str = "", at: dt.datetime
) -> User:
    """Enable or disable an account; disabling ends its sessions at once."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and user.pk == actor.pk and not active:
        raise ActionNotAllowed(_("You cannot disable your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.disabled_reason = "" if active else reason
    user.save(update_fields=["is_active", "disabled_reason"])
    record_event(
        actor=actor,
        action="user.enable" if active else "user.disable",
        obj=user,
        at=at,
        before={"is_active": not active},
        after={"is_active": active},
        message=reason,
    )
    if not active:
        _end_sessions(user)
    return user


@transaction.atomic
def reset_password(*, actor: User | None, user: User, new_password: str, at: dt.datetime) -> User:
    """An administrator sets a temporary password; the user must change it at login."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    _validate_password_or_raise(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.password_changed_at = at
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record_event(actor=actor, action="user.password_reset", obj=user, at=at)
    _end_sessions(user)
    return user


@transaction.atomic
def end_user_sessions(*, actor: User | None, user: User, at: dt.datetime) -> int:
    """End every session of ``user`` (system or security administrator)."""
    require_role(actor, RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN)
    count = _end_sessions(user)
    record_event(
        actor=actor, action="user.sessions_ended", obj=user, at=at, after={"sessions": count}
    )
    return count


def _end_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def _validate_password_or_raise(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"password": list(exc.messages)}) from exc


# --- roles and module permissions (security administrator) ----------------------------


@transaction.atomic
def assign_roles(*, actor: User | None, user: User, roles: Iterable[str], at: dt.datetime) -> User:
    """Set ``user``'s roles (codes). The three administrator roles are disjoint: one
    account can hold at most one of them, and then no business role."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    codes = sorted(set(roles))
    found = {r.code: r for r in Role.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            _("Unknown role: %(codes)s") % {"codes": ", ".join(missing)},
            fields={"roles": [_("Unknown role: %(codes)s") % {"codes": ", ".join(missing)}]},
        )
    admin = [c for c in codes if c in ADMIN_ROLES]
    if len(admin) > 1 or (admin and len(codes) > 1):
        message = _(
            "The system, security and audit administrator roles are separate: an account "
            "holding one of them cannot hold any other role."
        )
        raise ValidationFailed(message, fields={"roles": [message]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and user.pk == actor.pk:
        raise ActionNotAllowed(_("You cannot change your own roles."))
    before = sorted(user.roles.values_list("code", flat=True))
    if before == codes:
        return user
    user.roles.set(found.values())
    user.forget_cached_roles()
    record_event(
        actor=actor,
        action="user.roles",
        obj=user,
        at=at,
        before={"roles": before},
        after={"roles": codes},
    )
    if set(before) != set(codes):
        # A changed role set is a privilege change: the user logs in again.
        _end_sessions(user)
    return user


@transaction.atomic
def set_group_members(
    *, actor: User | None, group: Group, users: Iterable[User], at: dt.datetime
) -> Group:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    before = sorted(group.user_set.values_list("username", flat=True))
    group.user_set.set(list(users))
    after = sorted(group.user_set.values_list("username", flat=True))
    record_event(
        actor=actor,
        action="group.members",
        obj=group,
        at=at,
        before={"members": before},
        after={"members": after},
    )
    return group


@transaction.atomic
def set_user_groups(
    *, actor: User | None, user: User, groups: Iterable[Group], at: dt.datetime
) -> User:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(list(groups))
    after = sorted(user.groups.values_list("name", flat=True))
    if before != after:
        user.forget_cached_roles()
        record_event(
            actor=actor,
            action="user.groups",
            obj=user,
            at=at,
            before={"groups": before},
            after={"groups": after},
        )
    return user


@transaction.atomic
def rename_group(*, actor: User | None, group: Group, name: str, at: dt.datetime) -> Group:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    group = Group.objects.select_for_update().get(pk=group.pk)
    before = group.name
    group.name = name.strip()
    full_clean_or_raise(group)
    group.save(update_fields=["name"])
    record_event(
        actor=actor,
        action="group.update",
        obj=group,
        at=at,
        before={"name": before},
        after={"name": group.name},
    )
    return group


@transaction.atomic
def delete_group(*, actor: User | None, group: Group, at: dt.datetime) -> None:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    members = sorted(group.user_set.values_list("username", flat=True))
    record_event(
        actor=actor,
        action="group.delete",
        obj=group,
        at=at,
        before={"name": group.name, "members": members},
    )
    group.delete()


@transaction.atomic
def create_group(*, actor: User | None, name: str, at: dt.datetime) -> Group:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    group = Group(name=name.strip())
    full_clean_or_raise(group)
    group.save()
    record_event(actor=actor, action="group.create", obj=group, at=at, after={"name": group.name})
    return group


@transaction.atomic
def grant_module(
    *,
    actor: User | None,
    module: str,
    user: User | None = None,
    group: Group | None = None,
    department: Department | None = None,
    at: dt.datetime,
) -> ModuleGrant:
    """Grant a module to exactly one of a user, a group or a department subtree."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    if module not in Module.values:
        raise ValidationFailed(_("Unknown module."), fields={"module": [_("Unknown module.")]})
    if module in ROLE_ONLY_MODULES:
        # Otherwise the security administrator could grant itself the other two
        # administrators' powers (三员分立).
        message = _("This module comes only with its administrator role and cannot be granted.")
        raise ValidationFailed(message, fields={"module": [message]})
    grant = ModuleGrant(
        module=module,
        user=user,
        group=group,
        department=department,
        granted_by=actor if actor is not None else None,
    )
    full_clean_or_raise(grant)
    grant.save(force_insert=True)
    record_event(
        actor=actor,
        action="permission.grant",
        obj=grant,
        at=at,
        after={"module": module, "subject": str(user or group or department)},
    )
    return grant


@transaction.atomic
def revoke_module(*, actor: User | None, grant: ModuleGrant, at: dt.datetime) -> None:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    record_event(
        actor=actor,
        action="permission.revoke",
        obj=grant,
        at=at,
        before={
            "module": grant.module,
            "subject": str(grant.user or grant.group or grant.department),
        },
    )
    grant.delete()


def get_user_by_username(username: str) -> User:
    try:
        user: User = User.objects.get(username__iexact=username)
    except User.DoesNotExist as exc:
        raise NotFound() from exc
    return user
