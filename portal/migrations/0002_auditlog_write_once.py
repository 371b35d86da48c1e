"""On PostgreSQL, the database itself refuses to change or delete audit log rows."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION portal_auditlog_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'portal_auditlog rows are write-once (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditlog_write_once
    BEFORE UPDATE OR DELETE ON portal_auditlog
    FOR EACH ROW EXECUTE FUNCTION portal_auditlog_write_once();
"""
DROP = """
DROP TRIGGER IF EXISTS portal_auditlog_write_once ON portal_auditlog;
DROP FUNCTION IF EXISTS portal_auditlog_write_once();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
