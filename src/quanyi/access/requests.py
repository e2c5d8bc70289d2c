"""The principal behind a web or API request (views and API routes of every app use these)."""

from __future__ import annotations

from django.http import HttpRequest

from quanyi.access.services import principal_for
from quanyi.core.principal import Principal, Source, new_request_id

ANONYMOUS = "anonymous"


def principal_of(request: HttpRequest, source: Source = "web") -> Principal:
    cached = getattr(request, "quanyi_principal", None)
    if isinstance(cached, Principal):
        return cached
    request_id = getattr(request, "quanyi_request_id", None) or new_request_id()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "account"):
        principal = principal_for(user, source, request_id)
    else:
        principal = Principal(actor=ANONYMOUS, source=source, region="", request_id=request_id)
    request.quanyi_principal = principal  # type: ignore[attr-defined]
    return principal


def api_principal(request: HttpRequest) -> Principal:
    """The principal an authenticated API request carries (set by its token or session)."""
    found = getattr(request, "quanyi_principal", None)
    assert isinstance(found, Principal), "authenticated requests carry their principal"
    return found
