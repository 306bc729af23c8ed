"""``python -m tests.chaos.serve probe|writer``: run one of the fault suite's own services
(``tests/chaos/probe.py``) as an OS process, the way ``casework serve`` runs the real ones."""

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402

import nameko  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

import casework  # noqa: E402,F401  (cooperative psycopg before anything imports it)
from casework.config import nameko_config, settings  # noqa: E402
from casework.logs import configure_logging  # noqa: E402


def main(which: str) -> None:
    from tests.chaos.probe import ChaosProbe, ChaosWriter

    service = {"probe": ChaosProbe, "writer": ChaosWriter}[which]
    configure_logging(service.name, settings().log_level)
    nameko.config.setup(nameko_config())
    runner = ServiceRunner()
    runner.add_service(service)
    runner.start()
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1])
