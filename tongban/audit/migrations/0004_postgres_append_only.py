"""On PostgreSQL, make the audit tables append-only in the database itself.

- Rows of ``audit_auditrecord`` cannot be updated; they can be deleted only while the
  transaction-local setting ``tongban.audit_purge`` is 'on', which only the purge
  service sets (``SET LOCAL`` semantics: it ends with the transaction).
- Rows of ``audit_auditcheckpoint`` cannot be updated or deleted at all.
- Neither table can be truncated, unless the setting ``tongban.audit_allow_truncate``
  is 'on'. Only test databases set it (as a database default, below): the test runner
  empties every table with TRUNCATE between transactional tests.

Someone with DDL rights can still disable the triggers; the hash chain and the signed
checkpoints are what detect that. SQLite has no such triggers: there the hash chain
is the only protection (docs/audit.md).
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION tongban_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_auditrecord'
       AND current_setting('tongban.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION tongban_audit_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tongban.audit_allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: TRUNCATE on % refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_record_append_only
    BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION tongban_audit_refuse_change();
CREATE TRIGGER audit_record_no_truncate
    BEFORE TRUNCATE ON audit_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_audit_refuse_truncate();
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION tongban_audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate
    BEFORE TRUNCATE ON audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION tongban_audit_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS tongban_audit_refuse_change();
DROP FUNCTION IF EXISTS tongban_audit_refuse_truncate();
"""

def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoint_kind")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
