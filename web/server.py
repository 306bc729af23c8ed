"""``casework serve web``: the web front end in gunicorn (CASEWORK_WEB_WORKERS processes of
CASEWORK_WEB_THREADS threads each) on CASEWORK_WEB_HOST:CASEWORK_WEB_PORT."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class WebServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web.app import create_app

        return create_app()


def serve() -> None:
    from casework.config import settings

    web = settings().web
    WebServer({
        "bind": f"{web.host}:{web.port}",
        "workers": web.workers,
        "threads": web.threads,
        "worker_class": "gthread",
        "graceful_timeout": 10,
        "timeout": 60,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "casework-web",
        # each worker builds its own app (its own database and gateway pools) after the fork
        "preload_app": False,
        # the limits of the gateway's request line and header fields (API.md "Limits")
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        # only the web process's own proxy may set X-Forwarded-* for it: none by default
        "forwarded_allow_ips": "",
        # several `casework serve web` on one port share it
        "reuse_port": True,
    }).run()
