"""Who may speak on the bus: one RabbitMQ user per service, the gateway and outside systems, each
with the permissions its code needs and no more (issue 19).

RabbitMQ checks three regular expressions per user and vhost, on resource names (queues and
exchanges): *configure* (declare, delete), *write* (publish to an exchange, bind a queue) and
*read* (consume a queue, bind from an exchange), and, on a topic exchange, topic permissions on
routing keys (*write*: publish; *read*: the binding key of a queue bound to it). What nameko
3.0.0rc11 and the kernel declare and publish, per process:

- RPC entrypoints: the durable queue ``rpc-<service>`` bound to the topic exchange ``nameko-rpc``
  with the key ``<service>.*``; replies are published on ``nameko-rpc`` with the caller's reply
  key, a UUID.
- RPC clients (``casework.rpc.ServiceClient(s)``): the reply queue
  ``rpc.reply-<service>-<uuid>`` bound to ``nameko-rpc`` with the key ``<uuid>``; requests are
  published on ``nameko-rpc`` with the key ``<target>.<method>``.
- The outbox relay publishes the service's events on its topic exchange ``<service>.events``.
- Event handlers (``casework.messaging.consumes``): the queue
  ``evt-<source>-<event>--<service>.<method>`` bound to ``<source>.events``; the consumer of
  ``external`` also declares ``external.events`` with its alternate exchange and the queue
  ``external.unrouted`` (``casework.messaging.ensure_event_exchange``).

So a service publishes only on its own ``<service>.events`` and, on ``nameko-rpc``, only replies
(a UUID key) and requests to the services its code calls; it binds ``nameko-rpc`` only with its
own ``<service>.*`` and reply keys, so it cannot take another service's requests. The gateway
calls every service and answers nothing. An outside system publishes on ``external.events`` and
nothing else, and may consume the services' events into queues of its own named
``external.<system>.<name>``: no RPC, no queue of ours. What each service consumes and calls is
read from its class (``needs``), so the table follows the code.

``provision`` creates or updates the users and their permissions through the management API
(idempotent: ``casework broker users``); ``amqp_uri_for`` is the URI a process connects with.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

RPC_EXCHANGE = "nameko-rpc"
SERVICES = ("identity", "records", "invitations", "notifications", "scheduling")
GATEWAY = "gateway"
EXTERNAL = "external"  # outside systems: they publish on external.events only
USERS = SERVICES + (GATEWAY, EXTERNAL)
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTHING = "^$"
# queues outside systems may declare and consume: external.<system>.<name>, never the platform's
# external.events or external.unrouted
EXTERNAL_QUEUES = r"external\.(?!events$|unrouted$)[a-z0-9_-]+\.[a-z0-9_.-]+"
AMQP_URIS = "casework_amqp_uris"  # nameko config: {service: uri} when one process runs several


def user_name(process: str) -> str:
    """The RabbitMQ user of a service, the gateway, or outside systems (``external``)."""
    return f"casework-{process}"


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str
    topic_write: str | None = None  # on nameko-rpc; None: no topic permission set
    topic_read: str | None = None

    def as_row(self) -> dict:
        return {"configure": self.configure, "write": self.write, "read": self.read,
                "topic nameko-rpc write": self.topic_write, "topic nameko-rpc read":
                self.topic_read}


def _quoted(name: str) -> str:
    """A resource name in a pattern: service names are lower-case words, dots match dots."""
    return name.replace(".", r"\.")


def _any(*patterns: str) -> str:
    return "^(" + "|".join(patterns) + ")$"


def _load(process: str):
    from casework.cli import load_service_class

    return load_service_class(process)


def needs(process: str) -> tuple[frozenset[str], frozenset[str]]:
    """``(sources whose events it consumes, services it calls)``, read from its class."""
    from nameko.events import EventHandler

    from casework.messaging import UnroutedEventHandler
    from casework.rpc import ServiceClient, ServiceClients

    cls = _load(process)
    sources, targets = set(), set()
    for name in dir(cls):
        attr = getattr(cls, name, None)
        if isinstance(attr, ServiceClient):
            targets.add(attr.target_service)
        elif isinstance(attr, ServiceClients):
            targets.update(SERVICES)
        for entrypoint in getattr(attr, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler):
                sources.add(entrypoint.source_service)
            elif isinstance(entrypoint, UnroutedEventHandler):
                sources.add(entrypoint.source)
    return frozenset(sources), frozenset(targets)


def permissions(process: str, sources=None, targets=None) -> Permissions:
    """The permissions of one user on the platform's vhost."""
    if process == EXTERNAL:
        # their own queues, external.<system>.<name>, bound to the services' event exchanges
        queues = EXTERNAL_QUEUES
        events = [rf"{_quoted(service)}\.events" for service in SERVICES]
        return Permissions(configure=_any(queues), write=_any(r"external\.events", queues),
                           read=_any(queues, *events))
    if sources is None or targets is None:
        found = needs(process)
        sources = found[0] if sources is None else sources
        targets = found[1] if targets is None else targets
    name = _quoted(process)
    replies = rf"rpc\.reply-{name}-[^.]+"
    calls = [rf"{_quoted(t)}\.[a-z_][a-z0-9_]*" for t in sorted(targets)]
    if process == GATEWAY:  # serves HTTP only: no RPC entrypoint, no events
        resources = _any(_quoted(RPC_EXCHANGE), replies)
        return Permissions(resources, resources, resources,
                           topic_write=_any(*calls) if calls else NOTHING,
                           topic_read=_any(UUID))
    own_queues = [rf"rpc-{name}", replies, rf"evt-[a-z_]+-[a-z_]+--{name}\.[a-z_][a-z0-9_]*"]
    consumed = [rf"{_quoted(s)}\.events" for s in sorted(sources) if s != process]
    configure = [_quoted(RPC_EXCHANGE), rf"{name}\.events", *own_queues, *consumed]
    write = [_quoted(RPC_EXCHANGE), rf"{name}\.events", *own_queues]
    read = [_quoted(RPC_EXCHANGE), *own_queues, *consumed]
    if process in sources:  # it consumes its own events too (binding reads the exchange)
        read.append(rf"{name}\.events")
    if EXTERNAL in sources:
        # external.events is declared with its alternate exchange (configure and read on it,
        # write on the alternate exchange), whose queue this service binds and consumes
        configure.append(r"external\.unrouted")
        write.append(r"external\.unrouted")
        read.append(r"external\.unrouted")
    return Permissions(_any(*configure), _any(*write), _any(*read),
                       topic_write=_any(UUID, *calls), topic_read=_any(rf"{name}\.\*", UUID))


def table(processes=USERS) -> dict[str, Permissions]:
    return {p: permissions(p) for p in processes}


# -- URIs -----------------------------------------------------------------------------------

def with_credentials(uri: str, user: str, password: str) -> str:
    """``uri`` with another user and password (host, port and vhost kept)."""
    parts = urlsplit(uri)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def vhost_of(uri: str) -> str:
    path = urlsplit(uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def amqp_uri_for(process: str, base_uri: str | None = None) -> str:
    """The URI ``process`` connects with: ``CASEWORK_AMQP_URI``'s broker and vhost, as its own
    user with ``CASEWORK_AMQP_<PROCESS>_PASSWORD``."""
    from casework.config import settings

    s = settings()
    return with_credentials(base_uri or s.amqp_uri, user_name(process),
                            s.amqp_password(process))


def passwords(processes=USERS) -> dict[str, str]:
    from casework.config import settings

    return {p: settings().amqp_password(p) for p in processes}


def container_uri(container) -> str:
    """The URI of one service container: its own user's when the nameko config maps it
    (``CASEWORK_AMQP_URIS``: tests running several services in one process), else the
    process's ``AMQP_URI``."""
    from nameko import config
    from nameko.constants import AMQP_URI_CONFIG_KEY, DEFAULT_AMQP_URI

    uris = config.get(AMQP_URIS) or {}
    name = getattr(container, "service_name", None)
    return uris.get(name) or config.get(AMQP_URI_CONFIG_KEY, DEFAULT_AMQP_URI)


# -- the management API ----------------------------------------------------------------------

class ManagementError(RuntimeError):
    pass


class Management:
    """The few calls of RabbitMQ's management HTTP API that ``provision`` needs."""

    def __init__(self, url: str, user: str, password: str, timeout: float = 10):
        self.url, self.timeout = url.rstrip("/"), timeout
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    @classmethod
    def from_settings(cls) -> Management:
        """The API at ``CASEWORK_RABBITMQ_MANAGEMENT_URL``, as the user of
        ``CASEWORK_AMQP_URI`` (the operator's, an administrator of the broker)."""
        from casework.config import settings

        s = settings()
        parts = urlsplit(s.amqp_uri)
        return cls(s.rabbitmq_management_url, unquote(parts.username or "guest"),
                   unquote(parts.password or "guest"))

    def put(self, path: str, body: dict) -> None:
        request = urllib.request.Request(f"{self.url}/api/{path}", method="PUT",
                                         data=json.dumps(body).encode(), headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):
                pass
        except urllib.error.HTTPError as exc:
            raise ManagementError(f"PUT /api/{path}: {exc.code} {exc.read()[:300]!r}") from None
        except OSError as exc:
            raise ManagementError(f"the RabbitMQ management API at {self.url} cannot be "
                                  f"reached ({exc}); is its plugin enabled?") from None


def provision(management: Management, vhost: str, passwords: dict[str, str],
              perms: dict[str, Permissions] | None = None, *, create_users: bool = True) -> None:
    """Create or update each user (password), and set its permissions and topic permissions on
    ``vhost`` (created if missing). Running it again changes nothing."""
    perms = perms or table(tuple(passwords))
    v = quote(vhost, safe="")
    management.put(f"vhosts/{v}", {})
    for process, password in passwords.items():
        user = quote(user_name(process), safe="")
        if create_users:
            management.put(f"users/{user}", {"password": password, "tags": ""})
        p = perms[process]
        management.put(f"permissions/{v}/{user}",
                       {"configure": p.configure, "write": p.write, "read": p.read})
        management.put(f"topic-permissions/{v}/{user}", {
            "exchange": RPC_EXCHANGE, "write": p.topic_write or NOTHING,
            "read": p.topic_read or NOTHING})


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password))."""
    import hashlib
    import os

    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(vhost: str, passwords: dict[str, str],
                perms: dict[str, Permissions] | None = None) -> dict:
    """The same users and permissions as ``provision``, as RabbitMQ definitions (for
    ``rabbitmqctl import_definitions`` where no management API runs)."""
    perms = perms or table(tuple(passwords))
    users = [user_name(p) for p in passwords]
    return {
        "vhosts": [{"name": vhost}],
        "users": [{"name": user_name(p), "password_hash": password_hash(pw),
                   "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
                  for p, pw in passwords.items()],
        "permissions": [{"user": u, "vhost": vhost, "configure": perms[p].configure,
                         "write": perms[p].write, "read": perms[p].read}
                        for u, p in zip(users, passwords, strict=True)],
        "topic_permissions": [{"user": u, "vhost": vhost, "exchange": RPC_EXCHANGE,
                               "write": perms[p].topic_write or NOTHING,
                               "read": perms[p].topic_read or NOTHING}
                              for u, p in zip(users, passwords, strict=True)],
    }
