"""Id numbers and phone numbers sealed at rest (DESIGN.md invariant 9): each existing row is
encrypted in place and given its blind indexes. Row digests are over the plaintext, so none
changes (audit.tracking)."""

from django.db import migrations

import quanyi.core.fields

PAGE = 5000


def seal_persons(apps, schema_editor):
    from quanyi.core import crypto

    connection = schema_editor.connection
    ring = crypto.keyring(connection)
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, id_number, phone FROM registry_person WHERE id > %s"
                " ORDER BY id LIMIT %s",
                [last, PAGE],
            )
            page = cursor.fetchall()
            if not page:
                return
            cursor.executemany(
                "UPDATE registry_person SET id_number_sealed = %s, id_number_index = %s,"
                " phone_sealed = %s, phone_index = %s WHERE id = %s",
                [
                    (
                        ring.seal(number.encode()),
                        ring.index("id_number", number),
                        ring.seal((phone or "").encode()),
                        ring.index("phone", phone or ""),
                        pk,
                    )
                    for pk, number, phone in page
                ],
            )
            last = page[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("registry", "0003_row_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_number_sealed",
            field=quanyi.core.fields.SealedText(max_length=18, null=True, purpose="id_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_sealed",
            field=quanyi.core.fields.SealedText(max_length=11, null=True, purpose="phone"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_index",
            field=quanyi.core.fields.BlindIndex(
                max_length=32, null=True, purpose="id_number", source="id_number"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_index",
            field=quanyi.core.fields.BlindIndex(
                max_length=32, null=True, purpose="phone", source="phone"
            ),
        ),
        migrations.RunPython(seal_persons, migrations.RunPython.noop),
        migrations.RemoveField(model_name="person", name="id_number"),
        migrations.RemoveField(model_name="person", name="phone"),
        migrations.RenameField(
            model_name="person", old_name="id_number_sealed", new_name="id_number"
        ),
        migrations.RenameField(model_name="person", old_name="phone_sealed", new_name="phone"),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=quanyi.core.fields.SealedText(
                max_length=18, purpose="id_number", unique=True, verbose_name="公民身份号码"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=quanyi.core.fields.SealedText(
                blank=True, default="", max_length=11, purpose="phone", verbose_name="联系电话"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number_index",
            field=quanyi.core.fields.BlindIndex(
                max_length=32, purpose="id_number", source="id_number", unique=True
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone_index",
            field=quanyi.core.fields.BlindIndex(
                db_index=True, max_length=32, purpose="phone", source="phone"
            ),
        ),
    ]
