"""The JSON API (django-ninja) at /api/v1/. Every route needs a session or a bearer token;
without one the answer is 401 (never a CSRF 403). Authorization is the same ``access.policy``
as everywhere; a refusal is 403 and an audit event."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, SessionAuth

from quanyi import __version__
from quanyi.access.errors import Refused
from quanyi.access.middleware import record_refusal
from quanyi.access.requests import principal_of
from quanyi.access.services import principal_for, user_for_token
from quanyi.core import plugins
from quanyi.core.errors import Conflict, InvalidInput, KeptFailure, NotFound, QuanyiError
from quanyi.core.schemas import ErrorOut, error_out, reasons
from quanyi.core.uploads import TooLarge


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:

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
            principal_of(request, "api")
        return user


# Every route may answer these besides its own response (DESIGN.md: 401 without a session or
# token; a refusal is 403; bad input 422 naming every field).
ERRORS = {
    401: "Not logged in: no valid session or token",
    403: "Refused (and kept as an audit event)",
    404: "Not found, or outside the user's region",
    409: "Conflicts with what is recorded, or the case could not be applied",
    422: "Bad input: every field and its reason",
}
WRITE_ERRORS = {
    503: "Writing is suspended: the audit chain no longer passes through its last signed head",
}


class QuanyiAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document with the error answers every operation shares."""
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        found = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components["ErrorOut"] = found
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for item in document["paths"].values():
            for method, operation in item.items():
                errors = ERRORS if method == "get" else {**ERRORS, **WRITE_ERRORS}
                for code, description in errors.items():
                    operation["responses"].setdefault(
                        code, {"description": description, "content": error}
                    )
        return document


api = QuanyiAPI(
    title="quanyi",
    version=__version__,
    urls_namespace="api",
    auth=[TokenAuth(), StaffSessionAuth()],
)


def _error(request: HttpRequest, error: QuanyiError, status: int) -> HttpResponse:
    body = error_out(error).model_dump(mode="json", exclude_none=True)
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def not_logged_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(
        request, QuanyiError("须登录或提供令牌", "log in or send a token", "unauthorized"), 401
    )


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A request ninja could not read into its schema: the same 422 as any bad input, each
    field named as the client sent it (``decision``, not ``body.body.decision``)."""
    details = [{**detail, "loc": _client_loc(detail.get("loc", ()))} for detail in error.errors]
    return _error(request, InvalidInput(reasons(details)), 422)


def _client_loc(loc: Any) -> tuple[Any, ...]:
    parts = tuple(loc)
    if parts[:1] == ("body",) and len(parts) > 1:
        return parts[2:]  # ("body", parameter, field…)
    return parts[1:]  # ("query" | "path" | …, name)


@api.exception_handler(KeptFailure)
def kept_failure(request: HttpRequest, error: KeptFailure) -> HttpResponse:

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

    for _, plugin in plugins.installed():
        if plugin.router:
            api.add_router("", plugins.resolve(plugin.router))


_mount_routers()
