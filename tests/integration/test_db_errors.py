"""A value PostgreSQL refuses is the caller's input error (422), never a 500, even when it gets
past the gateway (services are called by other systems too)."""

import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcClient

from casework.errors import ValidationFailed
from tests.fixtures import signed


def test_a_value_postgresql_cannot_store_is_a_validation_error(start_services, platform_config):
    start_services("records")
    caller = signed({"kind": "staff", "organization_id": str(uuid.uuid4()),
                     "user_id": str(uuid.uuid4()), "permissions": []})
    with ClusterRpcClient() as client, pytest.raises(ValidationFailed) as refused:
        client.records.create_record(caller, {"first_name": "A\x00da", "last_name": "L"})
    assert refused.value.code == "validation_error"
    assert "NUL" in refused.value.errors["_schema"][0] or "0x00" in refused.value.errors[
        "_schema"][0]
