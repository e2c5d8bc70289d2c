"""What every page needs to know about its user: which screens to offer in the navigation.

The screens themselves still authorize (a hidden link is not a control)."""

from __future__ import annotations

from django.http import HttpRequest

from quanyi.access.policy import allowed
from quanyi.web.principals import principal_of

SCREENS = {
    "records": "record.read",
    "bills": "record.read",
    "cases": "case.read",
    "modifications": "maintenance.read",
    "alerts": "audit.read",
    "accounts": "account.manage",
}


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    principal = principal_of(request)
    return {"can": {screen: allowed(principal, p) for screen, p in SCREENS.items()}}
