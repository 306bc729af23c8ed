"""The Flask application of the web front ends: the staff console (web/staff.py), the client
portal (web/portal.py), their server-side sessions, CSRF, security headers and languages."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, g, redirect, render_template, request, url_for
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from casework.config import Settings, settings
from web.gateway import ForwardToGateway, Gateway, Unavailable
from web.sessions import PostgresSessionInterface, Store

HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "es": "Español"}
LANGUAGE_COOKIE = "casework_language"

# No inline script or style anywhere: every script and style sheet is a file of web/static.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'")

csrf = CSRFProtect()

# the modules of pages, each a Flask blueprint: the staff console's parts, then the portal's
PAGES = ("staff", "staff_records", "staff_messages", "staff_scheduling", "staff_admin",
         "portal", "portal_scheduling")


def portal_language() -> str:
    """The language the client chose (a cookie the switch sets, kept for a year), else the
    browser's preference, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def select_locale() -> str:
    if request.path.startswith("/portal"):
        return portal_language()
    return "en"  # the staff console is in English for now


STATIC = HERE / "static"
COMPRESSIBLE = ("text/html", "text/css", "text/javascript", "application/javascript")


def static_file(filename: str):
    """A file of web/static; its gzip-compressed copy (``.gz`` beside it, web/vendor.py) to a
    browser that accepts gzip."""
    from flask import abort, send_from_directory
    from werkzeug.security import safe_join

    path = safe_join(str(STATIC), filename)
    if path is None or filename.endswith(".gz") or not Path(path).is_file():
        abort(404)
    gz = Path(path + ".gz")
    if gz.is_file() and "gzip" in request.accept_encodings:
        import mimetypes

        response = send_from_directory(str(STATIC), filename + ".gz",
                                       mimetype=mimetypes.guess_type(filename)[0])
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
    response = send_from_directory(str(STATIC), filename)
    response.vary.add("Accept-Encoding")
    return response


def compressed(response):
    """Pages (and small files without a ``.gz``) gzip-compressed for browsers that accept it."""
    import gzip

    if (response.direct_passthrough or response.status_code < 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE
            or "gzip" not in request.accept_encodings):
        return response
    data = response.get_data()
    if len(data) < 512:
        return response
    response.set_data(gzip.compress(data, 6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def create_app(config: Settings | None = None, store: Store | None = None) -> Flask:
    config = config or settings()
    web = config.web
    web.check(config.environment)
    app = Flask("web", root_path=str(HERE), static_folder=None, template_folder="templates")
    app.config.update(
        SECRET_KEY=web.secret_key,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as its session
        WTF_CSRF_SSL_STRICT=web.secure_cookies,
        MAX_CONTENT_LENGTH=1024 * 1024,
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
        BABEL_DEFAULT_LOCALE="en",
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    store = store or Store(config.database_url_for("web"), pool_size=min(web.threads, 10))
    store.create_schema()
    app.session_interface = PostgresSessionInterface(store, web.session_seconds,
                                                     web.secure_cookies)
    app.extensions["casework.store"] = store
    app.extensions["casework.gateway"] = Gateway(
        web.gateway_url, pool_size=web.threads, timeout=config.rpc_timeout + 5)
    csrf.init_app(app)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    import importlib

    for name in PAGES:
        app.register_blueprint(importlib.import_module(f"web.{name}").blueprint)

    @app.get("/static/<path:filename>", endpoint="static")
    def static(filename):
        return static_file(filename)

    @app.get("/")
    def home():
        return redirect(url_for("staff.search"))

    # the links of the e-mails ({CASEWORK_PORTAL_URL}/invitations/{token}, /join/{slug},
    # /password-reset/{token}) land in the portal, under its own session path
    @app.get("/invitations/<token>")
    def invitation_link(token):
        return redirect(url_for("portal.invitation", token=token))

    @app.get("/password-reset/<token>")
    def password_reset_link(token):
        return redirect(url_for("portal.password_reset", token=token))

    @app.get("/join/<slug>")
    def join_link(slug):
        return redirect(url_for("portal.join", slug=slug))

    @app.get("/threads/<uuid:thread_id>")
    def thread_link(thread_id):
        return redirect(url_for("portal.thread", thread_id=thread_id))

    @app.before_request
    def request_id():
        g.request_id = request.headers.get("X-Request-Id") or secrets.token_hex(8)

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # links carry tokens (invitations): never send a page's address elsewhere
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        # geolocation: the portal's location request fills its fields from it, when asked
        response.headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return compressed(response)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("error.html", title=_("Your form expired"),
                               message=_("The page was open too long or in another session. "
                                         "Go back, reload the page and try again.")), 400

    @app.errorhandler(Unavailable)
    def unavailable(error):
        app.logger.warning("gateway unavailable: %s", error)
        return render_template("error.html", title=_("Sorry, there is a problem with the service"),
                               message=_("Try again later.")), 503

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("error.html", title=_("You cannot see this page"),
                               message=_("Your agency does not give you this part of the "
                                         "service, or your access has been stopped.")), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", title=_("Page not found"),
                               message=_("If you typed the web address, check it is correct.")), 404

    @app.errorhandler(405)
    def not_allowed(error):
        return render_template("error.html", title=_("Page not found"),
                               message=_("If you typed the web address, check it is correct.")), 405

    @app.context_processor
    def context():
        from flask_babel import get_locale

        from web.common import PORTAL_MENU, STAFF_MENU, can

        return {"languages": LANGUAGES, "locale": str(get_locale() or "en"),
                "staff_menu": [(endpoint, label) for endpoint, label, permission in STAFF_MENU
                               if permission is None or can(permission)],
                "portal_menu": PORTAL_MENU, "can": can}

    app.wsgi_app = ForwardToGateway(app.wsgi_app, app.extensions["casework.gateway"])
    return app
