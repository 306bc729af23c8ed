"""Every RPC entrypoint of every service is casework's (replies without publisher confirms).
nameko shares one queue consumer per entrypoint class, so a service mixing nameko's ``rpc`` with
casework's would have two consumers on one queue, each refusing the other's methods."""

import inspect

import pytest
from nameko.rpc import Rpc

from casework.cli import SERVICE_CLASSES, load_service_class
from casework.rpc import CaseworkRpc


@pytest.mark.parametrize("name", sorted(set(SERVICE_CLASSES) - {"gateway"}))
def test_every_rpc_entrypoint_is_caseworks(name):
    service = load_service_class(name)
    entrypoints = [(attr, entrypoint) for attr, method in inspect.getmembers(service)
                   for entrypoint in getattr(method, "nameko_entrypoints", ())
                   if isinstance(entrypoint, Rpc)]
    assert any(attr == "health" for attr, _ in entrypoints)
    assert [attr for attr, entrypoint in entrypoints if type(entrypoint) is not CaseworkRpc] == []
