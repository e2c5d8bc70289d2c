"""Token scopes name case actions: ``records:write`` becomes ``cases:submit``. Legacy tokens
are found with the historical model, so a database without such tokens — every new
one — runs no application code here; where there are some, the access service renames them and
writes each user's credentials event, as ``audit verify`` expects of any change to a token."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    token = apps.get_model("access", "ApiToken")
    legacy = list(
        token.objects.filter(scopes__contains="records:write").values_list("pk", flat=True)
    )
    if not legacy:
        return
    from quanyi.access.services import upgrade_token_scopes
    from quanyi.core.principal import Principal

    upgrade_token_scopes(Principal.system("system:migrate"), legacy)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_row_digest"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
