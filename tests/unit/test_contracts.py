"""One contract per service API, declared once (issue 14): every schema a gateway route uses is
a class of ``contracts``, no hand-kept twin of it remains in the gateway or a service, and the
contracts depend on nothing but marshmallow and the kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from marshmallow import Schema

import gateway.service  # noqa: F401  (imports every route module, so ROUTES is complete)
from gateway.routing import ROUTES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "records", "invitations", "notifications", "scheduling")


def schema_class(value) -> type | None:
    if value is None:
        return None
    return value if isinstance(value, type) else type(value)


def route_schemas():
    for route in ROUTES:
        named = {"body": route.body, "query": route.query,
                 **{f"response {status}": schema for status, schema in route.responses.items()}}
        for role, value in named.items():
            cls = schema_class(value)
            if cls is not None:
                yield f"{route.method} {route.path} {role}", cls


@pytest.mark.parametrize("where, cls", list(route_schemas()), ids=lambda v: str(v))
def test_every_route_schema_is_the_contracts_class(where, cls):
    assert issubclass(cls, Schema)
    assert cls.__module__.split(".")[0] == "contracts", (
        f"{where} uses {cls.__module__}.{cls.__name__}, not a class of contracts/")


def test_routes_use_contract_schemas_at_all():
    assert len(list(route_schemas())) > 50


def test_no_twin_schema_module_remains_in_the_gateway_or_a_service():
    assert not (ROOT / "gateway" / "schemas").exists(), "gateway/schemas/ is a twin of contracts/"
    twins = sorted(str(p.relative_to(ROOT)) for name in SERVICES
                   for p in (ROOT / "services" / name).glob("schemas*.py"))
    assert twins == []


def test_no_schema_class_is_declared_outside_contracts_in_gateway_or_services():
    """Services and the gateway import their schemas; they do not declare new ones (tests and
    migrations aside)."""
    declared = []
    for path in [*(ROOT / "gateway").rglob("*.py"), *(ROOT / "services").rglob("*.py")]:
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", "")) in ("Schema", "Strict",
                                                                       "EventData")
                    for base in node.bases):
                declared.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert declared == []


def test_contracts_import_only_marshmallow_the_kernel_and_themselves():
    allowed = {"marshmallow", "casework", "contracts", "__future__", "re", "datetime",
               "uuid", "sys", "zoneinfo", "enum", "typing", "collections", "functools",
               "decimal", "math"}
    for path in (ROOT / "contracts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["contracts"]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                assert not name.startswith(("casework.db", "casework.rpc",
                                            "casework.messaging")), f"{path.name}: {name}"


SHAPE = {"__init__.py", "service.py", "entrypoints", "domain.py", "queries", "models.py",
         "migrations", "tests"}
# a module outside the shape, with why: argon2 hashing in eventlet's thread pool is neither a
# rule (domain.py stays free of nameko and eventlet) nor SQL
EXCEPTIONS = {"identity": {"passwords.py"},
              # the SMTP sender loop: I/O in a greenthread of its own, neither a rule nor SQL
              "notifications": {"sender.py"}}


@pytest.mark.parametrize("service", ("identity", "records", "scheduling", "notifications"))
def test_each_service_has_the_one_shape(service):
    """README "Layout": service.py composes, entrypoints/ holds every entrypoint, queries/ every
    statement, domain.py the rules (once a service has any), models.py the tables,
    migrations/ and tests/; nothing else."""
    folder = ROOT / "services" / service
    for part in ("service.py", "entrypoints/__init__.py", "queries/__init__.py", "models.py",
                 "migrations", "tests"):
        assert (folder / part).exists(), f"services/{service}/{part} is missing"
    present = {p.name for p in folder.iterdir() if p.name != "__pycache__"}
    assert present - SHAPE - EXCEPTIONS.get(service, set()) == set()
    tree = ast.parse((folder / "service.py").read_text())
    decorated = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                 and node.decorator_list]
    assert decorated == [], f"entrypoints belong in entrypoints/, not service.py: {decorated}"
    assert "select(" not in (folder / "service.py").read_text()
    for path in (folder / "entrypoints").glob("*.py"):
        text = path.read_text()
        assert "session.execute(" not in text and "select(" not in text, (
            f"{path.relative_to(ROOT)} runs SQL: it belongs in queries/")
