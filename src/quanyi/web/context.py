"""What every page needs to know about its user: which screens to offer in the navigation.

The screens themselves still authorize (a hidden link is not a control)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from quanyi.access.policy import allowed
from quanyi.access.requests import principal_of
from quanyi.core import plugins
from quanyi.core.crypto import LOGIN_PREFIX
from quanyi.core.errors import current_language
from quanyi.core.identifiers import mask
from quanyi.core.plugins import Screen
from quanyi.core.principal import Principal
from quanyi.registry.models import Person


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
        "who": _who(principal, user.get_username()),
        "can": {s.name: True for s in shown},
        "screens": [
            {"name": s.name, "url": reverse(s.url_name), "label": s.zh if zh else s.en}
            for s in shown
        ],
    }


def _who(principal: Principal, username: str) -> str:
    # A person's user name is the blind index of their id number: show the number masked.
    if principal.person_id is not None and username.startswith(LOGIN_PREFIX):
        person = Person.objects.filter(pk=principal.person_id).only("id_number").first()
        return mask(person.id_number) if person is not None else ""
    return username
