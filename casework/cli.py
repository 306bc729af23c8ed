"""``casework``: the operator's command.

  casework migrate                     create the database if needed and migrate every service
  casework serve SERVICE               run one service (or ``gateway``, or ``web``: the staff
                                       console and client portal) in the foreground
  casework run                         migrate, make the broker users, then run every service,
                                       the gateway and the web front end (Ctrl-C stops them all)
  casework broker users [--dry-run]    create or update the RabbitMQ user of each service, the
                                       gateway and outside systems (casework-<name>) and their
                                       permissions on CASEWORK_AMQP_URI's vhost, through the
                                       management API; prints the permission table
  casework dead-letters list           what could not be applied and was put aside (events, and
                                       messages that were not events), in every service
  casework dead-letters show SERVICE ID
                                       one dead letter in full (reason, payload, raw bytes)
  casework dead-letters replay SERVICE ID
                                       publish a dead-lettered event again (handlers are idempotent)
  casework mail list                   what the local mail catcher caught (casework run starts it
                                       when no CASEWORK_SMTP_HOST is set)
  casework mail show ID [--html]       one caught e-mail: headers and text (or HTML)
  casework mail list --dead            e-mail the notifications service gave up on, with reasons
  casework mail retry ID | --all       queue a dead e-mail (or every one) again
  casework mail catch [--port N] [--host H]
                                       run the mail catcher alone (127.0.0.1 by default)
  casework events schema [TYPE]        the JSON Schema of every declared event (or of one type,
                                       e.g. records.record_created)
  casework import records FILE --organization SLUG [--dry-run] [--batch-size N]
                                       import client records from a CSV file (the columns of
                                       POST /staff/records plus case_number) as the agency's first
                                       administrator: a progress bar on stderr, each refused or
                                       duplicate row reported on stdout; a re-run creates nothing
                                       twice
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time


def quiet_library_warnings() -> None:
    """An operator's command prints what the platform says, not what its libraries say about
    their own future: eventlet's deprecation banner (a ``Warning``, printed when nameko first
    imports it) and DeprecationWarnings of the libraries (argparse, kombu, ...). Installed before
    anything imports them, in every process the CLI starts (``casework run`` runs its services
    through this same entry)."""
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)


SERVICE_CLASSES = {
    "identity": "services.identity.service:IdentityService",
    "records": "services.records.service:RecordsService",
    "invitations": "services.invitations.service:InvitationsService",
    "notifications": "services.notifications.service:NotificationsService",
    "scheduling": "services.scheduling.service:SchedulingService",
    "gateway": "gateway.service:GatewayService",
}
# processes that are no nameko service: the web front end (staff console and client portal),
# gunicorn on CASEWORK_WEB_PORT, talking to the platform through the gateway's HTTP API only
FRONT_ENDS = ("web",)


def load_service_class(name: str):
    import importlib

    module, _, cls = SERVICE_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def serve(name: str) -> None:
    if name in FRONT_ENDS:
        from web.server import serve as serve_web

        serve_web()
        return
    import eventlet
    from eventlet.event import Event

    eventlet.monkey_patch()
    import nameko
    from nameko.runners import ServiceRunner

    import casework  # noqa: F401  (cooperative psycopg before anything imports it)
    from casework.broker import amqp_uri_for
    from casework.config import nameko_config, settings
    from casework.logs import configure_logging

    configure_logging(name, settings().log_level)
    config = nameko_config()
    config["AMQP_URI"] = amqp_uri_for(name)  # its own broker user (casework broker users)
    if name == "gateway":
        config["max_workers"] = max(64, settings().max_workers)
    nameko.config.setup(config)
    runner = ServiceRunner()
    runner.add_service(load_service_class(name))

    stopping = []
    started = Event()

    def stop_when_started():
        # a stop while the container is still starting hung it for good (its HTTP server
        # already answers then: the CLI test hit it about one time in four)
        started.wait()
        runner.stop()

    def shutdown(signum, frame):
        # Ctrl-C reaches every process of the group and `casework run` forwards a SIGTERM too:
        # stop once (nameko's timers refuse a second stop)
        if not stopping:
            stopping.append(signum)
            eventlet.spawn_n(stop_when_started)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    started.send()
    runner.wait()


def start_mail_catcher(environ: dict[str, str]):
    """With no ``CASEWORK_SMTP_HOST``: start the local mail catcher (``casework mail catch``)
    and answer it with the environment that points the services at it. Otherwise ``None`` and
    the environment as it is."""
    from casework.config import env as setting
    from casework.mail import CATCHER_HOST, catcher_environment

    if environ.get("CASEWORK_SMTP_HOST", "").strip():
        return None, environ
    port = int(environ.get("CASEWORK_MAIL_CATCHER_PORT") or setting("CASEWORK_MAIL_CATCHER_PORT"))
    process = subprocess.Popen([sys.executable, "-m", "casework.cli", "mail", "catch",
                                "--port", str(port)], env=environ)
    print(f"casework: no CASEWORK_SMTP_HOST, so e-mail goes to the local mail catcher on "
          f"{CATCHER_HOST}:{port}; read it with `casework mail list` and "
          f"`casework mail show ID`", file=sys.stderr)
    return process, catcher_environment(environ, port)


def env_setting(environ: dict[str, str], name: str) -> str:
    from casework.config import VARIABLES

    return environ.get(name) or VARIABLES[name][0]


def web_environment(environ: dict[str, str]) -> dict[str, str]:
    """The web front end reaches the gateway on this machine and passes the browser's address
    in ``X-Forwarded-For``: the gateway trusts it from 127.0.0.1 (its login throttling counts per
    browser, not per web process), added to any ``CASEWORK_TRUSTED_PROXIES`` given."""
    gateway_url = environ.get("CASEWORK_WEB_GATEWAY_URL", "").strip()
    if gateway_url and not gateway_url.startswith(("http://127.0.0.1", "http://localhost")):
        return environ
    trusted = [a.strip() for a in environ.get("CASEWORK_TRUSTED_PROXIES", "").split(",")
               if a.strip()]
    if "127.0.0.1" not in trusted:
        trusted.append("127.0.0.1")
    return {**environ, "CASEWORK_TRUSTED_PROXIES": ",".join(trusted)}


def run_all(instances: dict[str, int] | None = None) -> int:
    """Start every service and the gateway as separate processes; stop them all on Ctrl-C."""
    from casework.migrations import migrate

    migrate()
    if broker_users(quiet=True) != 0:
        return 1
    processes = []
    catcher, env = start_mail_catcher(dict(os.environ))
    if catcher is not None:
        processes.append(catcher)
    env = web_environment(env)
    for name in (*SERVICE_CLASSES, *FRONT_ENDS):
        for _ in range((instances or {}).get(name, 1)):
            processes.append(
                subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", name], env=env))
    port = env_setting(env, "CASEWORK_WEB_PORT")
    print(f"casework: the staff console is on http://127.0.0.1:{port}/ and the portal on "
          f"/portal/; the API on the same port (/api/v1/...)", file=sys.stderr)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for process in processes:
            if process.poll() is not None:
                print(f"casework: a process exited with {process.returncode}; stopping",
                      file=sys.stderr)
                stopping, code = True, 1
        time.sleep(0.5)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return code


def broker_users(dry_run: bool = False, quiet: bool = False) -> int:
    from casework import broker

    try:
        table = broker.table()
        if not dry_run:
            broker.provision(broker.Management.from_settings(),
                             broker.vhost_of(_settings().amqp_uri), broker.passwords(), table)
    except (broker.ManagementError, RuntimeError) as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return 1
    if not quiet:
        for process, permissions in table.items():
            print(broker.user_name(process))
            for what, pattern in permissions.as_row().items():
                print(f"  {what:<24}{pattern if pattern is not None else '(not set)'}")
    return 0


def _settings():
    from casework.config import settings

    return settings()


def dead_letters(args) -> int:
    from sqlalchemy.exc import OperationalError

    from casework import dead_letters as dl
    from casework.errors import CaseworkError

    try:
        return _dead_letters(dl, args)
    except CaseworkError as exc:  # an unknown service or id: say so, no traceback
        print(f"casework: {exc.detail}", file=sys.stderr)
        return 1
    except OperationalError as exc:  # no database (yet): one line, not a traceback
        print(f"casework: the database cannot be reached ({str(exc.orig).strip()});"
              " is it running, and migrated (casework migrate)?", file=sys.stderr)
        return 1


def _dead_letters(dl, args) -> int:
    if args.action == "list":
        rows = dl.list_all()
        dead_mail = _dead_emails()
        if not rows and not dead_mail:
            print("no dead letters")
        for row in rows:
            print(f"{row['service']}\t{row['id']}\t{row['created_at']:%Y-%m-%d %H:%M:%S}\t"
                  f"{row['exchange']}/{row['routing_key']}\t{row['handler']}\t"
                  f"{'replayed ' + str(row['replayed_at']) if row['replayed_at'] else 'pending'}"
                  f"\t{row['reason'][:120]}"
                  + (f"\traw {preview(row['raw_body'])}" if row["raw_body"] is not None else ""))
        for row in dead_mail:  # e-mail the sender gave up on (casework mail retry)
            print(f"notifications\temail {row['id']}\t{row['dead_at']:%Y-%m-%d %H:%M:%S}\t"
                  f"mail/{row['template']}\tsender\tdead ({row['attempts']} attempts; "
                  f"casework mail retry {row['id']})\t{(row['last_error'] or '')[:120]}")
        return 0
    if args.action == "show":
        row = dl.show(args.service, args.id)
        for key, value in row.items():
            if key == "raw_body":
                value = preview(value, limit=None)
            elif key == "payload":
                value = json.dumps(value, sort_keys=True)
            print(f"{key}: {value}")
        return 0
    dl.replay(args.service, args.id)
    print(f"replayed {args.service} dead letter {args.id}")
    return 0


def _dead_emails() -> list[dict]:
    from casework.mail import outgoing

    return outgoing("dead")


def mail(args) -> int:
    from casework import mail as m
    from casework.errors import CaseworkError

    if args.action == "catch":
        m.serve_catcher(args.port, args.dir, args.host)
        return 0
    if args.action == "list" and args.dead:
        rows = m.outgoing("dead")
        if not rows:
            print("no dead e-mail")
        for row in rows:
            print(f"{row['id']}\t{row['dead_at']:%Y-%m-%d %H:%M:%S}\t{row['template']}\t"
                  f"{row['to_address']}\t{row['attempts']} attempts\t{row['last_error']}")
        return 0
    if args.action == "list":
        rows = m.caught()
        if not rows:
            print("no e-mail caught")
        for row in rows:
            print(f"{row['id']}\t{row['date']}\t{row['to']}\t{row['from']}\t{row['subject']}")
        return 0
    if args.action == "show":
        message = m.caught_message(args.id)
        if message is None:
            print(f"casework: no caught e-mail {args.id}", file=sys.stderr)
            return 1
        print(m.show(message, html=args.html))
        return 0
    try:
        count = m.retry(None if args.all else args.id)
    except CaseworkError as exc:
        print(f"casework: {exc.detail}", file=sys.stderr)
        return 1
    print(f"queued {count} dead e-mail(s) again")
    return 0


def preview(raw: bytes | None, limit: int | None = 80) -> str:
    """Raw bytes as Python writes a bytes literal (every byte visible), cut at ``limit``."""
    if raw is None:
        return "None"
    text = repr(bytes(raw))
    return text if limit is None or len(text) <= limit else text[:limit] + "..."


def events(args) -> int:
    from casework import event_schemas

    if args.type is None:
        schema = event_schemas.document()
    else:
        schema = event_schemas.schema_of(args.type)
        if schema is None:
            print(f"casework: no declared event {args.type!r}; declared: "
                  f"{', '.join(event_schemas.types())}", file=sys.stderr)
            return 1
    print(json.dumps(schema, indent=2))
    return 0


IMPORT_BATCH = 1000


def _signed(caller: dict) -> dict:
    """A caller as the gateway passes it: signed (``casework.callers.sign``), so that the
    services take the operator's command for what it says it is."""
    from casework.callers import sign

    return sign(caller)


def import_records(args) -> int:
    """``casework import records``: batches of rows through the records service's
    ``import_records`` RPC (one set-based insert per batch), acting as the agency's first active
    administrator (the operator's command has no staff user of its own)."""
    import uuid

    import eventlet

    eventlet.monkey_patch()
    import nameko
    from nameko.standalone.rpc import ClusterRpcClient

    from casework import record_csv
    from casework.config import nameko_config
    from casework.errors import CaseworkError

    try:
        stream = open(args.file, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        print(f"casework: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    with stream:
        try:
            rows = list(record_csv.read(stream))
        except record_csv.BadFile as exc:
            print(f"casework: {args.file}: {exc}", file=sys.stderr)
            return 2
    total, size = len(rows), max(1, min(args.batch_size, 2000))
    nameko.config.setup(nameko_config())
    counts = {"created": 0, "would_create": 0, "duplicate": 0, "refused": 0}
    run_id = f"import-{uuid.uuid4()}"
    report, earlier = [], record_csv.EarlierRows()
    with ClusterRpcClient(timeout=300) as rpc:
        try:
            actor = rpc.identity.agency_administrator(_signed({"kind": "operator"}),
                                                      args.organization)
        except CaseworkError as exc:
            print(f"casework: {exc.detail}", file=sys.stderr)
            return 1
        done = reported = 0
        progress(done, total, counts)
        for start in range(0, total, size):
            batch, payloads = rows[start:start + size], []
            for number, payload in batch:
                if isinstance(payload, record_csv.BadRow):
                    report.append({"row": number, "outcome": "refused", "reason": str(payload),
                                   "record_id": None, "case_number": None})
                else:
                    payloads.append({**payload, "row": number})
            if payloads:
                caller = _signed({"kind": "staff", "organization_id": actor["organization_id"],
                                  "user_id": actor["user_id"], "permissions": ["agency_admin"],
                                  "request_id": run_id})
                answer = rpc.records.import_records(caller, {"rows": payloads,
                                                             "dry_run": args.dry_run})
                report += earlier.settle(answer["results"])
            done += len(batch)
            for result in report[reported:]:
                counts[result["outcome"]] += 1
            reported = len(report)
            progress(done, total, counts)
    print(file=sys.stderr)
    for result in sorted(report, key=lambda r: r["row"]):
        if result["outcome"] in ("refused", "duplicate"):
            print(f"row {result['row']}\t{result['outcome']}\t{result['reason']}")
    made = "would be created (dry run)" if args.dry_run else "created"
    print(f"{counts['would_create' if args.dry_run else 'created']} record(s) {made}, "
          f"{counts['duplicate']} duplicate(s) flagged, {counts['refused']} row(s) refused, "
          f"of {total} (import {run_id}, as {actor['name']})", file=sys.stderr)
    return 0


def progress(done: int, total: int, counts: dict) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows  "
          f"created {counts['created'] + counts['would_create']:,}  duplicates "
          f"{counts['duplicate']:,}  refused {counts['refused']:,}", end="", file=sys.stderr,
          flush=True)


def main(argv=None) -> int:
    quiet_library_warnings()
    parser = argparse.ArgumentParser(prog="casework", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate")
    serve_p = sub.add_parser("serve")
    serve_p.add_argument("service", choices=sorted((*SERVICE_CLASSES, *FRONT_ENDS)))
    run_p = sub.add_parser("run")
    run_p.add_argument("--scale", action="append", default=[], metavar="SERVICE=N",
                       help="run N instances of SERVICE (e.g. --scale records=2)")
    dl_p = sub.add_parser("dead-letters")
    dl_sub = dl_p.add_subparsers(dest="action", required=True)
    dl_sub.add_parser("list")
    show_p = dl_sub.add_parser("show")
    show_p.add_argument("service")
    show_p.add_argument("id", type=int)
    replay_p = dl_sub.add_parser("replay")
    replay_p.add_argument("service")
    replay_p.add_argument("id", type=int)
    broker_p = sub.add_parser("broker")
    broker_sub = broker_p.add_subparsers(dest="action", required=True)
    users_p = broker_sub.add_parser(
        "users", help="create or update the broker users and their permissions")
    users_p.add_argument("--dry-run", action="store_true",
                         help="print the permission table without changing the broker")
    mail_p = sub.add_parser("mail")
    mail_sub = mail_p.add_subparsers(dest="action", required=True)
    list_p = mail_sub.add_parser("list")
    list_p.add_argument("--dead", action="store_true",
                        help="e-mail the sender gave up on (from the database), with reasons")
    show_p = mail_sub.add_parser("show")
    show_p.add_argument("id")
    show_p.add_argument("--html", action="store_true", help="the HTML part instead of the text")
    retry_p = mail_sub.add_parser("retry")
    which = retry_p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?")
    which.add_argument("--all", action="store_true", help="every dead e-mail")
    catch_p = mail_sub.add_parser("catch")
    catch_p.add_argument("--port", type=int, default=None)
    catch_p.add_argument("--dir", default=None, help="where to keep caught mail")
    catch_p.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default 127.0.0.1: this machine only)")
    events_p = sub.add_parser("events")
    events_sub = events_p.add_subparsers(dest="action", required=True)
    schema_p = events_sub.add_parser("schema", help="JSON Schema (draft 2020-12) of the events")
    schema_p.add_argument("type", nargs="?", help="one event type, e.g. records.record_created")
    import_p = sub.add_parser("import", help="import data from a file")
    import_sub = import_p.add_subparsers(dest="what", required=True)
    records_p = import_sub.add_parser("records", help="client records from a CSV file")
    records_p.add_argument("file")
    records_p.add_argument("--organization", required=True, metavar="SLUG",
                           help="the agency's slug")
    records_p.add_argument("--dry-run", action="store_true",
                           help="check every row and report; create nothing")
    records_p.add_argument("--batch-size", type=int, default=IMPORT_BATCH,
                           help=f"rows per call of the records service (default {IMPORT_BATCH},"
                                " at most 2000)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        serve(args.service)
        return 0
    import casework  # noqa: F401

    if args.command == "migrate":
        from casework.migrations import migrate

        migrate()
        return 0
    if args.command == "run":
        scale = {}
        for item in args.scale:
            name, _, count = item.partition("=")
            scale[name] = int(count)
        return run_all(scale)
    if args.command == "events":
        return events(args)
    if args.command == "import":
        return import_records(args)
    if args.command == "broker":
        return broker_users(dry_run=args.dry_run)
    if args.command == "mail":
        if args.action == "catch" and args.port is None:
            from casework.config import env as setting

            args.port = int(setting("CASEWORK_MAIL_CATCHER_PORT"))
        return mail(args)
    return dead_letters(args)


if __name__ == "__main__":
    sys.exit(main())
