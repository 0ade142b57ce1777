from tongban.audit.models import AuditRecord


def test_it_builds_personas_through_services(personas):
    assert personas.handler.has_role("handler")
    assert personas.handler.department.code == "SCJG"
    assert AuditRecord.objects.filter(action="user.create").count() == 9
