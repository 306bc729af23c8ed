"""Unit tests of the records service's entrypoints with nameko's ``worker_factory`` (fake
dependencies, no broker, no database): the checks the service makes on its own, whatever the
gateway did (defence in depth), and what it does when scheduling does not answer."""

import uuid
from unittest import mock

import eventlet
import pytest
from nameko.testing.services import worker_factory

from casework.errors import PermissionDenied, ServiceUnavailable, ValidationFailed
from casework.events import envelope
from services.records.entrypoints import details
from services.records.service import RecordsService
from tests.fixtures import signed

ORG = str(uuid.uuid4())
RECORD = str(uuid.uuid4())


def caller(*permissions):
    return signed({"kind": "staff", "organization_id": ORG, "user_id": str(uuid.uuid4()),
                   "permissions": list(permissions), "request_id": "r-1"})


# every entrypoint that needs a permission, with arguments a caller could send
GUARDED = [
    ("change_case_number", (RECORD, {"case_number": "X-1"})),
    ("delete_record", (RECORD,)),
    ("restore_record", (RECORD,)),
    ("audit_trail", (RECORD, {})),
    ("create_client_type", ({"name": "T"},)),
    ("update_client_type", (RECORD, {"name": "T"})),
    ("delete_client_type", (RECORD,)),
    ("create_warning_indicator", ({"name": "W"},)),
    ("update_warning_indicator", (RECORD, {"name": "W"})),
    ("delete_warning_indicator", (RECORD,)),
    ("create_group", ({"name": "G"},)),
    ("update_group", (RECORD, {"name": "G"})),
    ("delete_group", (RECORD,)),
    ("bulk_group_members", (RECORD, {"add": [RECORD]})),
    ("create_assessment", ({"name": "A", "questions": [{"id": "q", "text": "Q",
                                                        "kind": "text"}]},)),
    ("update_assessment", (RECORD, {"requestable": False})),
]


@pytest.mark.parametrize("method, args", GUARDED)
def test_id2_the_service_refuses_a_caller_without_the_permission_before_any_query(method, args):
    service = worker_factory(RecordsService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(caller("client_account_invitations"), *args)
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()
    service.scheduling.financial_links.assert_not_called()


@pytest.mark.parametrize("method, args", [("get_record", (RECORD,)),
                                          ("search_records", ({},)),
                                          ("list_client_types", ({},)),
                                          ("get_contact", (RECORD,))])
def test_id1_the_service_refuses_a_caller_outside_any_agency(method, args):
    service = worker_factory(RecordsService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(signed({"kind": "portal", "permissions": ["agency_admin"]}),
                                 *args)
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()


# what the gateway would refuse, sent straight to the service: it loads with the same contract
REFUSED = [
    ("create_record", ({"first_name": "Ada"},), "last_name"),
    ("create_record", ({"first_name": "A", "last_name": "L", "case_number": "x y"},),
     "case_number"),
    ("update_record", (RECORD, {"phones": [{"number": "123\n"}]}), "phones"),
    ("update_record", (RECORD, {"custom_fields": {"x": float("inf")}}), "custom_fields"),
    ("search_records", ({"limit": 0},), "limit"),
    ("search_records", ({"cursor": "not a cursor"},), "cursor"),
    ("create_warning_indicator", ({"name": "W", "colour": "#C0392B\n"},), "colour"),
    ("create_contact", ({"first_name": "Only"},), "last_name"),
    ("link_contact", (RECORD, {"contact_id": RECORD, "contact_types": []}), "contact_types"),
    ("bulk_group_members", (RECORD, {"add": ["not an id"]}), "add"),
    ("send_request", (RECORD, {"type": "roi", "private": True}), "private"),
    ("send_request", (RECORD, {"type": "document", "document_category": "address",
                               "document_name": "Passport"}), "document_name"),
    ("create_requests", ({"key": "k", "record_ids": [RECORD, RECORD],
                          "request": {"type": "location"}},), "record_ids"),
    ("create_assessment", ({"name": "A", "questions": [
        {"id": "q", "text": "Q", "kind": "choice", "choices": ["one"]}]},), "questions"),
]


@pytest.mark.parametrize("method, args, field", REFUSED)
def test_the_service_refuses_what_its_contract_refuses_before_any_query(method, args, field):
    service = worker_factory(RecordsService)
    with pytest.raises(ValidationFailed) as refused:
        getattr(service, method)(caller("agency_admin"), *args)
    assert field in refused.value.errors
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()


def test_rec9_nothing_is_deleted_when_scheduling_does_not_answer(monkeypatch):
    monkeypatch.setattr(details, "SCHEDULING_TIMEOUT", 0.05)
    service = worker_factory(RecordsService)
    service.scheduling.financial_links.side_effect = lambda *args: eventlet.sleep(1)
    with pytest.raises(ServiceUnavailable, match="not deleted"):
        service.delete_record(caller("delete_clients"), RECORD)
    assert service.db.read.call_count == 1  # the existence check
    service.db.transaction.assert_not_called()  # never the delete


def test_rec6_a_client_enrolled_naming_no_record_is_dead_lettered_without_a_query():
    service = worker_factory(RecordsService)
    event = envelope("external", "client_enrolled", {"organization_id": ORG},
                     organization_id=ORG)
    assert service.on_client_enrolled(event) == "dead_lettered"
    service.db.dead_letter.assert_called_once_with(
        "on_client_enrolled", "external", "client_enrolled", event, mock.ANY, attempts=0)
    assert "record_id or case_number" in service.db.dead_letter.call_args.args[4]
    service.db.consume.assert_not_called()
    service.db.transaction.assert_not_called()
