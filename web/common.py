"""What the staff console and the portal share: calling the gateway as the signed-in user,
ending a session the gateway no longer honours, safe redirects, and problem details for forms."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for

from web.gateway import Answer, Gateway, forwarded_for

STAFF_MENU: list[tuple[str, str, str | None]] = []
PORTAL_MENU: list[tuple[str, object]] = []


def staff_menu(endpoint: str, label: str, permission: str | None = None) -> None:
    """Adds a page of the staff console to its menu (each part of the console, at import),
    shown to those with ``permission`` (the API still decides: the menu only hides)."""
    if all(existing != endpoint for existing, *_ in STAFF_MENU):
        STAFF_MENU.append((endpoint, label, permission))


def can(permission: str) -> bool:
    """Whether the signed-in staff member's role has ``permission`` (as at sign-in)."""
    return permission in (session.get("user") or {}).get("permissions", ())


def portal_menu(endpoint: str, label) -> None:
    """Adds a page of the portal to its menu; ``label`` a lazy gettext string."""
    if all(existing != endpoint for existing, _ in PORTAL_MENU):
        PORTAL_MENU.append((endpoint, label))


class SessionEnded(Exception):
    """The gateway refused the session's token (expired, revoked, user deactivated)."""


def gateway() -> Gateway:
    return current_app.extensions["casework.gateway"]


def call(method: str, path: str, *, token: str | None = None, authenticated: bool = True,
         **kwargs) -> Answer:
    """A call to the gateway for this page: as the session's user unless ``authenticated`` is
    false, from the browser's address, under the page's request id."""
    if authenticated and token is None:
        token = session.get("token")
        if not token:
            raise SessionEnded()
    answer = gateway().call(method, path, token=token, client=forwarded_for(request.environ),
                            request_id=g.get("request_id"), **kwargs)
    if authenticated and answer.status == 401:
        session.clear()
        session.regenerate()
        raise SessionEnded()
    return answer


def login_required(login_endpoint: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not session.get("token"):
                return redirect(url_for(login_endpoint, next=local_path(request.full_path)))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def local_path(target: str | None, prefix: str = "/") -> str | None:
    """``target`` when it is a path of this site under ``prefix`` (never another host: no open
    redirect), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(prefix) or "\\" in target \
            or target.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def field_errors(answer: Answer, names: dict[str, str]) -> dict[str, str]:
    """The API's ``errors`` as one message per form field (``names``: API field -> form
    field); the rest under ``""``."""
    out: dict[str, str] = {}
    for key, messages in answer.errors.items():
        text = _first(messages)
        out[names.get(key, "")] = text
    return out


def _first(messages) -> str:
    if isinstance(messages, list) and messages:
        return _first(messages[0])
    if isinstance(messages, dict) and messages:
        return _first(next(iter(messages.values())))
    return str(messages)
