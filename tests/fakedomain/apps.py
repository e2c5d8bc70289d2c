from django.apps import AppConfig

from quanyi.core.plugins import Plugin, RecordPart, Screen


class FakeDomainConfig(AppConfig):
    """A domain added by its folder and one INSTALLED_APPS line (settings_test.py) alone."""

    name = "tests.fakedomain"
    label = "fakedomain"
    plugin = Plugin(
        router="tests.fakedomain.parts:router",
        cli="tests.fakedomain.parts:register",
        urls="tests.fakedomain.parts",
        screens=(Screen("fake", "fake-screen", "fake.read", "假领域", "Fake domain", order=99),),
        permissions="tests.fakedomain.parts:PERMISSIONS",
        record_parts=(
            RecordPart("fake", ("fake_part",), "fake.read", "tests.fakedomain.parts:load"),
        ),
    )
