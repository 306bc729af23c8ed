"""A client generated from the served OpenAPI document with openapi-python-client's default
settings works against the running platform (issue 14, point 1): a staff login, a record
created and read back, and a refusal parsed as a problem. The generator needs no network: it
reads the document from a file and formats with the ruff of this virtualenv."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import typing
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def generate(gateway_url: str, tmp_path: Path) -> Path:
    document = tmp_path / "openapi.json"
    document.write_bytes(requests.get(f"{gateway_url}/api/v1/openapi.json", timeout=10).content)
    output = tmp_path / "client"
    finished = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(document),
         "--output-path", str(output)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert finished.returncode == 0, (finished.stdout + finished.stderr)[-4000:]
    return output


def operation(package: str, root: Path, operation_id: str):
    """The generated module of one operation (``api/<tag>/<operationId>.py``)."""
    (found,) = (root / package / "api").glob(f"*/{operation_id}.py")
    return importlib.import_module(f"{package}.api.{found.parent.name}.{operation_id}")


def body_type(module):
    return typing.get_type_hints(module.sync_detailed)["body"]


def test_a_client_generated_with_default_settings_logs_in_and_keeps_records(
        gateway_url, operator, tmp_path, monkeypatch):
    agency = operator.create_agency()
    output = generate(gateway_url, tmp_path)
    (package_dir,) = [path for path in output.iterdir() if (path / "client.py").exists()]
    package = package_dir.name
    monkeypatch.syspath_prepend(str(output))
    try:
        client_module = importlib.import_module(f"{package}.client")
        login = operation(package, output, "staff_login")
        create = operation(package, output, "create_record")
        read = operation(package, output, "get_record")

        anonymous = client_module.Client(base_url=gateway_url, raise_on_unexpected_status=True)
        refused = login.sync_detailed(client=anonymous, body=body_type(login).from_dict({
            "organization": agency["slug"], "email": agency["admin_email"],
            "password": "not the password"}))
        assert refused.status_code == 401
        assert refused.parsed.code == "invalid_credentials"

        logged_in = login.sync_detailed(client=anonymous, body=body_type(login).from_dict({
            "organization": agency["slug"], "email": agency["admin_email"],
            "password": agency["admin_password"]}))
        assert logged_in.status_code == 200, logged_in.content
        token = logged_in.parsed.access_token
        assert token

        staff = client_module.AuthenticatedClient(base_url=gateway_url, token=token,
                                                  raise_on_unexpected_status=True)
        created = create.sync_detailed(client=staff, body=body_type(create).from_dict({
            "first_name": "Ada", "last_name": "Lovelace"}))
        assert created.status_code == 201, created.content
        record = created.parsed
        assert (record.first_name, record.last_name) == ("Ada", "Lovelace")

        fetched = read.sync_detailed(client=staff, record_id=str(record.id))
        assert fetched.status_code == 200, fetched.content
        assert fetched.parsed.id == record.id
        assert (fetched.parsed.first_name, fetched.parsed.last_name) == ("Ada", "Lovelace")
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == package]:
            del sys.modules[name]
