from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class PortalsConfig(AppConfig):
    """The personal and employer portals (网上查询, 001 art. 14, 16): a person sees their own
    record and who looked at it and files objections; an employer sees its bills, payments,
    staff and each employee's months with it."""

    name = "quanyi.portals"
    label = "portals"
    verbose_name = "portals"
    plugin = Plugin(
        urls="quanyi.portals.urls",
        screens=(
            Screen("me", "portal-person", "portal.person", "我的权益记录", "My record", order=5),
            Screen(
                "who", "portal-accesses", "portal.person", "谁查询了我的记录", "Who looked", order=6
            ),
            Screen(
                "employer", "portal-employer", "portal.employer", "本单位", "Our employer", order=5
            ),
        ),
    )
