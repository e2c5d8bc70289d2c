"""Case payloads, maintenance-log content and attachment files sealed at rest (DESIGN.md
invariant 9). Both JSON columns stay JSON (``core.fields.SealedJSON`` stores an envelope), so
the schema does not change. Case payloads are sealed in place (a case is a tracked row whose
digest is over the plaintext, so none changes). Maintenance-log entries are append-only and are
never rewritten: those written before stay as they were, every new one is sealed at insert
(decision 0012). Attachment files are outside the database: each is sealed in place under the
same name, the SHA-256 of its plaintext."""

from django.db import migrations

import quanyi.core.fields


def seal_payloads(apps, schema_editor):
    case_model = apps.get_model("workflow", "Case")
    rows = case_model.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        page = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", "payload")[:1000])
        if not page:
            return
        for pk, payload in page:
            rows.filter(pk=pk).update(payload=payload)  # written back sealed
        last = page[-1][0]


def seal_attachment_files(apps, schema_editor):
    from quanyi.workflow import storage

    attachment_model = apps.get_model("workflow", "Attachment")
    shas = attachment_model.objects.using(schema_editor.connection.alias).values_list(
        "sha256", flat=True
    )
    for sha in sorted(set(shas)):
        if storage.path_of(sha).exists():
            storage.seal_in_place(sha)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("workflow", "0002_row_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="payload",
                    field=quanyi.core.fields.SealedJSON(verbose_name="业务数据"),
                ),
                migrations.AlterField(
                    model_name="maintenanceentry",
                    name="content",
                    field=quanyi.core.fields.SealedJSON(),
                ),
            ]
        ),
        migrations.RunPython(seal_payloads, migrations.RunPython.noop),
        migrations.RunPython(seal_attachment_files, migrations.RunPython.noop),
    ]
