"""What every page needs to know about its user: which screens to offer in the navigation.

The screens themselves still authorize (a hidden link is not a control)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from quanyi.access.policy import allowed
from quanyi.access.requests import principal_of
from quanyi.core import plugins
from quanyi.core.errors import current_language
from quanyi.core.plugins import Screen


def screens() -> list[Screen]:
    """The navigation entries every installed app declares (``Plugin.screens``), in order."""
    found = [screen for _, plugin in plugins.installed() for screen in plugin.screens]
    return sorted(found, key=lambda screen: screen.order)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}, "screens": []}
    principal = principal_of(request)
    zh = current_language() == "zh"
    shown = [s for s in screens() if allowed(principal, s.permission)]
    return {
        "can": {s.name: True for s in shown},
        "screens": [
            {"name": s.name, "url": reverse(s.url_name), "label": s.zh if zh else s.en}
            for s in shown
        ],
    }
