"""The principal behind a web or API request."""

from __future__ import annotations

from django.http import HttpRequest

from quanyi.core.principal import Principal, Source, new_request_id

ANONYMOUS = "anonymous"


def principal_of(request: HttpRequest, source: Source = "web") -> Principal:
    cached = getattr(request, "quanyi_principal", None)
    if isinstance(cached, Principal):
        return cached
    request_id = getattr(request, "quanyi_request_id", None) or new_request_id()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "account"):
        from quanyi.access.services import principal_for

        principal = principal_for(user, source, request_id)
    else:
        principal = Principal(actor=ANONYMOUS, source=source, region="", request_id=request_id)
    request.quanyi_principal = principal  # type: ignore[attr-defined]
    return principal
