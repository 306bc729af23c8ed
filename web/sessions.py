"""Server-side sessions in PostgreSQL (schema ``web``), shared by every web process.

The browser gets an opaque, random session id in an HttpOnly, SameSite=Lax cookie; the
database keeps only its SHA-256, with the session's data (the API token among it) and when it
lapses. Staff and portal sessions are kept apart: each has its own cookie, scoped to its own
path (``/staff`` or ``/portal``), and a session row belongs to one audience, so a staff cookie
presented to the portal (or the reverse) opens nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import create_engine, text
from werkzeug.datastructures import CallbackDict

AUDIENCES = {"staff": ("casework_staff", "/staff"), "portal": ("casework_portal", "/portal")}
TOUCH_EVERY = 60  # seconds: an unchanged session's expiry is pushed back at most this often

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS web;
CREATE TABLE IF NOT EXISTS web.sessions (
    id text PRIMARY KEY,
    audience text NOT NULL CHECK (audience IN ('staff', 'portal')),
    data jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON web.sessions (expires_at);
"""


def audience_of(path: str) -> str | None:
    for audience, (_, prefix) in AUDIENCES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return audience
    return None


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, audience: str, sid: str | None = None, data=None, remaining: float = 0.0):
        def on_update(self):
            self.modified = True

        super().__init__(data or {}, on_update)
        self.audience = audience
        self.sid = sid
        self.new = sid is None
        self.modified = False
        self.remaining = remaining  # seconds the stored session had left when it was read
        self.old_sid: str | None = None

    def regenerate(self) -> None:
        """A new id for the same data (at login: an id seen before login is never trusted
        after it)."""
        if self.sid is not None:
            self.old_sid = self.old_sid or self.sid
        self.sid = None
        self.modified = True


class Store:
    def __init__(self, url: str, pool_size: int = 5):
        self.engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                    pool_pre_ping=True)

    def create_schema(self) -> None:
        with self.engine.begin() as conn:
            # several web processes may start at once
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('casework.web.schema'))"))
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(text(statement))

    def load(self, audience: str, sid: str) -> tuple[dict, float] | None:
        """The session's data and the seconds it has left, or None (unknown, lapsed, or of the
        other audience)."""
        with self.engine.connect() as conn:
            row = conn.execute(text(
                "SELECT data, extract(epoch FROM expires_at - now()) AS remaining "
                "FROM web.sessions "
                "WHERE id = :id AND audience = :audience AND expires_at > now()"),
                {"id": digest(sid), "audience": audience}).first()
        return None if row is None else (row.data, float(row.remaining))

    def save(self, audience: str, sid: str, data: dict, seconds: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO web.sessions (id, audience, data, expires_at) "
                "VALUES (:id, :audience, CAST(:data AS jsonb), "
                "        now() + make_interval(secs => :seconds)) "
                "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, "
                "    expires_at = EXCLUDED.expires_at WHERE web.sessions.audience = :audience"),
                {"id": digest(sid), "audience": audience, "data": json.dumps(data),
                 "seconds": seconds})

    def touch(self, audience: str, sid: str, seconds: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(
                "UPDATE web.sessions SET expires_at = now() + make_interval(secs => :seconds) "
                "WHERE id = :id AND audience = :audience"),
                {"id": digest(sid), "audience": audience, "seconds": seconds})

    def delete(self, sid: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM web.sessions WHERE id = :id"), {"id": digest(sid)})

    def purge_expired(self, limit: int = 1000) -> int:
        with self.engine.begin() as conn:
            return conn.execute(text(
                "DELETE FROM web.sessions WHERE id IN (SELECT id FROM web.sessions "
                "WHERE expires_at < now() LIMIT :limit)"), {"limit": limit}).rowcount


class PostgresSessionInterface(SessionInterface):
    def __init__(self, store: Store, seconds: int, secure: bool):
        self.store = store
        self.seconds = seconds
        self.secure = secure

    def open_session(self, app, request):
        audience = audience_of(request.path)
        if audience is None:
            return None  # Flask's null session: no page outside /staff and /portal keeps state
        cookie = AUDIENCES[audience][0]
        sid = request.cookies.get(cookie)
        if sid and len(sid) <= 128:
            found = self.store.load(audience, sid)
            if found is not None:
                return ServerSession(audience, sid, found[0], remaining=found[1])
        return ServerSession(audience)

    def save_session(self, app, session, response):
        if not isinstance(session, ServerSession):
            return
        cookie, path = AUDIENCES[session.audience]
        if session.old_sid:
            self.store.delete(session.old_sid)
        if not session:
            if session.sid is not None:
                self.store.delete(session.sid)
            if session.sid is not None or session.old_sid:
                response.delete_cookie(cookie, path=path, secure=self.secure, httponly=True,
                                       samesite="Lax")
            return
        response.vary.add("Cookie")
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
            self.store.save(session.audience, session.sid, dict(session), self.seconds)
            self.store.purge_expired()  # lapsed sessions go as new ones come (indexed, bounded)
            response.set_cookie(cookie, session.sid, path=path, secure=self.secure,
                                httponly=True, samesite="Lax")
        elif session.modified:
            self.store.save(session.audience, session.sid, dict(session), self.seconds)
        elif session.remaining < self.seconds - TOUCH_EVERY:
            # idle expiry: pushed back by use, at most once a minute
            self.store.touch(session.audience, session.sid, self.seconds)
