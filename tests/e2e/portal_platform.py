"""The platform for the portal tests: every service but notifications, whose ``send_email`` is
captured by a small stand-in service of the same name on the same broker (a real nameko service:
the RPC really goes over RabbitMQ), recording each message it is asked to queue."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from casework.rpc import rpc
from services.notifications.service import NotificationsService

SENT: list[dict] = []
LOCK = threading.Lock()
FAIL = {"send_email": False}


class CapturedNotifications(NotificationsService):
    """The notifications service as it is, plus ``send_email`` as contracts/notifications.py
    states it, recording instead of sending. ``FAIL["send_email"]`` makes it refuse, to show that
    nothing is kept then."""

    @rpc
    def send_email(self, message):
        from casework.errors import ServiceUnavailable
        from casework.validation import load
        from contracts.notifications import EmailQueuedSchema, SendEmailSchema

        if FAIL["send_email"]:
            raise ServiceUnavailable("the mail queue is down")
        message = load(SendEmailSchema(), message)
        with LOCK:
            SENT.append(message)
        return EmailQueuedSchema().dump({"email_id": uuid.uuid4(), "status": "queued"})


def emails_to(address: str) -> list[dict]:
    with LOCK:
        return [m for m in SENT if m["to"] == address]


def token_of(message: dict) -> str:
    return message["context"]["link"].rsplit("/", 1)[1]


@pytest.fixture
def portal_url(bus_users, runner_factory, platform_config):
    """The gateway URL of a platform whose notifications service is the capturing stand-in."""
    from casework.cli import load_service_class
    from casework.migrations import SERVICES

    names = [n for n in SERVICES if n != "notifications"] + ["gateway"]
    runner = runner_factory(*[load_service_class(n) for n in names], CapturedNotifications)
    runner.start()
    url = f"http://{platform_config['WEB_SERVER_ADDRESS']}"
    deadline = time.monotonic() + 10
    while requests.get(f"{url}/ready", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the platform did not become ready"
        time.sleep(0.1)
    FAIL["send_email"] = False
    return url
