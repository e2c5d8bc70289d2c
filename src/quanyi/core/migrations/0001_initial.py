from django.db import migrations, models


def create_data_keys(apps, schema_editor):
    from quanyi.core import keys

    keys.create_data_keys(apps.get_model("core", "DataKey"))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DataKey",
            fields=[
                ("id", models.PositiveIntegerField(primary_key=True, serialize=False)),
                ("purpose", models.CharField(max_length=8)),
                ("wrapped", models.BinaryField()),
                ("master", models.CharField(max_length=16)),
                ("created_at", models.DateTimeField()),
                ("wrapped_at", models.DateTimeField()),
            ],
        ),
        # Every database gets its data keys with its tables, wrapped by the master key that
        # ``quanyi init`` creates before migrating.
        migrations.RunPython(create_data_keys, migrations.RunPython.noop),
    ]
