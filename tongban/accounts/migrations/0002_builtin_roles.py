from django.db import migrations

BUILTIN = [
    ("system_admin", "系统管理员", "管理用户、部门和系统设置；不能授予角色或权限，不能查看审计日志。"),
    ("security_admin", "安全管理员", "授予角色和模块权限，仅此而已。"),
    ("audit_admin", "审计管理员", "查阅、核验和导出审计日志，仅此而已。"),
    ("department_head", "部门负责人", "本部门及下属科室的办件、统计和整改。"),
    ("section_head", "科室负责人", "本科室的办件审核。"),
    ("handler", "承办人", "办理分配给本人或本部门队列中的办件。"),
    ("window_clerk", "窗口受理员", "窗口受理和初审。"),
    ("supervisor", "监察员", "全市办件的电子监察。"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, description in BUILTIN:
        Role.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "builtin": True}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
