"""Unit tests of the portal's view of the audit trail (ID-6, REC-15): how each staff action is
worded for the client, and the service's own refusal of anything but a portal caller."""

import uuid

import pytest
from nameko.testing.services import worker_factory

from casework.errors import PermissionDenied
from contracts.records import ACCESS_ACTIONS
from services.records import domain
from services.records.service import RecordsService
from tests.fixtures import signed


@pytest.mark.parametrize("action, word", [
    ("record_read", "viewed"), ("image_read", "viewed"), ("notes_read", "viewed"),
    ("status_history_read", "viewed"), ("audit_read", "viewed"), ("contacts_read", "viewed"),
    ("records_searched", "found_in_search"), ("record_exported", "exported"),
    ("record_created", "created"), ("record_deleted", "deleted"),
    ("record_restored", "restored"), ("record_updated", "changed"),
    ("notes_changed", "changed"), ("record_status_changed", "changed"),
    ("navigator_moved", "changed"), ("group_added", "changed"),
    ("session_created", "changed"),
    # an action written after this list was made still shows, as a change or a read
    ("something_new", "changed"), ("something_new_read", "viewed"),
])
def test_each_staff_action_has_a_word_the_contract_knows(action, word):
    assert domain.access_action(action) == word
    assert word in ACCESS_ACTIONS


@pytest.mark.parametrize("kind", ["staff", "operator"])
def test_only_a_portal_caller_reads_a_records_access_before_any_query(kind):
    service = worker_factory(RecordsService)
    with pytest.raises(PermissionDenied):
        service.portal_record_access(
            signed({"kind": kind, "organization_id": str(uuid.uuid4()),
                    "user_id": str(uuid.uuid4()), "permissions": ["agency_admin"]}),
            str(uuid.uuid4()), {})
    service.db.read.assert_not_called()
    service.identity.organization_portal.assert_not_called()
