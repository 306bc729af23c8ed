"""docker-compose.yml checked statically (no Docker engine runs here): every service, command,
variable and port it names exists in the code."""

from pathlib import Path

import yaml

from casework import broker
from casework.cli import FRONT_ENDS, SERVICE_CLASSES, main
from casework.config import VARIABLES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_casework_process_has_a_container_running_its_serve_command():
    services = COMPOSE["services"]
    for name in (*SERVICE_CLASSES, *FRONT_ENDS):
        assert services[name]["command"] == ["casework", "serve", name]
    assert services["migrate"]["command"] == ["casework", "migrate"]


def test_compose_commands_parse_with_the_real_cli(monkeypatch):
    import casework.cli as cli

    seen = []
    monkeypatch.setattr(cli, "serve", seen.append)
    for name in (*SERVICE_CLASSES, *FRONT_ENDS):
        assert main(COMPOSE["services"][name]["command"][1:]) == 0
    assert seen == [*SERVICE_CLASSES, *FRONT_ENDS]


def test_every_variable_is_a_documented_setting():
    for name, service in COMPOSE["services"].items():
        for variable in (service.get("environment") or {}):
            if variable.startswith("CASEWORK_"):
                assert documented(variable), (name, variable)
            else:
                assert name in ("postgres",), (name, variable)


def test_services_can_scale_because_only_the_web_front_end_publishes_a_port():
    """Port 8000 is the web front end's (staff console, portal, the API forwarded); the
    gateway answers inside the network on 8001, where the web process finds it, and trusts
    the web process's fixed address for X-Forwarded-For."""
    services = COMPOSE["services"]
    for name in SERVICE_CLASSES:
        assert "ports" not in services[name]
    assert services["web"]["ports"] == ["8000:8000"]
    assert services["web"]["environment"]["CASEWORK_WEB_PORT"] == "8000"
    gateway_port = services["gateway"]["environment"]["CASEWORK_HTTP_PORT"]
    assert gateway_port == "8001"
    assert services["web"]["environment"]["CASEWORK_WEB_GATEWAY_URL"] == \
        f"http://gateway:{gateway_port}"
    assert f":{gateway_port}/health" in " ".join(services["gateway"]["healthcheck"]["test"])
    web_address = services["web"]["networks"]["default"]["ipv4_address"]
    assert services["gateway"]["environment"]["CASEWORK_TRUSTED_PROXIES"] == web_address
    assert services["web"]["depends_on"]["gateway"]["condition"] == "service_healthy"


def test_infrastructure_has_health_checks_and_services_wait_for_them():
    for name in ("rabbitmq", "postgres", "gateway", "web"):
        assert COMPOSE["services"][name]["healthcheck"]["test"]
    for name in SERVICE_CLASSES:
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["rabbitmq"]["condition"] == "service_healthy"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_contains_what_the_commands_need():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("casework", "gateway", "services", "web"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert "pip install" in dockerfile


def documented(variable: str) -> bool:
    """A setting of casework.config, or one of its per-service forms (CASEWORK_<SERVICE>_...)."""
    return variable in VARIABLES or any(
        variable == pattern.replace("<SERVICE>", process.upper())
        for pattern in VARIABLES if "<SERVICE>" in pattern for process in broker.USERS)


def test_each_process_connects_as_its_own_broker_user_knowing_only_its_password():
    services = COMPOSE["services"]
    made = services["broker-users"]
    assert made["command"] == ["casework", "broker", "users"]
    for process in broker.USERS:
        assert f"CASEWORK_AMQP_{process.upper()}_PASSWORD" in made["environment"]
    for name in SERVICE_CLASSES:
        passwords = {v for v in services[name]["environment"]
                     if v.startswith("CASEWORK_AMQP_") and v.endswith("_PASSWORD")}
        assert passwords == {f"CASEWORK_AMQP_{name.upper()}_PASSWORD"}, (name, passwords)
        assert "broker-users" in services[name]["depends_on"]
    for name in FRONT_ENDS:  # the web front end is on no bus: it knows no broker password
        assert not {v for v in services[name]["environment"] if v.endswith("_PASSWORD")}
    assert main(["broker", "users", "--dry-run"]) == 0


def test_e_mail_goes_to_the_mail_catcher_unless_an_smtp_server_is_named(monkeypatch):
    """As ``make run`` does without CASEWORK_SMTP_HOST: the ``mail`` container catches what
    notifications sends, keeps it on a volume, and ``casework mail list`` reads it there."""
    import casework.mail as mail

    services = COMPOSE["services"]
    catcher, sender = services["mail"], services["notifications"]["environment"]
    assert "ports" not in catcher  # inside the network only
    command = catcher["command"]
    port = command[command.index("--port") + 1]
    assert sender["CASEWORK_SMTP_HOST"] == "${CASEWORK_SMTP_HOST:-mail}"
    assert sender["CASEWORK_SMTP_PORT"] == f"${{CASEWORK_SMTP_PORT:-{port}}}"
    assert sender["CASEWORK_SMTP_SECURITY"] == "${CASEWORK_SMTP_SECURITY:-none}"
    folder = catcher["environment"]["CASEWORK_MAIL_CATCHER_DIR"]
    assert any(volume.endswith(f":{folder}") for volume in catcher["volumes"])
    assert catcher["volumes"][0].split(":")[0] in COMPOSE["volumes"]
    seen = []
    monkeypatch.setattr(mail, "serve_catcher", lambda *args: seen.append(args))
    assert main(command[1:]) == 0
    assert seen == [(int(port), None, "0.0.0.0")]
