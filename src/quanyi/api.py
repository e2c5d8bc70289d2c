"""The JSON API (django-ninja) at /api/v1/. Every route needs a session or a bearer token;
without one the answer is 401 (never a CSRF 403). Authorization is the same ``access.policy``
as everywhere; a refusal is 403 and an audit event."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from quanyi import __version__
from quanyi.access.errors import Refused
from quanyi.core.errors import (
    Conflict,
    InvalidInput,
    KeptFailure,
    NotFound,
    QuanyiError,
    current_language,
)
from quanyi.core.uploads import TooLarge


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from quanyi.access.services import principal_for, user_for_token

        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        request.quanyi_principal = principal_for(  # type: ignore[attr-defined]
            user, "api", scopes=api_token.scope_set
        )
        return user


class StaffSessionAuth(SessionAuth):
    """The web session; CSRF is checked by ninja for unsafe methods — but only once there is a
    session, so a request without one gets 401, not a CSRF 403 (DESIGN.md)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            from quanyi.access.requests import principal_of

            principal_of(request, "api")
        return user


api = NinjaAPI(
    title="quanyi",
    version=__version__,
    urls_namespace="api",
    auth=[TokenAuth(), StaffSessionAuth()],
)


def _error(request: HttpRequest, error: QuanyiError, status: int) -> HttpResponse:
    body: dict[str, Any] = {"code": error.code, "detail": error.message(current_language())}
    if isinstance(error, InvalidInput):
        body["errors"] = [
            {"field": e.field, "code": e.code, "detail": e.message()} for e in error.errors
        ]
    return api.create_response(request, body, status=status)


@api.exception_handler(KeptFailure)
def kept_failure(request: HttpRequest, error: KeptFailure) -> HttpResponse:
    from quanyi.access.middleware import record_refusal

    # The failed work ran in a savepoint that has rolled back; the refusal or failure is kept.
    record_refusal(getattr(request, "quanyi_principal", None), error)
    return _error(request, error, 403 if isinstance(error, Refused) else 409)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return _error(request, error, 404)


@api.exception_handler(QuanyiError)
def refused_input(request: HttpRequest, error: QuanyiError) -> HttpResponse:
    status = 409 if isinstance(error, Conflict) else 413 if isinstance(error, TooLarge) else 422
    return _error(request, error, status)


def _mount_routers() -> None:
    from quanyi.core import plugins

    for _, plugin in plugins.installed():
        if plugin.router:
            api.add_router("", plugins.resolve(plugin.router))


_mount_routers()
