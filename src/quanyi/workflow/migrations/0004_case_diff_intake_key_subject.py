"""Cases keep their diff (``CaseDiff``, append-only), carry the one-time key of the form that
made them, and name their subject (the id number or credit code the payload is about, sealed,
found by its blind index). Existing cases get their subject from their payload."""

import django.db.models.deletion
from django.db import migrations, models

import quanyi.audit.tracking
import quanyi.core.fields
from quanyi.audit.appendonly import AppendOnly

SUBJECT_KEYS = ("id_number", "uscc")


def fill_subjects(apps, schema_editor):
    from quanyi.core import crypto

    case_model = apps.get_model("workflow", "Case")
    rows = case_model.objects.using(schema_editor.connection.alias)
    ring = crypto.keyring(schema_editor.connection)
    last = 0
    while True:
        page = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", "payload")[:1000])
        if not page:
            return
        for pk, payload in page:
            found = next((str(payload[k]) for k in SUBJECT_KEYS if payload.get(k)), None)
            if found and len(found) <= 18:
                rows.filter(pk=pk).update(
                    subject=found, subject_index=ring.index("case_subject", found)
                )
        last = page[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_identities_sealed"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseDiff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("round", models.PositiveIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("intake", "受理时"), ("applied", "办结时")], max_length=10
                    ),
                ),
                ("changes", quanyi.core.fields.SealedJSON(verbose_name="变更内容")),
                ("summary", models.JSONField(default=dict)),
                ("taken_at", models.DateTimeField()),
                ("audit_seq", models.BigIntegerField(db_index=True, null=True)),
                (
                    "row_digest",
                    quanyi.audit.tracking.DigestField(editable=False, max_length=32, null=True),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="intake_key",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="case",
            name="subject",
            field=quanyi.core.fields.SealedText(
                blank=True,
                max_length=18,
                null=True,
                purpose="case_subject",
                verbose_name="业务对象",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="subject_index",
            field=quanyi.core.fields.BlindIndex(
                db_index=True, max_length=32, null=True, purpose="case_subject", source="subject"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["submitted_by", "status"], name="workflow_ca_submitt_01ccb5_idx"
            ),
        ),
        migrations.AddField(
            model_name="casediff",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="diffs",
                to="workflow.case",
            ),
        ),
        AppendOnly("workflow_casediff"),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop),
    ]
