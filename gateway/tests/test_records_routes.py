"""The records routes declare their bodies, queries and answers with the records contract
(``contracts.records``, ``contracts.common``) only, and the records service declares no schema of
its own: one declaration of each, shared by the gateway and the service (issue 14)."""

import importlib
import inspect
import pkgutil

from marshmallow import Schema

import gateway.service  # noqa: F401  (registers every route)
import services.records
from gateway.routes.records import RecordRoutes
from gateway.routing import ROUTES

CONTRACT_MODULES = ("contracts.records", "contracts.common")
RECORDS_ROUTES = [r for r in ROUTES if r.name in {
    name for name, _ in inspect.getmembers(RecordRoutes, inspect.isfunction)}]


def _from_the_contract(schema) -> bool:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__module__.startswith(CONTRACT_MODULES)


def test_every_records_route_uses_the_contract_classes():
    assert len(RECORDS_ROUTES) >= 40
    for route in RECORDS_ROUTES:
        schemas = [s for s in (route.body, route.query, *route.responses.values())
                   if s is not None]
        assert all(_from_the_contract(s) for s in schemas), (route.method, route.path, schemas)


def test_the_records_service_declares_no_schema_of_its_own():
    for module in pkgutil.walk_packages(services.records.__path__, "services.records."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        loaded = importlib.import_module(module.name)
        own = [name for name, value in vars(loaded).items()
               if isinstance(value, type) and issubclass(value, Schema)
               and value.__module__ == module.name]
        assert not own, (module.name, own)
