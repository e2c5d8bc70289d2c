"""One-time form tokens (idempotency keys) for the screens that submit a case: a form carries a
token issued when it was shown; the first submission spends it and remembers the case it made,
so the same form sent again (browser back, a double click) shows that case instead of making a
second one. Kept in the user's session: a token is only good for who was shown the form."""

from __future__ import annotations

import secrets

from django.http import HttpRequest

SESSION_KEY = "quanyi_form_tokens"
KEPT = 200  # tokens remembered per session, oldest forgotten first


def issue(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(18)
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[token] = None
    request.session[SESSION_KEY] = dict(list(tokens.items())[-KEPT:])
    return token


def spent(request: HttpRequest, token: str) -> int | None:
    """The case a token already made, if any."""
    found = request.session.get(SESSION_KEY, {}).get(token)
    return int(found) if found is not None else None


def known(request: HttpRequest, token: str) -> bool:
    return token in request.session.get(SESSION_KEY, {})


def spend(request: HttpRequest, token: str, case_id: int) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[token] = case_id
    request.session[SESSION_KEY] = tokens
